"""Full-text search: folding, stemming, the query language, BM25F ranking, snippets and match spans.

Guarantees:
- matching ignores case, accents and word endings: text and query both go through `fold` and then
  the Snowball stemmer of the bulletin's language (English, Spanish; other languages match on
  folded words). The query is stemmed in every language the archive holds and each bulletin is
  compared in its own, so `defensora` finds `defensoras` and `mining` finds `mines`;
- the very common words of both languages (`STOP_WORDS`: the, of, de, la, y…) are not indexed
  and are ignored in a query, except inside a quoted phrase, which is checked word for word
  against the bulletin's own text;
- the work that does not depend on the query is done at write time: each bulletin's stems (one
  compact string per bulletin, " title stems | summary stems | tag stems ") live in a derived
  SQLite FTS5 index beside the archive (`search_index`), which the store keeps consistent and
  rebuilds when in doubt. The engine (`run`) ranks over either that index or stored dicts in
  memory (`search`), indexing on the fly what carries no `_fts1`: results never depend on it;
- ranking is BM25F (a title match weighs more than a summary match), ties newest first;
- match spans are character offsets into the original, accented text.

Never prints. The stemmers are imported on first use, so importing this module is cheap.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import compress, groupby, islice
from operator import itemgetter
from typing import TYPE_CHECKING, Any

from .errors import QueryError
from .model import DEFAULT_LANG
from .records import lang_of
from .text import fold

if TYPE_CHECKING:
    pass

# The index version. A change of layout, tokenising or stop words takes a new name: the SQLite
# index records it and is rebuilt when it differs. Archives written before the index moved out of
# them carry the string under this key in each bulletin; `whrd reindex` drops it.
INDEX_KEY = "_fts1"
# Stored layout: " <title stems> | <summary stems> | <tag stems> ". Tokens never contain a space
# or "|", so a needle " a b " can only match whole, adjacent tokens inside one field.
_SEP = "|"

STEMMERS = {"en": "english", "es": "spanish"}
SCOPES = ("title", "tag", "country")

# Function words of English and Spanish (folded), and single letters: about a quarter of all
# text, almost no meaning on their own. Leaving them out makes the stored index smaller, which
# every command pays for when it loads the archive. One list for both languages, so a word is
# either searchable everywhere or nowhere.
_STOP_TEXT = """
a b c d e f g h i j k l m n o p q r s t u v w x y z
an the and or of to in on at by for with from as is are was were be been
that this these those their its it has have had which who
el la los las lo un una unos unas del al de en que por para con se su sus
es son fue ha han como le les sobre entre desde
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

# BM25F: per-field weight and length normalisation; k1 saturates repeated matches.
K1 = 1.2
TITLE_WEIGHT, SUMMARY_WEIGHT, TAG_WEIGHT = 3.0, 1.0, 1.5
TITLE_B, SUMMARY_B = 0.5, 0.75
SNIPPET_WIDTH = 160

_WORD = re.compile(r"\w+")
# Accents and other combining marks of the Latin, Greek and Cyrillic scripts (after NFKD).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# A word in original text, its accents included, so its span covers the whole written word.
_TEXT_WORD = re.compile(f"[\\w{_MARKS}]+")
_SCOPE = re.compile(f"({'|'.join(SCOPES)}):", re.IGNORECASE)
_QUOTES = str.maketrans(dict.fromkeys("“”„«»＂", '"'))


def words(text: str) -> list[str]:
    """The folded words of a text, in order, common words included."""
    return _WORD.findall(fold(text))


def words_with_spans(text: str) -> list[tuple[int, int, str]]:
    """(start, end, folded word) for each word of the original text; offsets into `text` itself."""
    found: list[tuple[int, int, str]] = []
    for match in _TEXT_WORD.finditer(text):
        for part in _WORD.findall(fold(match.group())):  # `½` folds to `1⁄2`: two words, one span
            found.append((match.start(), match.end(), part))
    return found


@cache
def stemmer(lang: str) -> Callable[[str], str]:
    """The word → stem function for a language; identity where Snowball has none we use."""
    name = STEMMERS.get(lang)
    if name is None:
        return str
    # Vocabulary is Zipfian: a modest cache answers almost every word after the first thousand.
    return lru_cache(maxsize=1 << 16)(_snowball(name).stemWord)


def _snowball(name: str) -> Any:
    """One Snowball stemmer. `import snowballstemmer` loads all ~35 languages (~12 ms, a tenth
    of a search at 10k bulletins); this loads only the one asked for, from the same files, as
    a private package so the real one is untouched; it falls back to the public API."""
    import importlib
    import importlib.util
    import sys
    import types

    alias = "_whrd_snowball"
    try:
        if alias not in sys.modules:
            spec = importlib.util.find_spec("snowballstemmer")
            if spec is None or not spec.submodule_search_locations:
                raise ImportError("snowballstemmer")
            package = types.ModuleType(alias)
            package.__path__ = list(spec.submodule_search_locations)
            sys.modules[alias] = package
        module = importlib.import_module(f"{alias}.{name}_stemmer")
        return getattr(module, f"{name.capitalize()}Stemmer")()
    except (ImportError, AttributeError):
        import snowballstemmer

        return snowballstemmer.stemmer(name)


def index_parts(title: str, summary: str, tags: Iterable[str], lang: str) -> tuple[str, str, str]:
    """The stems of the title, the summary and the tags, each field space-separated."""
    stem = stemmer(lang)
    stop = STOP_WORDS

    def field(text: str) -> str:
        return " ".join([stem(word) for word in words(text) if word not in stop])

    return field(title), field(summary), field(" ".join(tags))


def join_parts(title: str, summary: str, tags: str) -> str:
    """The index string of one bulletin from its three stemmed fields (see `_SEP`)."""
    return f" {title} {_SEP} {summary} {_SEP} {tags} "


def index_text(title: str, summary: str, tags: Iterable[str], lang: str) -> str:
    """The search string of one bulletin (see `_SEP` for its layout)."""
    return join_parts(*index_parts(title, summary, tags, lang))


def raw_parts(raw: Mapping[str, Any]) -> tuple[str, str, str]:
    """`index_parts` of a stored dict."""
    return index_parts(raw.get("title") or "", raw.get("summary") or "", raw.get("tags") or (), lang_of(raw))


def _index_raw(raw: Mapping[str, Any]) -> str:
    return index_text(raw.get("title") or "", raw.get("summary") or "", raw.get("tags") or (), lang_of(raw))


def _column(raws: Sequence[Mapping[str, Any]], key: str) -> list[Any]:
    """One field of every dict, None where missing (C-speed when none is missing)."""
    try:
        return list(map(itemgetter(key), raws))
    except KeyError:
        return [raw.get(key) for raw in raws]


# -- the query language ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Words:
    """Words that must stand next to each other, in order (most often just one word)."""

    words: tuple[str, ...]  # folded, common words included
    exact: bool = False  # quoted: these very words (folded), not any form of them
    field: str | None = None  # None: title, summary or tags; "title": the title only

    @property
    def content(self) -> tuple[str, ...]:
        """The words the index holds (common words left out)."""
        return tuple(word for word in self.words if word not in STOP_WORDS)


@dataclass(frozen=True)
class Tag:
    """`tag:name`: the bulletin carries this tag (compared folded, as `--tag` does)."""

    name: str


@dataclass(frozen=True)
class Countries:
    """`country:name`: the bulletin is about one of these countries (resolved as `--country`)."""

    codes: frozenset[str]


Atom = Words | Tag | Countries


@dataclass(frozen=True)
class Query:
    """Every clause must match (a clause matches when any of its atoms does); no excluded atom may."""

    text: str
    clauses: tuple[tuple[Atom, ...], ...]
    excluded: tuple[Atom, ...] = ()

    @property
    def positive_words(self) -> tuple[Words, ...]:
        """The word atoms that rank and highlight, each once."""
        seen: dict[Words, None] = {}
        for clause in self.clauses:
            for atom in clause:
                if isinstance(atom, Words):
                    seen.setdefault(atom)
        return tuple(seen)


@dataclass(frozen=True)
class _Lexeme:
    text: str
    raw: str
    quoted: bool = False
    negated: bool = False
    scope: str | None = None

    @property
    def is_or(self) -> bool:
        return self.text == "OR" and not (self.quoted or self.negated or self.scope)


def _lex(text: str) -> list[_Lexeme]:
    """Split a query into terms: `[-][scope:]word` or `[-][scope:]"a phrase"`."""
    lexemes: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        scope = None
        found = _SCOPE.match(text, i)
        if found:
            scope = found.group(1).lower()
            i = found.end()
        if i < n and text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError(
                    f'Unbalanced quote in the query {text.strip()!r}: close the phrase with a second ".'
                )
            lexemes.append(_Lexeme(text[i + 1 : close], text[start : close + 1], True, negated, scope))
            i = close + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        lexemes.append(_Lexeme(text[i:end], text[start:end], False, negated, scope))
        i = end
    return lexemes


_SCOPE_EXAMPLE = {"title": "mining", "tag": "WHRDAlert", "country": "honduras"}


def _atom(lexeme: _Lexeme) -> Atom | None:
    """The atom a term stands for; None for a term with nothing searchable (punctuation, `the`)."""
    if lexeme.quoted and not lexeme.text.strip():
        raise QueryError(f"The phrase {lexeme.raw!r} is empty: put words between the quotes.")
    if lexeme.scope and not lexeme.text.strip():
        example = _SCOPE_EXAMPLE[lexeme.scope]
        raise QueryError(f"{lexeme.scope}: needs a word after it, as in {lexeme.scope}:{example}.")
    if lexeme.scope == "country":
        from .countries import resolve_countries

        return Countries(frozenset(resolve_countries(lexeme.text)))
    if lexeme.scope == "tag":
        from .text import fold as fold_like_filters

        name = fold_like_filters(lexeme.text.strip().lstrip("#"))
        if not name:
            raise QueryError(f"tag: needs a tag after it, as in tag:{_SCOPE_EXAMPLE['tag']}.")
        return Tag(name)
    found = Words(tuple(words(lexeme.text)), exact=lexeme.quoted, field=lexeme.scope)
    if not found.words:
        if lexeme.scope or lexeme.quoted:
            raise QueryError(f"{lexeme.raw!r} has no words to search for.")
        return None
    if not found.exact and not found.content:
        return None  # `the`, `de la`: ignored, as they are not indexed; quoted they count
    return found


def parse_query(text: str) -> Query:
    """Parse the query language; raises QueryError with a message that says how to fix it.

    Words must all match; `"a phrase"` matches those words next to each other, as written
    (case and accents aside); `-word` excludes; `a OR b` matches either; `title:`, `tag:` and
    `country:` restrict a word (or phrase) to the title, the tags, or the bulletin's countries.
    """
    cleaned = unicodedata.normalize("NFC", text.translate(_QUOTES))
    lexemes = _lex(cleaned)
    if not lexemes:
        raise QueryError("The query is empty: give words to search for, e.g. whrd search mining.")
    groups: list[list[_Lexeme]] = []
    joining = False
    for lexeme in lexemes:
        if lexeme.is_or:
            if not groups or joining:
                raise QueryError('OR needs a word on each side, as in "mining OR minería".')
            joining = True
        elif joining:
            groups[-1].append(lexeme)
            joining = False
        else:
            groups.append([lexeme])
    if joining:
        raise QueryError('OR needs a word on each side, as in "mining OR minería".')

    clauses: list[tuple[Atom, ...]] = []
    excluded: list[Atom] = []
    ignored = False
    for group in groups:
        if len(group) > 1 and any(lexeme.negated for lexeme in group):
            shown = " OR ".join(lexeme.raw for lexeme in group)
            raise QueryError(
                f"An excluded word cannot be part of an OR ({shown!r}); exclude it on its own, "
                f'as in "mining -coal".'
            )
        atoms = [atom for atom in map(_atom, group) if atom is not None]
        ignored = ignored or len(atoms) < len(group)
        if not atoms:
            continue
        if group[0].negated:
            excluded.extend(atoms)
        else:
            clauses.append(tuple(dict.fromkeys(atoms)))
    shown = text.strip()
    if not clauses:
        if excluded:
            raise QueryError(
                f"The query {shown!r} only excludes words; add a word to search for, "
                f'as in "mothers -disappeared".'
            )
        if ignored and any(words(lexeme.text) for lexeme in lexemes):
            raise QueryError(
                f"The query {shown!r} has only very common words, which are not indexed; "
                f"quote them to find them as written: '\"{shown}\"'."
            )
        raise QueryError(f"The query {shown!r} has no words to search for.")
    return Query(text=shown, clauses=tuple(clauses), excluded=tuple(excluded))


# -- searching ------------------------------------------------------------------------------------


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


@dataclass
class _Group:
    """The bulletins of one language: positions in the corpus (None: all of them) and index strings."""

    positions: list[int] | None
    texts: list[str]


def field_lengths(text: str) -> tuple[int, int]:
    """Title and summary lengths of an index string, in words, as BM25F normalises them."""
    bar1 = text.find(_SEP)
    bar2 = text.find(_SEP, bar1 + 1)
    # A field " a b " has one space more than words.
    return text.count(" ", 0, bar1) - 1, text.count(" ", bar1 + 1, bar2) - 1


class Corpus:
    """What the ranking engine needs from the searched bulletins, at positions it chooses.

    Two kinds: `_Corpus` (stored dicts in memory, scanned string by string) and the SQLite
    index (`search_index`), which answers `scan` from FTS5 and loads only the candidates. The
    engine (`run`) gives both the same matching and the same scores.
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
            from .text import fold as fold_like_filters

            return any(fold_like_filters(tag) == atom.name for tag in self.tags(i))
        return not atom.codes.isdisjoint(self.countries(i))


def mean_lengths(count: int, title_words: int, summary_words: int) -> tuple[float, float]:
    """Mean title and summary lengths from totals; at least 1 (and 1 for an empty collection)."""
    if count <= 0:
        return 1.0, 1.0
    return max(title_words / count, 1.0), max(summary_words / count, 1.0)


class _Corpus(Corpus):
    """The searched bulletins as parallel lists, so that a scan is one tight loop over strings.

    At 100k bulletins the cost is in touching 100k dicts spread over memory: each is read once
    for its index string and once for its language, by C-level `map`, not a Python loop.
    Stored dicts normally carry no index string (it lives in the SQLite index beside the
    archive): it is computed here, the same way, and counted in `unindexed`.
    """

    def __init__(self, rows: Sequence[tuple[int, Mapping[str, Any]]]) -> None:
        super().__init__()
        self.rows = rows
        self._scanned: dict[Words, set[int]] = {}
        raws = list(map(itemgetter(1), rows))
        texts: list[Any] = _column(raws, INDEX_KEY)
        if not set(map(type, texts)) <= {str}:
            for i, text in enumerate(texts):
                if text.__class__ is not str:  # no derived data: index it now, the same way
                    texts[i] = _index_raw(raws[i])
                    self.unindexed += 1
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
                found = (i for i in found if texts[i].find(needle, 0, texts[i].find(_SEP)) >= 0)
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
    This searches in memory; `Archive.search` answers from the SQLite index when it is fresh.
    """
    return run(_Corpus(rows), query, limit=limit, count=count)


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
        bar1 = text.find(_SEP)
        bar2 = text.find(_SEP, bar1 + 1)
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


# -- highlighting ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Highlighted:
    """A piece of text and the (start, end) character spans of the matches in it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


@dataclass(frozen=True)
class Highlights:
    """What a result shows: the title, and the part of the summary around the best match."""

    title: Highlighted
    snippet: Highlighted


def match_spans(text: str, atoms: Iterable[Words], lang: str) -> tuple[tuple[int, int], ...]:
    """Spans of `text` (original, accented) covering each match of the atoms, merged and sorted.

    Matched as search matches: stems for plain words (common words skipped, as in the index),
    the folded words themselves for a quoted phrase.
    """
    tokens = words_with_spans(text)
    stem = stemmer(lang)
    content = [(start, end, stem(word)) for start, end, word in tokens if word not in STOP_WORDS]
    spans: list[tuple[int, int]] = []
    for atom in atoms:
        if atom.exact:
            seq, wanted = tokens, list(atom.words)
        else:
            seq, wanted = content, [stem(word) for word in atom.content]
        have = [word for _s, _e, word in seq]
        size = len(wanted)
        for j in range(len(seq) - size + 1) if size else ():
            if have[j : j + size] == wanted:
                spans.append((seq[j][0], seq[j + size - 1][1]))
    return _merge(spans)


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def highlight(query: Query, raw: Mapping[str, Any], *, width: int = SNIPPET_WIDTH) -> Highlights:
    """The title and a snippet of the summary around its best match, with the matches' spans."""
    atoms = query.positive_words
    lang = lang_of(raw)
    title = raw.get("title") or ""
    summary = raw.get("summary") or ""
    title_spans = match_spans(title, atoms, lang)
    summary_spans = match_spans(summary, [a for a in atoms if a.field is None], lang)
    return Highlights(Highlighted(title, title_spans), snippet(summary, summary_spans, width=width))


def snippet(text: str, spans: Sequence[tuple[int, int]], *, width: int = SNIPPET_WIDTH) -> Highlighted:
    """About `width` characters of `text` around its densest run of matches, cut on word
    boundaries and marked `…` where cut; the spans are moved to the snippet's own offsets."""
    flat = text.replace("\r", " ").replace("\n", " ")  # same length: spans stay valid
    if len(flat) <= width:
        return Highlighted(flat, tuple(spans))
    start = max(0, _densest(spans, width) - width // 5) if spans else 0
    if start:
        space = flat.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else 0
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start + 1, end + 1)
        if space > start:
            end = space
    body = flat[start:end]
    stripped = body.lstrip()
    start += len(body) - len(stripped)
    body = stripped.rstrip()
    end = start + len(body)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(flat) else ""
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return Highlighted(prefix + body + suffix, inside)


def _densest(spans: Sequence[tuple[int, int]], width: int) -> int:
    """Start of the match whose window (a fifth before it, the rest after) holds most matches."""
    lead = width // 5

    def inside(anchor: int) -> int:
        low = anchor - lead
        return sum(1 for start, end in spans if low <= start and end <= low + width)

    best = max(range(len(spans)), key=lambda k: (inside(spans[k][0]), -k))
    return spans[best][0]
