"""An append to a big encrypted archive, encrypted from the moment the archive has been read.

An encrypted `add` at 100k spends ~0.18 s decrypting the archive (`storage.light_sealed`), ~50 ms
working out its change (dedupe keys, ids, the journal), then ~0.17 s encrypting the new archive,
one after the other. Almost all of what it encrypts is the stored bulletins' plain text as it was
read, which the write keeps byte for byte (`storage.light.spliced`). So as soon as the read is
done, a child (forked then: it sees that text without a copy being made) starts encrypting it
into the write's temp file, while this process works the change out on the other core; the write
then only sends it what follows the stored bulletins, and waits for it.

Nothing of it is used unless the write is exactly what it guessed: the same recipients (those of
the meta record as read, which an append does not change) and the same bytes before the stored
bulletins. Otherwise, or if the child fails, it is stopped, its temp file removed, and the write
encrypts the whole as before. The temp file is the atomic write's own (`atomic.reserve_temp`):
locked while this process lives, ciphertext only, removed on any failure or left to the next
write's cleaning if this process is killed. The child dies with this process.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterable, Iterator
from itertools import chain
from pathlib import Path
from typing import Any

from ..storage import atomic

_STEP = 1 << 20  # bytes taken from the pipe (and written to the file) at a time


class Early:
    """The child encrypting an append since the read (`start`): `finish` or `cancel` it. Each is
    known from the moment its temp file exists until it is finished or cancelled (`cancel_left`):
    an interrupt that lands anywhere between leaves nothing behind once the write's transaction
    ends."""

    def __init__(self, path: Path, temp: atomic.Temp, recipients: list[str], head: bytes) -> None:
        self.path, self.temp, self.recipients, self.head = path, temp, recipients, head
        self._pid, self._rest = 0, -1
        _LEFT[id(self)] = self

    def _spawn(self, recipients: list[Any], kept: memoryview) -> None:
        from ..workers import start_child

        rest, self._rest = os.pipe()
        try:
            self._pid, out = start_child(
                lambda _out: _encrypt(recipients, self.head, kept, rest, self.temp.fd), (rest, self.temp.fd)
            )
        finally:
            os.close(rest)
        os.close(out)  # (it writes its temp file, never its pipe)

    def finish(self, rest: Iterable[bytes]) -> None:
        """Send the child `rest` (what follows the stored bulletins) and wait for it to end; its
        temp file then holds the whole new archive, encrypted. Raises `codec.ForkLost` (the temp
        file removed) if it does not end well."""
        from .codec import ForkLost

        try:
            for piece in rest:
                view = memoryview(piece).cast("B")
                while view:
                    view = view[os.write(self._rest, view) :]
            os.close(self._rest)
            self._rest = -1
            _pid, status = os.waitpid(self._pid, 0)
            self._pid = 0
        except OSError as exc:  # the child is gone (a broken pipe): encrypted again, here
            self.cancel()
            raise ForkLost from exc
        except BaseException:
            self.cancel()
            raise
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            self.cancel()
            raise ForkLost
        _LEFT.pop(id(self), None)  # (its temp file is the write's now)

    def cancel(self) -> None:
        """Stop the child if it runs and remove its temp file (never raises)."""
        from ..workers import reap

        reap([(self._pid, -1)])
        self._pid = 0
        if self._rest >= 0:
            with contextlib.suppress(OSError):
                os.close(self._rest)
            self._rest = -1
        self.temp.discard()
        _LEFT.pop(id(self), None)


_LEFT: dict[int, Early] = {}  # started, neither finished nor cancelled yet


def cancel_left(path: Path) -> None:
    """Cancel what is left of the children started for writes of `path` (the end of its
    transaction, whichever way it ends)."""
    for early in [early for early in _LEFT.values() if early.path == path]:
        early.cancel()


def start(path: Path, tables: Any, head: bytes, kept: memoryview) -> Early | None:
    """A child encrypting `head` then `kept` (the plain bytes before the stored bulletins, and
    those bulletins' bytes as read) to the recipients `tables` names, into a new temp file for
    `path`; None when no child, pipe or temp file is to be had (the write encrypts as before)."""
    from ..workers import cores
    from .codec import _recipients

    if cores() < 2:
        return None
    try:
        recipients = _recipients(path, tables)
    except Exception:  # (a bad recipient: the write says so, as without this)
        return None
    try:
        temp = atomic.reserve_temp(path)
    except OSError:
        return None
    early = Early(path, temp, [str(recipient) for recipient in recipients], head)  # (`recipient_names`)
    try:
        early._spawn(recipients, kept)
    except OSError:
        early.cancel()
        return None
    except BaseException:
        early.cancel()
        raise
    return early


def _encrypt(recipients: list[Any], head: bytes, kept: memoryview, rest: int, fd: int) -> None:
    """In the child: encrypt `head`, `kept`, then what comes through the pipe `rest`, into `fd`."""
    import io

    from pyrage import encrypt_io

    from .codec import _Pieces

    sink = io.BufferedWriter(io.FileIO(fd, "wb", closefd=False), _STEP)
    encrypt_io(_Pieces.reader(chain((head,), _views(kept), _received(rest))), sink, recipients)
    sink.flush()


def _views(kept: memoryview) -> Iterator[bytes]:
    for start in range(0, len(kept), _STEP):  # views of the read's bytes: never copied whole
        yield kept[start : start + _STEP]  # type: ignore[misc]


def _received(fd: int) -> Iterator[bytes]:
    while piece := os.read(fd, _STEP):
        yield piece
