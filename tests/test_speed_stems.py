"""The search index's stems computed per whitespace chunk, each distinct chunk once (issue 14):
the same stems as folding, splitting and stemming the text as a whole, for any text.

The oracle is the definition itself (fold the whole text, split it into `\\w+` words, drop the
common words, stem each word), written out here without the chunk cache."""

from __future__ import annotations

import re
import sys
import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whrd_cli.search.text import _WORD, STOP_WORDS, index_parts, stemmer, stems_of
from whrd_cli.text import fold

SPACES = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]


def _oracle(text: str, lang: str) -> str:
    stem = stemmer(lang)
    return " ".join(stem(word) for word in _WORD.findall(fold(text)) if word not in STOP_WORDS)


def test_no_whitespace_character_folds_into_a_word_or_moves_a_mark() -> None:
    """Why chunks may be folded apart: every character `str.split` splits on folds to no word
    character, is a starter (NFKD never reorders a mark across it) and decomposes to starters."""
    assert len(SPACES) > 20
    for char in SPACES:
        assert not _WORD.search(fold(char)), hex(ord(char))
        assert fold(char), hex(ord(char))
        assert unicodedata.combining(char) == 0, hex(ord(char))
        assert all(unicodedata.combining(c) == 0 for c in unicodedata.normalize("NFKD", char))


# Words, accents and marks (also as the first character of a chunk), every kind of space,
# punctuation stuck to words, ligatures and fractions that NFKD splits, Greek and Turkish cases.
_PIECES = st.sampled_from(
    [
        "defensoras",
        "Defensora",
        "territorio.",
        "MINERÍA",
        "minería,",
        "mining",
        "mines",
        "the",
        "de",
        "la",
        "Ñandú",
        "\u0301",
        "e\u0301",
        "\u0316\u0301",
        "ﬁnal",
        "½",
        "İstanbul",
        "ΣΊΣΥΦΟΣ",
        "straße",
        "«",
        "—",
        "¿qué?",
        "x_y",
        "2024",
        "a",
        "",
    ]
)
_TEXT = st.lists(st.one_of(_PIECES, st.sampled_from(SPACES), st.text(max_size=4)), max_size=30).map("".join)


@settings(max_examples=400, deadline=None)
@given(_TEXT, st.sampled_from(["en", "es", "fr"]))
def test_chunked_stems_equal_the_whole_text_stems(text: str, lang: str) -> None:
    assert stems_of(text, lang) == _oracle(text, lang)
    assert stems_of(text, lang) == _oracle(text, lang)  # from the cache, the second time


@settings(max_examples=100, deadline=None)
@given(st.text(), st.text(), st.lists(st.text(max_size=8), max_size=4), st.sampled_from(["en", "es", "xx"]))
def test_index_parts_per_field(title: str, summary: str, tags: list[str], lang: str) -> None:
    assert index_parts(title, summary, tags, lang) == (
        _oracle(title, lang),
        _oracle(summary, lang),
        _oracle(" ".join(tags), lang),
    )


@pytest.mark.parametrize(
    ("text", "lang", "expected"),
    [
        ("Defensoras del territorio, amenazadas.", "es", "defensor territor amenaz"),
        ("The miners' community\u00a0radio", "en", "miner communiti radio"),
        ("Homenaje a\u2003María", "es", "homenaj mari"),
    ],
)
def test_known_stems(text: str, lang: str, expected: str) -> None:
    assert stems_of(text, lang) == expected


def _vocabulary() -> set[str]:
    """Every folded word of the sample data and the test corpora, and every ending Snowball's
    Spanish and English rules look at, on a few stems."""
    from pathlib import Path

    from whrd_cli.search.text import words

    found: set[str] = set()
    root = Path(__file__).resolve().parents[1]
    for path in [*(root / "data").glob("*"), *(root / "tests").glob("*.py")]:
        if path.is_file():
            found.update(words(path.read_text(encoding="utf-8", errors="ignore")))
    endings = re.findall(
        r"\S+",
        "a o as os es ía ías ería erías ción ciones mente amente idad idades ando iendo ar er ir aba "
        "aban ara aran ase asen aría arían ería erían iría irían ado ada ados adas ido ida idos idas "
        "s ing ed ly ness ful less ation ational izer ization iveness fulness ousness ies ied eed ent",
    )
    for stem in ("defens", "miner", "territori", "comun", "organiz", "protec", "nation", "hop", "run"):
        found.update(fold(stem + ending) for ending in endings)
    return found


@pytest.mark.parametrize("name", ["english", "spanish"])
def test_the_c_stemmer_stems_as_the_python_one(name: str) -> None:
    """PyStemmer (used when installed) and snowballstemmer (the reference) give the same stems."""
    from whrd_cli.search.text import _compiled, _snowball

    compiled = _compiled(name)
    if compiled is None:
        pytest.skip("PyStemmer is not installed: the Python stemmer is the only one used")
    reference = _snowball(name).stemWord
    vocabulary = sorted(_vocabulary())
    assert len(vocabulary) > 3000
    assert [w for w in vocabulary if compiled(w) != reference(w)] == []
