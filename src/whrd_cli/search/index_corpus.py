"""Search through an SQLite index: FTS5 matches, ranks (`bm25()`), filters and limits in SQL, so
a word in most bulletins costs what SQLite's C code costs, not a Python loop over every match.

Guarantees:
- each bulletin is matched with its own language's stems (one FTS5 phrase per distinct stemming
  of a word, restricted to the languages that give it when there are several);
- the order is FTS5's `bm25()` with column weights (title above tags above summary; the `lang`
  column weighs nothing), ties newest first, then highest id; the score shown is `-bm25()`;
- filters (`Filter`) and `tag:`/`country:` atoms are SQL conditions on `docs`, so `LIMIT` comes
  after filtering and the count of "N more" is one `count(*)`;
- only what SQL cannot decide is checked in Python: a quoted phrase against the bulletin's own
  words (the index holds stems), row by row in rank order, only until `limit` rows hold it when
  the total is not wanted. Records are read for the returned hits only.

Never prints; the connection is the caller's (`index.open_fresh`, or `index.in_memory`).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from ..model import DEFAULT_LANG
from ..text import fold
from .index_filter import _ids_json, _json, filter_conditions
from .query import Atom, Countries, Query, Tag, Words
from .result import Hit, SearchResult
from .text import SEP, join_parts, stemmer

if TYPE_CHECKING:
    import sqlite3

    from ..filters import Filter

# bm25() column weights, in the fts table's column order (title, summary, tags, lang).
TITLE_WEIGHT, SUMMARY_WEIGHT, TAG_WEIGHT = 3.0, 1.0, 1.5
_WEIGHTS = f"{TITLE_WEIGHT}, {SUMMARY_WEIGHT}, {TAG_WEIGHT}, 0.0"
_BATCH = 256  # rows checked in Python per round trip (phrases)


class _Plan(Struct, frozen=True):
    """A query compiled to SQL: the FTS5 expression, the conditions on `docs` and their
    parameters, and what is left for Python (clauses and exclusions holding a quoted phrase)."""

    match: str
    where: list[str]
    params: list[Any]
    checked: list[tuple[Atom, ...]]  # clauses to re-check in Python
    excluded: list[Words]  # quoted phrases to exclude after a check in Python

    @property
    def stems(self) -> bool:
        """Whether the check needs the rows' stems: a plain word in a checked clause."""
        return any(isinstance(a, Words) and not a.exact for clause in self.checked for a in clause)


def run(
    conn: sqlite3.Connection,
    query: Query,
    flt: Filter | None = None,
    *,
    limit: int | None = None,
    count: bool = True,
    unindexed: int = 0,
    records: Mapping[int, Mapping[str, Any]] | None = None,
    fold: str | None = None,
) -> SearchResult:
    """The query's best `limit` hits (all when None), best first, and how many matched (None when
    `count` is False and only a check in Python could tell). `records`: the stored dicts by id,
    when the caller has them (an index built in memory), instead of the index's `records`.
    `fold`: a language; a translation group is one hit, its version in it when that one matches,
    else its best-ranked (`links_fold`)."""
    if fold is not None:
        linked = [doc_id for (doc_id,) in conn.execute("SELECT id FROM links WHERE grp IS NOT NULL")]
        if linked:
            return _folded(
                conn, query, flt, fold, linked, limit=limit, count=count, unindexed=unindexed, records=records
            )
    source = _Records(conn, records)
    meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    langs = str(meta.get("langs") or "").split()
    if not langs:  # an empty index
        return SearchResult(hits=[], total=0, unindexed=unindexed)
    matcher = _Matcher(langs)
    plan = matcher.plan(query, flt)
    base = "FROM fts JOIN docs d ON d.id = fts.rowid WHERE fts MATCH ?" + "".join(
        f" AND {condition}" for condition in plan.where
    )
    params = [plan.match, *plan.params]
    order = (
        f"SELECT fts.rowid, -bm25(fts, {_WEIGHTS}) AS score {base} ORDER BY 2 DESC, d.date DESC, d.id DESC"
    )
    if not plan.checked and not plan.excluded:
        rows = conn.execute(order + ("" if limit is None else f" LIMIT {int(limit)}"), params).fetchall()
        total: int | None = len(rows)
        if limit is not None and len(rows) >= limit:  # more may match: counted only when wanted
            total = conn.execute(f"SELECT count(*) {base}", params).fetchone()[0] if count else None
        return SearchResult(hits=_hits(source, rows), total=total, unindexed=unindexed)
    kept: list[tuple[int, float]] = []
    cursor = conn.execute(order, params)
    while batch := cursor.fetchmany(_BATCH):
        loaded = _Row.load(conn, source, batch, plan.stems)
        kept.extend(row for row in batch if matcher.holds(row[0], plan, loaded))
        if limit is not None and not count and len(kept) >= limit:
            break
    else:  # every candidate checked: the total is known
        return SearchResult(hits=_hits(source, kept[:limit]), total=len(kept), unindexed=unindexed)
    return SearchResult(hits=_hits(source, kept[:limit]), total=None, unindexed=unindexed)


def _folded(
    conn: sqlite3.Connection,
    query: Query,
    flt: Filter | None,
    lang: str,
    linked: list[int],
    **options: Any,
) -> SearchResult:
    """`run` with each translation group once: the grouped bulletins that match are ranked first
    (few), the versions a reader of `lang` does not see left out of the best `limit` + that many."""
    from msgspec.structs import replace

    from ..filters import Filter
    from ..links_fold import hidden

    base = flt or Filter()
    ids = frozenset(linked) & base.ids if base.ids else frozenset(linked)
    among = run(conn, query, replace(base, ids=ids), records=options["records"]) if ids else None
    found = [] if among is None else [(hit.id, hit.raw) for hit in among.hits]
    groups = dict(conn.execute("SELECT id, grp FROM links WHERE grp IS NOT NULL"))
    hide = hidden(((doc_id, groups.get(doc_id), raw.get("lang") or "en") for doc_id, raw in found), lang)
    limit = options["limit"]
    wider = {**options, "limit": None if limit is None else limit + len(hide)}
    result = run(conn, query, flt, **wider)
    hits = [hit for hit in result.hits if hit.id not in hide][:limit]
    total = None if result.total is None else result.total - len(hide)
    return replace(result, hits=hits, total=total)


class _Records:
    """The stored dicts of some ids: from the caller's mapping, or read from `records`."""

    def __init__(self, conn: sqlite3.Connection, given: Mapping[int, Mapping[str, Any]] | None) -> None:
        self.conn, self.given = conn, given

    def read(self, ids: Sequence[int]) -> dict[int, Mapping[str, Any]]:
        if self.given is not None:
            return {doc_id: self.given[doc_id] for doc_id in ids}
        import orjson

        found: dict[int, Mapping[str, Any]] = {}
        for start in range(0, len(ids), 10_000):
            rows = self.conn.execute(
                "SELECT id, record FROM records WHERE id IN (SELECT value FROM json_each(?))",
                (_ids_json(ids[start : start + 10_000]),),
            )
            for doc_id, record in rows:
                raw = orjson.loads(record)
                raw.pop("id", None)
                found[doc_id] = raw
        return found


def _hits(source: _Records, rows: Sequence[tuple[int, float]]) -> list[Hit]:
    """The hits in this order, each with its stored record (read for these rows only)."""
    records = source.read([doc_id for doc_id, _score in rows])
    return [Hit(doc_id, _shown(score), records[doc_id]) for doc_id, score in rows]


def _shown(score: float) -> float:
    """Six significant digits: bm25() gives a word in more than half the bulletins a tiny weight
    (1e-6 per match), which four decimals would show as 0."""
    return float(f"{score:.6g}") + 0.0  # + 0.0: never -0.0


class _Row(Struct):
    """What the Python check of one row reads: its index string, language and stored record."""

    text: str  # "" when not loaded: only quoted phrases are checked, against `raw`
    lang: str
    raw: Mapping[str, Any]

    @staticmethod
    def load(
        conn: sqlite3.Connection, source: _Records, batch: Sequence[tuple[int, float]], stems: bool
    ) -> dict[int, _Row]:
        ids = [doc_id for doc_id, _score in batch]
        raws = source.read(ids)
        if not stems:  # the record alone: reading the stems back costs more than checking
            return {doc_id: _Row("", DEFAULT_LANG, raw) for doc_id, raw in raws.items()}
        rows = conn.execute(
            "SELECT rowid, title, summary, tags, lang FROM fts "
            "WHERE rowid IN (SELECT value FROM json_each(?))",
            (_ids_json(ids),),
        )
        return {
            doc_id: _Row(join_parts(title, summary, tags), lang or DEFAULT_LANG, raws[doc_id])
            for doc_id, title, summary, tags, lang in rows
        }


class _Matcher:
    """Compiles a query for one index (its languages) and checks what SQL cannot."""

    def __init__(self, langs: Sequence[str]) -> None:
        self.langs = langs
        self._needles: dict[tuple[Words, str], str | None] = {}
        self._patterns: dict[Words, re.Pattern[str]] = {}

    def needle(self, atom: Words, lang: str) -> str | None:
        """The atom's stems in this language (`a b`); None for common words only (not indexed)."""
        key = (atom, lang)
        if key not in self._needles:
            stem = stemmer(lang)
            self._needles[key] = " ".join(map(stem, atom.content)) if atom.content else None
        return self._needles[key]

    def expression(self, atom: Words) -> str:
        """The FTS5 expression of a word atom with content: a phrase of its stems per language."""
        by_needle: dict[str, list[str]] = {}
        for lang in self.langs:
            by_needle.setdefault(self.needle(atom, lang) or "", []).append(lang)
        columns = "title" if atom.field == "title" else "{title summary tags}"
        parts = []
        for needle, langs in by_needle.items():
            phrase = f"{columns} : {_quoted(needle)}"
            if len(by_needle) > 1:
                phrase = f"({phrase} AND ({' OR '.join(f'lang : {_quoted(lang)}' for lang in langs)}))"
            parts.append(phrase)
        return parts[0] if len(parts) == 1 else "(" + " OR ".join(parts) + ")"

    def everyone(self) -> str:
        """An expression every row matches (each row has one `lang` token), weighing nothing."""
        return "(" + " OR ".join(f"lang : {_quoted(lang)}" for lang in self.langs) + ")"

    def plan(self, query: Query, flt: Filter | None) -> _Plan:
        required: list[str] = []  # word-only clauses: FTS5 decides them
        optional: list[str] = []  # words in clauses SQL decides: they only rank
        where: list[str] = []
        params: list[Any] = []
        checked: list[tuple[Atom, ...]] = []
        for clause in query.clauses:
            words = [a for a in clause if isinstance(a, Words) and a.content]
            if any(isinstance(a, Words) and a.exact for a in clause):
                checked.append(clause)
            if len(words) == len(clause):
                required.append("(" + " OR ".join(map(self.expression, words)) + ")")
                continue
            optional.extend(map(self.expression, words))
            if any(isinstance(a, Words) and not a.content for a in clause):
                continue  # a phrase of common words: anything may match; the check decides
            conditions = []
            if words:
                conditions.append("fts.rowid IN (SELECT rowid FROM fts WHERE fts MATCH ?)")
                params.append(" OR ".join(map(self.expression, words)))
            for atom in clause:
                if not isinstance(atom, Words):
                    conditions.append(_atom_condition(atom, params))
            where.append("(" + " OR ".join(conditions) + ")")
        excluded: list[Words] = []
        negated: list[str] = []
        for atom in query.excluded:
            if isinstance(atom, Words) and atom.exact:
                excluded.append(atom)
            elif isinstance(atom, Words):
                negated.append(self.expression(atom))
            else:
                where.append(f"NOT {_atom_condition(atom, params)}")
        match = " AND ".join(required) if required else self.everyone()
        if optional:
            match = f"{match} AND ({' OR '.join(optional)} OR {self.everyone()})"
        for expression in negated:
            match = f"({match}) NOT {expression}"
        if flt is not None:
            where.extend(filter_conditions(flt, params))
        return _Plan(match, where, params, checked, excluded)

    def holds(self, doc_id: int, plan: _Plan, rows: dict[int, _Row]) -> bool:
        """The Python part of the match: every checked clause holds, no excluded phrase does."""
        row = rows[doc_id]
        if not all(any(self.matches(atom, row) for atom in clause) for clause in plan.checked):
            return False
        return not any(self.matches(atom, row) for atom in plan.excluded)

    def matches(self, atom: Atom, row: _Row) -> bool:
        if isinstance(atom, Tag):
            return any(fold(tag) == atom.name for tag in row.raw.get("tags") or ())
        if isinstance(atom, Countries):
            return not atom.codes.isdisjoint(row.raw.get("countries") or ())
        if atom.exact:  # the phrase as written implies its stems: the text check alone decides
            return self.verify(atom, row.raw)
        text = row.text  # a plain word always has content (the parser drops common words alone)
        end = text.find(SEP) if atom.field == "title" else len(text)
        return text.find(f" {self.needle(atom, row.lang)} ", 0, end) >= 0

    def verify(self, atom: Words, raw: Mapping[str, Any]) -> bool:
        """An exact atom against the bulletin's own words (its index holds only stems)."""
        pattern = self._patterns.get(atom)
        if pattern is None:
            # The words in order with only non-word characters between: the same as the phrase
            # appearing in `words(text)`, without splitting the text into words.
            body = r"\W+".join(map(re.escape, atom.words))
            pattern = self._patterns[atom] = re.compile(rf"(?<!\w){body}(?!\w)")
        if pattern.search(fold(raw.get("title") or "")):
            return True
        if atom.field is not None:
            return False
        return bool(
            pattern.search(fold(raw.get("summary") or ""))
            or pattern.search(fold(" ".join(raw.get("tags") or ())))
        )


def _atom_condition(atom: Tag | Countries, params: list[Any]) -> str:
    """A `tag:` or `country:` atom as a condition on `docs d`."""
    if isinstance(atom, Tag):
        params.append(atom.name)
        return "EXISTS (SELECT 1 FROM json_each(d.ftags) WHERE value = ?)"
    params.append(_json(sorted(atom.codes)))
    return "EXISTS (SELECT 1 FROM json_each(d.countries) WHERE value IN (SELECT value FROM json_each(?)))"


def _quoted(text: str) -> str:
    """An FTS5 string: the tokenizer splits it, and its tokens must stand in this order."""
    return '"' + text.replace('"', '""') + '"'
