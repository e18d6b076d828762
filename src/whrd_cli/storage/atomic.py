"""Atomic files: a file is its old content or all of the new, never half, whoever kills the writer.

Every write goes to a temp file in the same folder (named `.NAME.whrd-tmp-…`), is flushed and
fsynced, then `os.replace`d over the target, and the folder is fsynced. A writer killed before the
rename leaves the old file and a stray temp file.

Stray temp files are cleaned by the next write of the same target (`atomic_file` itself: an
export to the same path, the archive's next write), and the store also cleans its backups' on
every write. Two writers of one target may run at once (two exports to the same file), so a
temp file is only stale when no living process writes it: each writer holds an exclusive
`flock` on its temp file from creation until after the rename, the kernel drops it when the
writer dies, and the cleaner removes only a temp file whose lock it can take. A filesystem
without `flock` cleans nothing (never a living writer's file).
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path

TMP_MARK = ".whrd-tmp-"
Settle = Callable[[bool], None]  # told whether the rename it prepared for was done (True) or failed


def fsync_dir(folder: Path) -> None:
    """Make a rename in `folder` durable (the last step of every atomic write)."""
    with contextlib.suppress(OSError):  # some filesystems cannot fsync a directory
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_file(
    path: Path,
    *,
    mode: int = 0o600,
    overwrite: bool = True,
    file_class: type[io.FileIO] = io.FileIO,
    before_replace: Callable[[], Settle | None] | None = None,
    while_syncing: Callable[[int], None] | None = None,
    temp: Temp | None = None,
) -> Iterator[io.FileIO]:
    """A binary file that becomes `path` only when the block finishes without an error.

    It is a temp file in the same folder; at the end it is fsynced, given `mode`, renamed over
    `path`, and the folder fsynced, so `path` holds its old content or all of the new, never half.
    On any error the temp file is removed. With `overwrite=False` an existing `path` is never
    replaced, even one that appears meanwhile: FileExistsError.

    `before_replace` runs once the new content is safely on disk, right before the rename: work
    that must happen only if the write will succeed (a backup of the old file). If it raises,
    `path` is left as it was. What it returns is told whether the rename then happened: so a
    rename that fails puts the backups back as they were.

    `while_syncing(fd)` runs while the written file is fsynced, in this thread (`fsync` lets go of
    the GIL): work that must not be committed before the new content replaces the old, made ready
    meanwhile (the search index's change, ~5 ms). If it raises, `path` is left as it was.

    `temp`: the temp file to finish, made earlier by `reserve_temp` and written from its start
    (what the block writes follows); it is the block's own from here on, whatever happens.
    """
    folder = path.parent
    remove_stale_temps(path)
    fd, tmp_name, held = _locked_temp(path) if temp is None else temp.take()
    try:
        with file_class(fd, "wb") as fh:
            yield fh
            os.fchmod(fh.fileno(), mode)
            if while_syncing is None:
                os.fsync(fh.fileno())
            else:
                _fsync_beside(fh.fileno(), while_syncing)
        settle = before_replace() if before_replace is not None else None
        try:
            if overwrite:
                os.replace(tmp_name, path)
            else:
                _link_new(tmp_name, path)
        except BaseException:
            if settle is not None:
                with contextlib.suppress(OSError):
                    settle(False)
            raise
        if settle is not None:
            with contextlib.suppress(OSError):
                settle(True)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    finally:
        if held is not None:
            os.close(held)  # the temp file is renamed or gone: its lock goes with it
    fsync_dir(folder)


def _fsync_beside(fd: int, work: Callable[[int], None]) -> None:
    """`os.fsync(fd)` in a thread while `work(fd)` runs in this one; raises what either raised
    (the fsync's error first), once both are over."""
    import threading

    failed: list[OSError] = []
    syncing = threading.Event()

    def sync() -> None:
        syncing.set()
        try:
            os.fsync(fd)
        except OSError as exc:
            failed.append(exc)

    thread = threading.Thread(target=sync, name="whrd-fsync", daemon=True)
    try:
        thread.start()
    except RuntimeError:  # no thread to be had (a limit on processes): one after the other
        os.fsync(fd)
        work(fd)
        return
    # Until the fsync has begun (and let go of the GIL), or `work` would hold the GIL for a whole
    # switch interval (5 ms) before the thread could even start it.
    syncing.wait()
    try:
        work(fd)
    finally:
        thread.join()  # (the file is closed, or removed, only once its fsync is over)
        if failed:
            raise failed[0]


class Temp:
    """A temp file for an atomic write of `path`, made before the write (`reserve_temp`): for
    another process to write into (`fd`) while this one works the rest out. `atomic_file(temp=…)`
    takes it over; until then `discard` removes it."""

    def __init__(self, path: Path) -> None:
        self.fd, self.name, self._held = _locked_temp(path)

    def take(self) -> tuple[int, str, int | None]:
        if self.fd < 0:
            raise RuntimeError("a reserved temp file taken twice")  # a bug, never user data
        taken = self.fd, self.name, self._held
        self.fd, self._held = -1, None
        return taken

    def discard(self) -> None:
        """Remove the temp file, unless `atomic_file` took it (never raises)."""
        if self.fd < 0:
            return
        with contextlib.suppress(OSError):
            os.unlink(self.name)
        for fd in (self.fd, self._held):
            if fd is not None:
                with contextlib.suppress(OSError):
                    os.close(fd)
        self.fd, self._held = -1, None


def reserve_temp(path: Path) -> Temp:
    """A new temp file for an atomic write of `path` that starts later (`Temp`)."""
    return Temp(path)


def _locked_temp(path: Path) -> tuple[int, str, int | None]:
    """A new temp file for `path`: (fd to write, its name, fd holding its flock or None).

    The lock is on a descriptor of its own, so closing the written file keeps it until the rename.
    A cleaner could take the lock of a file created a moment ago, before its writer locked it, and
    remove it: the writer then finds its name gone and starts again with a new one."""
    while True:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=path.parent)
        try:
            held = _lock(tmp_name)
        except FileNotFoundError:
            held = None
        except BaseException:
            os.close(fd)
            raise
        if _same_file(fd, tmp_name):
            return fd, tmp_name, held
        os.close(fd)  # removed by a cleaner before it was locked: take another
        if held is not None:
            os.close(held)


def _lock(name: str) -> int | None:
    """An fd holding an exclusive flock on file `name`; None where there is no flock."""
    import fcntl

    held = os.open(name, os.O_RDONLY)
    try:
        fcntl.flock(held, fcntl.LOCK_EX)
    except OSError:
        os.close(held)
        return None
    return held


def _same_file(fd: int, name: str) -> bool:
    try:
        return os.path.samestat(os.fstat(fd), os.lstat(name))
    except FileNotFoundError:
        return False


def write_atomic(
    path: Path,
    payload: bytes | Iterable[bytes],
    *,
    mode: int = 0o600,
    overwrite: bool = True,
    before_replace: Callable[[], Settle | None] | None = None,
    finish: Callable[[int], None] | None = None,
    while_syncing: Callable[[int], None] | None = None,
    temp: Temp | None = None,
) -> None:
    """Write bytes (or pieces of bytes, one after the other) so that `path` holds either its old
    content or all of `payload` (see atomic_file; `temp`: after what a reserved temp file holds).
    `finish` is given the new file's descriptor once everything is written, before it is fsynced
    and renamed (to mark it: `storage.trust`)."""
    with atomic_file(
        path,
        mode=mode,
        overwrite=overwrite,
        before_replace=before_replace,
        while_syncing=while_syncing,
        temp=temp,
    ) as fh:
        for piece in (payload,) if isinstance(payload, bytes) else payload:
            view = memoryview(piece)
            while view:  # a raw write may take fewer bytes than offered
                view = view[fh.write(view) or 0 :]
        if finish is not None:
            finish(fh.fileno())


def _link_new(tmp_name: str, path: Path) -> None:
    """Move a finished temp file to a path that must not exist yet (link fails if it does)."""
    try:
        os.link(tmp_name, path)
    except FileExistsError:
        raise
    except OSError:  # a filesystem without hard links: check, then replace
        if os.path.lexists(path):
            raise FileExistsError(17, "File exists", str(path)) from None
        os.replace(tmp_name, path)
        return
    with contextlib.suppress(OSError):
        os.unlink(tmp_name)


def temp_files(path: Path) -> list[Path]:
    """The temp files of unfinished atomic writes of `path` (a killed writer's, or one in progress)."""
    prefix = f".{path.name}{TMP_MARK}"
    try:
        names = os.listdir(path.parent)  # not glob: a name may hold `[` or `*`
    except OSError:
        return []
    return [path.parent / name for name in names if name.startswith(prefix)]


def remove_stale_temps(path: Path) -> None:
    """Remove the temp files of writers of `path` that died before renaming them (`atomic_file`'s
    temps, and any other whrd temp named after `path` when no living whrd holds its lock: the
    search index's rebuild). A living writer's temp file is locked, so left alone. Never raises."""
    import fcntl

    for stale in temp_files(path):
        try:
            fd = os.open(stale, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
        except OSError:
            continue
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            os.close(fd)
            continue  # a living writer's, or no flock on this filesystem: leave it
        try:
            if _same_file(fd, str(stale)):
                with contextlib.suppress(OSError):
                    stale.unlink()
        finally:
            os.close(fd)
