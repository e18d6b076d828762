"""The derived search index: an SQLite FTS5 file beside the archive (`ARCHIVE.search.sqlite`).

Guarantees:
- the JSON archive stays the only source of truth: this file is derived, disposable, and rebuilt
  from the archive whenever it is missing, corrupt, of another index version, or not provably
  about the archive as it is now;
- "provably": every write records the archive's stat (inode, size, mtime in ns) after the
  archive's own atomic write, in the same SQLite transaction as the index change. A search
  trusts the index only when the archive's stat still matches. `os.replace` gives every whrd
  write a new inode, so a writer killed between the archive write and the index commit, a
  hand-edited archive, or an archive copied elsewhere (with or without its index) is detected
  without parsing the archive;
- incremental updates run in one SQLite transaction with the default rollback journal
  (journal_mode=DELETE): a writer killed mid-transaction leaves a hot `-journal` that SQLite
  rolls back on the next write, so the index reverts to its previous state, whose stat no longer
  matches. The `-journal` file exists only during a write. Rebuilds write a temp file (no
  journal) and `os.replace` it over the index, so a reader sees the old index or the new;
- the file has mode 0600: it holds the bulletins' text;
- a search answers from it without reading the archive: filters, ranking (the same BM25F as
  `search.run`, over the FTS5 candidates) and the JSON records of the hits are all in it.

Never prints. `sqlite3` is imported on first use.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .model import DEFAULT_LANG
from .records import lang_of, record_dict
from .search import INDEX_KEY, Corpus, Hit, Query, SearchResult, Words, join_parts, mean_lengths

if TYPE_CHECKING:
    import sqlite3

    from .filters import Filter
    from .store import Archive

SUFFIX = ".search.sqlite"
# The layout of this file and of the stems in it; any other value means: rebuild.
VERSION = f"whrd-search-index 2 {INDEX_KEY}"  # 2: words folded by dates.fold
_TMP_MARK = ".whrd-tmp-"  # the store's temp-file mark: its clean-up under the lock removes ours
_BUSY_MS = 10_000

_SCHEMA = """
CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;
CREATE TABLE docs(
    id INTEGER PRIMARY KEY, date TEXT NOT NULL, lang TEXT, category TEXT,
    countries TEXT NOT NULL, tags TEXT NOT NULL, tlen INTEGER NOT NULL, slen INTEGER NOT NULL
);
CREATE TABLE records(id INTEGER PRIMARY KEY, record TEXT NOT NULL, private TEXT);
CREATE VIRTUAL TABLE fts USING fts5(
    title, summary, tags, lang, columnsize=0,
    tokenize="unicode61 remove_diacritics 0 tokenchars '_'"
);
"""


class IndexUnusable(Exception):
    """The index cannot answer (missing, stale, corrupt, busy): search the archive instead."""


def index_path(archive: Path) -> Path:
    return archive.with_name(archive.name + SUFFIX)


@dataclass(frozen=True)
class Stamp:
    """What identifies one version of the archive file without reading it."""

    ino: int
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, path: Path) -> Stamp | None:
        try:
            st = os.stat(path)
        except OSError:
            return None
        return cls(st.st_ino, st.st_size, st.st_mtime_ns)


# -- writing --------------------------------------------------------------------------------------


def _row(doc_id: int, raw: Mapping[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...], tuple[Any, ...]]:
    """The docs, records and fts rows of one stored bulletin."""
    import orjson

    from .search import field_lengths, raw_parts

    parts = raw_parts(raw)
    tlen, slen = field_lengths(join_parts(*parts))
    record = record_dict(doc_id, raw, private=False)
    return (
        (
            doc_id,
            raw["date"],
            raw.get("lang"),
            raw.get("category"),
            orjson.dumps(list(raw.get("countries") or ())).decode(),
            orjson.dumps(list(raw.get("tags") or ())).decode(),
            tlen,
            slen,
        ),
        (doc_id, orjson.dumps(record).decode(), raw.get("private")),
        (doc_id, *parts, lang_of(raw)),
    )


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
    fd, tmp_name = tempfile.mkstemp(prefix=f".{archive.name}{_TMP_MARK}index-", dir=archive.parent)
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
            _insert(conn, ((int(key), raw) for key, raw in bulletins.items()))
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


def _insert(conn: sqlite3.Connection, rows: Iterable[tuple[int, Mapping[str, Any]]]) -> None:
    docs, records, texts = [], [], []
    for doc_id, raw in rows:
        doc, record, text = _row(doc_id, raw)
        docs.append(doc)
        records.append(record)
        texts.append(text)
    conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?, ?)", docs)
    conn.executemany("INSERT INTO records VALUES (?, ?, ?)", records)
    conn.executemany("INSERT INTO fts(rowid, title, summary, tags, lang) VALUES (?, ?, ?, ?, ?)", texts)


def _set_totals(conn: sqlite3.Connection) -> None:
    count, titles, summaries = conn.execute(
        "SELECT count(*), coalesce(sum(tlen), 0), coalesce(sum(slen), 0) FROM docs"
    ).fetchone()
    langs = [row[0] for row in conn.execute("SELECT DISTINCT coalesce(nullif(lang, ''), 'en') FROM docs")]
    _set_meta(
        conn,
        {
            "count": count,
            "title_words": titles,
            "summary_words": summaries,
            "langs": " ".join(sorted(langs)),
        },
    )


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
            if _update_in_place(path, before, after, bulletins, touched):
                return
        except sqlite3.Error:
            pass  # damaged or locked for too long: rebuilt below
    rebuild(archive, bulletins, after)


def _update_in_place(
    path: Path,
    before: Stamp,
    after: Stamp,
    bulletins: Mapping[str, Mapping[str, Any]],
    touched: Iterable[int],
) -> bool:
    conn = _connect(path)
    try:
        conn.execute("BEGIN IMMEDIATE")
        if _read_meta(conn) != (VERSION, before):
            conn.execute("ROLLBACK")
            return False
        ids = sorted(set(touched))
        if ids:
            gone = [(doc_id,) for doc_id in ids]
            conn.executemany("DELETE FROM docs WHERE id = ?", gone)
            conn.executemany("DELETE FROM records WHERE id = ?", gone)
            conn.executemany("DELETE FROM fts WHERE rowid = ?", gone)
            present = [(doc_id, bulletins[str(doc_id)]) for doc_id in ids if str(doc_id) in bulletins]
            _insert(conn, present)
            _set_totals(conn)
        _set_meta(conn, _stamp_values(after))
        conn.execute("COMMIT")
        return True
    finally:
        conn.close()


def discard(archive: Path) -> None:
    """Remove the index (after a failed update): the next search rebuilds it."""
    path = index_path(archive)
    for name in (path, Path(f"{path}-journal")):
        with contextlib.suppress(OSError):
            name.unlink()


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


def search(
    conn: sqlite3.Connection,
    query: Query,
    flt: Filter | None = None,
    *,
    limit: int | None = None,
    count: bool = True,
) -> SearchResult:
    """`search.search` answered from a fresh index (see `open_fresh`): the same hits and scores."""
    from .search import run

    return run(IndexCorpus(conn, flt), query, limit=limit, count=count)


class IndexCorpus(Corpus):
    """The engine's view of the index: positions are bulletin ids; FTS5 finds the candidates,
    and only the candidates' rows are read."""

    def __init__(self, conn: sqlite3.Connection, flt: Filter | None) -> None:
        super().__init__()
        self.conn = conn
        self.texts: dict[int, str] = {}
        self.langs: dict[int, str] = {}
        self._meta: dict[int, tuple[str, list[str], list[str]]] = {}  # date, countries, tags
        self._raws: dict[int, dict[str, Any]] = {}
        self._scanned: dict[Words, set[int]] = {}
        self._everyone: list[int] | None = None
        self.allowed: set[int] | None = None
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        self.all_langs = str(meta["langs"]).split()
        if flt is None or flt.is_empty:
            self.size = int(meta["count"])
            self._averages = mean_lengths(self.size, int(meta["title_words"]), int(meta["summary_words"]))
        else:
            self._filter(flt)

    def _filter(self, flt: Filter) -> None:
        """The filtered collection, with `Filter.matches` itself on each row's fields."""
        import orjson

        allowed: set[int] = set()
        titles = summaries = 0
        match = flt.matches
        rows = self.conn.execute("SELECT id, date, lang, category, countries, tags, tlen, slen FROM docs")
        for doc_id, date, lang, category, countries, tags, tlen, slen in rows:
            if flt.ids and doc_id not in flt.ids:  # before parsing the row's JSON
                continue
            countries, tags = orjson.loads(countries), orjson.loads(tags)
            raw = {"date": date, "lang": lang, "category": category, "countries": countries, "tags": tags}
            if match(doc_id, raw):
                allowed.add(doc_id)
                titles += tlen
                summaries += slen
                self._meta[doc_id] = (date, countries, tags)
                self.langs[doc_id] = lang or DEFAULT_LANG
        self.allowed = allowed
        self.size = len(allowed)
        self._averages = mean_lengths(self.size, titles, summaries)

    def scan(self, atom: Words) -> set[int]:
        if atom in self._scanned:
            return self._scanned[atom]
        if not atom.content:  # only common words: every bulletin, as in memory
            found = set(self.everyone())
            self._scanned[atom] = found
            return found
        # Each bulletin is matched with its own language's stems, as in memory: one FTS5 query
        # per distinct needle, restricted to the languages that give it when there are several.
        by_needle: dict[str, list[str]] = {}
        for lang in self.all_langs:
            by_needle.setdefault(self.needle(atom, lang) or "", []).append(lang)
        columns = "title" if atom.field == "title" else "{title summary tags}"
        found = set()
        for needle, langs in by_needle.items():
            expression = f"{columns} : {_quoted(needle.strip())}"
            if len(by_needle) > 1:
                expression += " AND (" + " OR ".join(f"lang : {_quoted(lang)}" for lang in langs) + ")"
            rows = self.conn.execute("SELECT rowid FROM fts WHERE fts MATCH ?", (expression,))
            found.update(row[0] for row in rows)
        if self.allowed is not None:
            found &= self.allowed
        self._scanned[atom] = found
        return found

    def everyone(self) -> Iterable[int]:
        if self.allowed is not None:
            return self.allowed
        if self._everyone is None:
            self._everyone = [row[0] for row in self.conn.execute("SELECT id FROM docs")]
            self._load_meta(None)
        return self._everyone

    def _load_meta(self, ids: Sequence[int] | None) -> None:
        import orjson

        sql = "SELECT id, date, lang, countries, tags FROM docs"
        if ids is None:
            rows = self.conn.execute(sql)
        else:
            rows = self.conn.execute(f"{sql} WHERE id IN (SELECT value FROM json_each(?))", (_ids_json(ids),))
        for doc_id, date, lang, countries, tags in rows:
            self._meta[doc_id] = (date, orjson.loads(countries), orjson.loads(tags))
            self.langs[doc_id] = lang or DEFAULT_LANG

    def prepare(self, positions: Iterable[int]) -> None:
        missing = [i for i in positions if i not in self._meta]
        if missing:
            self._load_meta(missing)
        wanted = [i for i in positions if i not in self.texts]
        if wanted:
            rows = self.conn.execute(
                "SELECT rowid, title, summary, tags FROM fts WHERE rowid IN (SELECT value FROM json_each(?))",
                (_ids_json(wanted),),
            )
            self.texts.update((doc_id, join_parts(t, s, g)) for doc_id, t, s, g in rows)

    def raw(self, i: int) -> Mapping[str, Any]:
        raw = self._raws.get(i)
        if raw is None:
            self._load_raws([i])
            raw = self._raws[i]
        return raw

    def _load_raws(self, ids: Sequence[int]) -> None:
        import orjson

        rows = self.conn.execute(
            "SELECT id, record, private FROM records WHERE id IN (SELECT value FROM json_each(?))",
            (_ids_json(ids),),
        )
        for doc_id, record, private in rows:
            raw = orjson.loads(record)
            raw.pop("id", None)
            raw["private"] = private
            self._raws[doc_id] = raw

    def tags(self, i: int) -> Sequence[str]:
        return self._meta[i][2]

    def countries(self, i: int) -> Sequence[str]:
        return self._meta[i][1]

    def averages(self) -> tuple[float, float]:
        return self._averages

    def tie_key(self, i: int) -> tuple[str, int]:
        return self._meta[i][0] or "", i

    def hit(self, i: int, score: float) -> Hit:
        return Hit(i, score, self.raw(i))


def _quoted(text: str) -> str:
    """An FTS5 string: the tokenizer splits it, and its tokens must stand in this order."""
    return '"' + text.replace('"', '""') + '"'


def _ids_json(ids: Iterable[int]) -> str:
    return "[" + ",".join(map(str, ids)) + "]"


class SearchIndex:
    """The index as the store's `Follower`: updated inside the archive's lock after every write.
    The archive is written by then and is the truth: an index that cannot be updated is removed
    (the next search rebuilds it), and the command still succeeds."""

    def before_write(self, path: Path) -> Stamp | None:
        return Stamp.of(path)

    def after_write(
        self,
        path: Path,
        before: object,
        bulletins: Mapping[str, Mapping[str, Any]],
        touched: set[int] | None,
    ) -> None:
        import sqlite3

        try:
            update(path, before if isinstance(before, Stamp) else None, bulletins, touched)
        except (OSError, sqlite3.Error):
            discard(path)


def search_archive(
    archive: Archive, query: Query, flt: Filter | None = None, *, limit: int | None = None, count: bool = True
) -> SearchResult:
    """Ranked search (see `search.search`), answered from the index without reading the archive
    when the index is fresh. Otherwise the index is rebuilt first (under the lock, when the archive
    is writable and the lock free), or, failing that, the archive is searched in memory. The same
    hits and scores either way."""
    import sqlite3

    from .search import search as search_rows

    for attempt in range(2):
        try:
            with open_fresh(archive.path) as conn:
                return search(conn, query, flt, limit=limit, count=count)
        except (IndexUnusable, sqlite3.Error):
            if attempt or not _rebuild(archive):
                break
    return search_rows(archive.select(flt), query, limit=limit, count=count)


def _rebuild(archive: Archive) -> bool:
    """Rebuild a missing, stale or damaged index if the archive's lock is free right now; False
    when it cannot be (read-only archive or folder, lock busy, disk full)."""
    import sqlite3

    stamp = Stamp.of(archive.path)  # before reading: a change made meanwhile shows as stale
    try:
        with archive.locked_now() as bulletins:
            if bulletins is None or stamp is None:
                return False
            if is_fresh(archive.path):  # another process rebuilt it meanwhile
                return True
            rebuild(archive.path, bulletins, stamp)
            return True
    except (OSError, sqlite3.Error):
        return False
