"""An archive file's table names, its parsed shape, and how its bytes are read: shared by the
modules that read it (`check`, and `light_sealed`, which `check` calls) without either importing
the other."""

from __future__ import annotations

import contextlib
import io
import mmap
import os
import re
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

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


class Plain(mmap.mmap):
    """A big plain archive file's bytes in this process's own memory, in huge pages where the kernel
    has them: at 100k, reading 100 MB into 4 KB pages took ~55 ms (one fault per page on this
    kind of machine), into huge pages ~20 ms. Read like `bytes` by the archive's readers."""

    def startswith(self, prefix: Any, start: int = 0) -> bool:
        return self.find(prefix, start, start + len(prefix)) == start  # (no copy: a memcmp)


Data = bytes | Plain  # an archive file's bytes as read (big ciphertext aside: `Sealed`)
_HUGE = 4 << 20  # bytes of plain archive from which it is read into huge pages


def read_file(fh: Any) -> bytes | Plain | Sealed:
    """The bytes of an open archive file; big age ciphertext left in the file (`Sealed`)."""
    fd = fh.fileno()
    size = os.fstat(fd).st_size
    sealed = size >= min(_HUGE, MAPPED) and os.pread(fd, len(AGE), 0) == AGE
    if sealed and size >= MAPPED:
        return Sealed(os.dup(fd), size)
    if sealed or size < _HUGE or not hasattr(mmap, "MAP_PRIVATE"):  # (Windows: no such mapping)
        return fh.read()  # type: ignore[no-any-return]
    plain = own_memory(size, Plain)
    view, done = memoryview(plain), 0
    try:
        while done < size and (got := os.preadv(fd, [view[done:]], done)):
            done += got
    finally:
        view.release()
    if done < size or os.pread(fd, 1, done):  # cut short or grown while read: read it plainly
        fh.seek(0)
        return fh.read()  # type: ignore[no-any-return]
    return plain


M = TypeVar("M", bound=mmap.mmap)


def own_memory(size: int, kind: type[M]) -> M:
    """`size` bytes of this process's own memory (not shared with a child it forks), in huge pages
    where the kernel has them: a fresh 4 KB page costs ~2-3 µs to fault in on this kind of machine
    (100 MB: ~60 ms in 4 KB pages, ~95 ms shared, ~11 ms in huge pages)."""
    memory = kind(-1, size, flags=mmap.MAP_PRIVATE | mmap.MAP_ANONYMOUS)
    with contextlib.suppress(AttributeError, OSError):  # (no such advice here: small pages)
        memory.madvise(mmap.MADV_HUGEPAGE)
    return memory


def started(thread: threading.Thread) -> bool:
    """Start `thread` (work beside a read: a hash); False when no thread is to be had (a limit on
    processes): the caller then does that work itself, one thing after the other."""
    try:
        thread.start()
    except RuntimeError:
        return False
    return True


@contextlib.contextmanager
def beside(seen: Callable[[Any], object] | None, data: Any) -> Iterator[None]:
    """`seen(data)` (a hash of the bytes read: `trust.sound_check`) in a thread while the block
    parses them. hashlib lets go of the GIL while it hashes, and the parse keeps it: so this
    thread waits until that one has begun, or it would not run before the parse ends, a whole
    hash of the file later (~6 ms at 10k, ~55 ms at 100k). No thread to be had: hashed first."""
    if seen is None:
        yield
        return
    begun = threading.Event()

    def hash_it() -> None:
        begun.set()
        seen(data)

    helper = threading.Thread(target=hash_it, name="whrd-hash", daemon=True)
    if not started(helper):
        seen(data)
        yield
        return
    begun.wait()
    try:
        yield
    finally:
        helper.join()


def blank(data: Data) -> bool:
    """Whether the bytes are empty or only ASCII white space (what `bytes.strip` removes)."""
    return re.search(rb"[^ \t\n\r\x0b\x0c]", data) is None
