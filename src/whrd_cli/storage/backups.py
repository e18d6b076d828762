"""Rolling backups of the archive (`ARCHIVE.bak`, `.bak.1`, `.bak.2`): the archive as it was
before each destructive write.

Guarantee: no generation is ever lost to a write that fails or is killed. The new `.bak` is
written in full to a temp file and fsynced first; only then are the older ones shifted
(`.bak.1 → .bak.2`, `.bak → .bak.1`) and the temp renamed to `.bak`. A full disk while writing
the copy leaves every backup as it was. The store calls `keep_backup` from inside the archive's
own atomic write, after the new archive is on disk and before it replaces the old one, so a
refused or failed operation never touches a backup either.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import BinaryIO

from ..errors import ArchiveError
from ..i18n import _
from . import atomic
from .reasons import os_reason

GENERATIONS = 3


def backup_paths(path: Path, generations: int = GENERATIONS) -> list[Path]:
    """`.bak`, `.bak.1`, … beside the archive, newest first."""
    return [path.with_name(f"{path.name}.bak")] + [
        path.with_name(f"{path.name}.bak.{n}") for n in range(1, generations)
    ]


_PIECE = 1 << 20


def _same_bytes(source: BinaryIO, other: Path) -> bool:
    """Whether the open file holds the same bytes as the file `other` (OSError if it is missing)."""
    if os.fstat(source.fileno()).st_size != other.stat().st_size:
        return False
    with other.open("rb") as fh:
        while True:
            piece = source.read(_PIECE)
            if piece != fh.read(_PIECE):
                return False
            if not piece:
                return True


def keep_backup(path: Path, generations: int = GENERATIONS) -> None:
    """Make the archive's current bytes the newest backup, shifting the older ones; nothing when
    the archive does not exist, or when the newest backup already holds these bytes (a repeated
    no-op must not push out history). Raises ArchiveError when the copy cannot be written."""
    backups = backup_paths(path, generations)

    def shift() -> None:  # runs only once the new copy is complete and fsynced
        for older, newer in zip(reversed(backups[1:]), reversed(backups[:-1]), strict=True):
            if newer.exists():
                os.replace(newer, older)

    try:
        try:
            source = path.open("rb")
        except FileNotFoundError:
            return
        with source:  # read a piece at a time: never a whole archive's bytes beside its parse
            with contextlib.suppress(OSError):
                if _same_bytes(source, backups[0]):
                    return
            source.seek(0)
            atomic.write_atomic(backups[0], iter(lambda: source.read(_PIECE), b""), before_replace=shift)
    except OSError as exc:
        raise ArchiveError(
            _("Cannot write a backup beside {path}: {reason}.").format(path=path, reason=os_reason(exc))
        ) from exc
