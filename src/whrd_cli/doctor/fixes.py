"""`whrd doctor --fix`: only repairs that cannot lose a word of the archive, each said as done.

- stale temp files removed (`atomic.remove_stale_temps`: only those whose lock it takes);
- a lock file with no archive beside it removed, while holding it;
- files whrd keeps chmodded to 0600 (only this user's own);
- a missing or stale search index rebuilt from the archive, under the archive's lock, taken only
  if free right now (`Archive.locked_now`), as search itself does.

The archive's bytes never change, so no backup is needed. Nothing is done beside an archive that
cannot be read (a foreign or damaged file is left exactly as it was)."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

from ..i18n import _, ngettext
from ..render import quantity
from ..search import index
from ..storage import atomic
from .files import PRIVATE_MODE, kept_files, lock_state, stale_temps
from .index_check import counts_agree
from .report import Fixed, Report
from .subject import Subject


def apply_fixes(subject: Subject, report: Report) -> list[Fixed]:
    if subject.load_error is not None:
        return []
    done: list[Fixed] = []
    done += _remove_temps(subject)
    done += _remove_orphan_lock(subject)
    done += _chmod(subject, report)
    done += _rebuild_index(subject, report)
    return done


def _remove_temps(subject: Subject) -> list[Fixed]:
    stale = stale_temps(subject)
    if not stale:
        return []
    for target in (subject.path, *subject.backup_paths()):
        atomic.remove_stale_temps(target)
    return [
        Fixed("stale-temp", _("Removed the stale temp file {path}.").format(path=path), path)
        for path in stale
        if not path.exists()
    ]


def _remove_orphan_lock(subject: Subject) -> list[Fixed]:
    path = subject.lock_path
    if subject.path.exists() or lock_state(path) != "free":
        return []
    from ..storage.lockfile import ArchiveLock, LockTimeout

    lock = ArchiveLock(str(path), timeout=0)
    try:
        lock.acquire()
    except (LockTimeout, OSError):
        return []
    try:
        if subject.path.exists():  # an archive made meanwhile: its lock stays
            return []
        with contextlib.suppress(OSError):
            os.unlink(path)  # while held: a waiting whrd sees it unlinked and takes a new one
    finally:
        lock.release()
    return (
        []
        if path.exists()
        else [Fixed("orphan-lock", _("Removed the lock file {path}.").format(path=path), path)]
    )


def _chmod(subject: Subject, report: Report) -> list[Fixed]:
    wanted = {f.path for c in report.checks for f in c.findings if f.kind == "file-mode" and f.fixable}
    done = []
    for path, _holds in kept_files(subject):
        if path not in wanted:
            continue
        try:
            os.chmod(path, PRIVATE_MODE)
        except OSError:
            continue
        done.append(
            Fixed("file-mode", _("Made {path} readable by its owner only (0600).").format(path=path), path)
        )
    return done


def _rebuild_index(subject: Subject, report: Report) -> list[Fixed]:
    stale = any(f.kind.startswith("index-") and f.fixable for c in report.checks for f in c.findings)
    if not stale or not subject.sound:
        return []
    import sqlite3

    from ..store import Archive

    archive = Archive(subject.path)
    stamp = index.Stamp.of(subject.path)  # before reading: a change made meanwhile shows as stale
    try:
        with archive.locked_now() as bulletins:
            if bulletins is None or stamp is None:
                return []
            count = len(bulletins)
            if not index.is_fresh(subject.path) or counts_agree(subject.path) is False:
                index.rebuild(subject.path, bulletins, stamp)
    except (OSError, sqlite3.Error):  # a full disk, say: the index stays as it was, and is reported
        return []
    path: Path = index.index_path(subject.path)
    message = ngettext(
        "Rebuilt the search index {path} ({n} bulletin).",
        "Rebuilt the search index {path} ({n} bulletins).",
        count,
    )
    return [Fixed("index-rebuilt", message.format(path=path, n=quantity(count)), path)]
