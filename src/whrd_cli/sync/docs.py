"""A bulletin's revisions as CouchDB documents (issue 18): what sync and bundles send, what push
asks `_revs_diff` about, and what changed since a checkpoint. Pure functions of the parsed archive
tables (no I/O, no printing), so the network code and the bundle code share one definition.

A live revision is `{"_id": uid, "_rev": rev, "_revisions": {"start": N, "ids": [...]},
"type": "whrd.bulletin", "whrd": 1, ...the version's fields}`: the fields are the version's body
(`history.body_of`) without `uid` (it is `_id`) and without `private` unless asked; never the
local short id. A tombstone is `{"_id", "_rev", "_revisions", "_deleted": true}` plus the same
`type`/`whrd` marks (CouchDB keeps a deleted document's body; the marks let a receiver on a
shared server tell our deletions from other applications'). Revs are sent as the archive holds
them and a receiver keeps them as they come (opaque, never recomputed).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

from ..history import HISTORY, JOURNAL, body_of
from ..revisions import RevisionError, parse_rev
from ..revisions_tree import RevTree

__all__ = [
    "DOC_TYPE",
    "FORMAT",
    "body_from_doc",
    "changed_since",
    "leaf_revs",
    "outgoing",
    "revs_diff",
    "tree_of",
]

DOC_TYPE = "whrd.bulletin"
FORMAT = 1  # the `whrd` mark: bump when a receiver must refuse what it cannot read
_MARKS = ("type", "whrd")

Tables = Mapping[str, Any]
Keep = Callable[[Mapping[str, Any]], bool]


def _live_by_uid(tables: Tables) -> dict[str, tuple[str, dict[str, Any]]]:
    """uid -> (short id key, stored dict) for every live bulletin."""
    out: dict[str, tuple[str, dict[str, Any]]] = {}
    for key, raw in tables.get("bulletins", {}).items():
        uid = raw.get("uid")
        if isinstance(uid, str):
            out[uid] = (key, raw)
    return out


def tree_of(tables: Tables, uid: str, live: Mapping[str, Any] | None = None) -> RevTree:
    """The revision tree of one uid: its history entry's, or the one rev of a bulletin that has
    had a single version (no entry); an empty tree for a uid the archive has never had."""
    entry = tables.get(HISTORY, {}).get(uid)
    if entry is not None:
        return RevTree.from_json(entry["tree"])
    if live is not None and isinstance(live.get("rev"), str):
        pos, digest = parse_rev(live["rev"])
        return RevTree().merge(pos, [digest])
    return RevTree()


def _uids(tables: Tables, live: Mapping[str, Any], uids: Iterable[str] | None) -> list[str]:
    if uids is not None:
        return list(dict.fromkeys(uids))
    return list(dict.fromkeys([*live, *tables.get(HISTORY, {})]))


def _doc(uid: str, tree: RevTree, rev: str, body: Mapping[str, Any] | None, private: bool) -> dict[str, Any]:
    doc: dict[str, Any] = {"_id": uid, "_rev": rev, "_revisions": tree.path(rev)}
    if body is None:
        doc["_deleted"] = True
    else:
        for name, value in body.items():
            if name == "uid" or (name == "private" and not private):
                continue
            doc[name] = value
    doc["type"] = DOC_TYPE
    doc["whrd"] = FORMAT
    return doc


def outgoing(
    tables: Tables,
    uids: Iterable[str] | None = None,
    *,
    private: bool = False,
    keep: Keep | None = None,
) -> Iterator[dict[str, Any]]:
    """Every leaf revision (winner first, then conflicts and deleted leaves) of these uids (None:
    all), each with its full revision path, as CouchDB documents.

    `keep(body)` narrows what is sent, per bulletin: it is sent when one of its live leaves passes
    (then all its leaves go, so the receiver picks the same winner); a deleted bulletin when one of
    the versions it still holds passed (a bulletin sent before, deleted since), or when it holds
    none (purged: what identifies the tombstone is all there is). A live leaf whose text was purged
    here cannot be sent and is left out. Unknown uids are passed over.
    """
    live = _live_by_uid(tables)
    history = tables.get(HISTORY, {})
    for uid in _uids(tables, live, uids):
        key_raw = live.get(uid)
        raw = key_raw[1] if key_raw else None
        entry = history.get(uid)
        if raw is None and entry is None:
            continue
        tree = tree_of(tables, uid, raw)
        stored = entry.get("bodies", {}) if entry else {}
        docs: list[tuple[str, Mapping[str, Any] | None]] = []
        for leaf in tree.leaves():
            if leaf.deleted:
                docs.append((leaf.rev, None))
                continue
            body = body_of(raw) if raw is not None and raw.get("rev") == leaf.rev else stored.get(leaf.rev)
            if body is not None:
                docs.append((leaf.rev, body))
        if not docs:
            continue
        if keep is not None and not _kept(keep, docs, stored):
            continue
        for rev, body in docs:
            yield _doc(uid, tree, rev, body, private)


Leaves = Sequence[tuple[str, Mapping[str, Any] | None]]


def _kept(keep: Keep, docs: Leaves, stored: Mapping[str, Any]) -> bool:
    bodies = [body for _, body in docs if body is not None]
    if bodies:
        return any(keep(body) for body in bodies)
    return not stored or any(keep(body) for body in stored.values())


def leaf_revs(tables: Tables, uids: Iterable[str] | None = None) -> dict[str, list[str]]:
    """uid -> its leaf revs (winner first): what push asks the server's `_revs_diff` about."""
    live = _live_by_uid(tables)
    history = tables.get(HISTORY, {})
    out: dict[str, list[str]] = {}
    for uid in _uids(tables, live, uids):
        key_raw = live.get(uid)
        if uid not in history and key_raw is not None and isinstance(key_raw[1].get("rev"), str):
            out[uid] = [key_raw[1]["rev"]]  # one version: its rev is its tree (no tree built)
            continue
        tree = tree_of(tables, uid, key_raw[1] if key_raw else None)
        if len(tree):
            out[uid] = [leaf.rev for leaf in tree.leaves()]
    return out


def revs_diff(tables: Tables, asked: Mapping[str, Sequence[str]]) -> dict[str, dict[str, list[str]]]:
    """CouchDB's `_revs_diff` answer against the local trees: for each uid some of whose revs are
    not here, `{"missing": [...], "possible_ancestors": [...]}` (the latter only when any). A rev
    that is not `N-hash` is reported missing (the receiver will refuse the document itself)."""
    live = _live_by_uid(tables)
    history = tables.get(HISTORY, {})
    out: dict[str, dict[str, list[str]]] = {}
    for uid, revs in asked.items():
        key_raw = live.get(uid)
        if uid not in history and key_raw is not None and list(revs) == [key_raw[1].get("rev")]:
            continue  # the one version this bulletin has: nothing missing (no tree built)
        tree = tree_of(tables, uid, key_raw[1] if key_raw else None)
        good, bad = [], []
        for rev in revs:
            try:
                parse_rev(rev)
                good.append(rev)
            except RevisionError:
                bad.append(rev)
        answer = tree.revs_diff(good).to_json() if good else {"missing": []}
        answer["missing"] = list(dict.fromkeys([*answer["missing"], *map(str, bad)]))
        if answer["missing"]:
            out[uid] = answer
    return out


# -- what changed since a checkpoint --------------------------------------------------------------
#
# Based on the journal: every write that makes or receives a revision is one journal operation
# (numbered, newest last, the newest JOURNAL_KEEP kept), which names the uids it changed
# (`changes`), the ids it added (`added`) and, for a merge, the uids whose trees gained a leaf
# without a new winner (`leaves`). A checkpoint is `"<number>:<at>"` of the newest operation: the
# time stamp makes it name that one operation, so an archive copied back from a backup (numbers
# reused) is not mistaken for the same history. No new counter is written by every command (a
# counter in `meta` would need every write path to stamp it), and a no-change push reads one
# table of at most 100 small entries.


def _checkpoint(number: int, op: Mapping[str, Any]) -> str:
    return f"{number}:{op.get('at', '')}"


def changed_since(tables: Tables, since: str | None) -> tuple[list[str] | None, str]:
    """(the uids whose revisions changed after checkpoint `since`, the new checkpoint). None for
    the uids means "assume everything": no checkpoint, one this archive does not hold (older than
    the journal keeps, or from another copy of it), or an archive with no journal yet."""
    journal = tables.get(JOURNAL, {})
    numbered = sorted(((int(key), op) for key, op in journal.items()), key=lambda item: item[0])
    if not numbered:
        return None, "0:"
    newest = _checkpoint(*numbered[-1])
    if since is None:
        return None, newest
    head, sep, _at = since.partition(":")
    if not sep or not head.isdigit():
        return None, newest
    number = int(head)
    op = journal.get(str(number))
    if op is None or _checkpoint(number, op) != since:
        return None, newest
    ids_wanted: set[int] = set()
    uids: dict[str, None] = {}
    for n, later in numbered:
        if n <= number:
            continue
        for change in later.get("changes", ()):
            uids[change[0]] = None
        for uid in later.get("leaves", ()):
            uids[uid] = None
        ids_wanted.update(later.get("added", ()))
    if ids_wanted:
        for key, raw in tables.get("bulletins", {}).items():
            if int(key) in ids_wanted and isinstance(raw.get("uid"), str):
                uids[raw["uid"]] = None
                ids_wanted.discard(int(key))
        for uid, entry in tables.get(HISTORY, {}).items():  # added, then deleted (journaled) since
            if entry.get("id") in ids_wanted:
                uids[uid] = None
    return list(uids), newest


# -- receiving --------------------------------------------------------------------------------------


def body_from_doc(doc: Mapping[str, Any]) -> dict[str, Any]:
    """The bulletin's fields a live document carries: everything but the `_` fields and the type
    marks, with `uid` from `_id` (validation is the receiver's: `ingest`)."""
    body = {name: value for name, value in doc.items() if not name.startswith("_") and name not in _MARKS}
    body["uid"] = doc.get("_id")
    return body
