"""The trust mark whrd should leave on an archive file, computed here apart from `storage.trust`
(an oracle for the tests that check the mark)."""

from __future__ import annotations

import hashlib


def sha_mark(data: bytes) -> bytes:
    """`2:` and the SHA-256 of a plain archive's bytes; of an age file, `2:age<size>-` and the SHA-256
    of its header (up to its `--- MAC` line's end) and the 16-byte payload nonce after it."""
    lines = data.split(b"\n")
    last = next((number for number, line in enumerate(lines) if line.startswith(b"--- ")), None)
    head = None if last is None else sum(len(line) + 1 for line in lines[: last + 1]) + 16
    if not data.startswith(b"age-encryption.org/v1\n") or head is None or head > len(data):
        return b"2:" + hashlib.sha256(data).hexdigest().encode()  # (a header cut short: all of it)
    return b"2:age%d-" % len(data) + hashlib.sha256(data[:head]).hexdigest().encode()
