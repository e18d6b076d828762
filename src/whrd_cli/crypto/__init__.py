"""Encryption at rest (issue 16): an encrypted archive is an age file, encrypted to its own X25519
identity (kept beside it as `ARCHIVE.key.age`, that identity wrapped by a passphrase) and to any
extra recipients named in its meta record.

This module is imported on every read of an archive, so it is light: it only tells whether an
archive is encrypted and where its files are. `pyrage` is imported by `codec` and `keys`, only
when an encrypted archive or a crypto command needs it (`whrd --help` never loads it).
"""

from __future__ import annotations

import os
import re
import stat
from pathlib import Path

MAGIC = b"age-encryption.org/v1"
KEY_SUFFIX = ".key.age"
_BACKUP = re.compile(r"\.bak(?:\.\d+)?$")


def key_path(archive: Path) -> Path:
    """The archive's wrapped identity file (`ARCHIVE.key.age`)."""
    return archive.with_name(archive.name + KEY_SUFFIX)


def home_archive(path: Path) -> Path:
    """The archive a backup (`ARCHIVE.bak`, `.bak.1`, …) belongs to; the path itself otherwise."""
    return path.with_name(_BACKUP.sub("", path.name))


def is_ciphertext(path: Path) -> bool:
    """Whether the file starts with age's header (an age file)."""
    try:  # never blocks on a FIFO, never reads a device
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK)
    except OSError:
        return False
    try:
        return stat.S_ISREG(os.fstat(fd).st_mode) and os.read(fd, len(MAGIC)) == MAGIC
    except OSError:
        return False
    finally:
        os.close(fd)


def is_encrypted(archive: Path) -> bool:
    """The archive is age ciphertext, or has an identity file beside it (an `encrypt` cut short
    after the identity was written: the next write finishes the job, never the other way round)."""
    return key_path(archive).exists() or is_ciphertext(archive)
