"""Rolling backups of the archive (`ARCHIVE.bak`, `.bak.1`, `.bak.2`): the archive as it was
before each destructive write.

Guarantee: no generation is ever lost to a write that fails or is killed. The new `.bak` is
written in full to a temp file and fsynced first; only then are the older ones shifted
(`.bak.1 → .bak.2`, `.bak → .bak.1`) and the temp renamed to `.bak`. A full disk while writing
the copy leaves every backup as it was. The store calls `keep_backup` from inside the archive's
own atomic write, after the new archive is on disk and before it replaces the old one, so a
refused or failed operation never touches a backup either; and if the archive's rename then
fails, the backups are put back as they were (the oldest, which the shift pushes out, is only set
aside until the archive lands). A write killed in between leaves them shifted, the oldest aside
in a temp file that the next write removes.
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


def keep_backup(path: Path, generations: int = GENERATIONS) -> atomic.Settle | None:
    """Make the archive's current bytes the newest backup, shifting the older ones; nothing when
    the archive does not exist, or when the newest backup already holds these bytes (a repeated
    no-op must not push out history). Raises ArchiveError when the copy cannot be written.

    Returns what the archive's own write tells once its rename is done (True: the oldest
    generation, set aside meanwhile, is dropped) or has failed (False: every backup back where it
    was, the new copy gone); None when nothing was kept."""
    backups = backup_paths(path, generations)
    aside = backups[-1].with_name(
        f".{backups[-1].name}{atomic.TMP_MARK}oldest"
    )  # (a killed write's: cleaned)
    moved: list[tuple[Path, Path]] = []  # (from, to), in the order done

    def put_back(placed: bool) -> None:
        if placed and all(source != backups[0] for source, _ in moved):
            backups[0].unlink()  # the first backup there is: none to put back over it
        while moved:
            source, target = moved.pop()
            os.replace(target, source)

    def shift() -> atomic.Settle:  # runs only once the new copy is complete and fsynced
        if backups[-1].exists() and (len(backups) == 1 or backups[-2].exists()):
            os.replace(backups[-1], aside)  # about to be pushed out: kept until the archive lands
            moved.append((backups[-1], aside))
        for older, newer in zip(reversed(backups[1:]), reversed(backups[:-1]), strict=True):
            if newer.exists():
                os.replace(newer, older)
                moved.append((newer, older))
        return lambda placed: None if placed else put_back(placed=False)

    def settle(landed: bool) -> None:
        if not landed:
            put_back(placed=True)
        elif moved and moved[0][1] == aside:
            aside.unlink()

    try:
        try:
            source = path.open("rb")
        except FileNotFoundError:
            return None
        with source:  # read a piece at a time: never a whole archive's bytes beside its parse
            with contextlib.suppress(OSError):
                if _same_bytes(source, backups[0]):
                    return None
            source.seek(0)
            atomic.write_atomic(backups[0], iter(lambda: source.read(_PIECE), b""), before_replace=shift)
    except OSError as exc:
        raise ArchiveError(
            _("Cannot write a backup beside {path}: {reason}.").format(path=path, reason=os_reason(exc))
        ) from exc
    return settle
