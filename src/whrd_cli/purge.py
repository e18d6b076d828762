"""Purges (issue 15): removing old text from an archive's history for good, in the archive's tables
and in a backup's. Pure functions of parsed tables; the store writes them (`store_history`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .history import HISTORY, JOURNAL, Tables
from .revisions_tree import RevTree


def purge_bulletins(tables: Tables, uids: Iterable[str], ids: Iterable[int] = ()) -> int:
    """Remove every version of these (already deleted) bulletins, keeping only what identifies the
    tombstone (uid, id, the tree's rev ids), and scrub the command lines of the operations that
    touched them (a title typed on a command line is text); how many entries changed."""
    wanted = set(uids)
    history = tables.get(HISTORY, {})
    purged = 0
    for uid in wanted:
        entry = history.get(uid)
        if entry is None:
            continue
        tree = RevTree.from_json(entry["tree"])
        entry["tree"] = tree.drop_bodies(tree.revs()).to_json()
        entry["bodies"] = {}
        purged += 1
    # Their short ids too: an add is journaled by id, and a backup may hold no history entry yet.
    known = {entry.get("id") for uid, entry in history.items() if uid in wanted} | set(ids)
    for op in tables.get(JOURNAL, {}).values():
        touched = [change[0] in wanted for change in op.get("changes", ())]
        added = [doc_id in known for doc_id in op.get("added", ())]
        if any(touched) or any(added):
            op["argv"] = [op.get("command", "")]  # the command's name, none of its values
        if touched + added and all(touched + added):
            op["purged"] = True  # nothing of it left to undo: `undo` passes over it
    return purged


def purge_before(tables: Tables, day: str) -> int:
    """Drop the old versions (never a current one) written before `day` (YYYY-MM-DD), archive-wide;
    how many were dropped."""
    dropped = 0
    for entry in tables.get(HISTORY, {}).values():
        bodies = entry.get("bodies", {})
        old = [rev for rev, body in bodies.items() if (body.get("updated") or body.get("added") or "") < day]
        if not old:
            continue
        for rev in old:
            del bodies[rev]
        entry["tree"] = RevTree.from_json(entry["tree"]).drop_bodies(old).to_json()
        dropped += len(old)
    return dropped


def purge_backup_before(backup: Tables, archive: Mapping[str, Any], day: str) -> None:
    """`purge_before` inside a backup, where an old version may still be the bulletin itself: a
    bulletin there that is not the archive's current version and was written before `day` is
    replaced by the archive's current one (or left out, if the archive has none)."""
    current = archive.get("bulletins", {})
    bulletins = backup.get("bulletins", {})
    for key in list(bulletins):
        raw, now = bulletins[key], current.get(key)
        if now is not None and raw.get("rev") is not None and raw.get("rev") == now.get("rev"):
            continue
        if (raw.get("updated") or raw.get("added") or "") < day:
            if now is None:
                del bulletins[key]
            else:
                bulletins[key] = dict(now)
    purge_before(backup, day)
