"""Search through the SQLite index: the ranking engine's corpus read from FTS5, not from the archive.

Guarantees:
- the same hits and scores as a search of the archive in memory (`rank.MemoryCorpus`): each
  bulletin is matched with its own language's stems, document frequencies and mean lengths come
  from the searched (filtered) collection, and a filter is `Filter.matches` itself;
- only what a search needs is read: FTS5 finds the candidates, and only the candidates' rows
  (their stems, dates, tags, countries, then the records of the hits) are loaded.

Never prints; the connection is the caller's (`index.open_fresh`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..model import DEFAULT_LANG
from .query import Words
from .rank import Corpus, Hit, mean_lengths
from .text import join_parts

if TYPE_CHECKING:
    import sqlite3

    from ..filters import Filter


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
            "SELECT id, record FROM records WHERE id IN (SELECT value FROM json_each(?))",
            (_ids_json(ids),),
        )
        for doc_id, record in rows:
            raw = orjson.loads(record)
            raw.pop("id", None)
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
