"""The archive's lock (`storage.lockfile`): exclusive, waited for up to its timeout, freed by any
end of its holder, and the same lock as filelock's `FileLock` (the library whrd used before, kept
here as an independent implementation of an flock on the same file)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from filelock import FileLock, Timeout

from whrd_cli.storage.lockfile import ArchiveLock, LockTimeout


def test_the_lock_is_exclusive_until_released(tmp_path: Path) -> None:
    path = str(tmp_path / "a.json.lock")
    first, second = ArchiveLock(path, timeout=0), ArchiveLock(path, timeout=0)
    first.acquire()
    assert os.stat(path).st_mode & 0o777 == 0o600
    with pytest.raises(LockTimeout):
        second.acquire()
    first.release()
    second.acquire()
    assert second.is_locked and not first.is_locked
    second.release()


def test_a_busy_lock_is_waited_for_its_timeout(tmp_path: Path) -> None:
    path = str(tmp_path / "a.json.lock")
    holder = ArchiveLock(path, timeout=0)
    holder.acquire()
    started = time.monotonic()
    with pytest.raises(LockTimeout):
        ArchiveLock(path, timeout=0.4).acquire()
    assert 0.35 <= time.monotonic() - started < 2
    holder.release()


def test_it_excludes_and_is_excluded_by_filelock(tmp_path: Path) -> None:
    path = str(tmp_path / "a.json.lock")
    other = FileLock(path, timeout=0)
    other.acquire()
    with pytest.raises(LockTimeout):
        ArchiveLock(path, timeout=0).acquire()
    other.release()
    ours = ArchiveLock(path, timeout=0)
    ours.acquire()
    with pytest.raises(Timeout):
        FileLock(path, timeout=0).acquire()
    ours.release()


def test_a_killed_holder_leaves_it_free(tmp_path: Path) -> None:
    path = str(tmp_path / "a.json.lock")
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"from whrd_cli.storage.lockfile import ArchiveLock; ArchiveLock({path!r}, timeout=0)"
            ".acquire(); print('held', flush=True); import time; time.sleep(60)",
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline() == "held\n"
    with pytest.raises(LockTimeout):
        ArchiveLock(path, timeout=0).acquire()
    holder.send_signal(signal.SIGKILL)
    holder.wait()
    lock = ArchiveLock(path, timeout=0)
    lock.acquire()  # at once: the kernel dropped the dead process's lock
    lock.release()


def test_a_lock_file_unlinked_while_waited_for_is_not_the_lock(tmp_path: Path) -> None:
    """The waiter that gets the old file after its holder unlinked it locks the new one instead,
    so a third process taking the path's file cannot hold the lock at the same time."""
    path = str(tmp_path / "a.json.lock")
    holder = ArchiveLock(path, timeout=0)
    holder.acquire()
    script = (
        "import os, time\n"
        "from whrd_cli.storage.lockfile import ArchiveLock\n"
        f"lock = ArchiveLock({path!r}, timeout=10)\n"
        "lock.acquire()\n"
        "print(os.fstat(lock._fd).st_ino, os.stat(lock.lock_file).st_ino, flush=True)\n"
        "time.sleep(60)\n"
    )
    waiter = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    time.sleep(0.3)  # the waiter has opened the old file and polls it
    os.unlink(path)
    holder.release()
    assert waiter.stdout is not None
    held, named = map(int, waiter.stdout.readline().split())
    assert held == named  # it holds the file the path names now
    with pytest.raises(LockTimeout):
        ArchiveLock(path, timeout=0).acquire()
    waiter.send_signal(signal.SIGKILL)
    waiter.wait()


def test_release_frees_it_though_a_forked_child_still_has_the_file_open(tmp_path: Path) -> None:
    path = str(tmp_path / "a.json.lock")
    lock = ArchiveLock(path, timeout=0)
    lock.acquire()
    pid = os.fork()
    if pid == 0:  # a child (as `workers` makes) that outlives the release a moment
        time.sleep(2)
        os._exit(0)
    try:
        lock.release()
        other = ArchiveLock(path, timeout=0)
        other.acquire()
        other.release()
    finally:
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)


def test_a_write_whose_lock_file_was_removed_while_held_does_not_land(tmp_path: Path) -> None:
    """Removed by hand while whrd held it, the lock excludes nobody any more (the next whrd makes a
    new file): the write refuses to land, in one line, and the archive stays as it was."""
    from whrd_cli.errors import ArchiveError
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    class RemovesTheLock:
        def before_write(self, path: Path) -> None:
            os.unlink(f"{path}.lock")  # inside the transaction: the lock is held

        def after_write(self, *args: object) -> None:
            raise AssertionError("nothing was written, so nothing follows")

    path = tmp_path / "a.json"
    Archive(path).add(Bulletin.create(title="Primero", date="2024-01-01", lang="es"))
    before = path.read_bytes()
    archive = Archive(path, followers=(RemovesTheLock(),))  # type: ignore[arg-type]
    with pytest.raises(ArchiveError, match="was removed while this whrd held it"):
        archive.add(Bulletin.create(title="Segundo", date="2024-01-02", lang="es"))
    assert path.read_bytes() == before
