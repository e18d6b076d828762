"""An archive file's table names, its parsed shape, and how its bytes are read: shared by the
modules that read it (`check`, and `light_sealed`, which `check` calls) without either importing
the other."""

from __future__ import annotations

import contextlib
import io
import os
from collections.abc import Iterator
from typing import Any

BULLETINS = "bulletins"
META = "meta"

Tables = dict[str, dict[str, Any]]

AGE = b"age-encryption.org/v1"  # how an age file (an encrypted archive) starts
MAPPED = 8 << 20  # bytes of age ciphertext from which a read leaves it in its file (`Sealed`)
_PIECE = 1 << 20


class Sealed:
    """Big age ciphertext left in its file and read in pieces as it is needed: by the thread that
    hashes it and by the child that decrypts it (`light_sealed`). It is never whole in this
    process's memory (at 100k, ~60 ms and one archive's size less), and never mapped: a file cut
    short under a mapping would kill whrd with SIGBUS."""

    def __init__(self, fd: int, size: int) -> None:
        self.fd, self.size = fd, size

    def __len__(self) -> int:
        return self.size

    def __getitem__(self, part: slice) -> bytes:
        start, stop, _step = part.indices(self.size)
        return b"".join(self.pieces(start, stop))

    def pieces(self, start: int = 0, stop: int | None = None) -> Iterator[bytes]:
        """The bytes from `start` to `stop` (the end as it was found), a megabyte at a time; fewer
        if the file was cut short meanwhile (its hash or its decryption then fails)."""
        stop = self.size if stop is None else stop
        while start < stop and (got := os.pread(self.fd, min(_PIECE, stop - start), start)):
            yield got
            start += len(got)

    def reader(self) -> io.BufferedReader:
        """A file-like `read(n)` over the ciphertext from its start (age reads 8 KB at a time: a
        megabyte is read ahead, so those reads are C calls)."""
        return io.BufferedReader(_Raw(self), _PIECE)

    def __del__(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self.fd)


class _Raw(io.RawIOBase):
    """`Sealed`'s bytes as a raw file with its own position (its fd is shared: no `seek` on it)."""

    def __init__(self, sealed: Sealed) -> None:
        super().__init__()
        self.sealed, self.at = sealed, 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        want = min(len(buffer), self.sealed.size - self.at)
        if want <= 0:
            return 0
        got = os.preadv(self.sealed.fd, [memoryview(buffer)[:want]], self.at)
        self.at += got
        return got


def read_file(fh: Any) -> bytes | Sealed:
    """The bytes of an open archive file; big age ciphertext left in the file (`Sealed`)."""
    size = os.fstat(fh.fileno()).st_size
    if size >= MAPPED and os.pread(fh.fileno(), len(AGE), 0) == AGE:
        return Sealed(os.dup(fh.fileno()), size)
    return fh.read()  # type: ignore[no-any-return]
