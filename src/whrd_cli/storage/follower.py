"""What the store tells the files it derives from the archive (the search index)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any, Protocol

Raw = dict[str, Any]


class Follower(Protocol):
    """A file derived from the archive (the search index) and kept beside it: told about every
    write while the archive's lock is still held, so it never misses one. A follower must not
    fail the write: the archive is the truth, and a follower that cannot keep up discards itself."""

    def before_write(self, path: Path) -> object:
        """Called under the lock before the write; the result comes back to `after_write`."""

    def after_write(
        self, path: Path, before: object, bulletins: Mapping[str, Raw], touched: set[int] | None
    ) -> None:
        """Called under the lock after the archive's atomic write: `touched` holds the ids added,
        changed or deleted (None: all of them)."""
