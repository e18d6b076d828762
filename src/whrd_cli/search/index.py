"""The derived search index: an SQLite FTS5 file beside the archive (`ARCHIVE.search.sqlite`).

Guarantees:
- the JSON archive stays the only source of truth: this file is derived, disposable, and rebuilt
  from the archive whenever it is missing, corrupt, of another index version, or not provably
  about the archive as it is now;
- "provably": every write records the new archive's stat (inode, size, mtime in ns) in the same
  SQLite transaction as the index change, committed only once the archive's atomic write has
  renamed it into place (the change is made while the new file is fsynced, from the stat of that
  file, which the rename keeps: `prepare_update`). A search trusts the index only when the
  archive's stat still matches. `os.replace` gives every whrd write a new inode, so a writer
  killed between the archive write and the index commit, a hand-edited archive, or an archive
  copied elsewhere (with or without its index) is detected without parsing the archive; a write
  that fails before its rename rolls the index's change back, so it stays the archive's;
- incremental updates run in one SQLite transaction with the default rollback journal
  (journal_mode=DELETE): a writer killed mid-transaction leaves a hot `-journal` that SQLite
  rolls back on the next write, so the index reverts to its previous state, whose stat no longer
  matches. The `-journal` file exists only during a write. Rebuilds write a temp file (no
  journal) and `os.replace` it over the index, so a reader sees the old index or the new;
- the file has mode 0600: it holds the bulletins' text, but never their private notes (no
  column for them; an index written by a version that had one is of another VERSION, so rebuilt);
- a search needs nothing else: the fields filters read (tags also folded, as filters compare
  them), each bulletin's stems (FTS5, with its column sizes for `bm25()`) and the JSON records of
  the hits are all in it (`index_corpus` ranks and filters in SQL, then reads the hits' records);
- `stats` of the whole archive reads its counts by day, country list, category and language
  (`tallies`, kept by triggers in the same transactions as the rows they count).

Never prints. `sqlite3` is imported on first use.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from ..records import lang_of
from .index_rows import insert
from .tallies import count_all, counted_after

if TYPE_CHECKING:
    import sqlite3

SUFFIX = ".search.sqlite"
# The layout of this file and of the stems in it (tokenising, stop words, stemmers); any other
# value means: rebuild. Bump the number on any such change. 2: words folded by the one `fold`.
# 3: no private notes (1-2 kept them: such a file is rebuilt, or removed by a search that cannot
# rebuild it). 4: Spanish stems drop the -i of -ía. 5: ranked by bm25(), folded tags in `docs`.
# 6: records carry uid and rev (issue 15). 7: records carry links, and `links` (issue 17).
# 8: `tallies` (issue 14).
VERSION = "whrd-search-index 8"
_TMP_MARK = ".whrd-tmp-"  # the store's temp-file mark: its clean-up under the lock removes ours
_BUSY_MS = 10_000

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE docs(
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, lang TEXT, category TEXT,
    countries TEXT NOT NULL, tags TEXT NOT NULL, ftags TEXT NOT NULL
);
CREATE TABLE records(id INTEGER PRIMARY KEY, record TEXT NOT NULL);
CREATE TABLE links(id INTEGER PRIMARY KEY, uid TEXT NOT NULL, grp TEXT, follows TEXT, closes INTEGER);
CREATE VIRTUAL TABLE fts USING fts5(
    title, summary, tags, lang,
    tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
);
"""


class IndexUnusable(Exception):
    """The index cannot answer (missing, stale, corrupt, busy): search the archive instead."""


def index_path(archive: Path) -> Path:
    """Beside the archive; an encrypted one's in its session's tmpfs, or nowhere (issue 16)."""
    from ..crypto import is_encrypted

    if is_encrypted(archive):
        from ..crypto.session import archive_id, index_home

        return index_home(archive) / (archive_id(archive) + SUFFIX)
    return archive.with_name(archive.name + SUFFIX)


class Stamp(Struct, frozen=True):
    """What identifies one version of the archive file without reading it."""

    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path | int) -> Stamp | None:
        """The stamp of the file at `path`, or open as descriptor `path`; None if it cannot be had."""
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


# -- writing --------------------------------------------------------------------------------------


def _connect(path: Path, *, readonly: bool = False) -> sqlite3.Connection:
    import sqlite3
    from urllib.parse import quote

    mode = "ro" if readonly else "rw"
    conn = sqlite3.connect(
        f"file:{quote(str(path))}?mode={mode}", uri=True, timeout=_BUSY_MS / 1000, isolation_level=None
    )
    if not readonly:
        conn.execute("PRAGMA journal_mode=DELETE")
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def _set_meta(conn: sqlite3.Connection, values: Mapping[str, Any]) -> None:
    conn.executemany("INSERT OR REPLACE INTO meta(key, value) VALUES (?, ?)", list(values.items()))


def _stamp_values(stamp: Stamp) -> dict[str, Any]:
    return {"ino": stamp.ino, "size": stamp.size, "mtime_ns": stamp.mtime_ns}


def rebuild(archive: Path, bulletins: Mapping[str, Mapping[str, Any]], stamp: Stamp) -> None:
    """Write a whole new index for these stored bulletins (the archive's as it is at `stamp`)
    into a temp file, then move it over the index. The caller holds the archive's lock."""
    import sqlite3

    target = index_path(archive)
    name = archive.name if target.parent == archive.parent else target.name  # tmpfs: the session's
    fd, tmp_name = tempfile.mkstemp(prefix=f".{name}{_TMP_MARK}index-", dir=target.parent)
    os.close(fd)
    try:
        os.chmod(tmp_name, 0o600)
        conn = sqlite3.connect(tmp_name, isolation_level=None)
        try:
            # A temp file nobody else sees: no journal, no syncs until the end.
            conn.execute("PRAGMA journal_mode=OFF")
            conn.execute("PRAGMA synchronous=OFF")
            conn.executescript(_SCHEMA)
            conn.execute("BEGIN")
            insert(conn, ((int(key), raw) for key, raw in bulletins.items()))
            count_all(conn)
            _set_meta(conn, {"version": VERSION, **_stamp_values(stamp)})
            _set_totals(conn)
            conn.execute("COMMIT")
        finally:
            conn.close()
        with open(tmp_name, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp_name, target)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp_name)
        raise
    with contextlib.suppress(OSError):  # a journal left by an older, killed writer is now wrong
        os.unlink(f"{target}-journal")


def in_memory(rows: Iterable[tuple[int, Mapping[str, Any]]]) -> sqlite3.Connection:
    """An index of these stored bulletins in memory (no file, no stamp), which a search of an archive
    without a usable index ranks over; its `records` stay empty: the caller has the stored dicts."""
    import sqlite3

    conn = sqlite3.connect(":memory:", isolation_level=None)
    conn.executescript(_SCHEMA)
    conn.execute("BEGIN")
    insert(conn, rows, records=False)
    _set_totals(conn)
    conn.execute("COMMIT")
    return conn


_LANG_OF_ID = "SELECT coalesce(nullif(lang, ''), 'en') FROM docs WHERE id = ?"
_FEW = 1000  # touched bulletins up to which the totals are updated rather than counted again


def _update_totals(conn: sqlite3.Connection, removed: Sequence[str], added: Sequence[str]) -> bool:
    """The totals `_set_totals` would write, from the ones stored and the languages of the rows
    removed and added, without a scan of every row (~0.1 s of an add at 100k); False when the
    stored ones are missing."""
    meta = dict(conn.execute("SELECT key, value FROM meta WHERE key IN ('count', 'langs')").fetchall())
    if not isinstance(meta.get("count"), int) or not isinstance(meta.get("langs"), str):
        return False
    langs = set(meta["langs"].split()) | set(added)
    for lang in set(removed) - set(added):  # the last of its language?
        if conn.execute(_HAS_LANG, (lang,)).fetchone() is None:
            langs.discard(lang)
    _set_meta(conn, {"count": meta["count"] - len(removed) + len(added), "langs": " ".join(sorted(langs))})
    return True


_HAS_LANG = "SELECT 1 FROM docs WHERE coalesce(nullif(lang, ''), 'en') = ? LIMIT 1"


def _set_totals(conn: sqlite3.Connection, change: tuple[Sequence[str], Sequence[str]] | None = None) -> None:
    """Count the rows and their languages into meta; given the languages of the rows a write
    removed and added (`change`), update the stored counts instead, when there are some."""
    if change is not None and _update_totals(conn, *change):
        return
    count = conn.execute("SELECT count(*) FROM docs").fetchone()[0]
    langs = [row[0] for row in conn.execute("SELECT DISTINCT coalesce(nullif(lang, ''), 'en') FROM docs")]
    _set_meta(conn, {"count": count, "langs": " ".join(sorted(langs))})


def update(
    archive: Path,
    before: Stamp | None,
    bulletins: Mapping[str, Mapping[str, Any]],
    touched: Iterable[int] | None,
) -> None:
    """Bring the index up to date after a whrd write of the archive; the caller holds the lock.

    `before` is the archive's stamp before this write, `bulletins` the table as written,
    `touched` the ids added, changed or deleted (None: any). When the index was exactly the
    archive at `before`, only the touched bulletins change, in one SQLite transaction; otherwise
    (no index, a stale or damaged one, or `touched` None) the index is rebuilt.
    """
    import sqlite3

    after = Stamp.of(archive)
    if after is None:
        return
    path = index_path(archive)
    if touched is not None and before is not None and path.exists():
        try:
            conn = _prepared(path, before, after, bulletins, touched)
            if conn is not None and Prepared(conn).commit():
                return
        except sqlite3.Error:
            pass  # damaged or locked for too long: rebuilt below
    if not getattr(bulletins, "complete", True):  # a light write's keys only: read the bulletins
        from ..storage.check import BULLETINS, load_archive_file

        bulletins = (load_archive_file(archive) or {}).get(BULLETINS, {})
    rebuild(archive, bulletins, after)


class Prepared:
    """An update made, not committed: the archive written, not yet renamed (`Follower.prepare`).
    A writer killed before the commit leaves a hot journal, rolled back by the next open."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn: sqlite3.Connection | None = conn

    def commit(self) -> bool:
        """Whether it committed; never raises (refused, e.g. a reader holding the index past the
        busy timeout: rolled back, and the caller rebuilds the index)."""
        conn, self.conn = self.conn, None
        if conn is None:
            return False
        try:
            conn.execute("COMMIT")
        except Exception:
            return False
        finally:
            conn.close()
        return True

    def abort(self) -> None:
        conn, self.conn = self.conn, None
        if conn is not None:
            conn.close()  # (rolls back: the index is still the archive's as it was)


def prepare_update(
    archive: Path,
    before: Stamp,
    after: Stamp,
    bulletins: Mapping[str, Mapping[str, Any]],
    touched: Iterable[int],
) -> Prepared | None:
    """`update`'s change in place, made but not committed, for an archive about to be replaced by
    the file whose stamp is `after`; None when the index is not exactly the archive at `before`."""
    path = index_path(archive)
    if not path.exists():
        return None
    conn = _prepared(path, before, after, bulletins, touched)
    return None if conn is None else Prepared(conn)


def _prepared(
    path: Path,
    before: Stamp,
    after: Stamp,
    bulletins: Mapping[str, Mapping[str, Any]],
    touched: Iterable[int],
) -> sqlite3.Connection | None:
    """A connection inside a transaction that has made the update (`after` the new stamp), or None
    (the index was not the archive at `before`: nothing changed)."""
    conn = _connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        if _read_meta(conn) != (VERSION, before):
            conn.close()
            return None
        ids = sorted(set(touched))
        if ids:
            gone = [(doc_id,) for doc_id in ids]
            removed = [row[0] for doc_id in gone for row in conn.execute(_LANG_OF_ID, doc_id)]
            present = [(doc_id, bulletins[str(doc_id)]) for doc_id in ids if str(doc_id) in bulletins]
            with counted_after(conn) if len(ids) > _FEW else contextlib.nullcontext():
                for table, key in (("docs", "id"), ("records", "id"), ("links", "id"), ("fts", "rowid")):
                    conn.executemany(f"DELETE FROM {table} WHERE {key} = ?", gone)
                insert(conn, present)
            _set_totals(conn, None if len(ids) > _FEW else (removed, [lang_of(raw) for _id, raw in present]))
        _set_meta(conn, _stamp_values(after))
    except BaseException:
        conn.close()
        raise
    return conn


def discard(archive: Path) -> None:
    """Remove the index (after a failed update): the next search rebuilds it."""
    path = index_path(archive)
    for name in (path, Path(f"{path}-journal")):
        with contextlib.suppress(OSError):
            name.unlink()


def discard_outdated(archive: Path) -> None:
    """Remove an index written by another index VERSION (versions 1-2 held private notes) when
    it could not be rebuilt; a fresh or rebuildable index is left alone. Never raises."""
    import sqlite3

    path = index_path(archive)
    if not path.exists():
        return
    try:
        conn = _connect(path, readonly=True)
        try:
            version = dict(conn.execute("SELECT key, value FROM meta").fetchall()).get("version")
        finally:
            conn.close()
    except sqlite3.Error:
        return  # busy or not an index at all: a rebuild replaces it
    if version != VERSION:
        discard(archive)


def _read_meta(conn: sqlite3.Connection) -> tuple[Any, Stamp | None]:
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    try:
        stamp = Stamp(int(meta["ino"]), int(meta["size"]), int(meta["mtime_ns"]))
    except (KeyError, TypeError, ValueError):
        stamp = None
    return meta.get("version"), stamp


# -- reading --------------------------------------------------------------------------------------


@contextlib.contextmanager
def open_fresh(archive: Path) -> Iterator[sqlite3.Connection]:
    """A read-only connection inside one read transaction, on an index that is exactly the
    archive as it is now; raises IndexUnusable otherwise (never anything else)."""
    import sqlite3

    path = index_path(archive)
    if not path.exists():
        raise IndexUnusable("missing")
    if not os.access(archive, os.R_OK):  # the index answers only for an archive one may read
        raise IndexUnusable("unreadable archive")
    try:
        conn = _connect(path, readonly=True)
    except sqlite3.Error as exc:
        raise IndexUnusable(str(exc)) from exc
    try:
        try:
            conn.execute("BEGIN")
            version, stamp = _read_meta(conn)
        except sqlite3.Error as exc:  # not a database, a hot journal on a read-only open, busy
            raise IndexUnusable(str(exc)) from exc
        if version != VERSION or stamp is None or stamp != Stamp.of(archive):
            raise IndexUnusable("stale")
        yield conn
    finally:
        conn.close()


def is_fresh(archive: Path) -> bool:
    try:
        with open_fresh(archive):
            return True
    except IndexUnusable:
        return False
