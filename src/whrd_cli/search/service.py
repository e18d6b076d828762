"""Search as a use case: keep the index beside an archive in step with its writes, and answer a
query (or a read of one bulletin) from that index when it can be trusted, from the archive itself
when it cannot.

Guarantees:
- `search_archive` gives the same hits and scores whichever way it answers: from a fresh index
  (without reading the archive), from an index it rebuilt first (when the archive is writable and
  its lock free right now), or from the archive in memory (read-only, or another whrd writing);
- `get_entry` (what `whrd show` reads) gives the same `Entry` from a fresh index as from the
  archive, but for the private note, which only the archive holds (so `private` reads the archive);
- `SearchIndex` follows every write of the store under the archive's lock; a write never fails
  because of the index: an index that cannot be updated is removed, and the next search rebuilds it.

Never prints. The engine and `sqlite3` are imported on first use, so opening an archive with
its `SearchIndex` (every command does) costs only this module and `index`.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import index

if TYPE_CHECKING:
    from ..filters import Filter
    from ..records import Entry
    from ..store import Archive
    from .query import Query
    from .rank import SearchResult


class SearchIndex:
    """The index as the store's `Follower`: updated inside the archive's lock at every write, and
    committed once the new archive is in place, the truth: an index that cannot be updated is
    removed (the next search rebuilds it), and the command still succeeds."""

    def before_write(self, path: Path) -> index.Stamp | None:
        return index.Stamp.of(path)

    def prepare(
        self,
        path: Path,
        before: object,
        bulletins: Mapping[str, Mapping[str, Any]],
        touched: set[int] | None,
        fd: int,
    ) -> _Ready | None:
        """The change in place made while the new archive is fsynced (~5 ms of an `add` hidden);
        a rebuild (no index, a stale one, `touched` None) waits for `after_write`."""
        after = index.Stamp.of(fd)  # the new file's, which its rename keeps
        if touched is None or not isinstance(before, index.Stamp) or after is None:
            return None
        try:
            ready = index.prepare_update(path, before, after, bulletins, touched)
        except Exception:  # busy past the timeout, or damaged: rebuilt once the archive is in place
            return _Ready(self, path, bulletins, touched, None)  # (not tried in place a second time)
        return None if ready is None else _Ready(self, path, bulletins, touched, ready)

    def after_write(
        self,
        path: Path,
        before: object,
        bulletins: Mapping[str, Mapping[str, Any]],
        touched: set[int] | None,
    ) -> None:
        try:
            index.update(path, before if isinstance(before, index.Stamp) else None, bulletins, touched)
        except Exception:  # whatever went wrong, the archive's write has landed: drop the index
            index.discard(path)


class _Ready:
    """The index's change made beside the archive's fsync (`index.Prepared`), committed once the
    archive is in place; when it could not be made, or its commit is refused, the index is rebuilt
    then instead, as `after_write` does when its update in place fails."""

    def __init__(
        self,
        follower: SearchIndex,
        path: Path,
        bulletins: Mapping[str, Mapping[str, Any]],
        touched: set[int],
        prepared: index.Prepared | None,
    ) -> None:
        self.follower, self.path, self.bulletins, self.touched = follower, path, bulletins, touched
        self.prepared = prepared

    def commit(self) -> None:
        if self.prepared is None or not self.prepared.commit():
            self.follower.after_write(self.path, None, self.bulletins, self.touched)  # a rebuild

    def abort(self) -> None:
        if self.prepared is not None:
            self.prepared.abort()


def search_archive(
    archive: Archive,
    query: Query,
    flt: Filter | None = None,
    *,
    limit: int | None = None,
    count: bool = True,
    private: bool = False,
    fold: str | None = None,
) -> SearchResult:
    """Ranked search (see `rank.search`), answered from the index without reading the archive
    when the index is fresh. Otherwise the index is rebuilt first (under the lock, when the archive
    is writable and the lock free), or, failing that, the archive is searched in memory. The same
    hits and scores either way.

    The index holds no private notes: with `private`, the hits' notes are read from the archive
    (only then is it loaded), so `hit.raw["private"]` is there whichever way the search answered."""
    import sqlite3

    from . import rank
    from .index_corpus import run

    for attempt in range(2):
        try:
            with index.open_fresh(archive.path) as conn:
                result = run(conn, query, flt, limit=limit, count=count, fold=fold)
            return _with_private_notes(archive, result) if private else result
        except (index.IndexUnusable, sqlite3.Error):
            if attempt or not _rebuild(archive):
                break
    # An index of an older version may hold private notes: never leave one behind.
    index.discard_outdated(archive.path)
    result = rank.search(archive.select(), query, flt, limit=limit, count=count, fold=fold)
    return _with_private_notes(archive, result) if private else result


def get_entry(archive: Archive, doc_id: int, *, private: bool = False) -> Entry:
    """One bulletin, read from the fresh index when it can answer (one row, not the whole archive
    parsed), else from the archive: the same `Entry` either way, the private note aside.

    The index's record holds every model field but the private note, so with `private`, for an id
    the index lacks (the archive's own error is given) and whenever the index cannot be trusted
    (missing, stale, busy, damaged), the archive answers."""
    if not private:
        found = _indexed_record(archive, doc_id)
        if found is not None:
            from ..records import Entry, to_bulletin

            return Entry(doc_id, to_bulletin(found))
    return archive.get(doc_id)


def _indexed_record(archive: Archive, doc_id: int) -> dict[str, Any] | None:
    """The public record of one bulletin from a fresh index; None when the index cannot say."""
    import sqlite3

    import orjson

    try:
        with index.open_fresh(archive.path) as conn:
            row = conn.execute("SELECT record FROM records WHERE id = ?", (doc_id,)).fetchone()
        found = orjson.loads(row[0]) if row else None
    except (index.IndexUnusable, sqlite3.Error, OverflowError, orjson.JSONDecodeError):
        return None
    return found if isinstance(found, dict) and found.get("id") == doc_id else None


def _with_private_notes(archive: Archive, result: SearchResult) -> SearchResult:
    """The hits with their private notes, taken from the archive itself."""
    from msgspec.structs import replace

    from .rank import Hit

    stored = dict(archive.raw_items())
    hits = [
        Hit(hit.id, hit.score, {**hit.raw, "private": stored.get(hit.id, {}).get("private")})
        for hit in result.hits
    ]
    return replace(result, hits=hits)


def _rebuild(archive: Archive) -> bool:
    """Rebuild a missing, stale or damaged index if the archive's lock is free right now; False
    when it cannot be (read-only archive or folder, lock busy, disk full)."""
    import sqlite3

    stamp = index.Stamp.of(archive.path)  # before reading: a change made meanwhile shows as stale
    try:
        with archive.locked_now() as bulletins:
            if bulletins is None or stamp is None:
                return False
            if index.is_fresh(archive.path):  # another process rebuilt it meanwhile
                return True
            index.rebuild(archive.path, bulletins, stamp)
            return True
    except (OSError, sqlite3.Error):
        return False
