"""Merging received CouchDB documents into the parsed archive tables (issue 18): the rules, with
no I/O. `ingest.Mergeable.merge_docs` runs this inside the store's lock and writes the result once.

CouchDB's rules, followed exactly: each document's `_revisions` path is merged into the uid's
revision tree (`RevTree.merge`: a rev already here is not received again; a purged rev keeps no
text, even when a document brings it back), the tree is stemmed to `_revs_limit`, every leaf keeps
its body (the winner in `bulletins`, the others in `history[uid]["bodies"]`) and the winner is
`RevTree.winner()`'s: live before deleted, deeper, then the greater hash. So every replica that has
received the same revisions shows the same version, whatever the order they came in.

Choices where CouchDB has none:
- a body is validated as an import validates it (`Bulletin.from_dict`); an invalid one is skipped
  with its reason, and the rest of the merge goes on;
- `private` never leaves unless a remote carries it, so a received version without one keeps this
  archive's private note (of the version it had before the merge): its absence means "not sent",
  not "removed". A received version that has one replaces it (its writer edited the note);
- two coordinators who imported the same published listing hold the same bulletin under two uids.
  They are reported (`duplicates`: incoming uid -> local id, by the dedupe key), not merged:
  merging would need a tombstone on one uid that every replica must agree on, and a wrong guess
  loses a coordinator's edits; `doctor` lists them and `delete` removes the unwanted one.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any

from msgspec import Struct, field

from ..errors import InputError, ValidationError
from ..history import HISTORY, body_of
from ..i18n import _
from ..records import stored_form, to_bulletin
from ..revisions import RevisionError
from ..revisions_tree import DEFAULT_REVS_LIMIT
from .docs import DOC_TYPE, FORMAT, body_from_doc, tree_of

Raw = dict[str, Any]
_REV = re.compile(r"[1-9][0-9]{0,8}-[0-9a-f]{1,64}")  # as `identity` accepts a rev on import
_HASH = re.compile(r"[0-9a-f]{1,64}")


class MergeReport(Struct):
    """What a merge did (or, dry, would do): uids added, updated (`revived`: back from a delete
    here, also in `updated`), deleted, left in conflict; `closed`: conflicts closed elsewhere
    (the version shown unchanged); `received`: other revisions that change nothing shown (a
    deletion of a bulletin never had here, a deleted branch); documents skipped (uid, reason);
    the local short id of every uid named; likely duplicates (incoming uid -> local id)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    closed: list[str] = field(default_factory=list)
    received: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[tuple[str, str]] = field(default_factory=list)
    ids: dict[str, int] = field(default_factory=dict)
    duplicates: dict[str, int] = field(default_factory=dict)
    revived: list[str] = field(default_factory=list)
    written: bool = False

    @property
    def changed(self) -> bool:
        """Whether the merge writes: a revision that changes nothing shown must land too (a
        conflict closed elsewhere stays open here otherwise)."""
        return bool(
            self.added or self.updated or self.deleted or self.conflicts or self.closed or self.received
        )

    def to_dict(self) -> dict[str, Any]:
        """The `--json` form (short ids as well as uids)."""
        return {
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "conflicts": self.conflicts,
            "closed": self.closed,
            "received": self.received,
            "revived": self.revived,
            "unchanged": self.unchanged,
            "skipped": [{"uid": uid, "reason": reason} for uid, reason in self.skipped],
            "duplicates": self.duplicates,
            "ids": self.ids,
            "written": self.written,
        }


class Outcome(Struct):
    """The merge's effect on the tables, for the store: journal records and ids to reindex."""

    report: MergeReport
    changes: list[list[Any]] = field(default_factory=list)  # [uid, id, winner before, winner after]
    leaves: list[str] = field(default_factory=list)  # trees changed, winners not
    cleared: list[int] = field(default_factory=list)  # ids whose trees changed and are not in conflict
    touched: set[int] = field(default_factory=set)
    destructive: bool = False


class _Skip(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _path(doc: Mapping[str, Any]) -> tuple[str, int, list[str], bool]:
    """(rev, start, ids, deleted) of a document, checked: `_revisions` must end at `_rev`."""
    rev = doc.get("_rev")
    # CouchDB's and PouchDB's are N-<32 hex>, and whrd's exports need hex (as `identity` checks).
    if not isinstance(rev, str) or not _REV.fullmatch(rev):
        raise _Skip(_("its _rev is not a revision"))
    head, _dash, digest = rev.partition("-")
    pos = int(head)
    revisions = doc.get("_revisions")
    start: Any = pos
    ids: Any = [digest]
    if revisions is not None:
        start = revisions.get("start") if isinstance(revisions, Mapping) else None
        ids = revisions.get("ids") if isinstance(revisions, Mapping) else None
        if (
            not isinstance(start, int)
            or isinstance(start, bool)
            or not isinstance(ids, list)
            or not ids
            or not all(isinstance(i, str) and _HASH.fullmatch(i) for i in ids)
            or start != pos
            or ids[0] != digest
            or start < len(ids)
        ):
            raise _Skip(_("its _revisions do not lead to its _rev"))
    deleted = doc.get("_deleted", False)
    if not isinstance(deleted, bool):  # CouchDB refuses it too ("Bad special document member")
        raise _Skip(_("its _deleted is not true or false"))
    return str(rev), start, ids, deleted


def _marks(doc: Mapping[str, Any], known: bool) -> None:
    """Refuse documents that are not ours, or that a newer whrd wrote."""
    kind, version = doc.get("type"), doc.get("whrd")
    if kind is None and doc.get("_deleted") is True and known:
        return  # a deletion another CouchDB client made of one of our bulletins
    if kind != DOC_TYPE:
        raise _Skip(_("not a whrd bulletin"))
    if not isinstance(version, int) or isinstance(version, bool) or version > FORMAT:
        raise _Skip(_("written by a newer whrd (format {n}); update whrd").format(n=version))


def _stored(doc: Mapping[str, Any], rev: str, private: str | None) -> Raw:
    """A received live version as the archive stores it, validated as an import is."""
    fields = body_from_doc(doc)
    fields.pop("rev", None)
    if "private" not in fields and private:
        fields["private"] = private
    try:
        from ..model import Bulletin

        raw = stored_form(Bulletin.from_dict(fields))
    except InputError as exc:
        raise _Skip(exc.message) from None
    raw["rev"] = rev
    raw["_key"] = raw.pop("_key")
    return raw


def _from_body(body: Mapping[str, Any], rev: str) -> Raw:
    raw = stored_form(to_bulletin(body))
    raw["uid"] = body.get("uid")
    raw["rev"] = rev
    raw["_key"] = raw.pop("_key")
    return raw


def merge_into(tables: dict[str, Any], docs: Iterable[Any], *, limit: int = DEFAULT_REVS_LIMIT) -> Outcome:
    """Merge `docs` into `tables`. The top-level `bulletins`, `history` and `meta` dicts are
    changed (entries replaced, never changed in place), so a dry run passes shallow copies."""
    out = Outcome(MergeReport())
    report = out.report
    groups: dict[str, list[Mapping[str, Any]]] = {}
    for doc in docs:
        uid = doc.get("_id") if isinstance(doc, Mapping) else None
        if not isinstance(uid, str) or not _is_uid(uid):
            shown = uid if isinstance(uid, str) else "?"
            report.skipped.append((shown[:200], _("not a whrd bulletin")))
            continue
        groups.setdefault(uid, []).append(doc)
    bulletins: dict[str, Raw] = tables.setdefault("bulletins", {})
    history: dict[str, Any] = tables.setdefault(HISTORY, {})
    live = {raw["uid"]: key for key, raw in bulletins.items() if isinstance(raw.get("uid"), str)}
    keys: dict[Any, int] | None = None
    new_ids = _Ids(tables)
    for uid, group in groups.items():
        key = live.get(uid)
        old_raw = bulletins.get(key) if key is not None else None
        entry = history.get(uid)
        tree0 = tree_of(tables, uid, old_raw)
        tree, received = tree0, {}
        private = (old_raw or {}).get("private")
        for doc in group:
            try:
                _marks(doc, len(tree0) > 0)
                rev, start, ids, deleted = _path(doc)
                had = rev in tree
                if not deleted and not had:
                    received[rev] = _stored(doc, rev, private)
                tree = tree.merge(start, ids, deleted=deleted)
                if had and not tree0.has_body(rev):
                    tree = tree.drop_bodies([rev])  # purged here: its text stays out
            except _Skip as skip:
                report.skipped.append((uid, skip.reason))
            except RevisionError:
                report.skipped.append((uid, _("its _revisions do not lead to its _rev")))
        if len(tree) > limit:  # no branch of a smaller tree can be longer than the limit
            tree, _stemmed = tree.stem(limit)
        if tree == tree0:
            report.unchanged += 1
            continue
        winner = tree.winner()
        assert winner is not None
        bodies = {rev: body for rev, body in (entry or {}).get("bodies", {}).items() if rev in tree}
        if old_raw is not None and old_raw["rev"] != winner and old_raw["rev"] in tree:
            bodies[old_raw["rev"]] = body_of(old_raw)
        for rev, raw in received.items():
            if rev != winner and rev in tree:
                bodies[rev] = body_of(raw)
        new_raw: Raw | None = None
        if not tree.is_deleted(winner):
            if old_raw is not None and old_raw["rev"] == winner:
                new_raw = old_raw
            elif winner in received:
                new_raw = received[winner]
            elif winner in bodies:
                new_raw = _from_body(bodies.pop(winner), winner)
        doc_id = int(key) if key is not None else entry["id"] if entry else new_ids.take()
        report.ids[uid] = doc_id
        if entry is not None or len(tree) > 1 or bodies or new_raw is None:
            history[uid] = {"id": doc_id, "tree": tree.to_json(), "bodies": bodies}
        before = old_raw["rev"] if old_raw is not None else tree0.winner()
        if new_raw is not None and new_raw is not old_raw:
            bulletins[str(doc_id)] = new_raw
            out.touched.add(doc_id)
        elif new_raw is None and old_raw is not None:
            del bulletins[str(doc_id)]
            out.touched.add(doc_id)
        if new_raw is not None and old_raw is None and before is None:
            report.added.append(uid)
            if keys is None:
                keys = {raw.get("_key"): int(k) for k, raw in bulletins.items() if raw.get("uid") != uid}
            twin = keys.get(new_raw["_key"])
            if twin is not None and twin != doc_id:
                report.duplicates[uid] = twin
            keys.setdefault(new_raw["_key"], doc_id)
        elif new_raw is not None and old_raw is None:
            report.updated.append(uid)
            report.revived.append(uid)
        elif new_raw is not None and winner != before:
            report.updated.append(uid)
            out.destructive = True
        elif new_raw is None and old_raw is not None:
            report.deleted.append(uid)
            out.destructive = True
        elif not tree.conflicts():
            (report.closed if tree0.conflicts() else report.received).append(uid)
        if new_raw is not old_raw:
            out.changes.append([uid, doc_id, before, winner])
        else:
            out.leaves.append(uid)
        if tree.conflicts():
            report.conflicts.append(uid)
        else:
            out.cleared.append(doc_id)
    return out


def _is_uid(uid: str) -> bool:
    from ..identity import normalise_uid

    try:
        return normalise_uid(uid) == uid
    except ValidationError:
        return False


class _Ids:
    """New short ids from the archive's high-water mark (ids are never reused), found once."""

    def __init__(self, tables: dict[str, Any]) -> None:
        self.tables = tables
        self.next: int | None = None

    def take(self) -> int:
        if self.next is None:
            meta = self.tables.get("meta", {}).get("1") or {}
            used = [int(k) for k in self.tables.get("bulletins", {})]
            used += [e["id"] for e in self.tables.get(HISTORY, {}).values() if isinstance(e.get("id"), int)]
            self.next = max(int(meta.get("next_id", 1)), max(used, default=0) + 1)
        taken, self.next = self.next, self.next + 1
        meta_table = self.tables.setdefault("meta", {})
        meta_table["1"] = {**(meta_table.get("1") or {}), "next_id": self.next}
        return taken
