"""TinyDB on top of the atomic file: the only module that subclasses TinyDB's storage, and the
one TinyDB trick the store needs (replacing many documents in one table operation).

TinyDB's stock `JSONStorage` truncates and rewrites the archive in place, so a writer killed
mid-write leaves a broken file; `AtomicJSONStorage` reads through `check.load_archive_file` and
writes through `atomic.write_atomic`. It is opened only inside the store's lock, per transaction
(a TinyDB kept open across a lock release hands out duplicate ids). Imported only by writes:
reading the archive needs no TinyDB.
"""

from __future__ import annotations

import contextlib
import stat
from collections.abc import Callable, Iterator, Mapping, MutableMapping
from pathlib import Path
from typing import Any

from tinydb.storages import Storage
from tinydb.table import Table

from ..errors import ArchiveError
from ..i18n import _
from . import atomic, check
from .reasons import os_reason


class AtomicJSONStorage(Storage):
    """A TinyDB storage that validates on read, caches the parsed file, and writes atomically.

    Inside `batch()` writes only update the cache; the file is written once when the batch ends.
    """

    def __init__(self, path: Path, *, writable: bool = False) -> None:
        self.path = path
        self.writable = writable
        self._data: check.Tables | None = None
        self._loaded = False
        self._batch_depth = 0
        self._dirty = False
        self.writes = 0
        # Run once the new archive is safely on disk, right before it replaces the old (a backup).
        self.before_replace: Callable[[], None] | None = None

    def read(self) -> check.Tables | None:
        if not self._loaded:
            self._data = check.load_archive_file(self.path)
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

    @property
    def pending(self) -> bool:
        """A change made inside the batch that the end of the batch will write."""
        return self._dirty

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
            atomic.write_atomic(
                self.path, orjson.dumps(self._data), mode=mode, before_replace=self.before_replace
            )
        except OSError as exc:
            raise ArchiveError(
                _("Cannot write the archive {path}: {reason}.").format(path=self.path, reason=os_reason(exc))
            ) from exc
        self.writes += 1

    def close(self) -> None:
        pass


def replace_documents(table: Table, replacements: Mapping[int, dict[str, Any]]) -> None:
    """Replace whole documents in ONE TinyDB operation: each `table.update` call rebuilds the
    table's id map, so one call per document made `import --on-duplicate update` quadratic.

    TinyDB applies an update to `doc_ids` in the order given; the callable takes the next
    replacement and checks it is the right document by its duplicate key.
    """
    if not replacements:
        return
    pending = iter(replacements.values())

    def replace_next(doc: MutableMapping[str, Any]) -> None:
        new = next(pending)
        if doc.get("_key") not in (None, new.get("_key")) and len(replacements) > 1:
            raise RuntimeError("TinyDB applied updates out of order")  # a bug, never user data
        doc.clear()
        doc.update(new)

    table.update(replace_next, doc_ids=list(replacements))
