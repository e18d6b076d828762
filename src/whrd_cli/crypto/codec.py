"""Archive bytes to and from age ciphertext, for `storage.check` (reads) and the storage's
writes. Every write encrypts to the archive's own identity and to the extra recipients its meta
record names (`meta.recipients`): they are inside the ciphertext, so nobody can add a recipient
to an archive without opening it first.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

from ..errors import ArchiveError
from ..i18n import _
from . import keys

RECIPIENTS = "recipients"


def decrypt(path: Path, data: bytes, *, alongside: Callable[[bytes], object] | None = None) -> bytes:
    """The plain archive inside age ciphertext `data` (read from `path`). A file that does not
    decrypt with the right identity is damaged (exit 3): a wrong passphrase failed earlier (4).

    `alongside(data)` (the hash of the file's bytes: `storage.trust`) runs in a thread while age
    decrypts: both let go of the GIL, so at 100k the ~0.08 s of hashing costs nothing."""
    import io

    from pyrage import DecryptError, decrypt_io

    from ..storage.names import beside

    identity = keys.identity_for(path)
    plain = io.BytesIO()
    try:  # the streaming call: ~0.1 s less than `decrypt` at 100k (measured), same bytes
        with beside(alongside, data):
            decrypt_io(io.BytesIO(data), plain, [identity])
    except (DecryptError, OSError) as exc:  # a truncated body is an OSError from decrypt_io
        if "No matching keys" in str(exc):
            raise ArchiveError(
                _("{path} is not encrypted to this archive's identity; whrd will not touch it.").format(
                    path=path
                )
            ) from exc
        raise ArchiveError(
            _(
                "{path} is encrypted but damaged (truncated or altered); whrd will not touch it. "
                "Restore a backup (ARCHIVE.bak)."
            ).format(path=path)
        ) from exc
    return plain.getvalue()


def recipients_of(tables: Mapping[str, Any]) -> list[str]:
    """The extra recipients (age public keys) named in the archive's meta record."""
    meta = tables.get("meta", {}).get("1", {})
    found = meta.get(RECIPIENTS) if isinstance(meta, dict) else None
    return [r for r in found if isinstance(r, str)] if isinstance(found, list) else []


def _recipients(path: Path, tables: Mapping[str, Any]) -> list[Any]:
    """The archive's own identity's public key and the extra recipients of its meta record."""
    from pyrage import x25519

    recipients = [keys.identity_for(path).to_public()]
    for text in recipients_of(tables):
        try:
            recipients.append(x25519.Recipient.from_str(text))
        except Exception as exc:  # pyrage.RecipientError
            raise ArchiveError(
                _("The archive {path} names a recipient that is not an age public key: {key}.").format(
                    path=path, key=text
                )
            ) from exc
    return recipients


def recipient_names(path: Path, tables: Mapping[str, Any]) -> list[str]:
    """The age public keys a write of `tables` encrypts to (`_recipients`), as text."""
    return [str(recipient) for recipient in _recipients(path, tables)]


def encrypt(path: Path, tables: Mapping[str, Any], pieces: Iterable[bytes]) -> bytes:
    """The archive's plain `pieces` encrypted to its identity and its extra recipients, whole."""
    return b"".join(encrypted_pieces(path, tables, pieces))


_END = object()  # the last plain piece has been queued
_STOP = object()  # the writer gave up: the encrypting thread stops too
_QUEUED = 8  # plain pieces waiting for the encrypting thread (~4 MB each at 100k: `encode_pieces`)


class _Stopped(Exception):
    """Raised inside age's read when the writer gave up (an error, the generator closed)."""


def _queued(inbox: Any) -> Iterator[bytes]:
    """The plain pieces put in `inbox` by the writing thread, until `_END` (`_STOP`: it gave up)."""
    while (got := inbox.get()) is not _END:
        if got is _STOP:
            raise _Stopped
        yield got


class _Outbox:
    """A file-like `write` that hands each ciphertext chunk to the writing thread."""

    def __init__(self, outbox: Any) -> None:
        self.outbox = outbox

    def write(self, chunk: bytes) -> int:
        self.outbox.put(bytes(chunk))
        return len(chunk)

    def flush(self) -> None:
        pass


class ForkLost(Exception):
    """The process encrypting a write (`encrypted_pieces(fork=True)`) ended without finishing it:
    the write fails (its temp file removed) and is made again in this process."""


FORK_FROM = 5_000  # bulletins: from here a write is encoded and encrypted in another process


def encrypted_pieces(
    path: Path, tables: Mapping[str, Any], pieces: Iterable[bytes], *, fork: bool = False
) -> Iterator[bytes]:
    """The archive's plain `pieces` as age ciphertext, in chunks, encrypted as they are made; the
    whole plain archive is never in memory beside its ciphertext (each is a few pieces at a time).

    `fork` (an append to an archive of `FORK_FROM` bulletins or more, where fork is to be had):
    a child process encodes and encrypts while this one hashes and writes what it sends. pyrage holds
    the GIL while it encrypts, so a thread cannot do this beside Python work (measured at 100k:
    ~0.3 s in a thread, ~0.2 s in a child). A child that ends early raises ForkLost."""
    recipients = _recipients(path, tables)
    if fork and len(tables.get("bulletins") or ()) >= FORK_FROM:
        from ..workers import cores

        if cores() > 1:
            return _forked(recipients, pieces)
    return _threaded(recipients, pieces)


class _Pieces(io.RawIOBase):
    """The plain pieces as they are made, as a raw file (`readinto`). age reads 8 KB at a time:
    `reader` buffers a megabyte of them at once, so those reads are C calls (measured at 100k:
    encryption ~120 -> ~90 ms)."""

    def __init__(self, pieces: Iterable[bytes]) -> None:
        super().__init__()
        self.pieces = iter(pieces)
        self.piece = memoryview(b"")

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        while not self.piece:
            following = next(self.pieces, None)
            if following is None:
                return 0
            self.piece = memoryview(following).cast("B")
        size = min(len(buffer), len(self.piece))
        buffer[:size], self.piece = self.piece[:size], self.piece[size:]
        return size

    @classmethod
    def reader(cls, pieces: Iterable[bytes]) -> io.BufferedReader:
        return io.BufferedReader(cls(pieces), _BUFFER)


_BUFFER = 1 << 20  # plain bytes read ahead for age


def _forked(recipients: list[Any], pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The ciphertext a child makes of `pieces` (its own copy of them: nothing is made here)."""
    import os

    from pyrage import encrypt_io

    from ..workers import reap, start_child

    def send(out: Any) -> None:
        encrypt_io(_Pieces.reader(pieces), out, recipients)

    try:
        child = [start_child(send)]
    except OSError:  # no process to be had: a thread of this one
        yield from _threaded(recipients, pieces)
        return
    pid, fd = child[0]
    try:
        while chunk := os.read(fd, _READ):
            yield chunk
        os.close(fd)
        child[0] = (pid, -1)
        _pid, status = os.waitpid(pid, 0)
        child.clear()
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            raise ForkLost
    finally:
        reap(child)


_READ = 1 << 20  # bytes of ciphertext taken from the child at a time


def _threaded(recipients: list[Any], pieces: Iterable[bytes]) -> Iterator[bytes]:
    """The ciphertext of `pieces`, age encrypting in a thread while this one encodes and writes."""
    import queue
    import threading

    from pyrage import encrypt_io

    inbox: queue.Queue[object] = queue.Queue(maxsize=_QUEUED)
    outbox: queue.Queue[bytes | None] = queue.Queue()
    failed: list[BaseException] = []

    def work() -> None:
        try:
            encrypt_io(_Pieces.reader(_queued(inbox)), _Outbox(outbox), recipients)
        except BaseException as exc:  # handed to the writing thread, raised there
            failed.append(exc)
        finally:
            outbox.put(None)  # the end, whichever way

    worker = threading.Thread(target=work, name="whrd-age", daemon=True)
    worker.start()

    def offer(item: object) -> bool:
        """Queue a plain piece; False when the thread is gone (it failed)."""
        while True:
            try:
                inbox.put(item, timeout=0.1)
                return True
            except queue.Full:
                if not worker.is_alive():
                    return False

    ended = False

    def ready(*, wait: bool) -> Iterator[bytes]:
        nonlocal ended
        while not ended:
            try:
                chunk = outbox.get(block=wait)
            except queue.Empty:
                return
            if chunk is None:
                ended = True
                return
            yield chunk

    try:
        for piece in pieces:
            if piece and not offer(piece):
                break
            yield from ready(wait=False)
            if ended:
                break
        else:
            offer(_END)
        yield from ready(wait=True)
    finally:
        if not ended:  # the writer stopped early: stop the thread, however full its queue
            while True:
                try:
                    inbox.put_nowait(_STOP)
                    break
                except queue.Full:
                    with contextlib.suppress(queue.Empty):
                        inbox.get_nowait()
    worker.join()
    if failed:
        raise failed[0]
