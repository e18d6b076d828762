"""TinyDB on top of the atomic file: the only module that subclasses TinyDB's storage, and the
changes the store makes to the bulletins table without TinyDB's per-call table copies.

TinyDB's stock `JSONStorage` truncates and rewrites the archive in place, so a writer killed
mid-write leaves a broken file; `AtomicJSONStorage` reads through `check.load_archive_file` and
writes through `atomic.write_atomic`. It is opened only inside the store's lock, per transaction
(a TinyDB kept open across a lock release hands out duplicate ids). Imported only by writes:
reading the archive needs no TinyDB. Bulletins are added, replaced and removed on the parsed
tables directly (`insert_documents`, …), in one pass over the changed ones only. A write that only
appends (`light=True`) reads a marked archive light and keeps its bytes (`storage.light`).
"""

from __future__ import annotations

import contextlib
import os
import stat
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import islice
from pathlib import Path
from typing import Any

from tinydb.storages import Storage

from ..errors import ArchiveError
from ..i18n import _
from . import atomic, check, trust
from . import light as light_read
from .names import Sealed
from .reasons import os_reason


class AtomicJSONStorage(Storage):
    """A TinyDB storage that validates on read, caches the parsed file, and writes atomically.

    Inside `batch()` writes only update the cache; the file is written once when the batch ends.
    """

    def __init__(
        self,
        path: Path,
        *,
        writable: bool = False,
        reuse: tuple[check.Tables, trust.FileStamp, bool] | None = None,
        light: bool = False,
    ) -> None:
        self.path = path
        # A write that only appends bulletins may read the archive light (`storage.light`).
        self.light = light
        self.source: light_read.Source | None = None
        # An archive this process parsed already, and the file's stamp then: taken as it is if the
        # file has not changed since (no second parse: ~0.3 s and ~3x the file's size at 100k).
        self.reuse = reuse
        self.writable = writable
        self._data: check.Tables | None = None
        self._loaded = False
        self._batch_depth = 0
        self._dirty = False
        self.writes = 0
        # Whether the file read is byte for byte one whrd wrote sound (`trust`), and whether what
        # the next flush writes is known sound, so it gets the mark.
        self.trusted = False
        self.seal = False
        # `seal` decided after the write (a check still running in another process): the file is
        # hashed as it is written, and this is the mark to set once the check says it is sound.
        self.seal_later = False
        self.mark_later: bytes | None = None
        # Run once the new archive is safely on disk, right before it replaces the old (a backup).
        self.before_replace: Callable[[], atomic.Settle | None] | None = None
        # Run while the new archive (this descriptor) is fsynced: the followers' change made ready.
        self.while_syncing: Callable[[int], None] | None = None
        # An encrypted archive (issue 16): every write is age ciphertext.
        from ..crypto import is_encrypted

        self.encrypted = is_encrypted(path)

    def read(self) -> check.Tables | None:
        if not self._loaded and self.reuse is not None and trust.file_stamp(self.path) == self.reuse[1]:
            # Trusted when the bytes parsed were the ones the mark certifies (`Archive._tables`).
            self._data, self._loaded, self.trusted = self.reuse[0], True, self.reuse[2]
        if not self._loaded and self.light:
            found = light_read.load(self.path)
            if found is not None:  # byte for byte what whrd wrote sound: trusted
                (self._data, self.source), self._loaded, self.trusted = found, True, True
        if not self._loaded:
            mark = trust.read_mark(self.path)
            sound: list[bool] = []
            seen = None if mark is None else trust.sound_check(mark, sound)
            self._data = check.load_archive_file(self.path, seen=seen)
            self._loaded, self.trusted = True, sound == [True]
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

    def bulletins(self) -> dict[str, dict[str, Any]]:
        """The bulletins table as it is now (as written, once the batch ends)."""
        return (self.read() or {}).get(check.BULLETINS, {})

    @property
    def pending(self) -> bool:
        """A change made inside the batch that the end of the batch will write."""
        return self._dirty

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        self._batch_depth += 1
        try:
            try:
                yield
            finally:
                self._batch_depth -= 1
            # Only reached when the body did not raise: a failed batch writes nothing.
            if not self._batch_depth and self._dirty:
                self._dirty = False
                self._flush()
        finally:
            if not self._batch_depth:  # (whichever way it ended: what the write did not take)
                self.close()

    def _flush(self) -> None:
        assert self._data is not None
        mode = 0o600
        with contextlib.suppress(FileNotFoundError):
            mode = stat.S_IMODE(self.path.stat().st_mode)
        # An append to an encrypted archive (the stored bytes kept) is encrypted in a child; not a
        # full write: the child would copy each object whose reference count it touches.
        if self.encrypted and self.source is not None:
            from ..crypto.codec import ForkLost

            try:
                self._write(mode, fork=True)
            except ForkLost:  # its temp file is gone: written again, encrypted here
                self._write(mode, fork=False)
        else:
            self._write(mode, fork=False)
        self.writes += 1

    def _write(self, mode: int, *, fork: bool) -> None:
        assert self._data is not None
        try:
            digest = trust.new_digest() if self.seal or self.seal_later else None
            pieces: Iterator[bytes]
            if self.source is None:
                pieces = encode_pieces(self._data)
            elif digest is not None and not self.encrypted:  # hashed from where the read left off
                pieces, digest = light_read.spliced_hashed(self._data, self.source)
            else:
                pieces = light_read.spliced(self._data, self.source)
            temp = None
            if self.encrypted:  # the temp file only ever holds ciphertext; the mark hashes it
                from ..crypto.codec import encrypted_pieces, recipient_names  # as they are encoded

                if fork and self.source is not None and self.source.early is not None:
                    names = recipient_names(self.path, self._data)
                    temp = light_read.finish_early(self._data, self.source, names)  # (made since the read)
                pieces = (
                    iter(())
                    if temp is not None
                    else encrypted_pieces(self.path, self._data, pieces, fork=fork)
                )
            if digest is not None and (self.source is None or self.encrypted):
                pieces = trust.hashed(pieces, digest)

            def finish(fd: int) -> None:
                if temp is not None and digest is not None:  # written by another process: read back
                    trust.feed(digest, Sealed(os.dup(fd), os.fstat(fd).st_size))
                if digest is not None and not self.seal_later:
                    trust.set_mark(fd, trust.mark_of(digest))

            atomic.write_atomic(
                self.path,
                pieces,
                mode=mode,
                before_replace=self.before_replace,
                while_syncing=self.while_syncing,
                finish=finish,
                temp=temp,
            )
            if digest is not None and self.seal_later:
                self.mark_later = trust.mark_of(digest)
        except OSError as exc:
            raise ArchiveError(
                _("Cannot write the archive {path}: {reason}.").format(path=self.path, reason=os_reason(exc))
            ) from exc

    def close(self) -> None:
        """Stop what a light read started for a write that was not made (`crypto.early`), even
        one the read had not yet handed over when it was interrupted."""
        if self.encrypted:
            from ..crypto.early import cancel_left

            cancel_left(self.path)


_PIECE = 1000  # bulletins per encoded piece: ~1 MB at a time, not the whole archive's ~90 MB


def encode_pieces(data: Mapping[str, Any]) -> Iterator[bytes]:
    """The archive as orjson writes it (`orjson.dumps` of its tables in `light.file_order`, byte
    for byte), in pieces: a big table is encoded a few thousand documents at a time, so the whole
    file is never in memory beside the parsed archive (about one archive's size less at the peak
    of every write)."""
    import orjson

    yield b"{"
    for number, (name, table) in enumerate(light_read.file_order(data)):
        yield (b"," if number else b"") + orjson.dumps(name) + b":"
        if not isinstance(table, dict) or len(table) <= _PIECE:
            yield orjson.dumps(table)
            continue
        items = iter(table.items())
        separator = b"{"
        while piece := dict(islice(items, _PIECE)):
            yield separator + orjson.dumps(piece)[1:-1]
            separator = b","
        yield b"}"
    yield b"}"


def bulletins_of(storage: AtomicJSONStorage) -> dict[str, dict[str, Any]]:
    """The bulletins table inside the storage's parsed archive, to be changed in place (then
    `storage.write(storage.read())`). TinyDB's own table operations rebuild the whole table
    twice per call (its keys to ints and back): ~0.1 s at 100k to add one bulletin."""
    data = storage.read()
    assert data is not None  # the transaction writes a new archive's meta before any change
    return data.setdefault(check.BULLETINS, {})


def insert_documents(storage: AtomicJSONStorage, documents: Mapping[int, dict[str, Any]]) -> None:
    """Append new documents under new ids (after every stored one, as TinyDB's insert does). The
    table takes the dicts themselves, not copies (an import of 100,000: ~60 MB less at its peak):
    the caller made them for this and keeps no other use of them."""
    table = bulletins_of(storage)
    for doc_id, doc in documents.items():
        key = str(doc_id)
        if key in table:
            raise RuntimeError(f"id {doc_id} is already taken")  # a bug, never user data
        table[key] = doc
    storage.write(storage.read())  # type: ignore[arg-type]


def replace_documents(storage: AtomicJSONStorage, replacements: Mapping[int, dict[str, Any]]) -> None:
    """Replace whole stored documents in place: each keeps its place in the file's order."""
    if not replacements:
        return
    if storage.source is not None:
        raise RuntimeError("bulletins replaced in an archive read light")  # a bug, never user data
    table = bulletins_of(storage)
    for doc_id, doc in replacements.items():
        key = str(doc_id)
        if key not in table:
            raise RuntimeError(f"no document {doc_id} to replace")  # a bug, never user data
        table[key] = dict(doc)
    storage.write(storage.read())  # type: ignore[arg-type]


def remove_documents(storage: AtomicJSONStorage, doc_ids: Iterable[int]) -> None:
    """Remove stored documents (every id must be there)."""
    if storage.source is not None:
        raise RuntimeError("bulletins removed in an archive read light")  # a bug, never user data
    table = bulletins_of(storage)
    for doc_id in doc_ids:
        del table[str(doc_id)]
    storage.write(storage.read())  # type: ignore[arg-type]
