"""An archive file's table names, its parsed shape, and how its bytes are read: shared by the
modules that read it (`check`, and `light_sealed`, which `check` calls) without either importing
the other."""

from __future__ import annotations

import mmap
import os
from typing import Any

BULLETINS = "bulletins"
META = "meta"

Tables = dict[str, dict[str, Any]]

AGE = b"age-encryption.org/v1"  # how an age file (an encrypted archive) starts
MAPPED = 8 << 20  # bytes of age ciphertext from which a read maps the file (`light_sealed.APART`)


def read_file(fh: Any) -> bytes | mmap.mmap:
    """The bytes of an open archive file; big age ciphertext mapped, not read: the child that
    decrypts it reads the page cache, and this process lets go of each page once hashed (at
    100k, ~60 ms and one archive's size of memory less)."""
    size = os.fstat(fh.fileno()).st_size
    if size >= MAPPED and os.pread(fh.fileno(), len(AGE), 0) == AGE:
        return mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
    return fh.read()  # type: ignore[no-any-return]
