"""The one table of localised words: every word in both languages with the same placeholders, every
key the code asks for in the table and no word left unused, and English for a locale whrd lacks."""

from __future__ import annotations

import re
import string
from dataclasses import fields
from pathlib import Path

import pytest

from whrd_cli import stats
from whrd_cli.digest.labels import Labels, labels
from whrd_cli.errors import InputError
from whrd_cli.i18n import WORDS, check_locale, word

SRC = Path(__file__).resolve().parents[1] / "src" / "whrd_cli"


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


@pytest.mark.parametrize("key", sorted(WORDS))
def test_every_word_in_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = WORDS[key]
    assert entry.en.strip() and entry.es.strip()
    assert _placeholders(entry.en) == _placeholders(entry.es)


def test_the_keys_the_code_names_are_the_table() -> None:
    named: set[str] = set()
    for path in SRC.rglob("*.py"):
        named |= set(re.findall(r'\bword\(\s*"([^"]+)"', path.read_text(encoding="utf-8")))
    assert len(named) > 10  # the scan found the calls
    # Keys put together at run time: every label, a dimension's name, the plural of a note.
    composed = {f"digest.{f.name}" for f in fields(Labels)} | {f"stats.{by}" for by in stats.DIMENSIONS}
    composed |= {"stats.plural_country", "stats.plural_tag"}
    assert named | composed == set(WORDS)


def test_spanish_and_english_for_an_unknown_locale() -> None:
    assert word("digest.link", "es") == "Leer más"
    assert word("digest.link", "fr") == "Read more"
    assert labels("es").no_country == "Sin país" and labels("en").no_country == "No country"
    with pytest.raises(KeyError):
        word("digest.nothing", "en")


def test_an_unknown_locale_is_refused_by_name() -> None:
    assert check_locale("es") == "es"
    with pytest.raises(InputError, match=r"^Unknown locale 'fr'\. Valid locales: en, es\.$"):
        check_locale("fr")
