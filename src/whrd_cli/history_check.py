"""Is the history kept in an archive (issue 15) in a shape whrd can work with? The `history` and
`journal` tables and each bulletin's `rev`, checked as `storage.check` checks the bulletins: the
first thing broken, described in one sentence, or None.

Run after a command fails unexpectedly (`Archive.damage`, so a history damaged by hand is reported
as such, exit 3, never as a bug) and by `doctor`. Never raises."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .i18n import _


def history_damage(tables: Mapping[str, Any], path: Path) -> str | None:
    from .history import HISTORY, JOURNAL
    from .revisions import RevisionError, parse_rev
    from .revisions_tree import RevTree

    history = tables.get(HISTORY, {})
    if not isinstance(history, dict):
        return _("The history table of {path} is not a table of bulletins' histories.").format(path=path)
    bulletins = tables.get("bulletins", {})
    trees: dict[str, RevTree] = {}
    for uid, entry in history.items():
        name = entry.get("id") if isinstance(entry, dict) else None
        try:
            if not isinstance(entry, dict) or not isinstance(name, int) or isinstance(name, bool):
                raise RevisionError("bad_tree")
            trees[uid] = RevTree.from_json(entry.get("tree"))
            bodies = entry.get("bodies", {})
            if not isinstance(bodies, dict) or not all(isinstance(b, dict) for b in bodies.values()):
                raise RevisionError("bad_tree")
        except (RevisionError, TypeError, ValueError, AttributeError):
            return _("The history of bulletin {id} in {path} is damaged (uid {uid}).").format(
                id=name if isinstance(name, int) else "?", path=path, uid=uid
            )
    for key, raw in bulletins.items():
        if not isinstance(raw, dict) or "rev" not in raw:
            continue  # stored before revisions, or the bulletin check's to describe
        try:
            parse_rev(raw["rev"])
        except RevisionError:
            return _("Bulletin {id} in {path} has a 'rev' that is not a revision: {value!r}.").format(
                id=key, path=path, value=raw["rev"]
            )
        tree = trees.get(raw.get("uid"))  # type: ignore[arg-type]
        if tree is not None and raw["rev"] not in tree:
            return _(
                "The history of bulletin {id} in {path} does not know its current version {rev}."
            ).format(id=key, path=path, rev=raw["rev"])
    journal = tables.get(JOURNAL, {})
    if not isinstance(journal, dict) or not all(_operation(op) for op in journal.values()):
        return _("The journal of operations in {path} is damaged; 'whrd undo' cannot use it.").format(
            path=path
        )
    return None


def _operation(op: Any) -> bool:
    if not isinstance(op, dict):
        return False
    argv, changes, added = op.get("argv", []), op.get("changes", []), op.get("added", [])
    return (
        isinstance(argv, list)
        and all(isinstance(a, str) for a in argv)
        and isinstance(changes, list)
        and all(isinstance(c, list) and len(c) == 4 and isinstance(c[1], int) for c in changes)
        and isinstance(added, list)
        and all(isinstance(i, int) for i in added)
        and (op.get("undoes") is None or isinstance(op.get("undoes"), int))
    )
