"""What the store tells the files it derives from the archive (the search index)."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

Raw = dict[str, Any]


class Prepared(Protocol):
    """A follower's change made ready while the new archive is fsynced, not yet visible."""

    def commit(self) -> None:
        """After the new archive has replaced the old (still under the lock); never raises."""

    def abort(self) -> None:
        """The write failed: the follower stays as it was, about the archive as it still is."""


class Follower(Protocol):
    """A file derived from the archive (the search index) and kept beside it: told about every
    write while the archive's lock is still held, so it never misses one. A follower must not
    fail the write: the archive is the truth, and a follower that cannot keep up discards itself."""

    def before_write(self, path: Path) -> object:
        """Called under the lock before the write; the result comes back to `after_write`."""

    def prepare(
        self, path: Path, before: object, bulletins: Mapping[str, Raw], touched: set[int] | None, fd: int
    ) -> Prepared | None:
        """Called while the new archive, all written and open as `fd`, is fsynced (before it
        replaces the old): the change made ready, so that only its commit is left for after the
        rename. None: nothing prepared, `after_write` does it all. Never raises."""

    def after_write(
        self, path: Path, before: object, bulletins: Mapping[str, Raw], touched: set[int] | None
    ) -> None:
        """Called under the lock after the archive's atomic write, unless `prepare` made the change
        ready: `touched` holds the ids added, changed or deleted (None: all of them)."""


def prepare_all(
    followers: Sequence[Follower],
    tokens: Sequence[object],
    prepared: list[Prepared | None],
    path: Path,
    bulletins: Callable[[], Mapping[str, Raw]],
    touched: Callable[[], set[int] | None],
) -> Callable[[int], None]:
    """What the storage runs while the new archive (open as `fd`) is fsynced: each follower's
    `prepare`, into `prepared` (in the followers' order). A write tried again (`ForkLost`) prepares
    again, the first attempt's changes aborted."""

    def prepare(fd: int) -> None:
        abort_all(prepared)
        table, ids = bulletins(), touched()  # (as written: the batch is over)
        for follower, token in zip(followers, tokens, strict=True):
            prepared.append(follower.prepare(path, token, table, ids, fd))

    return prepare


def tell_all(
    followers: Sequence[Follower],
    tokens: Sequence[object],
    prepared: list[Prepared | None],
    path: Path,
    bulletins: Mapping[str, Raw],
    touched: set[int] | None,
) -> None:
    """After the archive's write: each follower's prepared change committed, or its `after_write`."""
    ready = prepared or [None] * len(followers)
    for follower, token, change in zip(followers, tokens, ready, strict=True):
        if change is not None:
            change.commit()
        else:
            follower.after_write(path, token, bulletins, touched)
    prepared.clear()


def abort_all(prepared: list[Prepared | None]) -> None:
    while prepared:
        ready = prepared.pop()
        if ready is not None:
            ready.abort()
