"""The archive's history commands (issue 15): versions, restore, undo and the purges, as methods
the store's `Archive` inherits. Each write is one of the store's locked transactions, so it lands
with its history and journal entry in one atomic write, and the followers (the search index) hear
of it like any other change.

A purge is the one operation that reaches past the archive: the text it removes must leave every
file whrd keeps. It rewrites each rolling backup through the same purge (or removes a backup it
cannot read), and rebuilds the search index from scratch (SQLite and FTS5 keep deleted rows in
free pages and old segments); the journal never held text, and its command lines are scrubbed.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import interrupts
from .dates import utc_stamp
from .errors import InputError, NotFoundError
from .i18n import _
from .links_store import forgetting
from .records import Entry, Raw, stored_form, to_bulletin
from .storage.check import BULLETINS, META, SCHEMA_VERSION

if TYPE_CHECKING:
    from tinydb import TinyDB

    from . import history
    from .history import PurgeReport, Undone
    from .storage.tinydb_adapter import AtomicJSONStorage


class Revisable:
    """History methods of `store.Archive` (which provides these attributes)."""

    path: Path
    clock: Callable[[], datetime]
    operation: tuple[str, list[str]]
    _backup_wanted: bool
    _touched: set[int] | None

    if TYPE_CHECKING:

        def _transaction(self) -> contextlib.AbstractContextManager[tuple[TinyDB, AtomicJSONStorage]]: ...
        def _tables(self) -> dict[str, dict[str, Any]]: ...
        def _touch(self, ids: Iterable[int]) -> None: ...
        def _path_uid(self) -> str: ...

    def _upgrade(self, db: TinyDB, storage: AtomicJSONStorage) -> None:
        """An archive from before issue 15: every bulletin gets its uid (derived from the
        archive's id and its own, so copies agree) and first rev, in this transaction's write."""
        from .history import give_identity
        from .storage.tinydb_adapter import bulletins_of

        archive_uid = _meta(db).get("uid") or self._path_uid()
        if give_identity(bulletins_of(storage), archive_uid):
            self._touched = None  # every record in the index changes
        db.table(META).update({"schema": SCHEMA_VERSION}, doc_ids=[1])

    def reindex(self) -> int:
        """Recompute every bulletin's derived data (dedupe key; search data left in the archive
        by an older whrd is dropped) in one write, and rebuild the search index beside it.

        The bulletins themselves, `updated` included, stay as they are. A backup is kept all the same.
        """
        with self._transaction() as (db, storage):
            self._touched = None
            ids = [int(key) for key in (storage.read() or {}).get(BULLETINS, {})]
            if ids:
                self._backup_wanted = True

                def rederive(doc: MutableMapping[str, Any]) -> None:
                    fresh = stored_form(to_bulletin(doc))
                    doc.clear()
                    doc.update(fresh)

                db.table(BULLETINS).update(rederive, doc_ids=ids)
        return len(ids)

    # -- reading ---------------------------------------------------------------------------------

    def versions(self, doc_id: int) -> list[history.Version]:
        """Every version of one bulletin (deleted ones too), newest first."""
        from . import history

        found = history.versions(self._tables(), doc_id)
        if not found:
            raise NotFoundError(
                _("No bulletin with id {id}, now or in the archive's history.").format(id=doc_id)
            )
        return found

    def uid_of(self, doc_id: int) -> str | None:
        from . import history

        return history.find_uid(self._tables(), doc_id)

    def operations(self) -> list[tuple[int, Mapping[str, Any]]]:
        """The journal of operations, newest first."""
        from . import history

        return history.operations(self._tables())

    def undo_preview(self) -> Undone | None:
        """What `undo` would do now (read without the lock; `undo` checks it again under it)."""
        from . import history

        tables = self._tables()
        found = history.next_to_undo(tables)
        if found is None:
            return None
        number, op = found
        _refuse_received(number, op)
        return history.Undone(number, op, history.undo_steps(tables, op))

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _recorded(self) -> Iterator[tuple[dict[str, Any], history.Recorder, str]]:
        """A transaction with its recorder: the tables, the recorder and this write's time. The
        archive is written when the recorder made a revision or `recorder.dirty` says so."""
        from . import history

        with self._transaction() as (_db, storage):
            tables = storage.read()
            assert tables is not None  # the transaction writes a new archive's meta first
            recorder = history.Recorder(tables)
            now = utc_stamp(self.clock())
            yield tables, recorder, now
            if recorder.changes or recorder.added or recorder.dirty:
                storage.write(tables)

    def _journal(self, recorder: history.Recorder, now: str, *, undoes: int | None = None) -> None:
        command, argv = self.operation
        recorder.journal(now, command, argv, undoes=undoes)

    def _bring_back(
        self, recorder: history.Recorder, tables: dict[str, Any], uid: str, doc_id: int, body: Raw, now: str
    ) -> Raw:
        """`body` (an old version) made current again as a new revision, `updated` now."""
        bulletins = tables.setdefault(BULLETINS, {})
        fresh = stored_form(to_bulletin(body).stamped(added=body.get("added"), updated=now))
        live = bulletins.get(str(doc_id))
        if live is not None:
            fresh = recorder.changed(doc_id, live, fresh)
        else:
            fresh = recorder.revived(uid, doc_id, fresh)
        bulletins[str(doc_id)] = fresh
        self._touch([doc_id])
        self._backup_wanted = True
        return fresh

    def restore(self, doc_id: int, rev: str) -> Entry:
        """Make an old version current again, as a new revision (a deleted bulletin comes back)."""
        from . import history

        with self._recorded() as (tables, recorder, now):
            found = {version.rev: version for version in history.versions(tables, doc_id)}
            if not found:
                raise NotFoundError(
                    _("No bulletin with id {id}, now or in the archive's history.").format(id=doc_id)
                )
            version = found.get(rev) or by_prefix(found, rev)
            live = tables.get(BULLETINS, {}).get(str(doc_id))
            same = live is not None and version.body is not None and history.same_content(live, version.body)
            if (version.current and not version.deleted) or same:  # says what it already says
                raise InputError(
                    _("Version {rev} is already the current one: nothing to restore.").format(rev=rev)
                )
            if version.body is None:
                message = _(
                    "Version {rev} of bulletin {id} is a deletion or was purged: it holds no text to restore."
                )
                raise InputError(message.format(rev=version.rev, id=doc_id))
            uid = history.find_uid(tables, doc_id)
            assert uid is not None
            raw = self._bring_back(recorder, tables, uid, doc_id, version.body, now)
            self._journal(recorder, now)
        return Entry(doc_id, to_bulletin(raw))

    def undo(self, expected: int | None = None) -> Undone:
        """Undo the newest operation not undone yet, as new revisions; `expected` (the number a
        preview showed) guards against another coordinator's write in between."""
        from . import history

        with self._recorded() as (tables, recorder, now):
            found = history.next_to_undo(tables)
            if found is None:
                raise InputError(_("Nothing to undo: the journal holds no operation that can be undone."))
            number, op = found
            _refuse_received(number, op)
            if expected is not None and number != expected:
                raise InputError(_("The archive changed since the preview; run 'whrd undo' again."))
            steps = history.undo_steps(tables, op)
            if steps and all(step.kind == "skip" for step in steps):
                ids = ", ".join(sorted({str(step.id) for step in steps}, key=int))
                message = _(
                    "Operation #{n} cannot be undone: the bulletins it changed ({ids}) have changed "
                    "since, or their old versions were purged. See 'whrd history ID'; 'whrd restore' "
                    "brings back any version."
                )
                raise InputError(message.format(n=number, ids=ids))
            bulletins = tables.setdefault(BULLETINS, {})
            for step in steps:
                if step.kind == "remove":
                    recorder.deleted(step.id, bulletins.pop(str(step.id)))
                    self._touch([step.id])
                    self._backup_wanted = True
                elif step.kind in ("revert", "revive") and step.before is not None:
                    self._bring_back(recorder, tables, step.uid, step.id, step.before, now)
            self._journal(recorder, now, undoes=number)
        return history.Undone(number, op, steps)

    def replace_tags(self, merges: Mapping[str, str]) -> list[int]:
        """Rename tags archive-wide (`doctor --fix`: `#WHRD` into `#WHRDs`) in one write, each
        bulletin changed a new revision, the whole one operation `undo` can undo; the ids changed."""
        changed: list[int] = []
        with self._recorded() as (tables, recorder, now):
            bulletins = tables.setdefault(BULLETINS, {})
            for key, raw in list(bulletins.items()):
                tags = raw.get("tags") or []
                if not any(tag in merges for tag in tags):
                    continue
                old = to_bulletin(raw)
                new = old.with_changes(tags=[merges.get(tag, tag) for tag in tags])  # repeats dropped
                fresh = stored_form(new.stamped(added=old.added, updated=now))
                bulletins[key] = recorder.changed(int(key), raw, fresh)
                changed.append(int(key))
            if changed:
                self._touch(changed)
                self._backup_wanted = True
                self._journal(recorder, now)
        return changed

    # -- purging ---------------------------------------------------------------------------------

    def purge(self, doc_ids: Sequence[int]) -> PurgeReport:
        """Delete these bulletins (if still there) and remove every version of them, here, in the
        backups and in the search index, keeping only what identifies their tombstones."""
        from . import history, purge
        from .history import PurgeReport

        report = PurgeReport()
        with interrupts.held(), self._recorded() as (tables, recorder, now):  # backups, archive, index
            uids = []
            bulletins = tables.setdefault(BULLETINS, {})
            with forgetting(bulletins, doc_ids, recorder, now):  # links to them go too (issue 17)
                for doc_id in dict.fromkeys(doc_ids):
                    uid = history.find_uid(tables, doc_id)
                    if uid is None:
                        raise NotFoundError(
                            _("No bulletin with id {id}; nothing was purged.").format(id=doc_id)
                        )
                    if str(doc_id) in bulletins:
                        recorder.deleted(doc_id, bulletins.pop(str(doc_id)))
                    uids.append(uid)
            self._journal(recorder, now)
            report.purged = purge.purge_bulletins(tables, uids, doc_ids)
            self._purge_derived(lambda backup: _purge_ids(backup, doc_ids, uids), report)
            recorder.dirty = True
        return report

    def purge_history(self, before: str) -> PurgeReport:
        """Drop the old versions written before a date, archive-wide (backups and index too)."""
        from . import purge
        from .history import PurgeReport

        report = PurgeReport()
        with interrupts.held(), self._recorded() as (tables, recorder, _now):
            report.purged = purge.purge_before(tables, before)
            if report.purged:
                self._purge_derived(lambda backup: purge.purge_backup_before(backup, tables, before), report)
                recorder.dirty = True  # written, though no bulletin changed
        return report

    def _backup_bytes(self, tables: dict[str, Any]) -> bytes:
        """A rewritten backup as the archive itself is written: ciphertext while it is encrypted
        (a purge must never leave plain text where there was none)."""
        import orjson

        from .crypto import is_encrypted

        plain = orjson.dumps(tables)
        if not is_encrypted(self.path):
            return plain
        from .crypto.codec import encrypt

        return encrypt(self.path, tables, [plain])

    def _purge_derived(self, purge: Callable[[dict[str, Any]], object], report: PurgeReport) -> None:
        """The same purge in every backup (rewritten; removed when it cannot be read), and the
        index rebuilt after this write: no file whrd keeps holds the text any more."""
        from .storage import atomic, backups, check

        self._touched = None  # the followers rebuild from scratch
        for backup in backups.backup_paths(self.path):
            if not backup.exists():
                continue
            try:
                tables = check.load_archive_file(backup)
                if tables is None:
                    continue
                purge(tables)
                atomic.write_atomic(backup, self._backup_bytes(tables), mode=0o600)
                report.rewritten.append(backup)
            except Exception:  # unreadable or unwritable: it must not keep the text
                with contextlib.suppress(OSError):
                    backup.unlink()
                report.removed.append(backup)


def _meta(db: TinyDB) -> dict[str, Any]:
    return dict(db.table(META).get(doc_id=1) or {})  # type: ignore[arg-type]


def _purge_ids(tables: dict[str, Any], doc_ids: Sequence[int], uids: Sequence[str]) -> None:
    """One purge inside a backup: the bulletins gone (by id: ids are never reused), their history."""

    bulletins = tables.get(BULLETINS, {})
    for doc_id in doc_ids:
        bulletins.pop(str(doc_id), None)
    from .purge import purge_bulletins

    purge_bulletins(tables, uids, doc_ids)


def _refuse_received(number: int, op: Mapping[str, Any]) -> None:
    from .history import RECEIVED

    if op.get("command") in RECEIVED:
        raise InputError(
            _(
                "Operation #{n} took in other archives' versions ('whrd {command}'): undoing it would "
                "delete or revert them in the archives they came from. Use 'whrd delete ID' or "
                "'whrd restore ID REV' for the bulletins you do not want."
            ).format(n=number, command=op["command"])
        )


def by_prefix(found: Mapping[str, history.Version], rev: str) -> history.Version:
    """A version named by the start of its rev (as `history` prints them short: `2-9a1b`), or of
    its hash alone (`9a1b`), if only one; `1` names every version whose rev starts so."""
    rev = rev.strip()
    if not rev:
        raise InputError(_("Name a version: 'whrd history ID' lists them."))
    matches = [
        version
        for key, version in found.items()
        if rev and (key.startswith(rev) or ("-" not in rev and key.partition("-")[2].startswith(rev)))
    ]
    if len(matches) != 1:
        raise InputError(
            _("No version {rev} of this bulletin; 'whrd history ID' lists them.").format(rev=rev)
            if not matches
            else _("{rev} names several versions; give more of it.").format(rev=rev)
        )
    return matches[0]
