"""Every change kept (issue 15): each bulletin's revisions, its old versions and tombstone, and
the journal of operations `undo` works from. Pure functions of the parsed archive's tables, called
by the store inside its lock, so one atomic write lands a change and its history together (and
encryption, backups and the lock cover history with no code of their own).

The layout (docs/revisions.md):
- `bulletins[id]`: the current version, with its `uid` (never changed) and `rev`;
- `history[uid]`: `{"id": short id, "tree": compact revision tree, "bodies": {rev: version}}` for
  every bulletin that has had more than one version (edited, deleted, restored): the versions but
  the current one. A bulletin with one version has no entry: its tree is its `rev`. Commands that
  do not show history never look at this table;
- `journal[n]`: one operation (`at`, `command`, `argv`, `changes`: `[uid, id, rev before, rev
  after]` each, `added`: the ids it created, `undoes`: the operation it undid), the newest
  `JOURNAL_KEEP`. An add is one id, not a change record: an import of 100,000 bulletins adds
  ~0.6 MB to the journal, not ~9 MB (its revs are the roots of the bulletins' trees).

A version's `rev` hashes what the user can see of it (`body_of`: no `rev`, no derived `_key`).
Never prints; errors are the store's to word.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Callable, Mapping, MutableMapping, Sequence
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from .revisions import new_rev
from .revisions_tree import RevTree

_REV = re.compile(r"[1-9][0-9]{0,8}-[0-9a-f]{32}")

HISTORY = "history"
JOURNAL = "journal"
JOURNAL_KEEP = 100
_APART = 4_000  # new bulletins from which their revs are worked out on several cores
# Operations that took in other archives' revisions: undoing one would make new revisions (deletes,
# reverts) that travel back and undo the other coordinators' work in their own archives.
RECEIVED = ("merge", "sync")

Tables = MutableMapping[str, Any]
Identity = tuple[str | None, str | None]  # a new bulletin's uid and rev to give (None: its own kept)
Raw = dict[str, Any]


def body_of(raw: Mapping[str, Any]) -> Raw:
    """What a revision is a version of: the stored dict without its rev and derived fields (`_`
    fields: the dedupe key, search data an older whrd kept)."""
    return {name: value for name, value in raw.items() if name != "rev" and not name.startswith("_")}


def _settle(raw: Raw) -> Raw:
    """The derived `_key` back at the end, where `records.stored_form` puts it: a bulletin whose
    uid and rev were just given is written with its keys in the one order, byte for byte."""
    if "_key" in raw:
        raw["_key"] = raw.pop("_key")
    return raw


def new_uid() -> str:
    """A random UUID4 as 32 hex digits (`uuid.uuid4().hex`, in a fifth of the time: an import of
    100,000 gives 100,000)."""
    raw = bytearray(os.urandom(16))
    raw[6] = (raw[6] & 0x0F) | 0x40  # version 4
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return raw.hex()


def legacy_uid(archive_uid: str, doc_id: int) -> str:
    """The uid a bulletin stored before uids existed gets: derived from the archive's own id and
    the bulletin's, so every copy of one archive gives its bulletins the same uids."""
    try:
        space = uuid.UUID(hex=archive_uid)
    except ValueError:
        space = uuid.uuid5(uuid.NAMESPACE_URL, archive_uid)
    return uuid.uuid5(space, str(doc_id)).hex


def give_identity(bulletins: Mapping[str, Raw], archive_uid: str) -> int:
    """Give every bulletin stored before issue 15 a uid and a first rev (in place); how many."""
    given = 0
    for key, raw in bulletins.items():
        if "rev" in raw and "uid" in raw:
            continue
        raw.setdefault("uid", legacy_uid(archive_uid, int(key)))
        raw["rev"] = new_rev(None, body_of(raw), False, plain=True)
        _settle(raw)
        given += 1
    return given


class Version(Struct, frozen=True):
    """One version of a bulletin, for `history`: its rev, whether it is the tombstone of a delete,
    its stored dict (None once purged or for a tombstone), and whether it is the current one."""

    rev: str
    deleted: bool
    body: Raw | None
    current: bool
    written: str | None = None  # a tombstone's time, from the journal (it has no body to stamp)

    @property
    def at(self) -> str | None:
        """When this version was written (its `updated` stamp, else `added`)."""
        if not self.body:
            return self.written
        return self.body.get("updated") or self.body.get("added")


class Recorder:
    """The revisions one transaction makes, kept in `tables` as they are made, and journaled once
    at its end (`journal`): one operation for a whole import, edit or undo."""

    def __init__(self, tables: Tables) -> None:
        self.tables = tables
        self.changes: list[list[Any]] = []
        self.added: list[int] = []
        self.dirty = False  # a change that makes no revision (a purge) still to be written

    @property
    def _history(self) -> dict[str, Any]:
        table: dict[str, Any] = self.tables.setdefault(HISTORY, {})
        return table

    def tree(self, raw: Mapping[str, Any]) -> RevTree:
        entry = self._history.get(raw["uid"])
        if entry is not None:
            return RevTree.from_json(entry["tree"])
        depth, _, digest = raw["rev"].partition("-")  # one version; deeper than 1 when imported
        return RevTree().merge(int(depth), [digest])

    def _keep(self, uid: str, doc_id: int, tree: RevTree, old: Mapping[str, Any] | None) -> None:
        entry = self._history.setdefault(uid, {"id": doc_id, "tree": [], "bodies": {}})
        entry["id"] = doc_id
        entry["tree"] = tree.to_json()
        if old is not None:
            entry["bodies"][old["rev"]] = body_of(old)

    def created(self, doc_id: int, raw: Raw) -> Raw:
        """A new bulletin: its uid and rev. Both are kept when it brings them (an export of
        another archive imported: the same bulletin, at the same revision, as a replica would
        receive it; a rev is opaque, never recomputed), but for a uid this archive has deleted:
        a new bulletin then, with a new uid and a first rev."""
        return self._given(doc_id, raw, self._identity(raw))

    def created_many(self, ids: Sequence[int], docs: Sequence[Raw]) -> dict[int, Raw]:
        """`created` of each; for an import, their revs (MD5s) are worked out on every core."""

        def identities(span: tuple[int, int], _tick: Callable[[int], None]) -> list[Identity]:
            return [self._identity(raw) for raw in docs[span[0] : span[1]]]

        if len(docs) < _APART:  # (an add: no process to start, nor its modules to import)
            found = identities((0, len(docs)), lambda _done: None)
        else:
            from .workers import fork_map, spans

            found = [i for part in fork_map(identities, spans(len(docs), least=_APART)) for i in part]
        return {doc_id: self._given(doc_id, raw, i) for doc_id, raw, i in zip(ids, docs, found, strict=True)}

    def _identity(self, raw: Raw) -> Identity:
        """The uid (None: its own kept) and rev (None: its own kept) a new bulletin gets."""
        uid = raw.get("uid")
        fresh = not isinstance(uid, str) or not uid or uid in self._history
        incoming = None if fresh else raw.get("rev")
        given = new_uid() if fresh else None
        if isinstance(incoming, str) and _REV.fullmatch(incoming):  # revs are opaque, as CouchDB's
            return given, None
        body = body_of(raw)
        if given is not None:
            body["uid"] = given  # (the digest sorts the keys: where it stands does not matter)
        return given, new_rev(None, body, False, plain=True)

    def _given(self, doc_id: int, raw: Raw, identity: Identity) -> Raw:
        uid, rev = identity
        if uid is not None:
            raw["uid"] = uid
            raw.pop("rev", None)
        if rev is not None:
            raw["rev"] = rev
        self.added.append(doc_id)
        return _settle(raw)

    def changed(self, doc_id: int, old: Raw, new: Raw) -> Raw:
        """`new` replaces `old` as an edit of it: same uid, a child rev; `old` kept in history."""
        new["uid"] = old["uid"]
        new.pop("rev", None)
        tree, rev = self.tree(old).edit(body_of(new), parent=old["rev"])
        new["rev"] = rev
        self._keep(old["uid"], doc_id, tree, old)
        self.changes.append([old["uid"], doc_id, old["rev"], rev])
        return _settle(new)

    def deleted(self, doc_id: int, old: Raw) -> str:
        """`old` deleted: a tombstone rev (holding only its uid), `old` kept in history. A bulletin
        in conflict (issue 18) is deleted whole: its other versions get tombstones too, or one of
        them would win and show on the other replicas."""
        tree, rev = self.tree(old).edit({"uid": old["uid"]}, deleted=True, parent=old["rev"])
        for other in [leaf.rev for leaf in tree.leaves() if not leaf.deleted]:
            tree = tree.edit({"uid": old["uid"]}, deleted=True, parent=other)[0]
        self._keep(old["uid"], doc_id, tree, old)
        self.changes.append([old["uid"], doc_id, old["rev"], rev])
        return rev

    def revived(self, uid: str, doc_id: int, new: Raw) -> Raw:
        """A deleted bulletin back, as an edit of its tombstone, under its old id and uid."""
        entry = self._history[uid]
        tree = RevTree.from_json(entry["tree"])
        tomb = tree.winner()
        new["uid"] = uid
        new.pop("rev", None)
        tree, rev = tree.edit(body_of(new), parent=tomb)
        new["rev"] = rev
        self._keep(uid, doc_id, tree, None)
        self.changes.append([uid, doc_id, tomb, rev])
        return _settle(new)

    def journal(self, at: str, command: str, argv: list[str], *, undoes: int | None = None) -> int | None:
        """Record this transaction's changes as one operation; its number (None: no change)."""
        if not self.changes and not self.added:
            return None
        table: dict[str, Any] = self.tables.setdefault(JOURNAL, {})
        number = max(map(int, table), default=0) + 1
        op: dict[str, Any] = {
            "at": at,
            "command": command,
            "argv": argv,
            "changes": self.changes,
            "undoes": undoes,
        }
        if self.added:
            op["added"] = self.added
        table[str(number)] = op
        for old in sorted(table, key=int)[:-JOURNAL_KEEP]:
            del table[old]
        return number


# -- reading history ------------------------------------------------------------------------------


def find_uid(tables: Mapping[str, Any], doc_id: int) -> str | None:
    """The uid of the bulletin with this short id, live or deleted (a tombstone keeps its id)."""
    live = tables.get("bulletins", {}).get(str(doc_id))
    if live is not None:
        uid = live.get("uid")
        return uid if isinstance(uid, str) else None
    for uid, entry in tables.get(HISTORY, {}).items():
        if entry.get("id") == doc_id:
            return str(uid)
    return None


def versions(tables: Mapping[str, Any], doc_id: int) -> list[Version]:
    """Every version of a bulletin the archive knows, newest first (the current one first when it
    is live); [] for an id the archive has never had."""
    uid = find_uid(tables, doc_id)
    live = tables.get("bulletins", {}).get(str(doc_id))
    if uid is None:  # not there, or stored before uids: its one version, as the next write names it
        if live is None:
            return []
        archive_uid = tables.get("meta", {}).get("1", {}).get("uid") or ""
        body = {**body_of(live), "uid": legacy_uid(archive_uid, doc_id)}
        return [Version(new_rev(None, body, False, plain=True), False, dict(live), True)]
    entry = tables.get(HISTORY, {}).get(uid)
    if entry is None:  # one version only
        return [Version(live["rev"], False, dict(live), True)] if live else []
    tree = RevTree.from_json(entry["tree"])
    winner = tree.winner()
    bodies = entry.get("bodies", {})
    written = {
        change[3]: op.get("at")
        for _, op in operations(tables)
        for change in op.get("changes", ())
        if len(change) == 4 and change[0] == uid
    }
    out = []
    for rev in sorted(tree.revs(), key=_newest_first):
        current = rev == winner
        body = dict(live) if current and live is not None else bodies.get(rev)
        deleted = tree.is_deleted(rev)
        out.append(Version(rev, deleted, body, current, written.get(rev) if deleted else None))
    return out


def _newest_first(rev: str) -> tuple[int, str]:
    depth, _, digest = rev.partition("-")
    return -int(depth), digest


def operations(tables: Mapping[str, Any]) -> list[tuple[int, Mapping[str, Any]]]:
    """The journal, newest first: (number, operation)."""
    table = tables.get(JOURNAL, {})
    return sorted(((int(key), op) for key, op in table.items()), key=lambda item: -item[0])


def next_to_undo(tables: Mapping[str, Any]) -> tuple[int, Mapping[str, Any]] | None:
    """The newest operation that is not an undo and has not been undone: what `undo` undoes
    (so a second `undo` undoes the one before, never redoes)."""
    ops = operations(tables)
    undone = {op.get("undoes") for _, op in ops}
    for number, op in ops:
        # A purge cannot be undone, nor what touched only bulletins purged since: passed over.
        # A merge that only added conflicting versions changed no bulletin: nothing to undo.
        # A merge or sync is never passed over (undo stops there, and refuses it: `RECEIVED`).
        empty = not (op.get("changes") or op.get("added")) and op.get("command") not in RECEIVED
        if op.get("undoes") is None and number not in undone and not op.get("purged") and not empty:
            return number, op
    return None


class Step(Struct, frozen=True):
    """What undoing one change does to one bulletin: `kind` is "remove" (undo an add), "revert"
    (back to the version before), "revive" (undo a delete) or "skip" (changed since: left alone);
    `before` the version it brings back, `now` the bulletin as it is."""

    kind: str
    uid: str
    id: int
    before: Raw | None
    now: Raw | None


def undo_steps(tables: Mapping[str, Any], op: Mapping[str, Any]) -> list[Step]:
    """The steps that undo `op`, each checked against the bulletin as it is now."""
    bulletins = tables.get("bulletins", {})
    history = tables.get(HISTORY, {})
    steps = []
    for doc_id in op.get("added", ()):
        steps.append(_undo_add(bulletins, history, doc_id))
    for uid, doc_id, before, after in op.get("changes", ()):
        live = bulletins.get(str(doc_id))
        entry = history.get(uid)
        tree = RevTree.from_json(entry["tree"]) if entry else None
        current = live.get("rev") if live is not None and live.get("uid") == uid else None
        bodies = entry["bodies"] if entry else {}
        winner = tree.winner() if tree is not None else None
        deleted_now = live is None and winner is not None and tree is not None and tree.is_deleted(winner)
        if deleted_now and tree is not None and after in tree and tree.is_deleted(after):
            # Deleted by this operation and deleted now (maybe again, after an undo of a restore).
            body = bodies.get(before) if before else None
            steps.append(Step("revive" if body else "skip", uid, doc_id, body, None))
        elif current != after and not (live is not None and same_content(live, bodies.get(after))):
            # Changed since, unless only by undos and restores that brought back this very text.
            steps.append(Step("skip", uid, doc_id, None, live))
        elif before is None or (tree is not None and before in tree and tree.is_deleted(before)):
            # An add, or a restore of a deleted bulletin: undone, it is deleted (again).
            steps.append(Step("remove", uid, doc_id, None, live))
        else:
            body = bodies.get(before)
            steps.append(Step("revert" if body else "skip", uid, doc_id, body, live))
    return steps


def _undo_add(bulletins: Mapping[str, Any], history: Mapping[str, Any], doc_id: int) -> Step:
    """Undoing the add of `doc_id`: remove it, if it still says what it said when it was added."""
    live = bulletins.get(str(doc_id))
    if live is None or not isinstance(live.get("uid"), str):
        return Step("skip", "", doc_id, None, live)
    entry = history.get(live["uid"])
    if entry is None:  # never changed since
        return Step("remove", live["uid"], doc_id, None, live)
    tree = RevTree.from_json(entry["tree"])
    root = tree.history(tree.winner() or live["rev"])[-1]
    unchanged = live.get("rev") == root or same_content(live, entry.get("bodies", {}).get(root))
    return Step("remove" if unchanged else "skip", live["uid"], doc_id, None, live)


_STAMPS = frozenset({"updated", "rev", "_key"})


def same_content(live: Mapping[str, Any], version: Mapping[str, Any] | None) -> bool:
    """Whether a bulletin says what an old version said (its stamps and rev aside)."""
    if version is None:
        return False
    return {k: v for k, v in live.items() if k not in _STAMPS} == {
        k: v for k, v in version.items() if k not in _STAMPS
    }


class Undone(Struct, frozen=True):
    """What an `undo` did: the operation's number and record, and the steps taken (skips too)."""

    number: int
    operation: Mapping[str, Any]
    steps: list[Step]


class PurgeReport(Struct):
    """What a purge removed, and what it did to each rolling backup."""

    purged: int = 0
    rewritten: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
