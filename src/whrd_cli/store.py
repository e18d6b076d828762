"""The archive: one TinyDB JSON file, written atomically, serialised by a lock, never clobbered.

Guarantees:
- every write goes to a temp file in the same folder, is flushed and fsynced, then `os.replace`d
  over the archive and the folder fsynced: a crash leaves the old or the new archive, never half;
- every read-modify-write holds an exclusive file lock, and TinyDB is opened inside it;
- a batch of changes (an import, a delete of many ids, a document plus its id counter) is one write;
- a file that is not a whrd archive (invalid JSON, foreign JSON, a newer schema) is never written;
- ids come from a high-water mark in `meta`, so a deleted id is never handed out again;
- new archives are created with mode 0600; destructive operations keep rolling backups first;
- files derived from the archive (`Follower`s: the search index) are told about every write inside
  the same lock, right after the archive's atomic write; the store itself knows nothing of them.

Reads take no lock: `os.replace` means a reader sees one whole file or the other.
"""

from __future__ import annotations

import contextlib
import gc
import io
import os
import re
import stat
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from operator import methodcaller
from pathlib import Path
from typing import Any, Protocol

from tinydb import TinyDB
from tinydb.storages import Storage
from tinydb.table import Document

from .errors import ArchiveError, DuplicateError, NotFoundError
from .filters import Filter
from .model import Bulletin
from .records import Entry, Raw, stored_form, to_bulletin

SCHEMA_VERSION = 1
APP = "whrd"
BULLETINS = "bulletins"
META = "meta"
BACKUPS = 3
_TMP_MARK = ".whrd-tmp-"
# Fields the store derives and keeps beside the model's own; never shown or exported.
DERIVED_PREFIX = "_"


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _timestamp(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _loads(data: bytes) -> Any:
    import orjson

    # Parsing 100k documents makes ~1M objects; pausing the GC cuts load time by a third.
    # Those objects then sit in the youngest generation: the first collections after the GC is
    # back would walk all of them (~0.3 s at 100k, paid by the next allocations, e.g. the list
    # `select` builds). `gc.freeze()` moves them out of the collector's sight instead; the parsed
    # JSON is acyclic, so reference counting still frees it when it is dropped.
    enabled = gc.isenabled()
    gc.disable()
    try:
        parsed = orjson.loads(data)
    finally:
        if enabled:
            gc.freeze()
            gc.enable()
    # Keep the most recent parse alive for the life of the process: a CLI run ends with
    # `os._exit`, so its million objects are never freed one by one (~0.1 s at 100k bulletins).
    _LAST_PARSED[0] = parsed
    return parsed


_LAST_PARSED: list[Any] = [None]


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_file(
    path: Path, *, mode: int = 0o600, overwrite: bool = True, file_class: type[io.FileIO] = io.FileIO
) -> Iterator[io.FileIO]:
    """A binary file that becomes `path` only when the block finishes without an error.

    It is a temp file in the same folder; at the end it is fsynced, given `mode`, renamed over
    `path`, and the folder fsynced, so `path` holds its old content or all of the new, never half.
    On any error the temp file is removed. With `overwrite=False` an existing `path` is never
    replaced, even one that appears meanwhile: FileExistsError.
    """
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{_TMP_MARK}", dir=folder)
    try:
        with file_class(fd, "wb") as fh:
            yield fh
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        if overwrite:
            os.replace(tmp_name, path)
        else:
            _link_new(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    _fsync_dir(folder)


def write_atomic(path: Path, payload: bytes, *, mode: int = 0o600, overwrite: bool = True) -> None:
    """Write bytes so that `path` holds either its old content or all of `payload` (see atomic_file)."""
    with atomic_file(path, mode=mode, overwrite=overwrite) as fh:
        view = memoryview(payload)
        while view:  # a raw write may take fewer bytes than offered
            view = view[fh.write(view) or 0 :]


def _link_new(tmp_name: str, path: Path) -> None:
    """Move a finished temp file to a path that must not exist yet (link fails if it does)."""
    try:
        os.link(tmp_name, path)
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links: check, then replace
        if os.path.lexists(path):
            raise FileExistsError(17, "File exists", str(path)) from None
        os.replace(tmp_name, path)
        return
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)


def _remove_stale_temps(path: Path) -> None:
    """Temp files left by a killed writer; only called while holding the lock."""
    for stale in path.parent.glob(f".{path.name}{_TMP_MARK}*"):
        with contextlib.suppress(OSError):
            stale.unlink()


class AtomicJSONStorage(Storage):
    """A TinyDB storage that validates on read, caches the parsed file, and writes atomically.

    Inside `batch()` writes only update the cache; the file is written once when the batch ends.
    """

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = path
        self.writable = writable
        self._data: dict[str, dict[str, Any]] | None = None
        self._loaded = False
        self._batch_depth = 0
        self._dirty = False
        self.writes = 0

    def read(self) -> dict[str, dict[str, Any]] | None:
        if not self._loaded:
            self._data = load_archive_file(self.path)
            self._loaded = True
        return self._data

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        if not self.writable:
            raise RuntimeError("write outside a locked transaction")  # a bug, not a user error
        self._data = data
        self._loaded = True
        if self._batch_depth:
            self._dirty = True
        else:
            self._flush()

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        self._batch_depth += 1
        try:
            yield
        finally:
            self._batch_depth -= 1
        # Only reached when the body did not raise: a failed batch writes nothing.
        if not self._batch_depth and self._dirty:
            self._dirty = False
            self._flush()

    def _flush(self) -> None:
        import orjson

        assert self._data is not None
        mode = 0o600
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(self.path.stat().st_mode)
        try:
            write_atomic(self.path, orjson.dumps(self._data), mode=mode)
        except OSError as exc:
            raise ArchiveError(f"Cannot write the archive {self.path}: {exc.strerror or exc}.") from exc
        self.writes += 1

    def close(self) -> None:
        pass


def load_archive_file(path: Path) -> dict[str, dict[str, Any]] | None:
    """Parse and check an archive file; None when it does not exist yet."""
    try:
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():  # a FIFO would block
            raise ArchiveError(f"{path} is not a regular file, so it is not a whrd archive.")
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise ArchiveError(f"{path} is a folder, not a whrd archive.") from exc
    except OSError as exc:
        raise ArchiveError(f"Cannot read the archive {path}: {exc.strerror or exc}.") from exc
    if not data.strip():
        raise ArchiveError(
            f"{path} is empty, so it is not a whrd archive; remove it or choose another --db path."
        )
    if data.startswith(b"\xef\xbb\xbf"):  # saved by an editor that adds a UTF-8 BOM
        data = data[3:]
    try:
        parsed = _loads(data)
    except ValueError as exc:
        raise ArchiveError(
            f"{path} is not valid JSON (corrupt?); whrd will not touch it.{_backup_hint(path)}"
        ) from exc
    _check_schema(path, parsed)
    return parsed


def _backup_hint(path: Path) -> str:
    backup = path.with_name(f"{path.name}.bak")
    return f" The last backup is {backup}." if backup.exists() else ""


_TEXT_FIELDS = ("title", "date", "summary", "lang")
_OPTIONAL_TEXT = ("category", "url", "source", "private", "added", "updated", "_key", "_fts1")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ALLOWED = frozenset({*_TEXT_FIELDS, *_OPTIONAL_TEXT, "countries", "tags", "truncated"})


def find_damage(path: Path) -> str | None:
    """What is wrong with a hand-edited archive whose bulletins break the store's own rules.

    Not run on every load (it would cost every command ~10 % at 100k); the CLI calls it when a
    command fails unexpectedly, so a damaged bulletin is reported as such, not as a bug.
    """
    try:
        tables = load_archive_file(path) or {}
    except ArchiveError as exc:
        return exc.message
    return damage_in(tables, path, thorough=True)


def _looks_sound(table: Mapping[str, Any]) -> bool:
    """The common case, checked at C speed over all bulletins (~100 ms at 100k): records are
    dicts of known fields with a text title and a YYYY-MM-DD date. The slow, descriptive check
    in `damage_in` runs only when this one fails."""
    values = list(table.values())
    if set(map(type, values)) - {dict} or not set().union(*values) <= _ALLOWED:
        return False
    titles = list(map(methodcaller("get", "title"), values))
    dates = list(map(methodcaller("get", "date"), values))
    if set(map(type, titles)) - {str} or set(map(type, dates)) - {str}:
        return False
    for name in ("countries", "tags"):  # a string here would be read letter by letter
        if set(map(type, map(methodcaller("get", name), values))) - {list, type(None)}:
            return False
    return all(map(_ISO_DATE.fullmatch, dates))


def damage_in(tables: Mapping[str, Any], path: Path, *, thorough: bool = False) -> str | None:
    """The first bulletin of parsed archive `tables` that breaks the store's rules, described.
    Without `thorough`, only what the fast check covers is looked for (the write path)."""
    if not thorough and _looks_sound(tables.get(BULLETINS, {})):
        return None
    allowed = _ALLOWED
    for key, raw in tables.get(BULLETINS, {}).items():
        where = f"Bulletin {key} in {path}"
        if not key.isdigit() or not isinstance(raw, dict):
            return f"{where} is not a bulletin record."
        unknown = sorted(set(raw) - allowed)
        if unknown:
            return f"{where} has an unknown field {unknown[0]!r}."
        for name in _TEXT_FIELDS[:2]:
            if not isinstance(raw.get(name), str) or not raw[name]:
                return f"{where} has no valid {name!r}."
        if not _ISO_DATE.fullmatch(raw["date"]):
            return f"{where} has a date that is not YYYY-MM-DD: {raw['date']!r}."
        for name in (*_TEXT_FIELDS[2:], *_OPTIONAL_TEXT):
            if raw.get(name) is not None and not isinstance(raw[name], str):
                return f"{where} has a {name!r} that is not text."
        for name in ("countries", "tags"):
            value = raw.get(name)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                return f"{where} has {name!r} that is not a list of text."
        if raw.get("truncated") is not None and not isinstance(raw["truncated"], bool):
            return f"{where} has a 'truncated' that is not true or false."
    return None


def _check_schema(path: Path, parsed: Any) -> None:
    meta = parsed.get(META) if isinstance(parsed, dict) else None
    record = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(record, dict) or record.get("app") != APP:
        raise ArchiveError(f"{path} is a JSON file but not a whrd archive; whrd will not touch it.")
    version = record.get("schema")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ArchiveError(f"{path} was written by a newer whrd (schema {version}); upgrade whrd to use it.")
    if not isinstance(parsed.get(BULLETINS, {}), dict):
        raise ArchiveError(f"{path} has a damaged bulletins table; whrd will not touch it.")


class Follower(Protocol):
    """A file derived from the archive (the search index) and kept beside it: told about every
    write while the archive's lock is still held, so it never misses one. A follower must not
    fail the write: the archive is the truth, and a follower that cannot keep up discards itself."""

    def before_write(self, path: Path) -> object:
        """Called under the lock before the write; the result comes back to `after_write`."""

    def after_write(
        self, path: Path, before: object, bulletins: Mapping[str, Raw], touched: set[int] | None
    ) -> None:
        """Called under the lock after the archive's atomic write: `touched` holds the ids added,
        changed or deleted (None: all of them)."""


@dataclass
class AddResult:
    """What a batch add did, for summaries and --json."""

    added: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)  # ids of the existing duplicates
    writes: int = 0
    # One (action, id) per input bulletin, in input order: "added", "updated" or "skipped", with
    # the new id, the updated id, or the id of the bulletin it duplicates (negative in a dry run
    # for bulletins not written yet), so a caller can report per input file or record.
    outcomes: list[tuple[str, int]] = field(default_factory=list)


class Archive:
    """The user's archive file. Open one per command; every method is one locked transaction."""

    def __init__(
        self,
        path: Path | str,
        *,
        lock_timeout: float = 10.0,
        clock: Callable[[], datetime] = _utc_now,
        followers: Sequence[Follower] = (),
    ) -> None:
        self.path = Path(path).expanduser()
        if self.path.is_symlink():
            self.path = self.path.resolve()
        self.lock_timeout = lock_timeout
        self.clock = clock
        self.followers = tuple(followers)
        self._raw: dict[str, dict[str, Any]] | None = None
        # Ids a write added, changed or deleted, for the followers; None: everything changed.
        self._touched: set[int] | None = set()

    # -- reading ---------------------------------------------------------------------------------

    @property
    def exists(self) -> bool:
        return self.path.exists()

    def _tables(self) -> dict[str, dict[str, Any]]:
        if self._raw is None:
            self._raw = load_archive_file(self.path) or {}
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
        raw = self._tables().get(BULLETINS, {}).get(str(doc_id))
        if raw is None:
            raise NotFoundError(f"No bulletin with id {doc_id}. See the ids with 'whrd list'.")
        return Entry(doc_id, to_bulletin(raw))

    def __len__(self) -> int:
        return len(self._tables().get(BULLETINS, {}))

    @contextlib.contextmanager
    def locked_now(self) -> Iterator[Mapping[str, Raw] | None]:
        """The bulletins as they are on disk, read under the lock if it is free right now, for work
        that derives files from the archive (a search index rebuild). Yields None when that cannot
        be done at once (no archive, read-only archive or folder, lock busy); never waits."""
        from filelock import FileLock, Timeout

        if not self._stampable():
            yield None
            return
        lock = FileLock(f"{self.path}.lock", timeout=0, mode=0o600)
        try:
            lock.acquire()
        except (Timeout, OSError):
            yield None
            return
        try:
            _remove_stale_temps(self.path)
            try:
                tables = load_archive_file(self.path)
            except ArchiveError:
                tables = None
            if tables is not None:
                self._raw = tables
            yield None if tables is None else tables.get(BULLETINS, {})
        finally:
            lock.release()

    def stable_id(self) -> str:
        """The archive's own UUID (hex), for ids that must stay the same across exports (Atom).

        New archives get one at creation. An older archive without one gets it stamped once, in
        one locked atomic write of its meta record; an archive that cannot be written (read-only)
        or does not exist gets a UUID derived from its path instead.
        """
        uid = self._tables().get(META, {}).get("1", {}).get("uid")
        if isinstance(uid, str) and uid:
            return uid
        if self._stampable():
            with self._transaction() as (db, _storage):
                uid = self._meta(db).get("uid")
                if not uid:
                    uid = uuid.uuid4().hex
                    db.table(META).update({"uid": uid}, doc_ids=[1])
            return str(uid)
        return uuid.uuid5(uuid.NAMESPACE_URL, self.path.resolve().as_uri()).hex

    def _stampable(self) -> bool:
        """An existing archive that whrd would write (not read-only), in a folder it can write."""
        try:
            mode = self.path.stat().st_mode
        except OSError:
            return False
        return bool(
            stat.S_ISREG(mode)
            and mode & stat.S_IWUSR
            and os.access(self.path, os.W_OK)
            and os.access(self.path.parent, os.W_OK)
        )

    # -- writing ---------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _transaction(self) -> Iterator[tuple[TinyDB, AtomicJSONStorage]]:
        from filelock import FileLock, Timeout

        self._check_writable()
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise ArchiveError(
                f"Cannot create the folder {self.path.parent}: {exc.strerror or exc}."
            ) from exc
        lock = FileLock(f"{self.path}.lock", timeout=self.lock_timeout, mode=0o600)
        try:
            lock.acquire()
        except Timeout as exc:
            raise ArchiveError(
                f"The archive {self.path} is locked by another whrd process; "
                f"waited {self.lock_timeout:g} s. Try again when it has finished."
            ) from exc
        except OSError as exc:
            raise ArchiveError(f"Cannot lock the archive {self.path}: {exc.strerror or exc}.") from exc
        try:
            _remove_stale_temps(self.path)
            before = [follower.before_write(self.path) for follower in self.followers]
            self._touched = set()
            db = TinyDB(self.path, storage=AtomicJSONStorage, writable=True)
            storage: AtomicJSONStorage = db.storage  # type: ignore[assignment]
            with storage.batch():
                current = storage.read()
                if current is None:  # a new archive: written only if the batch succeeds
                    meta = {"app": APP, "schema": SCHEMA_VERSION, "next_id": 1, "uid": uuid.uuid4().hex}
                    storage.write({META: {"1": meta}})
                else:  # never build on a bulletin someone broke by hand (~60 ms at 100k)
                    damage = damage_in(current, self.path)
                    if damage:
                        raise ArchiveError(f"{damage} Fix it by hand, or restore a backup (ARCHIVE.bak).")
                yield db, storage
            self._raw = storage.read()
            if storage.writes:
                bulletins = (self._raw or {}).get(BULLETINS, {})
                for follower, token in zip(self.followers, before, strict=True):
                    follower.after_write(self.path, token, bulletins, self._touched)
        except BaseException:
            self._raw = None
            raise
        finally:
            lock.release()

    def _check_writable(self) -> None:
        try:
            mode = self.path.stat().st_mode
        except FileNotFoundError:
            return
        except OSError as exc:
            raise ArchiveError(f"Cannot read the archive {self.path}: {exc.strerror or exc}.") from exc
        if stat.S_ISDIR(mode):
            raise ArchiveError(f"{self.path} is a folder, not a whrd archive.")
        if not stat.S_ISREG(mode):
            raise ArchiveError(f"{self.path} is not a regular file, so it is not a whrd archive.")
        if not mode & stat.S_IWUSR:
            raise ArchiveError(f"The archive {self.path} is read-only; whrd will not change it.")

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
        result = self.add_many([bulletin], on_duplicate="error" if not force else "add")
        return result.added[0]

    def add_many(
        self,
        bulletins: Iterable[Bulletin],
        *,
        on_duplicate: str = "skip",
        dry_run: bool = False,
    ) -> AddResult:
        """Add many bulletins in one write. on_duplicate: skip, update, error, or add (force).

        A dry run takes no lock and writes nothing, not even a new archive file.
        """
        if dry_run:
            plan = self._plan(self._tables().get(BULLETINS, {}), bulletins, on_duplicate, "")
            plan.result.added = list(range(-1, -len(plan.new_docs) - 1, -1))
            return plan.result
        with self._transaction() as (db, storage):
            table = db.table(BULLETINS)
            now = _timestamp(self.clock())
            plan = self._plan((storage.read() or {}).get(BULLETINS, {}), bulletins, on_duplicate, now)
            if plan.new_docs:
                ids = self._next_ids(db, len(plan.new_docs))
                table.insert_multiple(
                    Document(doc, doc_id=doc_id) for doc, doc_id in zip(plan.new_docs, ids, strict=True)
                )
                plan.result.added = list(ids)
                self._touch(ids)
                real = {-n: doc_id for n, doc_id in enumerate(ids, start=1)}
                plan.result.outcomes = [
                    (action, real.get(doc_id, doc_id)) for action, doc_id in plan.result.outcomes
                ]
                plan.result.skipped = [real.get(doc_id, doc_id) for doc_id in plan.result.skipped]
            if plan.updates:
                self._backup()
            _replace_documents(table, dict(plan.updates))
            self._touch(doc_id for doc_id, _raw in plan.updates)
        plan.result.writes = storage.writes
        return plan.result

    @staticmethod
    def _plan(table: Mapping[str, Raw], bulletins: Iterable[Bulletin], on_duplicate: str, now: str) -> _Plan:
        plan = _Plan()
        existing = {raw.get("_key"): int(key) for key, raw in table.items()}
        for bulletin in bulletins:
            key = bulletin.key
            found = existing.get(key)
            if found is not None and on_duplicate != "add":
                if on_duplicate == "error":
                    if found < 0:
                        raise DuplicateError(
                            "The same bulletin (date, title and language) is given twice; nothing was added.",
                            found,
                        )
                    raise DuplicateError(
                        f"Bulletin {found} already has this date, title and language; "
                        f"use --force to add it anyway.",
                        found,
                    )
                if on_duplicate == "update" and found > 0:
                    old = table[str(found)]
                    merged = _keep_what_input_lacks(bulletin, old)
                    plan.updates.append(
                        (found, stored_form(merged.stamped(added=old.get("added"), updated=now or None)))
                    )
                    plan.result.updated.append(found)
                    plan.result.outcomes.append(("updated", found))
                else:
                    plan.result.skipped.append(found)
                    plan.result.outcomes.append(("skipped", found))
                continue
            # Timestamps a bulletin already carries (an import of 'whrd list --json') are kept:
            # re-importing an export restores the archive as it was.
            added = bulletin.added or now or None
            updated = bulletin.updated or added
            plan.new_docs.append(stored_form(bulletin.stamped(added=added, updated=updated)))
            existing[key] = -len(plan.new_docs)  # a repeat within the same batch is skipped too
            plan.result.outcomes.append(("added", existing[key]))
        return plan

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
        with self._transaction() as (db, storage):
            table = db.table(BULLETINS)
            raw = table.get(doc_id=doc_id)
            if raw is None:
                raise NotFoundError(f"No bulletin with id {doc_id}. See the ids with 'whrd list'.")
            old = to_bulletin(raw)  # type: ignore[arg-type]
            new = old.with_changes(**(changes(old) if callable(changes) else changes))
            if new == old:
                return None
            if new.key != old.key and not force:
                for key, other in (storage.read() or {}).get(BULLETINS, {}).items():
                    if other.get("_key") == new.key and int(key) != doc_id:
                        raise DuplicateError(
                            f"Bulletin {key} already has this date, title and language; "
                            f"use --force to keep both.",
                            int(key),
                        )
            self._backup()
            new = new.stamped(added=old.added, updated=_timestamp(self.clock()))
            _replace_documents(table, {doc_id: stored_form(new)})
            self._touch([doc_id])
        return Entry(doc_id, new)

    def delete(self, doc_ids: Sequence[int]) -> list[int]:
        """Delete bulletins by id, all or none; keeps a backup of the archive first."""
        with self._transaction() as (db, _storage):
            table = db.table(BULLETINS)
            missing = [i for i in doc_ids if not table.contains(doc_id=i)]
            if missing:
                raise NotFoundError(
                    f"No bulletin with id {', '.join(map(str, missing))}; nothing was deleted."
                )
            self._backup()
            unique = list(dict.fromkeys(doc_ids))
            table.remove(doc_ids=unique)
            self._touch(unique)
        return unique

    def _touch(self, ids: Iterable[int]) -> None:
        if self._touched is not None:
            self._touched.update(ids)

    def reindex(self) -> int:
        """Recompute every bulletin's derived data (dedupe key; search data left in the archive
        by an older whrd is dropped) in one write, and rebuild the search index beside it.

        The bulletins themselves, `updated` included, stay as they are. A backup is kept all the same.
        """
        with self._transaction() as (db, storage):
            self._touched = None
            ids = [int(key) for key in (storage.read() or {}).get(BULLETINS, {})]
            if ids:
                self._backup()

                def rederive(doc: MutableMapping[str, Any]) -> None:
                    fresh = stored_form(to_bulletin(doc))
                    doc.clear()
                    doc.update(fresh)

                db.table(BULLETINS).update(rederive, doc_ids=ids)
        return len(ids)

    def _backup(self) -> None:
        """Rolling copies (`.bak`, `.bak.1`, …) of the archive as it is before a destructive write."""
        if not self.path.exists():
            return
        backups = [self.path.with_name(f"{self.path.name}.bak")] + [
            self.path.with_name(f"{self.path.name}.bak.{n}") for n in range(1, BACKUPS)
        ]
        try:
            current = self.path.read_bytes()
            with contextlib.suppress(OSError):
                if backups[0].read_bytes() == current:  # a repeated no-op must not push out history
                    return
            for older, newer in zip(reversed(backups[1:]), reversed(backups[:-1]), strict=True):
                if newer.exists():
                    os.replace(newer, older)
            write_atomic(backups[0], current)
        except OSError as exc:
            raise ArchiveError(f"Cannot write a backup beside {self.path}: {exc.strerror or exc}.") from exc

    @property
    def backup_path(self) -> Path:
        return self.path.with_name(f"{self.path.name}.bak")


@dataclass
class _Plan:
    """What a batch add will do, worked out before anything is written."""

    result: AddResult = field(default_factory=AddResult)
    new_docs: list[Raw] = field(default_factory=list)
    updates: list[tuple[int, Raw]] = field(default_factory=list)


def _keep_what_input_lacks(new: Bulletin, old: Mapping[str, Any]) -> Bulletin:
    """An update replaces what the input gives and keeps what it does not: a listing carries no
    url, source or private note, a CSV may have no tags or countries column, and an import must
    never erase those. (To clear a field, use `whrd edit`.)"""
    changes: dict[str, Any] = {}
    for name in ("category", "url", "source", "private"):
        if getattr(new, name) is None and old.get(name):
            changes[name] = old[name]
    for name in ("countries", "tags"):
        if not getattr(new, name) and old.get(name):
            changes[name] = tuple(old[name])
    if not new.summary and old.get("summary"):
        changes["summary"] = old["summary"]
        changes["truncated"] = bool(old.get("truncated"))
    return replace(new, **changes) if changes else new


def _replace_documents(table: Any, replacements: Mapping[int, Raw]) -> None:
    """Replace whole documents in ONE TinyDB operation: each `table.update` call rebuilds the
    table's id map, so one call per document made `import --on-duplicate update` quadratic.

    TinyDB applies an update to `doc_ids` in the order given; the callable takes the next
    replacement and checks it is the right document by its duplicate key.
    """
    if not replacements:
        return
    pending = iter(replacements.values())

    def replace_next(doc: dict[str, Any]) -> None:
        new = next(pending)
        if doc.get("_key") not in (None, new.get("_key")) and len(replacements) > 1:
            raise RuntimeError("TinyDB applied updates out of order")  # a bug, never user data
        doc.clear()
        doc.update(new)

    table.update(replace_next, doc_ids=list(replacements))
