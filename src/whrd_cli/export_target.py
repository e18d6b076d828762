"""Where an export may be written: checked before any work is done.

Never the archive or a file kept beside it (backups, lock, identity, index, drafts), whatever
is asked; never an existing file without `--force`; and only ever a regular file: a folder, a
device such as /dev/null, a FIFO, a socket or a symlink loop is refused even with `--force`. A
symlink is written through: the file it points to is the target (`output_target`), and the link
stays a link.
"""

from __future__ import annotations

import errno
import os
import re
import stat
from collections.abc import Callable
from pathlib import Path

from .errors import OutputError
from .i18n import N_, _, translate


def check_output(path: Path, *, force: bool, archive_path: Path) -> None:
    """Refuse, before any work, an output that exists (without force), is the archive, or is not
    a regular file (a folder, a device such as /dev/null, a FIFO, a socket): `--force` replaces
    only files. A symlink is judged by what it points to (`output_target`)."""
    if _is_archive_file(path, archive_path):
        raise OutputError(
            _(
                "{path} is the archive or a file whrd keeps beside it; "
                "whrd will not overwrite it with an export."
            ).format(path=path)
        )
    if path.is_dir():
        raise OutputError(_("{path} is a folder; give a file name with --output.").format(path=path))
    target = output_target(path)
    kind = _special_kind(target)
    if kind is not None:
        raise OutputError(
            _(
                "{path} is {kind}, not a regular file; whrd writes exports only to files (-o - for stdout)."
            ).format(path=path, kind=translate(kind))
        )
    if os.path.lexists(path) and not force:
        raise exists_error(path)
    folder = target.parent
    if not folder.is_dir():
        if os.path.lexists(folder):
            message = _("Cannot write {path}: {folder} is not a folder.")
        else:
            message = _("Cannot write {path}: {folder} does not exist.")
        raise OutputError(message.format(path=path, folder=folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(
            _("Cannot write {path}: the folder {folder} is not writable.").format(path=path, folder=folder)
        )


def output_target(path: Path) -> Path:
    """The file an export to `path` writes: `path` itself, or what a symlink there points to (the
    link stays a link; the file it names is replaced atomically)."""
    if not path.is_symlink():
        return path
    return Path(os.path.realpath(path))


# What a path that is not a regular file is, marked for the catalog (shown through `translate`).
_SPECIAL_KINDS: tuple[tuple[Callable[[int], bool], str], ...] = (
    (stat.S_ISDIR, N_("a folder")),
    (stat.S_ISCHR, N_("a character device")),
    (stat.S_ISBLK, N_("a block device")),
    (stat.S_ISFIFO, N_("a FIFO")),
    (stat.S_ISSOCK, N_("a socket")),
)


def _special_kind(path: Path) -> str | None:
    """What `path` is when it exists and is not a regular file ("a FIFO"...), else None."""
    try:
        mode = os.stat(path).st_mode
    except FileNotFoundError:  # missing (or a dangling link's target): a new file will be made
        return None
    except OSError as exc:
        return N_("a symlink loop") if exc.errno == errno.ELOOP else None
    if stat.S_ISREG(mode):
        return None
    for test, kind in _SPECIAL_KINDS:
        if test(mode):
            return kind
    return N_("a special file")


def exists_error(path: Path) -> OutputError:
    return OutputError(
        _("{path} already exists; use --force to overwrite it, or --output to write elsewhere.").format(
            path=path
        )
    )


def _is_archive_file(path: Path, archive_path: Path) -> bool:
    try:
        target, archive = path.resolve(), archive_path.resolve()
    except (OSError, RuntimeError):  # RuntimeError: a symlink loop, before Python 3.13
        return False
    if target.parent != archive.parent:
        return False
    # Its backups, lock, identity (an encrypted archive is lost with it), index and drafts.
    kept = r"\.bak(?:\.\d+)?|\.lock|\.key\.age|\.search\.sqlite(?:-journal)?|\.draft-.*"
    return bool(re.fullmatch(rf"{re.escape(archive.name)}(?:{kept})?", target.name))
