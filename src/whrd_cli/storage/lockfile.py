"""The archive's one lock: an exclusive `flock` on `ARCHIVE.lock`, waited for up to a timeout.

What filelock's `FileLock` gave whrd, in the few lines whrd uses of it: importing filelock 4 cost
~20 ms of every write command (its logging, settings and async machinery), an eighth of a whole
`whrd add`. The rules are the same, so a whrd of either kind excludes the other:
- the lock is `flock(LOCK_EX)` on the lock file's open file description, made with mode 0600;
- it is free again when released, or when the process holding it ends in any way (the kernel
  drops it), so a killed whrd never leaves the archive locked;
- a lock file unlinked or replaced while a process waited on it is not the lock any more: after
  taking it, the holder checks that the path still names the file it locked, and tries again if
  not (a refused foreign file's lock is removed while held: `store._drop_lock_file`).
"""

from __future__ import annotations

import os
import time

_POLL = 0.05  # seconds between tries while another process holds the lock


class LockTimeout(Exception):
    """The lock stayed taken for the whole timeout."""


class ArchiveLock:
    """`acquire()` then `release()`; not reentrant, one per transaction."""

    def __init__(self, lock_file: str, *, timeout: float, mode: int = 0o600) -> None:
        self.lock_file = lock_file
        self.timeout = timeout
        self.mode = mode
        self._fd: int | None = None

    def acquire(self) -> None:
        """Take the lock, waiting up to `timeout` seconds (0: one try); LockTimeout when it stays
        taken, OSError when the lock file cannot be made or locked."""
        import fcntl

        deadline = time.monotonic() + max(self.timeout, 0.0)
        while True:
            fd = os.open(self.lock_file, os.O_RDWR | os.O_CREAT, self.mode)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                if time.monotonic() >= deadline:
                    raise LockTimeout(self.lock_file) from None
                time.sleep(_POLL)
                continue
            except BaseException:
                os.close(fd)
                raise
            if _names(self.lock_file, fd):
                self._fd = fd
                return
            os.close(fd)  # unlinked or replaced meanwhile: lock the file the path names now

    def still_named(self) -> bool:
        """Whether the path still names the file this lock holds: a lock file removed by hand while
        held no longer excludes anyone (the next whrd makes a new one), so a writer checks this
        right before its write lands."""
        return self._fd is not None and _names(self.lock_file, self._fd)

    def release(self) -> None:
        """Free the lock (closing the file frees it; children forked meanwhile share the same
        description, so it is unlocked explicitly first)."""
        import fcntl

        fd, self._fd = self._fd, None
        if fd is None:
            return
        try:
            fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    @property
    def is_locked(self) -> bool:
        return self._fd is not None


def _names(path: str, fd: int) -> bool:
    """Whether `path` names the file open as `fd`."""
    try:
        named = os.stat(path)
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (named.st_dev, named.st_ino) == (held.st_dev, held.st_ino)
