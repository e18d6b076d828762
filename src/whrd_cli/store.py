"""The archive: one TinyDB JSON file, written atomically, serialised by a lock, never clobbered.

Guarantees:
- every write goes to a temp file in the same folder, is flushed and fsynced, then `os.replace`d
  over the archive and the folder fsynced: a crash leaves the old or the new archive, never half
  (`storage.atomic`);
- every read-modify-write holds an exclusive file lock, and TinyDB is opened inside it;
- a batch of changes (an import, a delete of many ids, a document plus its id counter) is one write;
- a file that is not a whrd archive (invalid JSON, foreign JSON, a newer schema), or one whose
  bulletins break the store's rules, is never written (`storage.check`; the full check is skipped
  only for a file that is byte for byte one whrd wrote knowing it sound, `storage.trust`);
- ids come from a high-water mark in `meta` (never reused); new archives are mode 0600;
  destructive operations keep rolling backups first;
- derived files (`Follower`s: the search index) hear of every write inside the same lock.

Reads take no lock (`os.replace`: a reader sees one whole file or the other) and no TinyDB.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .dates import utc_stamp
from .errors import ArchiveError, DuplicateError, NotFoundError
from .filters import Filter
from .i18n import _
from .links_store import Linkable, forgetting
from .model import Bulletin
from .records import Entry, Raw, stored_form, to_bulletin
from .storage import atomic, backups, check, trust
from .storage.check import APP, BULLETINS, META, SCHEMA_VERSION
from .storage.follower import Follower, Prepared, abort_all, prepare_all, tell_all
from .storage.plan import AddResult, OnDuplicate, plan_adds
from .store_history import Revisable
from .store_identity import Identified
from .sync.ingest import Mergeable

if TYPE_CHECKING:
    from tinydb import TinyDB

    from .storage.tinydb_adapter import AtomicJSONStorage
    from .workers import Later

BACKUPS = backups.GENERATIONS


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _drop_lock_file(name: str) -> None:
    """Remove the lock file this process made, still holding it, when it refuses a file that is not
    a (sound) whrd archive: nothing is left beside a foreign file. A process waiting on the lock
    refuses the same file (`storage.lockfile` sees the file unlinked), so no two writers can result."""
    with contextlib.suppress(OSError):
        os.unlink(name)


def _lock_lost(path: Path, lock_file: str) -> ArchiveError:
    """The lock file was removed (or replaced) while held: another whrd may be writing too."""
    return ArchiveError(
        _(
            "The lock file {lock} was removed while this whrd held it, so another process may be "
            "writing the archive {path} now; nothing was written. Try again."
        ).format(lock=lock_file, path=path)
    )


def _not_found(doc_id: int) -> NotFoundError:
    return NotFoundError(_("No bulletin with id {id}. See the ids with 'whrd list'.").format(id=doc_id))


class Archive(Revisable, Mergeable, Linkable, Identified):
    """The user's archive file. Open one per command; every method is one locked transaction,
    and every change to a bulletin a revision kept in its history (`store_history`, `history`)."""

    def __init__(
        self, path: Path | str, *, lock_timeout: float = 10.0, clock: Callable[[], datetime] = _utc_now,
        followers: Sequence[Follower] = (),
    ) -> None:  # fmt: skip
        self.path = Path(path).expanduser()
        if self.path.is_symlink():
            self.path = self.path.resolve()
        self.lock_timeout = lock_timeout
        self.clock = clock
        self.followers = tuple(followers)
        # The command and its (redacted) line, for the journal `undo` reads: set by the CLI.
        self.operation: tuple[str, list[str]] = ("", [])
        self._raw: dict[str, dict[str, Any]] | None = None
        self._added: dict[str, Raw] = {}  # what a light write (`storage.light`) appended, for `get`
        self._parsed_at: trust.FileStamp | None = None
        self._parsed_sound = False
        # Ids a write added, changed or deleted, for the followers; None: everything changed.
        self._touched: set[int] | None = set()
        self._backup_wanted = False  # a destructive write: keep a backup if (and when) it lands

    # -- reading ---------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def _tables(self) -> dict[str, dict[str, Any]]:
        if self._raw is None:
            before = trust.file_stamp(self.path)
            mark, sound = trust.read_mark(self.path), list[bool]()
            seen = None if mark is None else trust.sound_check(mark, sound)
            self._raw = check.load_archive_file(self.path, seen=seen) or {}
            # The file as parsed, if it did not change while it was read: a write may reuse the parse,
            # and skip the full check if those bytes are the ones whrd marked sound (`trust`).
            self._parsed_at = before if before is not None and trust.file_stamp(self.path) == before else None
            self._parsed_sound = sound == [True]
        return self._raw

    def raw_items(self) -> Iterator[tuple[int, Raw]]:
        """(id, stored dict) for every bulletin, in id order; for fast scans that filter raw dicts."""
        for key, raw in self._tables().get(BULLETINS, {}).items():
            yield int(key), raw

    def select(self, flt: Filter | None = None) -> list[tuple[int, Raw]]:
        """The stored dicts that match a filter (all when None), in id order."""
        if flt is None or flt.is_empty:
            return list(self.raw_items())
        match = flt.matches
        return [(doc_id, raw) for doc_id, raw in self.raw_items() if match(doc_id, raw)]

    def entries(self, flt: Filter | None = None) -> list[Entry]:
        return [Entry(doc_id, to_bulletin(raw)) for doc_id, raw in self.select(flt)]

    def get(self, doc_id: int) -> Entry:
        raw = self._added.get(str(doc_id)) or self._tables().get(BULLETINS, {}).get(str(doc_id))
        if raw is None:
            raise _not_found(doc_id)
        return Entry(doc_id, to_bulletin(raw))

    def __len__(self) -> int:
        return len(self._tables().get(BULLETINS, {}))

    @contextlib.contextmanager
    def locked_now(self) -> Iterator[Mapping[str, Raw] | None]:
        """The bulletins as they are on disk, read under the lock if it is free right now, for work
        that derives files from the archive (a search index rebuild). Yields None when that cannot
        be done at once (no archive, read-only archive or folder, lock busy); never waits."""
        from .storage.lockfile import ArchiveLock, LockTimeout

        if not check.writable_now(self.path):
            yield None
            return
        lock = ArchiveLock(f"{self.path}.lock", timeout=0)
        new_lock = not os.path.lexists(lock.lock_file)
        try:
            lock.acquire()
        except (LockTimeout, OSError):
            yield None
            return
        try:
            try:
                tables = check.load_archive_file(self.path)
            except ArchiveError:
                tables = None
            if tables is None and new_lock:  # not an archive: leave nothing beside it
                _drop_lock_file(lock.lock_file)
            elif tables is not None:
                self._remove_stale_temps()
                self._raw, self._parsed_at = tables, None
            yield None if tables is None else tables.get(BULLETINS, {})
        finally:
            lock.release()

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self, light: bool = False) -> Iterator[tuple[TinyDB, AtomicJSONStorage]]:
        """TinyDB over the archive, opened inside the lock; whatever the block changes is one atomic
        write when it ends (none if it raises), then the followers are told. `light`: appends only."""
        from tinydb import TinyDB

        from .storage.lockfile import ArchiveLock, LockTimeout
        from .storage.tinydb_adapter import AtomicJSONStorage

        check.refuse_unwritable(self.path)
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise check.folder_error(self.path.parent, exc) from exc
        lock = ArchiveLock(f"{self.path}.lock", timeout=self.lock_timeout)
        new_lock = not os.path.lexists(lock.lock_file)
        try:
            lock.acquire()
        except LockTimeout as exc:
            raise check.locked_error(self.path, self.lock_timeout) from exc
        except OSError as exc:
            raise check.lock_error(self.path, exc) from exc
        sound: bool | Later = False
        prepared: list[Prepared | None] = []
        try:
            self._remove_stale_temps()
            before = [follower.before_write(self.path) for follower in self.followers]
            self._touched = set()
            self._backup_wanted = False
            reuse = (
                None
                if self._raw is None or self._parsed_at is None
                else (self._raw, self._parsed_at, self._parsed_sound)
            )
            self._raw, self._parsed_at, self._added = None, None, {}
            db = TinyDB(self.path, storage=AtomicJSONStorage, writable=True, reuse=reuse, light=light)
            storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
            with storage.batch():
                current = storage.read()
                if current is None:  # a new archive: written only if the batch succeeds
                    meta = {"app": APP, "schema": SCHEMA_VERSION, "next_id": 1, "uid": uuid.uuid4().hex}
                    storage.write({META: {"1": meta}})
                elif not storage.trusted:  # one check before any change, unless whrd wrote it sound
                    damage = check.damage_in(current, self.path)
                    if damage:
                        raise check.damage_error(damage)
                new_lock = False  # a sound archive (or a new one): its lock file stays
                if current is not None and self._meta(db).get("schema", 1) < SCHEMA_VERSION:
                    self._upgrade(db, storage)
                yield db, storage
                if storage.pending and not lock.still_named():
                    raise _lock_lost(self.path, lock.lock_file)  # before the write: nothing written
                if storage.pending and not self._meta(db).get("uid"):
                    # An archive older than archive ids: stamp the one `stable_id` derives from its path.
                    db.table(META).update({"uid": self._path_uid()}, doc_ids=[1])
                sound = (
                    trust.soundness(storage.read(), self._touched, self.path) if storage.pending else False
                )
                storage.seal, storage.seal_later = sound is True, not isinstance(sound, bool)
                if self._backup_wanted and storage.pending:
                    # Kept only now, when nothing refused the change: written once the new archive
                    # is on disk, right before it replaces the old one (a failed write keeps none).
                    storage.before_replace = self._backup
                if storage.pending and self.followers:  # made ready while the new archive is fsynced
                    storage.while_syncing = prepare_all(
                        self.followers, before, prepared, self.path, storage.bulletins, lambda: self._touched
                    )
            tables = storage.read()
            self._raw = None if storage.source is not None else tables  # partial: never a read's
            if self._raw is None and tables and self._touched:  # what `get` may read of a light write
                self._added = {str(i): tables[BULLETINS][str(i)] for i in self._touched}
            if storage.writes:
                tell_all(self.followers, before, prepared, self.path, storage.bulletins(), self._touched)
            if storage.mark_later is not None and not isinstance(sound, bool) and sound.result():
                trust.set_mark_on(self.path, storage.mark_later)  # still under the lock
        except BaseException as exc:
            abort_all(prepared)
            if not isinstance(sound, bool):
                sound.cancel()
            self._raw = None
            if new_lock and isinstance(exc, ArchiveError):  # not an archive: refused unread
                _drop_lock_file(lock.lock_file)
            raise
        finally:
            lock.release()

    @staticmethod
    def _meta(db: TinyDB) -> dict[str, Any]:
        return dict(db.table(META).get(doc_id=1) or {})  # type: ignore[arg-type]

    def _next_ids(self, db: TinyDB, count: int) -> range:
        meta = self._meta(db)
        table = db.storage.read().get(BULLETINS, {})  # type: ignore[union-attr]
        highest = max(map(int, table), default=0)
        start = max(int(meta.get("next_id", 1)), highest + 1)
        db.table(META).update({"next_id": start + count}, doc_ids=[1])
        return range(start, start + count)

    def add(self, bulletin: Bulletin, *, force: bool = False) -> int:
        """Add one bulletin; a duplicate raises DuplicateError naming the existing id."""
        result = self.add_many([bulletin], on_duplicate=OnDuplicate.ADD if force else OnDuplicate.ERROR)
        return result.added[0]

    def add_many(
        self,
        bulletins: Iterable[Bulletin],
        *,
        on_duplicate: OnDuplicate = OnDuplicate.SKIP,
        dry_run: bool = False,
    ) -> AddResult:
        """Add many bulletins in one write; a bulletin already in the archive is dealt with as
        `on_duplicate` says (`storage.plan`). Only an update reads every stored bulletin whole.

        A dry run takes no lock and writes nothing, not even a new archive file; the bulletins it
        would add have no id yet (None in its outcomes)."""
        policy = OnDuplicate(on_duplicate)
        if dry_run:
            return plan_adds(self._tables().get(BULLETINS, {}), bulletins, policy, "").result()
        with self._transaction(light=policy is not OnDuplicate.UPDATE) as (db, storage):
            from .storage.tinydb_adapter import bulletins_of, insert_documents, replace_documents

            now = utc_stamp(self.clock())
            table = bulletins_of(storage)
            plan = plan_adds(table, bulletins, policy, now)
            ids = self._next_ids(db, len(plan.new_docs)) if plan.new_docs else range(0)
            from .history import Recorder

            recorder = Recorder(storage.read() or {})
            if plan.new_docs:
                insert_documents(storage, recorder.created_many(ids, plan.new_docs))
                self._touch(ids)
            if plan.updates:
                self._backup_wanted = True
                changed = {i: recorder.changed(i, table[str(i)], raw) for i, raw in plan.updates}
                replace_documents(storage, changed)
                self._touch(changed)
            recorder.journal(now, *self.operation)
        return plan.result(ids, storage.writes)

    def update(
        self,
        doc_id: int,
        changes: Mapping[str, Any] | Callable[[Bulletin], Mapping[str, Any]],
        *,
        force: bool = False,
    ) -> Entry | None:
        """Apply field changes to one bulletin (validated through the model); None if nothing changed.

        `changes` may be a function of the bulletin as it is inside the lock, so changes relative
        to it (add a tag, remove a country) made by processes at the same time all land.
        """
        with self._transaction() as (_db, storage):
            from .storage.tinydb_adapter import bulletins_of, replace_documents

            table = bulletins_of(storage)
            raw = table.get(str(doc_id))
            if raw is None:
                raise _not_found(doc_id)
            old = to_bulletin(raw)
            new = old.with_changes(**(changes(old) if callable(changes) else changes))
            if new == old:
                return None
            if new.key != old.key and not force:
                for key, other in table.items():
                    if other.get("_key") == new.key and int(key) != doc_id:
                        raise DuplicateError(
                            _(
                                "Bulletin {id} already has this date, title and language; "
                                "use --force to keep both."
                            ).format(id=key),
                            int(key),
                        )
            self._backup_wanted = True
            now = utc_stamp(self.clock())
            from .history import Recorder

            recorder = Recorder(storage.read() or {})
            stored = recorder.changed(doc_id, raw, stored_form(new.stamped(added=old.added, updated=now)))
            replace_documents(storage, {doc_id: stored})
            self._touch([doc_id])
            recorder.journal(now, *self.operation)
        return Entry(doc_id, to_bulletin(stored))

    def delete(self, doc_ids: Sequence[int]) -> list[int]:
        """Delete bulletins by id, all or none; keeps a backup of the archive first."""
        with self._transaction() as (_db, storage):
            from .storage.tinydb_adapter import bulletins_of, remove_documents

            table = bulletins_of(storage)
            missing = [i for i in doc_ids if str(i) not in table]
            if missing:
                ids = ", ".join(map(str, missing))
                raise NotFoundError(_("No bulletin with id {ids}; nothing was deleted.").format(ids=ids))
            self._backup_wanted = True
            unique = list(dict.fromkeys(doc_ids))
            from .history import Recorder

            recorder, now = Recorder(storage.read() or {}), utc_stamp(self.clock())
            with forgetting(table, unique, recorder, now) as unlinked:  # links to them go too
                for doc_id in unique:
                    recorder.deleted(doc_id, table[str(doc_id)])
                remove_documents(storage, unique)
            self._touch([*unique, *unlinked])
            recorder.journal(now, *self.operation)
        return unique

    def _touch(self, ids: Iterable[int]) -> None:
        if self._touched is not None:
            self._touched.update(ids)

    def _remove_stale_temps(self) -> None:
        """Temp files a killed whrd left beside the archive: its own, the index's, the backups'."""
        for target in (self.path, *backups.backup_paths(self.path, BACKUPS)):
            atomic.remove_stale_temps(target)

    def _backup(self) -> atomic.Settle | None:
        """Rolling copies (`.bak`, `.bak.1`, …) of the archive as it is before a destructive write."""
        return backups.keep_backup(self.path, BACKUPS)

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(f"{self.path.name}.bak")
