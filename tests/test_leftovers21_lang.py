"""Leftover 1 of the 21st session: `WHRD_LANG` takes the language names `config set locale` takes
(español, espanol, castellano, spanish, inglés, ingles, english; any case), read through the one
table of names, and still refuses anything else with one bilingual line; the system's variables
(`LANGUAGE`, `LC_ALL`, `LC_MESSAGES`, `LANG`) are read as before."""

from __future__ import annotations

import json

import pytest
from tests.conftest import Run

# The oracle: what a person types, and the language it names, written out by hand.
NAMES = [
    ("español", "es"),
    ("Español", "es"),
    ("ESPAÑOL", "es"),
    ("espanol", "es"),
    ("castellano", "es"),
    ("Castellano", "es"),
    ("spanish", "es"),
    ("Spanish", "es"),
    (" español ", "es"),
    ("inglés", "en"),
    ("INGLÉS", "en"),
    ("ingles", "en"),
    ("english", "en"),
    ("English", "en"),
]


@pytest.mark.parametrize(("typed", "code"), NAMES)
def test_whrd_lang_takes_a_language_name(run: Run, typed: str, code: str) -> None:
    result = run("list", "--help", env={"WHRD_LANG": typed, "LANG": "fr_FR.UTF-8"})
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("Uso: whrd list" if code == "es" else "Usage: whrd list")


@pytest.mark.parametrize(("typed", "code"), NAMES)
def test_config_list_shows_the_code_a_named_whrd_lang_gives(run: Run, typed: str, code: str) -> None:
    result = run("config", "list", "--json", env={"WHRD_LANG": typed})
    assert result.exit_code == 0, result.stderr
    assert json.loads(result.stdout)["locale"] == {"value": code, "source": "env", "env": "WHRD_LANG"}


def test_whrd_lang_beats_the_config_file_by_name_too(run: Run) -> None:
    run.ok("config", "set", "locale", "es")
    assert run("list", "--help", env={"WHRD_LANG": "Inglés"}).stdout.startswith("Usage: whrd list")
    run.ok("config", "set", "locale", "en")
    assert run("list", "--help", env={"WHRD_LANG": "castellano"}).stdout.startswith("Uso: whrd list")


NAMES_SHOWN = "español, castellano, spanish, inglés, english"


@pytest.mark.parametrize("typed", ["fr", "francés", "e", "xx_ES", "spanglish", "españo", "es es"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_anything_else_is_still_one_bilingual_line(run: Run, typed: str, lang: str) -> None:
    # The line is in both languages (the language is what could not be read), whatever LANG says.
    locale = {"en": "en_US.UTF-8", "es": "es_MX.UTF-8"}[lang]
    result = run("list", env={"WHRD_LANG": typed, "LANG": locale})
    assert result.exit_code == 1
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: WHRD_LANG must be en or es (or a name: {NAMES_SHOWN}), not {typed!r}. / "
        f"WHRD_LANG debe ser en o es (o un nombre: {NAMES_SHOWN}), no {typed!r}.\n"
    )


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"LANG": "es_MX.UTF-8"}, "Uso: "),
        ({"LC_ALL": "es_GT.UTF-8", "LANG": "en_US.UTF-8"}, "Uso: "),
        ({"LC_ALL": "en_US.UTF-8", "LANG": "es_GT.UTF-8"}, "Usage: "),
        ({"LANGUAGE": "fr:es_NI", "LANG": "en_US.UTF-8"}, "Uso: "),
        # The system's variables take locale names, not language names: as before, English.
        ({"LANG": "spanish"}, "Usage: "),
        ({"LC_ALL": "español", "LANG": "es_MX.UTF-8"}, "Usage: "),
        ({"LANG": "C.UTF-8"}, "Usage: "),
        ({"WHRD_LANG": "", "LANG": "es_SV.UTF-8"}, "Uso: "),  # an empty WHRD_LANG is unset
    ],
)
def test_the_system_variables_are_read_as_before(run: Run, environ: dict[str, str], expected: str) -> None:
    result = run("list", "--help", env=environ)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith(expected)
