"""Ctrl-C held back while a change that spans several files lands whole.

Every write is atomic on its own; a few operations rewrite several files that only mean
something together: `encrypt` and `decrypt` (the archive, then each backup), and a purge (each
backup, the archive, then the search index rebuilt from scratch). Cut between two of them, plain
text stays beside ciphertext, or a purged text in the index. While `held` is active a Ctrl-C is
noted, not raised: the operation finishes, and its command reports what it did.
"""

from __future__ import annotations

import contextlib
import signal
from collections.abc import Iterator


@contextlib.contextmanager
def held() -> Iterator[None]:
    """SIGINT ignored (but noted) inside; the previous handler put back after."""
    caught: list[int] = []
    try:
        previous = signal.signal(signal.SIGINT, lambda number, _frame: caught.append(number))
    except ValueError:  # not the main thread (a library caller's): nothing to hold back
        previous = None
    try:
        yield
    finally:
        if previous is not None:
            signal.signal(signal.SIGINT, previous)
