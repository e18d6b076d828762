"""Why an operating-system call failed, in the interface's language.

An `OSError` carries the C library's reason in English (`Permission denied`): whrd does not set
the process locale, so the system's own translations never apply. In English the reason is
passed on exactly as the system gave it; in another language the common ones are translated here
by their error number, and any other reason is passed on as given.
"""

from __future__ import annotations

import errno
from typing import Final

from .i18n import N_, language, translate

_REASONS: Final[dict[int, str]] = {
    errno.EACCES: N_("Permission denied"),
    errno.EPERM: N_("Operation not permitted"),
    errno.ENOENT: N_("No such file or directory"),
    errno.EEXIST: N_("File exists"),
    errno.EISDIR: N_("Is a directory"),
    errno.ENOTDIR: N_("Not a directory"),
    errno.ENOSPC: N_("No space left on device"),
    errno.EDQUOT: N_("Disk quota exceeded"),
    errno.EROFS: N_("Read-only file system"),
    errno.EIO: N_("Input/output error"),
    errno.EBUSY: N_("Device or resource busy"),
    errno.ELOOP: N_("Too many levels of symbolic links"),
    errno.ENAMETOOLONG: N_("File name too long"),
    errno.EMFILE: N_("Too many open files"),
    errno.ENXIO: N_("No such device or address"),
}

PERMISSION_DENIED: Final = _REASONS[errno.EACCES]


def os_reason(exc: OSError) -> str:
    """The reason `exc` gives (`exc.strerror`, else its text), translated when whrd knows it."""
    if language() != "en" and exc.errno in _REASONS:
        return translate(_REASONS[exc.errno])
    return str(exc.strerror or exc)
