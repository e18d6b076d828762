"""Receiving revisions (issue 18): `Archive.merge_docs`, the one way sync, bundles and `merge`
write what another replica sent. The rules are `merging.merge_into`'s; this mixin runs them in
the store's lock and lands the result as one atomic write (the search index told of the changed
ids, as after an import) and one journal operation, so `undo` takes a whole sync back at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from msgspec import Struct

if TYPE_CHECKING:
    from pathlib import Path

    from .. import history
    from .conflicts import Conflict
    from .merging import MergeReport

Raw = dict[str, Any]


class Resolved(Struct, frozen=True):
    """What `resolve` did: the bulletin, the winner it had, the winner now, the tombstones."""

    id: int
    before: str
    after: str
    closed: list[str]


__all__ = ["MERGED", "Mergeable"]

Recorded = tuple[dict[str, Any], "history.Recorder", str]
MERGED = "merged"  # meta flag: this archive has received revisions (purge says it is local)


class Mergeable:
    """The merge method of `store.Archive` (which provides these attributes)."""

    path: Path
    operation: tuple[str, list[str]]
    _backup_wanted: bool
    _raw: dict[str, dict[str, Any]] | None

    if TYPE_CHECKING:

        def _tables(self) -> dict[str, dict[str, Any]]: ...
        def _touch(self, ids: Iterable[int]) -> None: ...
        def _recorded(self) -> contextlib.AbstractContextManager[Recorded]: ...

    # -- reading -----------------------------------------------------------------------------------

    def conflicts(self, ids: Iterable[int] | None = None) -> list[Conflict]:
        """The bulletins in conflict (or those of `ids`), each with its live versions."""
        from .conflicts import find

        return find(self._tables(), ids)

    def in_conflict(self, doc_id: int) -> bool:
        """Whether `show` should say this bulletin is in conflict: from `meta.conflicts`, read
        from the file's head unless the archive is parsed already (never a parse for this)."""
        from .conflicts import META_KEY, hint

        if self._raw is not None:
            found = self._raw.get("meta", {}).get("1", {}).get(META_KEY) or []
            return doc_id in found
        return doc_id in hint(self.path)

    def is_replicated(self) -> bool:
        """Whether other archives may hold this one's text: it has remotes (`meta.remotes`, the
        sync commands') or has merged revisions from elsewhere (`meta.merged`)."""
        meta = self._tables().get("meta", {}).get("1", {})
        return bool(meta.get("remotes") or meta.get(MERGED))

    def docs(
        self, *, keep: Callable[[Mapping[str, Any]], bool] | None = None, private: bool = False
    ) -> Iterator[dict[str, Any]]:
        """Every leaf of every bulletin `keep` lets through, as sync documents (a bundle's), made
        one at a time (a bundle of 100,000 never holds them all)."""
        from .docs import outgoing

        return outgoing(self._tables(), private=private, keep=keep)

    def bundle_recipients(self) -> list[Any]:
        """Whom a bundle of this archive is encrypted to: its own identity and its recipients
        when it is encrypted; nobody (a plain bundle) when it is not."""
        from ..crypto import is_encrypted

        if not is_encrypted(self.path):
            return []
        from ..crypto import keys
        from ..crypto.codec import recipients_of

        return [keys.identity_for(self.path).to_public(), *recipients_of(self._tables())]

    # -- writing -----------------------------------------------------------------------------------

    def merge_docs(
        self,
        docs: Iterable[Mapping[str, Any]],
        *,
        dry_run: bool = False,
        command: str = "sync",
        whole: str | None = None,
        meta_update: Callable[[dict[str, Any]], None] | None = None,
    ) -> MergeReport:
        """Merge CouchDB documents (`sync.docs` shape) into the archive: one write and one journal
        operation named `command`, or none when nothing changes (the same documents twice). A dry
        run takes no lock and writes nothing. `whole` (a file's name) makes it all or nothing, as
        `import` is: one refused document refuses the file (a sync skips what is not its own).
        `meta_update` edits the meta record in the same write, when there is one (the sync's
        checkpoint lands with the batch it records)."""
        from .conflicts import update_hint
        from .merging import merge_into

        if dry_run:
            tables = self._tables()
            copy = {**tables}
            for name in ("bulletins", "history", "meta"):
                copy[name] = dict(tables.get(name, {}))
            report = merge_into(copy, docs).report
            _refuse_skipped(report, whole)
            return report
        with self._recorded() as (tables, recorder, now):
            outcome = merge_into(tables, docs)
            report = outcome.report
            _refuse_skipped(report, whole)  # raised inside the transaction: nothing is written
            if outcome.changes or outcome.leaves:
                self._touch(outcome.touched)
                self._backup_wanted = self._backup_wanted or outcome.destructive
                meta = tables.setdefault("meta", {})
                meta["1"] = {**(meta.get("1") or {}), MERGED: True}
                if meta_update is not None:
                    meta_update(meta["1"])
                open_ids = [report.ids[uid] for uid in report.conflicts]
                update_hint(tables, open_ids, outcome.cleared)
                argv = self.operation[1] or [command]
                _journal(tables, now, command, argv, outcome.changes, outcome.leaves)
                recorder.dirty = True
                report.written = True
        return report

    def resolve(
        self, doc_id: int, keep: str | None, edited: Raw | None = None, *, seen: Iterable[str] | None = None
    ) -> Resolved:
        """Close a conflict CouchDB's way: the kept text (the version `keep`, or `edited`, a
        merge written by hand) becomes a new child of the winner (none when the winner itself is
        kept unchanged), and every other live leaf gets a tombstone, so other replicas see the
        conflict resolved after their next sync. One write, one journal operation (`undo` brings
        the winner's text back; the closed versions stay in history). `seen`, the versions the
        person chose among: if a merge or sync changed them meanwhile, nothing is closed unseen."""
        from ..errors import InputError, NotFoundError
        from ..i18n import _
        from ..records import stored_form, to_bulletin
        from ..revisions_tree import RevTree
        from .conflicts import find, update_hint

        with self._recorded() as (tables, recorder, now):
            found = find(tables, [doc_id])
            if not found:
                raise NotFoundError(_("Bulletin {id} is not in conflict.").format(id=doc_id))
            conflict = found[0]
            sides = {side.rev: side for side in conflict.sides}
            if seen is not None and set(seen) != set(sides):
                raise InputError(
                    _(
                        "Bulletin {id} changed while you chose (a merge or sync); "
                        "run 'whrd resolve {id}' again."
                    ).format(id=doc_id)
                )
            winner = conflict.sides[0]
            if edited is None:
                chosen = sides.get(keep or "")
                if chosen is None:
                    raise InputError(
                        _(
                            "{rev} is not one of the versions in conflict; 'whrd resolve {id}' lists them."
                        ).format(rev=keep, id=doc_id)
                    )
                if chosen.body is None:
                    raise InputError(_("Version {rev} holds no text (purged).").format(rev=keep))
                edited = None if chosen.winner else dict(chosen.body)
            entry = tables["history"][conflict.uid]
            tree = RevTree.from_json(entry["tree"])
            closed = []
            for side in conflict.sides[1:]:
                tree, tomb = tree.edit({"uid": conflict.uid}, deleted=True, parent=side.rev)
                closed.append(tomb)
            tables["history"][conflict.uid] = {**entry, "tree": tree.to_json()}
            bulletins = tables["bulletins"]
            live = bulletins[str(doc_id)]
            if edited is not None:
                fresh = stored_form(to_bulletin(edited).stamped(added=live.get("added"), updated=now))
                bulletins[str(doc_id)] = recorder.changed(doc_id, live, fresh)
                self._touch([doc_id])
            update_hint(tables, [], [doc_id])
            recorder.dirty = True
            command, argv = self.operation
            _journal(tables, now, command or "resolve", argv, recorder.changes, [conflict.uid])
        return Resolved(doc_id, winner.rev, bulletins[str(doc_id)]["rev"], closed)


def _refuse_skipped(report: MergeReport, whole: str | None) -> None:
    if whole is None or not report.skipped:
        return
    from ..errors import InputError
    from ..i18n import ngettext, number

    n = len(report.skipped)
    uid, reason = report.skipped[0]
    message = ngettext(
        "{n} document of {name} cannot be merged ({uid}: {reason}); nothing was merged.",
        "{n} documents of {name} cannot be merged (the first, {uid}: {reason}); nothing was merged.",
        n,
    )
    raise InputError(message.format(n=number(n), name=whole, uid=uid, reason=reason.rstrip(".")))


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
