"""Whether an archive file is, byte for byte, one that whrd wrote knowing it sound: then a write
need not check every bulletin again (`check.damage_in`, the costliest step of `whrd add` at 100k
after the parse).

The mark is the SHA-256 of the file's bytes (of an encrypted archive, of its age header, with
its size: `Digest` says why that is enough) with the version of the rules it passed, kept in
the file's extended attribute `user.whrd.sound`, set on the new file before it replaces the old
one, and only when whrd knows what it wrote is sound: the archive it read was sound and every
bulletin (and the meta record) it changed passes the same check. A write skips the full check
only when the bytes it parsed hash to the mark. Anything else is checked in full, as before: a
file edited in place (even with its size and mtime put back: the bytes differ), an editor's new
file or a copy (no attribute), a file system without user attributes (no mark can be set).
Not a defence against someone who forges the attribute on purpose: the check is there to catch
mistakes, and whoever can set the attribute can write the file.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterable, Iterator, Mapping
from itertools import chain
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import check
from .names import AGE

if TYPE_CHECKING:
    from ..workers import Later

ATTR = "user.whrd.sound"
# Bump when `check.damage_in` gets a new rule: marks of files checked by older rules then lapse.
RULES = b"2"  # 2: uid and rev (issue 15)


FileStamp = tuple[int, int, int, int]


def file_stamp(path: os.PathLike[str] | str) -> FileStamp | None:
    """What tells one state of a file from any other: inode, size, mtime and ctime (which no one
    can set back: any change to the file, even one that restores its mtime, moves it)."""
    try:
        info = os.stat(path)
    except OSError:
        return None
    return info.st_ino, info.st_size, info.st_mtime_ns, info.st_ctime_ns


def new_digest() -> Digest:
    """The running hash of a file being written (`update` it with every piece)."""
    import hashlib  # here, not at the top: it loads OpenSSL (~4 ms) for commands that never hash

    return Digest(hashlib.sha256())


_HEAD_MOST = 1 << 20  # bytes of age header looked through for its end; past it, all is hashed


class Digest:
    """SHA-256 of a file's bytes; of an age file (an encrypted archive), of its header and payload
    nonce only, with its size.

    Why the header is enough there: age authenticates every byte after it (each 64 KB chunk with
    a key drawn from the file key and that nonce, the last chunk flagged, nothing after it), and
    every read of an encrypted archive decrypts all of it, so a payload changed, cut short or
    extended fails that read whatever its mark says. A header is new at each write (a random file
    key and nonce): an age file that whrd did not write has another one, even with the same plain
    text. Hashing 100 MB of ciphertext took ~65 ms of every encrypted write at 100k."""

    __slots__ = ("_head", "_seen", "_sha", "_size")

    def __init__(self, sha: Any) -> None:
        self._sha = sha
        self._seen = bytearray()  # the first bytes (unhashed), until the kind of file is known
        self._head = -1  # an age file's bytes up to its payload's nonce (-1: not known yet; 0: plain)
        self._size = 0

    def update(self, data: Any) -> None:
        size = len(data)
        if self._head == 0:
            self._sha.update(data)
        elif self._head < 0:
            self._look(data)
        self._size += size  # (past an age header, only the size counts)

    def _look(self, data: Any) -> None:
        """Keep the first bytes, unhashed, until the kind of file (and an age header's end) is
        known: then hash what the mark covers (all of a plain file; an age header and nonce)."""
        seen = self._seen
        taken = memoryview(data)[: _HEAD_MOST - len(seen)]
        seen += taken
        if AGE.startswith(bytes(seen[: len(AGE)])):
            mac = seen.find(b"\n--- ")  # the header's last line: `--- MAC`
            end = seen.find(b"\n", mac + 1) if mac >= 0 else -1
            if end >= 0 and len(seen) >= end + 1 + _NONCE:
                self._head = end + 1 + _NONCE
                self._sha.update(seen[: self._head])
                self._seen = bytearray()
                return
            if len(seen) < _HEAD_MOST:
                return  # not known yet
        self._head, self._seen = 0, bytearray()  # plain (or no header end): every byte is hashed
        self._sha.update(seen)
        if len(taken) < len(data):
            self._sha.update(memoryview(data)[len(taken) :])

    def copy(self) -> Digest:
        twin = Digest(self._sha.copy())
        twin._seen, twin._head, twin._size = bytearray(self._seen), self._head, self._size
        return twin

    @property
    def wants_bytes(self) -> bool:
        """False once only the size of what follows counts (an age payload)."""
        return self._head <= 0

    def skip(self, size: int) -> None:
        """Count `size` more bytes of an age payload without seeing them (`wants_bytes` is False)."""
        self._size += size

    def hexdigest(self) -> str:
        if self._head > 0:
            return f"age{self._size}-{self._sha.hexdigest()}"
        if self._seen:  # ended before its kind was known (a header cut short): all of it
            sha = self._sha.copy()
            sha.update(self._seen)
            return sha.hexdigest()  # type: ignore[no-any-return]
        return self._sha.hexdigest()  # type: ignore[no-any-return]


_NONCE = 16  # bytes of an age payload's nonce, after the header's last line


def hashed(pieces: Iterable[bytes], digest: Any) -> Iterator[bytes]:
    """The pieces, each added to `digest` as it goes by."""
    for piece in pieces:
        digest.update(piece)
        yield piece


def mark_of(digest: Any) -> bytes:
    return RULES + b":" + digest.hexdigest().encode()


def read_mark(path: os.PathLike[str] | str) -> bytes | None:
    """The mark whrd left on the file, if any (None where the file system keeps none)."""
    try:
        return os.getxattr(path, ATTR)
    except OSError:
        return None


def is_sound_copy(data: Any, mark: bytes | None) -> bool:
    """Whether `data` are exactly the bytes a sound archive was written as (`mark` read from it)."""
    if mark is None:
        return False
    digest = new_digest()
    feed(digest, data)
    return mark == mark_of(digest)


def feed(digest: Digest, data: Any) -> None:
    """Hash bytes, or ciphertext left in its file (`names.Sealed`) a megabyte at a time: of that,
    only its header is read (`Digest`)."""
    pieces = getattr(data, "pieces", None)
    if pieces is None:  # (its look at the first bytes is Python: a small call first, so that the
        view = memoryview(data)  # rest is one call, which lets go of the GIL from its start)
        digest.update(view[:LOOK])
        digest.update(view[LOOK:])
        view.release()
        return
    done = 0
    for piece in chain((data[:_FIRST],), pieces(_FIRST)):  # (a header is a few hundred bytes)
        digest.update(piece)
        done += len(piece)
        if not digest.wants_bytes:
            digest.skip(len(data) - done)
            return


_FIRST = 1 << 16
LOOK = 64  # bytes enough to tell a plain archive (`{`) from an age file (`Digest._look`)


def sound_check(mark: bytes, found: list[bool]) -> Callable[[Any], None]:
    """A `seen` for `check.load_archive_file` that appends to `found` whether the bytes read are
    the ones `mark` certifies; its hash is made here, so that when it runs in a thread beside the
    parse it hashes at once (a thread that imported hashlib itself would wait out the parse)."""
    digest = new_digest()

    def seen(data: Any) -> None:
        feed(digest, data)
        found.append(mark == mark_of(digest))

    return seen


def set_mark(fd: int, mark: bytes | None) -> None:
    """Mark the file open as `fd` (None: leave it unmarked); never fails the write."""
    if mark is None:
        return
    with contextlib.suppress(OSError):  # no user attributes here: the next write checks in full
        os.setxattr(fd, ATTR, mark)


CHECK_APART = 4_000  # bulletins written: from here their check runs beside the write (~45 ms at 10k)


def soundness(tables: Mapping[str, Any] | None, touched: set[int] | None, path: Path) -> bool | Later:
    """`sound_after` of tables about to be written (then the file is marked, and the next write need
    not check it); for many bulletins (an import), in another process while this one writes, its
    answer taken before the lock is let go (`workers.fork_call`)."""
    if touched is None or len(touched) < CHECK_APART:
        return sound_after(tables, touched, path)
    from ..workers import fork_call

    return fork_call(lambda: sound_after(tables, touched, path))


def set_mark_on(path: Path, mark: bytes) -> None:
    """Mark the file at `path`, written and renamed by this process under the archive's lock."""
    with contextlib.suppress(OSError):
        os.setxattr(path, ATTR, mark)


def sound_after(tables: Mapping[str, Any] | None, touched: Iterable[int] | None, path: Path) -> bool:
    """Whether archive `tables`, about to be written, is sound, when the one read was: only the
    meta record and the bulletins `touched` (added, changed; None: any) need checking."""
    tables = tables or {}
    if touched is not None:
        table = tables.get(check.BULLETINS, {})
        changed = {key: table[key] for key in map(str, touched) if key in table}
        tables = {check.META: tables.get(check.META, {}), check.BULLETINS: changed}
    return check.damage_in(tables, path) is None
