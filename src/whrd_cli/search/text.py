"""Search text: the words of a text, their stems, and the index string of one bulletin.

Guarantees:
- text and query are split the same way: `fold` (case and accents), then words (`\\w+`), then
  the Snowball stemmer of the bulletin's language (English, Spanish; other languages keep their
  folded words), so `defensora` and `defensoras`, `mining` and `mines` share a stem (and, by
  one light Spanish rule, `minería` and `minera`);
- the very common words of both languages (`STOP_WORDS`: the, of, de, la, y…) are not indexed;
- a bulletin's index string is " title stems | summary stems | tag stems " (`join_parts`): the
  same string whether it is computed in memory or read back from the SQLite index;
- word spans are character offsets into the original, accented text.

Importing this module is cheap: a stemmer is loaded on first use, and only that language's.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from functools import cache, lru_cache
from itertools import filterfalse
from typing import Any

from ..records import lang_of
from ..text import fold

# Stored layout: " <title stems> | <summary stems> | <tag stems> ". Tokens never contain a space
# or "|", so a needle " a b " can only match whole, adjacent tokens inside one field.
SEP = "|"

STEMMERS = {"en": "english", "es": "spanish"}

# Function words of English and Spanish (folded), and single letters: about a quarter of all
# text, almost no meaning on their own. Leaving them out makes the index smaller and every
# scan shorter. One list for both languages, so a word is either searchable everywhere or nowhere.
_STOP_TEXT = """
a b c d e f g h i j k l m n o p q r s t u v w x y z
an the and or of to in on at by for with from as is are was were be been
that this these those their its it has have had which who
el la los las lo un una unos unas del al de en que por para con se su sus
es son fue ha han como le les sobre entre desde
"""
STOP_WORDS = frozenset(_STOP_TEXT.split())

_WORD = re.compile(r"\w+")
# Accents and other combining marks of the Latin, Greek and Cyrillic scripts (after NFKD).
_MARKS = "\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f"
# A word in original text, its accents included, so its span covers the whole written word.
_TEXT_WORD = re.compile(f"[\\w{_MARKS}]+")


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
    snowball: Callable[[str], str] = _compiled(name) or _snowball(name).stemWord
    # Vocabulary is Zipfian: a modest cache answers almost every word after the first thousand.
    return lru_cache(maxsize=1 << 16)(_spanish_stem(snowball) if lang == "es" else snowball)


def _compiled(name: str) -> Callable[[str], str] | None:
    """Snowball's C stemmer (PyStemmer), ~100x the pure-Python one: the first index of an archive
    stems each distinct word once, ~0.15 s of a 10,000-bulletin import in Python. The same
    algorithms give the same stems (a test compares both over thousands of words); None where
    PyStemmer is not installed, and the pure-Python one is used."""
    try:
        import Stemmer
    except ImportError:
        return None
    stem: Callable[[str], str] = Stemmer.Stemmer(name).stemWord
    return stem


def _spanish_stem(snowball: Callable[[str], str]) -> Callable[[str], str]:
    """Snowball's Spanish stems, with the `-i` that `-ía`/`-ería` leave dropped from stems of six
    letters or more: `minería` (folded `mineria` → `mineri`) and `minera` (`miner`) then share
    `miner`, `defensoría` and `defensora` share `defensor`, `alegría` and `alegre` `alegr`.
    Shorter stems keep it, so `María` (`mari`) never becomes `mar` (the sea)."""

    def stem(word: str) -> str:
        found = snowball(word)
        return found[:-1] if len(found) >= 6 and found.endswith("i") else found

    return stem


_PRIVATE_PACKAGE = "_whrd_snowball"


def _snowball(name: str) -> Any:
    """One Snowball stemmer, loaded alone.

    `import snowballstemmer` runs a package `__init__` that imports all ~36 languages (~11 ms,
    about a tenth of a search at 10,000 bulletins, and paid by every `whrd add`), and Python
    runs that `__init__` before any of its modules, `snowballstemmer.spanish_stemmer` included.
    So the same files are imported under a private package name whose `__init__` is empty; the
    real package stays untouched for anyone else. Any surprise in its layout falls back to the
    public API (tests check that both give the same stems).
    """
    import importlib
    import importlib.machinery
    import importlib.util
    import sys

    try:
        if _PRIVATE_PACKAGE not in sys.modules:
            real = importlib.util.find_spec("snowballstemmer")
            if real is None or not real.submodule_search_locations:
                raise ImportError("snowballstemmer")
            spec = importlib.machinery.ModuleSpec(_PRIVATE_PACKAGE, None, is_package=True)
            spec.submodule_search_locations = list(real.submodule_search_locations)
            sys.modules[_PRIVATE_PACKAGE] = importlib.util.module_from_spec(spec)
        module = importlib.import_module(f"{_PRIVATE_PACKAGE}.{name}_stemmer")
        return getattr(module, f"{name.capitalize()}Stemmer")()
    except (ImportError, AttributeError):
        import snowballstemmer

        return snowballstemmer.stemmer(name)


class _ChunkStems(dict[str, str]):
    """Whitespace-separated chunk of raw text -> its indexed stems, space-separated ("" for none).

    A corpus repeats its chunks (`defensoras`, `territorio.`) far more than it has distinct ones,
    so each is folded, split and stemmed once: the index of 100,000 bulletins then costs a dict
    lookup per chunk instead of a fold, a regex and a stem per word. Same result as the text as a
    whole: `fold` works character by character and no whitespace character folds to anything
    holding a word character (tests check every code point), so no word spans two chunks."""

    __slots__ = ("_stem",)
    _MAX = 1 << 18  # distinct chunks kept; then the cache starts again (memory stays bounded)

    def __init__(self, lang: str) -> None:
        super().__init__()
        self._stem = stemmer(lang)

    def __missing__(self, chunk: str) -> str:
        if len(self) >= self._MAX:
            self.clear()
        found = self[chunk] = " ".join(map(self._stem, filterfalse(STOP_WORDS.__contains__, words(chunk))))
        return found


@cache
def _chunk_stems(lang: str) -> _ChunkStems:
    return _ChunkStems(lang)


def stems_of(text: str, lang: str) -> str:
    """The indexed stems of a text in a language, space-separated: its words but the common
    ones (`STOP_WORDS`), each stemmed."""
    return " ".join(filter(None, map(_chunk_stems(lang).__getitem__, text.split())))


def index_parts(title: str, summary: str, tags: Iterable[str], lang: str) -> tuple[str, str, str]:
    """The stems of the title, the summary and the tags, each field space-separated."""
    return stems_of(title, lang), stems_of(summary, lang), stems_of(" ".join(tags), lang)


def raw_parts(raw: Mapping[str, Any]) -> tuple[str, str, str]:
    """`index_parts` of a stored dict."""
    return index_parts(raw.get("title") or "", raw.get("summary") or "", raw.get("tags") or (), lang_of(raw))


def join_parts(title: str, summary: str, tags: str) -> str:
    """The index string of one bulletin from its three stemmed fields (see `SEP`)."""
    return f" {title} {SEP} {summary} {SEP} {tags} "


def index_text(title: str, summary: str, tags: Iterable[str], lang: str) -> str:
    """The index string of one bulletin (see `SEP` for its layout)."""
    return join_parts(*index_parts(title, summary, tags, lang))


def field_lengths(text: str) -> tuple[int, int]:
    """Title and summary lengths of an index string, in words, as BM25F normalises them."""
    bar1 = text.find(SEP)
    bar2 = text.find(SEP, bar1 + 1)
    # A field " a b " has one space more than words.
    return text.count(" ", 0, bar1) - 1, text.count(" ", bar1 + 1, bar2) - 1
