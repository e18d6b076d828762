"""Checks of the files whrd keeps beside the archive: backups that still parse as archives, modes
that keep bulletins private (0600), temp files a killed writer left, and the lock file.

Never writes, never waits: a temp file is stale when its flock can be taken at once (a living
writer holds its own until its rename, see `storage.atomic`); a lock is tried the same way."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from ..errors import ArchiveError
from ..i18n import _
from ..search.index import index_path
from ..storage import atomic, check
from .report import PROBLEM, WARNING, Finding
from .subject import Subject

PRIVATE_MODE = 0o600


def backups_readable(subject: Subject) -> list[Finding]:
    """Each rolling backup that exists parses as a whrd archive (else it could not be restored)."""
    found = []
    for path in subject.backup_paths():
        if not path.exists():
            continue
        try:
            check.load_archive_file(path)
        except ArchiveError as exc:
            found.append(
                Finding(
                    "unreadable-backup",
                    PROBLEM,
                    _("The backup {path} cannot be restored: {reason}").format(path=path, reason=exc.message),
                    path=path,
                )
            )
    return found


def plain_beside_encrypted(subject: Subject) -> list[Finding]:
    """Beside an encrypted archive, every copy of its bulletins is ciphertext: a plain backup or a
    plain search index there is what an `encrypt` killed halfway (a power cut) left on the disk."""
    from ..crypto import is_ciphertext, is_encrypted

    if not is_encrypted(subject.path):
        return []
    index = subject.path.with_name(subject.path.name + ".search.sqlite")  # its index is in tmpfs
    plain = [p for p in subject.backup_paths() if p.is_file() and not is_ciphertext(p)]
    plain += [p for p in (index, Path(f"{index}-journal")) if p.is_file()]
    message = _("{path} holds plain text beside the encrypted archive; remove it (the archive is whole).")
    return [Finding("plain-beside-encrypted", PROBLEM, message.format(path=p), path=p) for p in plain]


def kept_files(subject: Subject) -> list[tuple[Path, bool]]:
    """(file, whether it holds bulletins) for every file whrd keeps for this archive that exists."""
    index = index_path(subject.path)
    archive = [] if subject.load_error else [subject.path]  # a file that is no archive is not ours
    holding = [*archive, *subject.backup_paths(), index, Path(f"{index}-journal")]
    others = [subject.lock_path, *([subject.config] if subject.config else [])]
    return [(p, True) for p in holding if p.is_file()] + [(p, False) for p in others if p.is_file()]


def file_modes(subject: Subject) -> list[Finding]:
    """Files holding bulletins readable only by their owner (0600); the lock and config too."""
    found = []
    for path, holds_bulletins in kept_files(subject):
        try:
            mode = stat.S_IMODE(path.stat().st_mode)
        except OSError:
            continue
        if mode & 0o077 == 0:
            continue
        if holds_bulletins:
            message = _("{path} has mode {mode}: other users may read the bulletins in it (expected 0600).")
        else:
            message = _("{path} has mode {mode}: other users may open it (expected 0600).")
        found.append(
            Finding(
                "file-mode",
                PROBLEM if holds_bulletins else WARNING,
                message.format(path=path, mode=f"{mode:04o}"),
                path=path,
                value=f"{mode:04o}",
                fixable=_own(path),
            )
        )
    return found


def _own(path: Path) -> bool:
    try:
        return path.stat().st_uid == os.geteuid()
    except OSError:
        return False


def stale_temps(subject: Subject) -> list[Path]:
    """Temp files of the archive's writers (its own, the index's, the backups') that no living
    whrd holds: a writer killed before its rename left them."""
    targets = [subject.path, *subject.backup_paths()]
    return sorted({tmp for target in targets for tmp in atomic.temp_files(target) if _unheld(tmp)})


def _unheld(path: Path) -> bool:
    """Nobody holds this file's flock right now (taken and let go at once, without waiting)."""
    import fcntl

    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        return False
    finally:
        os.close(fd)  # closing drops the lock
    return True


def temp_files(subject: Subject) -> list[Finding]:
    return [
        Finding(
            "stale-temp",
            WARNING,
            _("{path} is a temp file a killed whrd left.").format(path=path),
            path=path,
            fixable=True,
        )
        for path in stale_temps(subject)
    ]


def lock_state(path: Path) -> str | None:
    """'held' (another process holds the lock now), 'free', or None (no lock file)."""
    if not path.is_file():
        return None
    return "free" if _unheld(path) else "held"


def lock_file(subject: Subject) -> list[Finding]:
    """A lock held right now (another whrd is writing: this report may be of a moment in flux), or
    a lock file with no archive beside it. A free lock beside an archive is how whrd leaves it."""
    state = lock_state(subject.lock_path)
    if state == "held":
        return [
            Finding(
                "lock-held",
                WARNING,
                _("Another process holds the lock {path} now; run doctor again when it has finished.").format(
                    path=subject.lock_path
                ),
                path=subject.lock_path,
            )
        ]
    if state == "free" and not subject.path.exists():
        return [
            Finding(
                "orphan-lock",
                WARNING,
                _("{path} is a lock file with no archive beside it.").format(path=subject.lock_path),
                path=subject.lock_path,
                fixable=True,
            )
        ]
    return []
