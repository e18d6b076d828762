"""Atomic files: a file is its old content or all of the new, never half, whoever kills the writer.

Every write goes to a temp file in the same folder (named `.NAME.whrd-tmp-…`), is flushed and
fsynced, then `os.replace`d over the target, and the folder is fsynced. A writer killed before the
rename leaves the old file and a stray temp file, which the next writer (holding the archive's
lock) removes with `remove_stale_temps`.
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

TMP_MARK = ".whrd-tmp-"


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
    before_replace: Callable[[], None] | None = None,
) -> Iterator[io.FileIO]:
    """A binary file that becomes `path` only when the block finishes without an error.

    It is a temp file in the same folder; at the end it is fsynced, given `mode`, renamed over
    `path`, and the folder fsynced, so `path` holds its old content or all of the new, never half.
    On any error the temp file is removed. With `overwrite=False` an existing `path` is never
    replaced, even one that appears meanwhile: FileExistsError.

    `before_replace` runs once the new content is safely on disk, right before the rename: work
    that must happen only if the write will succeed (a backup of the old file). If it raises,
    `path` is left as it was.
    """
    folder = path.parent
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}{TMP_MARK}", dir=folder)
    try:
        with file_class(fd, "wb") as fh:
            yield fh
            os.fchmod(fh.fileno(), mode)
            os.fsync(fh.fileno())
        if before_replace is not None:
            before_replace()
        if overwrite:
            os.replace(tmp_name, path)
        else:
            _link_new(tmp_name, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    fsync_dir(folder)


def write_atomic(
    path: Path,
    payload: bytes,
    *,
    mode: int = 0o600,
    overwrite: bool = True,
    before_replace: Callable[[], None] | None = None,
) -> None:
    """Write bytes so that `path` holds either its old content or all of `payload` (see atomic_file)."""
    with atomic_file(path, mode=mode, overwrite=overwrite, before_replace=before_replace) as fh:
        view = memoryview(payload)
        while view:  # a raw write may take fewer bytes than offered
            view = view[fh.write(view) or 0 :]


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
    return list(path.parent.glob(f".{path.name}{TMP_MARK}*"))


def remove_stale_temps(path: Path) -> None:
    """Remove temp files left by a killed writer of `path`. Only safe while no one else can be
    writing it: the store calls it holding the archive's lock."""
    for stale in temp_files(path):
        with contextlib.suppress(OSError):
            stale.unlink()
