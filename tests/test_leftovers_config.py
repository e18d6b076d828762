"""The last hostile review's leftovers, 3 and 7: `config set locale` takes the language names a
person types (español, castellano, inglés, english) and stores the code; a broken config file is
reported the same way whether stdout is a terminal or a pipe, with --db or without."""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import Run

ES = {"WHRD_LANG": "es"}


# -- 3. config set locale takes a language's name ------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        ("español", "es"),
        ("Español", "es"),
        ("ESPANOL", "es"),
        ("castellano", "es"),
        ("Spanish", "es"),
        ("inglés", "en"),
        ("Ingles", "en"),
        ("english", "en"),
        ("ENGLISH", "en"),
        ("es_MX", "es"),
    ],
)
def test_config_set_locale_takes_a_language_name_and_stores_its_code(
    run: Run, tmp_path: Path, typed: str, code: str
) -> None:
    result = run("config", "set", "locale", typed)
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "config.toml").read_text() == f'locale = "{code}"\n'
    assert run("config", "get", "locale").stdout == f"{code}\n"


@pytest.mark.parametrize("typed", ["français", "klingon", "e", "spanglish", "es es"])
def test_config_set_locale_refuses_anything_else_naming_what_it_takes(
    run: Run, tmp_path: Path, typed: str
) -> None:
    result = run("config", "set", "locale", typed)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: locale takes en or es (or a name: español, castellano, spanish, inglés, english), "
        f"not {typed!r}.\n"
    )
    assert not (tmp_path / "config.toml").exists()


def test_spanish_config_set_locale_refuses_in_spanish(run: Run, tmp_path: Path) -> None:
    result = run("config", "set", "locale", "francés", env=ES)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: locale admite en o es (o un nombre: español, castellano, spanish, inglés, english), "
        "no 'francés'.\n"
    )


def test_a_language_name_in_a_hand_edited_config_file_is_read_too(run: Run, tmp_path: Path) -> None:
    (tmp_path / "config.toml").write_text('locale = "Español"\n')
    result = run("list", "--limit", "x")
    assert result.stderr.startswith("Error: Valor no válido para '--limit'")
