"""FROZEN: src/whrd_cli/search/rank.py as it was before issue 14 (commit 6b0c755), the Python
BM25F ranker, kept only as the oracle of "today's results" for tests/test_search_rank.py. Its
MemoryCorpus path (`search`) is what the tests call; nothing in whrd imports this.

Ranking: which bulletins match a query, and in what order (BM25F).

Guarantees:
- every word of a query is matched in each bulletin's own language: the query is stemmed in
  every language searched, and a bulletin is compared with the stems of its own, so
  `defensora` finds `defensoras` and `mining` finds `mines`;
- a quoted phrase is checked word for word against the bulletin's own text (the index holds
  only stems);
- ranking is BM25F (a title match weighs more than a summary match), ties newest first, then
  highest id;
- the engine (`run`) ranks over a `Corpus`: stored dicts in memory (`search`, here) or the SQLite
  index beside the archive (`index_corpus`). Both give the same hits and the same scores.

Never prints.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from itertools import compress, groupby, islice
from operator import itemgetter
from typing import Any

from whrd_cli.model import DEFAULT_LANG
from whrd_cli.search.query import Atom, Query, Tag, Words
from whrd_cli.search.text import SEP, field_lengths, join_parts, raw_parts, stemmer
from whrd_cli.text import fold

# BM25F: per-field weight and length normalisation; k1 saturates repeated matches.
K1 = 1.2
TITLE_WEIGHT, SUMMARY_WEIGHT, TAG_WEIGHT = 3.0, 1.0, 1.5
TITLE_B, SUMMARY_B = 0.5, 0.75


@dataclass(frozen=True)
class Hit:
    """One matching bulletin: its id, its relevance and its stored dict."""

    id: int
    score: float
    raw: Mapping[str, Any]


@dataclass(frozen=True)
class SearchResult:
    """The best hits (all, or the first `limit`), how many matched, and how many lacked an index."""

    hits: list[Hit]
    total: int | None  # None when not counted (see `search`)
    unindexed: int = 0


class Corpus:
    """What the ranking engine needs from the searched bulletins, at positions it chooses.

    Two kinds: `MemoryCorpus` (stored dicts in memory, scanned string by string) and
    `index_corpus.IndexCorpus` (the SQLite index), which answers `scan` from FTS5 and loads only
    the candidates. The engine (`run`) gives both the same matching and the same scores.
    """

    size: int  # bulletins searched: document frequencies are out of these
    texts: Mapping[int, str]  # index string by position (at least for the candidates)
    langs: Mapping[int, str]  # stemmer language by position (idem)
    unindexed: int = 0

    def __init__(self) -> None:
        self.verified: dict[Words, set[int]] = {}
        self._needles: dict[tuple[Words, str], str | None] = {}
        self._patterns: dict[Words, re.Pattern[str]] = {}

    # -- provided by each kind --
    def scan(self, atom: Words) -> set[int]:
        """Positions whose index holds the atom's stems (exact atoms still need `verify`)."""
        raise NotImplementedError

    def everyone(self) -> Iterable[int]:
        """Every position (with tags and countries ready for `matches`)."""
        raise NotImplementedError

    def prepare(self, positions: Iterable[int]) -> None:
        """Make `texts`, `langs`, tags, countries and dates of these positions available."""

    def raw(self, i: int) -> Mapping[str, Any]:
        """The stored fields of one bulletin (title, summary, tags at least)."""
        raise NotImplementedError

    def tags(self, i: int) -> Sequence[str]:
        return self.raw(i).get("tags") or ()

    def countries(self, i: int) -> Sequence[str]:
        return self.raw(i).get("countries") or ()

    def averages(self) -> tuple[float, float]:
        """Mean title and summary lengths in words (at least 1)."""
        raise NotImplementedError

    def tie_key(self, i: int) -> tuple[str, int]:
        """(date, id): ties go newest first, then highest id."""
        raise NotImplementedError

    def hit(self, i: int, score: float) -> Hit:
        raise NotImplementedError

    # -- shared --
    def needle(self, atom: Words, lang: str) -> str | None:
        """The atom as an index string of this language holds it (` stem stem `); None when the
        atom has only common words, which the index does not hold."""
        key = (atom, lang)
        if key not in self._needles:
            stem = stemmer(lang)
            content = atom.content
            self._needles[key] = f" {' '.join(map(stem, content))} " if content else None
        return self._needles[key]

    def verify(self, atom: Words, i: int) -> bool:
        """An exact atom against the bulletin's own words (its index holds only stems)."""
        pattern = self._patterns.get(atom)
        if pattern is None:
            # The words in order with only non-word characters between: the same as the phrase
            # appearing in `words(text)`, without splitting the text into words.
            body = r"\W+".join(map(re.escape, atom.words))
            pattern = self._patterns[atom] = re.compile(rf"(?<!\w){body}(?!\w)")
        raw = self.raw(i)
        if pattern.search(fold(raw.get("title") or "")):
            return True
        if atom.field is not None:
            return False
        return bool(
            pattern.search(fold(raw.get("summary") or ""))
            or pattern.search(fold(" ".join(raw.get("tags") or ())))
        )

    def matches(self, atom: Atom, i: int) -> bool:
        """A tag or country atom against one bulletin (word atoms go through `scan`)."""
        if isinstance(atom, Words):
            return i in self.scan(atom) and (not atom.exact or self.verify(atom, i))
        if isinstance(atom, Tag):
            return any(fold(tag) == atom.name for tag in self.tags(i))
        return not atom.codes.isdisjoint(self.countries(i))


def mean_lengths(count: int, title_words: int, summary_words: int) -> tuple[float, float]:
    """Mean title and summary lengths from totals; at least 1 (and 1 for an empty collection)."""
    if count <= 0:
        return 1.0, 1.0
    return max(title_words / count, 1.0), max(summary_words / count, 1.0)


@dataclass
class _Group:
    """The bulletins of one language: positions in the corpus (None: all of them) and index strings."""

    positions: list[int] | None
    texts: list[str]


def _column(raws: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    """One field of every dict, None where missing (C-speed when none is missing)."""
    try:
        return list(map(itemgetter(key), raws))
    except KeyError:
        return [raw.get(key) for raw in raws]


class MemoryCorpus(Corpus):
    """The searched bulletins as parallel lists, so that a scan is one tight loop over strings.

    Stored dicts carry no index string (it lives in the SQLite index beside the archive): each is
    computed here, the same way, and counted in `unindexed`. Stems that a whrd from before that
    index left inside old archives (`_fts1`) are never read: they were folded by an older rule.
    """

    def __init__(self, rows: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
        super().__init__()
        self.rows = rows
        self._scanned: dict[Words, set[int]] = {}
        raws = list(map(itemgetter(1), rows))
        texts = [join_parts(*raw_parts(raw)) for raw in raws]
        self.unindexed = len(texts)
        langs = _column(raws, "lang")
        if None in langs or "" in langs:
            langs = [lang or DEFAULT_LANG for lang in langs]
        self.texts, self.langs = texts, langs  # type: ignore[assignment]
        self._text_list: list[str] = texts
        self.size = len(texts)
        distinct = set(langs)
        if len(distinct) <= 1:
            self.groups = {lang: _Group(None, texts) for lang in distinct}
            return
        everyone = range(len(texts))
        self.groups = {}
        for lang in sorted(distinct):
            mask = list(map(lang.__eq__, langs))
            self.groups[lang] = _Group(list(compress(everyone, mask)), list(compress(texts, mask)))

    def scan(self, atom: Words) -> set[int]:
        if atom in self._scanned:
            return self._scanned[atom]
        hits: set[int] = set()
        texts = self.texts
        for lang, group in self.groups.items():
            needle = self.needle(atom, lang)
            positions = range(len(group.texts)) if group.positions is None else group.positions
            if needle is None:
                hits.update(positions)
                continue
            found: Iterable[int] = compress(positions, [needle in text for text in group.texts])
            if atom.field == "title":
                found = (i for i in found if texts[i].find(needle, 0, texts[i].find(SEP)) >= 0)
            hits.update(found)
        self._scanned[atom] = hits
        return hits

    def everyone(self) -> Iterable[int]:
        return range(len(self.rows))

    def raw(self, i: int) -> Mapping[str, Any]:
        return self.rows[i][1]

    def averages(self) -> tuple[float, float]:
        titles = summaries = 0
        for text in self._text_list:
            title, summary = field_lengths(text)
            titles += title
            summaries += summary
        return mean_lengths(self.size, titles, summaries)

    def tie_key(self, i: int) -> tuple[str, int]:
        doc_id, raw = self.rows[i]
        return raw.get("date") or "", doc_id

    def hit(self, i: int, score: float) -> Hit:
        doc_id, raw = self.rows[i]
        return Hit(doc_id, score, raw)


def search(
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    query: Query,
    *,
    limit: int | None = None,
    count: bool = True,
) -> SearchResult:
    """Rank the stored bulletins (id, dict) that match the query; the best `limit`, or all.

    `rows` is the searched collection (already narrowed by any filter): document frequencies
    and average lengths come from it. With a `limit` and `count=False` the total is not needed
    (`total` is then None), so a quoted phrase is checked against the text of the best
    candidates only until `limit` of them hold it, instead of against every candidate.
    This searches in memory; `service.search_archive` answers from the SQLite index when it is fresh.
    """
    return run(MemoryCorpus(rows), query, limit=limit, count=count)


def run(corpus: Corpus, query: Query, *, limit: int | None = None, count: bool = True) -> SearchResult:
    """The engine behind `search`, over either kind of corpus (see `Corpus`)."""
    scanned = {atom: corpus.scan(atom) for atom in query.positive_words}
    # A quoted phrase that is a clause on its own: its index-level matches are the candidates,
    # and only the text check is left; it does not change the score, so it can come last.
    deferred = [c[0] for c in query.clauses if len(c) == 1 and isinstance(c[0], Words) and c[0].exact]

    candidates: set[int] | None = None
    # Word-only clauses first: their sets are ready; tag and country atoms are tested one by one.
    for clause in sorted(query.clauses, key=lambda c: not all(isinstance(a, Words) for a in c)):
        first = clause[0]
        if len(clause) == 1 and isinstance(first, Words) and first in deferred:
            found = scanned[first]
            candidates = set(found) if candidates is None else candidates & found
        else:
            candidates = _clause_matches(corpus, clause, scanned, candidates)
    assert candidates is not None  # a Query always has a clause
    if query.excluded:
        corpus.prepare(candidates)
    for excluded in query.excluded:
        if isinstance(excluded, Words):
            dropped = corpus.scan(excluded) & candidates
            if excluded.exact:
                dropped = {i for i in dropped if corpus.verify(excluded, i)}
            candidates -= dropped
        else:
            candidates = {i for i in candidates if not corpus.matches(excluded, i)}

    def holds_phrases(i: int) -> bool:
        return all(corpus.verify(atom, i) for atom in deferred)

    lazy = bool(deferred) and limit is not None and not count
    if deferred and not lazy:
        candidates = {i for i in candidates if holds_phrases(i)}
    corpus.prepare(candidates)
    scores = _scores(corpus, query.positive_words, scanned, candidates, deferred)
    ranked: Iterable[int] = _ranked(candidates, scores, corpus)
    total: int | None = len(candidates)
    if lazy:
        ranked = (i for i in ranked if holds_phrases(i))
        total = None
    order = list(ranked if limit is None else islice(ranked, limit))
    hits = [corpus.hit(i, round(scores[i], 4)) for i in order]
    return SearchResult(hits=hits, total=total, unindexed=corpus.unindexed)


def _ranked(candidates: Iterable[int], scores: Mapping[int, float], corpus: Corpus) -> Iterator[int]:
    """Candidates best first, ties newest first (then highest id). Sorting by score alone is a
    C-level sort; dates are read only to break ties, and only as far as the caller reads."""
    by_score = sorted(candidates, key=scores.__getitem__, reverse=True)
    for _score, run_ in groupby(by_score, key=scores.__getitem__):
        tied = list(run_)
        if len(tied) > 1:
            tied.sort(key=corpus.tie_key, reverse=True)
        yield from tied


def _clause_matches(
    corpus: Corpus, clause: Sequence[Atom], scanned: Mapping[Words, set[int]], pool: set[int] | None
) -> set[int]:
    """Positions (within `pool`, if given) where at least one of the clause's atoms matches."""
    found: set[int] = set()
    for atom in clause:
        if isinstance(atom, Words):
            hits = scanned[atom] if pool is None else scanned[atom] & pool
            if atom.exact:
                corpus.prepare(hits)
                hits = {i for i in hits if corpus.verify(atom, i)}
                corpus.verified.setdefault(atom, set()).update(hits)
            found |= hits
        else:
            if pool is None:
                candidates: Iterable[int] = corpus.everyone()
            else:
                corpus.prepare(pool)
                candidates = pool
            found |= {i for i in candidates if i not in found and corpus.matches(atom, i)}
    return found


def _scores(
    corpus: Corpus,
    atoms: Sequence[Words],
    scanned: Mapping[Words, set[int]],
    candidates: Iterable[int],
    deferred: Sequence[Words] = (),
) -> dict[int, float]:
    """BM25F over title, summary and tags, with document frequencies from the index scan.

    A quoted phrase weighs where its text check passed: everywhere among the candidates when it
    is a clause of its own (`deferred`: every candidate holds it, or will be dropped), only where
    it was verified when it is one side of an OR.
    """
    total = max(corpus.size, 1)
    avg_title, avg_summary = corpus.averages()
    ranked = []
    for atom in atoms:
        if not atom.content:  # a quoted phrase of common words only: it filters, nothing to weigh
            continue
        verified = atom.exact and atom not in deferred
        hits = corpus.verified.get(atom, set()) if verified else scanned[atom]
        df = len(scanned[atom])
        idf = math.log(1 + (total - df + 0.5) / (df + 0.5))
        by_lang: dict[str, str] = {}
        ranked.append((atom, atom.field is None, idf, hits, by_lang))
    texts, langs = corpus.texts, corpus.langs
    title_a, title_c = 1 - TITLE_B, TITLE_B / avg_title
    summary_a, summary_c = 1 - SUMMARY_B, SUMMARY_B / avg_summary
    k1, k1_plus = K1, K1 + 1
    needle = corpus.needle
    scores: dict[int, float] = {}
    for i in candidates:
        text = texts[i]
        lang = langs[i]
        bar1 = text.find(SEP)
        bar2 = text.find(SEP, bar1 + 1)
        # Lengths in words: a field " a b " has one space more than words.
        title_norm = title_a + title_c * (text.count(" ", 0, bar1) - 1)
        summary_norm = summary_a + summary_c * (text.count(" ", bar1 + 1, bar2) - 1)
        value = 0.0
        for atom, anywhere, idf, hits, by_lang in ranked:
            if i in hits:
                found = by_lang.get(lang)
                if found is None:
                    found = by_lang[lang] = needle(atom, lang) or ""  # never empty here
                weight = TITLE_WEIGHT * text.count(found, 0, bar1) / title_norm
                if anywhere:
                    weight += SUMMARY_WEIGHT * text.count(found, bar1, bar2) / summary_norm
                    weight += TAG_WEIGHT * text.count(found, bar2)
                value += idf * weight * k1_plus / (k1 + weight)
        scores[i] = value
    return scores
