"""The one table of localised words: every word in both languages with the same placeholders, every
key the code asks for in the table and no word left unused, and English for a locale whrd lacks."""

from __future__ import annotations

import re
import string
from pathlib import Path
from typing import Any

import pytest
from msgspec.structs import fields

from conftest import Run
from whrd_cli import stats
from whrd_cli.choices import locale_code
from whrd_cli.digest.labels import Labels, labels
from whrd_cli.errors import InputError
from whrd_cli.i18n import WORDS, word

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
    assert locale_code("es") == "es"
    with pytest.raises(InputError, match=r"^Unknown locale 'fr'\. Valid locales: en, es\.$"):
        locale_code("fr")


# -- the interface's language ----------------------------------------------------------------------

from whrd_cli import i18n  # noqa: E402
from whrd_cli.cli.localize import click_message  # noqa: E402


@pytest.mark.parametrize(
    ("environ", "configured", "expected"),
    [
        ({}, None, "en"),
        ({"LANG": "es_MX.UTF-8"}, None, "es"),
        ({"LANG": "es_HN"}, None, "es"),
        ({"LANG": "C.UTF-8"}, None, "en"),
        ({"LANG": "fr_FR.UTF-8"}, None, "en"),
        ({"LC_ALL": "es_GT.UTF-8", "LANG": "en_US.UTF-8"}, None, "es"),  # LC_ALL beats LANG
        ({"LC_MESSAGES": "en_US.UTF-8", "LANG": "es_SV.UTF-8"}, None, "en"),
        ({"LANGUAGE": "fr:es_NI:en", "LANG": "en_US.UTF-8"}, None, "es"),  # first one whrd speaks
        ({"LANGUAGE": "fr", "LANG": "es_MX.UTF-8"}, None, "es"),  # none spoken: the next variable
        ({"LANG": "es_MX.UTF-8"}, "en", "en"),  # the config file beats the system
        ({"WHRD_LANG": "es", "LANG": "en_US.UTF-8"}, "en", "es"),  # WHRD_LANG beats both
        ({"WHRD_LANG": "es-419"}, None, "es"),
        ({"WHRD_LANG": " EN "}, None, "en"),
    ],
)
def test_the_interface_language_is_chosen_in_order(
    environ: dict[str, str], configured: str | None, expected: str
) -> None:
    assert i18n.choose(environ, configured) == expected


@pytest.mark.parametrize("value", ["fr", "francés", "e", "xx_ES"])
def test_a_language_asked_for_by_name_that_whrd_does_not_speak_is_an_error(value: str) -> None:
    with pytest.raises(InputError, match="WHRD_LANG must be en or es"):
        i18n.choose({"WHRD_LANG": value})


def test_activate_switches_the_catalog_both_ways() -> None:
    try:
        i18n.activate("es")
        assert i18n.language() == "es"
        assert i18n._("Show this message and exit.") == "Mostrar este mensaje y salir."
        assert i18n._("a message the catalog does not have") == "a message the catalog does not have"
        i18n.activate("en")
        assert i18n._("Show this message and exit.") == "Show this message and exit."
    finally:
        i18n.activate("en")


@pytest.mark.parametrize(
    ("value", "en", "es"),
    [(0, "0", "0"), (999, "999", "999"), (1234, "1,234", "1.234"), (1234567, "1,234,567", "1.234.567")],
)
def test_numbers_as_each_language_writes_them(value: int, en: str, es: str) -> None:
    assert (i18n.number(value, "en"), i18n.number(value, "es")) == (en, es)


def test_shares_as_each_language_writes_them() -> None:
    assert (i18n.percent(40.94, "en"), i18n.percent(40.94, "es")) == ("40.9%", "40,9 %")
    assert i18n.percent(100, "es") == "100,0 %"


@pytest.mark.parametrize(
    ("english", "spanish"),
    [
        ("No such option: --frob", "No existe la opción: --frob"),
        ("Missing argument 'ID'.", "Falta el argumento 'ID'."),
        (
            "Invalid value for '--limit' / '-n': 'x' is not a valid int range.",
            "Valor no válido para '--limit' / '-n': 'x' no es un número entero válido.",
        ),
        (
            "Invalid value for '--limit': 0 is not in the range 1<=x<=10.",
            "Valor no válido para '--limit': 0 no está en el intervalo 1<=x<=10.",
        ),
        ("Option '--since' requires an argument.", "La opción '--since' necesita un valor."),
        ("Got unexpected extra argument(s) (a b)", "Sobran argumentos (a b)"),
        ("Something whrd itself says.", "Something whrd itself says."),  # not Click's: unchanged
    ],
)
def test_clicks_messages_in_spanish(english: str, spanish: str) -> None:
    try:
        i18n.activate("es")
        assert click_message(english) == spanish
    finally:
        i18n.activate("en")
    assert click_message(english) == english


def test_a_run_speaks_the_language_of_its_environment(run: Any) -> None:
    spanish = run("list", "--limit", "x", env={"WHRD_LANG": "es"})
    english = run("list", "--limit", "x")
    assert spanish.exit_code == english.exit_code == 2
    assert spanish.stderr.startswith("Error: Valor no válido para '--limit'")
    assert english.stderr.startswith("Error: Invalid value for '--limit'")
    assert run("list", "--limit", "x", env={"LANG": "es_MX.UTF-8"}).stderr == spanish.stderr


def test_a_bad_whrd_lang_is_one_line_in_both_languages(run: Any) -> None:
    result = run("list", env={"WHRD_LANG": "klingon"})
    assert result.exit_code == 1
    names = "español, castellano, spanish, inglés, english"
    assert result.stderr == (
        f"Error: WHRD_LANG must be en or es (or a name: {names}), not 'klingon'. / "
        f"WHRD_LANG debe ser en o es (o un nombre: {names}), no 'klingon'.\n"
    )


def test_the_config_files_locale_is_the_interfaces(run: Any, tmp_path: Path) -> None:
    import os

    Path(os.environ["WHRD_CONFIG"]).write_text('locale = "es"\n', encoding="utf-8")
    assert run("list", "--limit", "x").stderr.startswith("Error: Valor no válido")
    assert run("list", "--limit", "x", env={"WHRD_LANG": "en"}).stderr.startswith("Error: Invalid value")


def test_help_paragraphs_are_unwrapped_but_blocks_and_examples_kept() -> None:
    from whrd_cli.cli.localize import unwrap

    text = "One sentence\nwrapped here.\n\n\b\nExamples:\n  whrd a\n  whrd b\n\nA list:\n  - one\n  - two"
    assert unwrap(text) == (
        "One sentence wrapped here.\n\n\b\nExamples:\n  whrd a\n  whrd b\n\nA list:\n  - one\n  - two"
    )


def test_a_spanish_argument_type_leaves_clicks_shared_types_alone() -> None:
    import importlib

    import typer.main

    from whrd_cli.cli.localize import localize

    module = importlib.import_module("whrd_cli.cli.browse")
    try:
        i18n.activate("es")
        command = localize(typer.main.get_group(module.app).commands["show"])
        (argument,) = [p for p in command.params if p.param_type_name == "argument"]
        assert argument.type.name == "entero"
        fresh = typer.main.get_group(module.app).commands["show"]
        (again,) = [p for p in fresh.params if p.param_type_name == "argument"]
        assert again.type.name == "int"  # the shared type kept its English name
    finally:
        i18n.activate("en")


def test_an_argument_of_the_wrong_type_is_said_whole_in_spanish(
    run: Run, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The argument's type word is Spanish in the help (`<entero>`), but Click words its error
    with the type's name: that name stays English there, so the catalog translates the line."""
    monkeypatch.setenv("WHRD_LANG", "es")
    result = run("show", "abc")
    assert result.exit_code == 2
    assert (
        result.stderr
        == "Error: Valor no válido para 'ID': 'abc' no es un número entero válido (vea 'whrd show --help').\n"
    )
