"""The revision chains (issue 15): every bulletin's history whole and agreeing with the bulletin.

What is checked, per bulletin that carries a uid (an archive from before uids is the uid check's
to report): its `rev` is a revision id; when it has a history entry, the entry's tree reads, ends
at (has as winner) the bulletin's current rev, names the same short id, and every old version the
tree says is kept is there; a deleted bulletin's tree ends in a tombstone. An old version kept but
unknown to its tree is a warning (it costs space, nothing else)."""

from __future__ import annotations

from typing import Any

from ..i18n import _
from ..storage import check
from .report import PROBLEM, WARNING, Finding
from .subject import Subject


def revision_chains(subject: Subject) -> list[Finding]:
    from ..history import HISTORY
    from ..history_check import history_damage
    from ..revisions import RevisionError, parse_rev
    from ..revisions_tree import RevTree

    damage = history_damage(subject.tables or {}, subject.path)
    if damage is not None:  # a shape the chains below cannot even be read in
        return [Finding("damaged-history", PROBLEM, damage, path=subject.path, field="rev")]
    history: dict[str, Any] = (subject.tables or {}).get(HISTORY, {})
    found: list[Finding] = []

    def problem(kind: str, message: str, doc_id: int | None, severity: str = PROBLEM) -> None:
        ids = () if doc_id is None else (doc_id,)
        found.append(Finding(kind, severity, message, ids=ids, path=subject.path, field="rev"))

    live_uids = set()
    for key, raw in subject.bulletins.items():
        if not isinstance(raw, dict) or not check._ID.fullmatch(key) or not isinstance(raw.get("uid"), str):
            continue
        doc_id, uid = int(key), raw["uid"]
        live_uids.add(uid)
        try:
            parse_rev(raw.get("rev"))
        except RevisionError:
            problem("bad-rev", _("Bulletin {id} has no valid revision ('rev').").format(id=doc_id), doc_id)
            continue
        entry = history.get(uid)
        if entry is None:
            continue
        try:
            tree = RevTree.from_json(entry.get("tree"))
        except (RevisionError, AttributeError):
            problem("bad-tree", _("The history of bulletin {id} cannot be read.").format(id=doc_id), doc_id)
            continue
        if tree.winner() != raw["rev"]:
            message = _("The history of bulletin {id} does not end at its current version {rev}.")
            problem("broken-chain", message.format(id=doc_id, rev=raw["rev"]), doc_id)
            continue  # its old versions cannot be told from its current one
        if entry.get("id") != doc_id:
            message = _("The history of bulletin {id} names another id ({other}).")
            problem("wrong-id", message.format(id=doc_id, other=entry.get("id")), doc_id)
        _bodies(problem, tree, entry, doc_id, current=raw["rev"])
    for uid, entry in history.items():
        if uid in live_uids or not isinstance(entry, dict):
            continue
        gone: int | None = entry.get("id") if isinstance(entry.get("id"), int) else None
        try:
            tree = RevTree.from_json(entry.get("tree"))
        except (RevisionError, AttributeError):
            problem(
                "bad-tree",
                _("The history of deleted bulletin {id} cannot be read.").format(id=gone),
                gone,
            )
            continue
        winner = tree.winner()
        if winner is None or not tree.is_deleted(winner):
            message = _("Bulletin {id} is missing, but its history does not end with its deletion.")
            problem("lost-bulletin", message.format(id=gone), gone)
            continue
        _bodies(problem, tree, entry, gone, current=None)
    return found


def _bodies(
    problem: Any, tree: Any, entry: dict[str, Any], doc_id: int | None, *, current: str | None
) -> None:
    """Old versions the tree says are kept but are not, and kept ones the tree does not know."""
    bodies: dict[str, Any] = entry["bodies"] if isinstance(entry.get("bodies"), dict) else {}
    expected = {
        rev for rev, kept in tree.bodies().items() if kept and rev != current and not tree.is_deleted(rev)
    }
    missing = sorted(expected - set(bodies))
    if missing:
        message = _("Bulletin {id} has lost old versions its history names: {revs}.")
        problem("missing-version", message.format(id=doc_id, revs=", ".join(missing)), doc_id)
    unknown = sorted(set(bodies) - set(tree.revs()))
    if unknown:
        message = _("Bulletin {id} keeps old versions its history does not name: {revs}.")
        problem("orphan-version", message.format(id=doc_id, revs=", ".join(unknown)), doc_id, WARNING)
