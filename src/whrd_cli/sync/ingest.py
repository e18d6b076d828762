"""Receiving revisions (issue 18): `Archive.merge_docs`, the one way sync, bundles and `merge`
write what another replica sent. The rules are `merging.merge_into`'s; this mixin runs them in
the store's lock and lands the result as one atomic write (the search index told of the changed
ids, as after an import) and one journal operation, so `undo` takes a whole sync back at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .. import history
    from .merging import MergeReport

__all__ = ["MERGED", "Mergeable"]

Recorded = tuple[dict[str, Any], "history.Recorder", str]
MERGED = "merged"  # meta flag: this archive has received revisions (purge says it is local)


class Mergeable:
    """The merge method of `store.Archive` (which provides these attributes)."""

    operation: tuple[str, list[str]]
    _backup_wanted: bool

    if TYPE_CHECKING:

        def _tables(self) -> dict[str, dict[str, Any]]: ...
        def _touch(self, ids: Iterable[int]) -> None: ...
        def _recorded(self) -> contextlib.AbstractContextManager[Recorded]: ...

    def merge_docs(
        self, docs: Iterable[Mapping[str, Any]], *, dry_run: bool = False, command: str = "sync"
    ) -> MergeReport:
        """Merge CouchDB documents (`sync.docs` shape) into the archive: one write and one journal
        operation named `command`, or none when nothing changes (the same documents twice). A dry
        run takes no lock and writes nothing."""
        from .merging import merge_into

        if dry_run:
            tables = self._tables()
            copy = {**tables}
            for name in ("bulletins", "history", "meta"):
                copy[name] = dict(tables.get(name, {}))
            return merge_into(copy, docs).report
        with self._recorded() as (tables, recorder, now):
            outcome = merge_into(tables, docs)
            report = outcome.report
            if outcome.changes or outcome.leaves:
                self._touch(outcome.touched)
                self._backup_wanted = self._backup_wanted or outcome.destructive
                meta = tables.setdefault("meta", {})
                meta["1"] = {**(meta.get("1") or {}), MERGED: True}
                argv = self.operation[1] or [command]
                _journal(tables, now, command, argv, outcome.changes, outcome.leaves)
                recorder.dirty = True
                report.written = True
        return report


def _journal(
    tables: dict[str, Any],
    at: str,
    command: str,
    argv: list[str],
    changes: list[list[Any]],
    leaves: list[str],
) -> None:
    """One operation for the whole merge: `changes` as every write records them (what `undo`
    reverts), `leaves` the uids whose trees gained revisions without a new winner (what a push
    must still send on: `docs.changed_since`)."""
    from ..history import JOURNAL, JOURNAL_KEEP

    table: dict[str, Any] = tables.setdefault(JOURNAL, {})
    number = max(map(int, table), default=0) + 1
    op: dict[str, Any] = {"at": at, "command": command, "argv": argv, "changes": changes, "undoes": None}
    if leaves:
        op["leaves"] = leaves
    table[str(number)] = op
    for old in sorted(table, key=int)[:-JOURNAL_KEEP]:
        del table[old]
