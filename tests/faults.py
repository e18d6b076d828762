"""Faults the write tests inject: a failing fsync of the archive's temp file or a failing rename
over the archive (the disk's errors, as the OS would give them); a count of the encrypting
children lost; and an open session as `whrd unlock` leaves one."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from whrd_cli.crypto import codec
from whrd_cli.storage import atomic


def fail_at(monkeypatch: pytest.MonkeyPatch, db: Path, where: str) -> None:
    """From now on the archive `db`'s write fails at `where`: "fsync" (of its temp file: EIO) or
    "rename" (over the archive: EROFS); any other value changes nothing."""
    real_fsync, real_replace = os.fsync, os.replace

    def fsync(fd: int) -> None:
        name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
        if where == "fsync" and name.startswith(f".{db.name}{atomic.TMP_MARK}"):
            raise OSError(errno.EIO, "Input/output error")
        real_fsync(fd)

    def replace(src: Any, dst: Any, *args: Any, **kwargs: Any) -> None:
        if where == "rename" and Path(dst) == db:
            raise OSError(errno.EROFS, "Read-only file system")
        real_replace(src, dst, *args, **kwargs)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(atomic.os, "replace", replace)


def open_session(runtime: Path, db: Path, identity: str) -> None:
    """An open session of `db`, as `whrd unlock` leaves one (its name: sha256 of the real path)."""
    folder = runtime / "whrd"
    folder.mkdir(mode=0o700, exist_ok=True)
    name = hashlib.sha256(os.path.realpath(db).encode()).hexdigest()[:24]
    record = {"archive": str(db), "expires": time.time() + 3600, "identity": identity}
    (folder / f"{name}.key").write_text(json.dumps(record))
    (folder / f"{name}.key").chmod(0o600)


def count_lost_children(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """From now on, one True in the list returned for each encrypting child that ends early
    (`codec.ForkLost`, which the store answers by writing again in this process)."""
    lost: list[bool] = []
    real_forked = codec._forked

    def forked(*args: Any) -> Iterator[bytes]:
        try:
            yield from real_forked(*args)
        except codec.ForkLost:
            lost.append(True)
            raise

    monkeypatch.setattr(codec, "_forked", forked)
    return lost


def index_changes_made(monkeypatch: pytest.MonkeyPatch, name: str = "prepare_update") -> list[bool]:
    """Spy on the search index's `name` (`prepare_update`, or `_prepared` under it): one entry per
    call, True when it made a change in place (it returned something), False when it declined."""
    from whrd_cli.search import index

    made: list[bool] = []
    real = getattr(index, name)

    def spy(*args: Any, **kwargs: Any) -> Any:
        found = real(*args, **kwargs)
        made.append(found is not None)
        return found

    monkeypatch.setattr(index, name, spy)
    return made
