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


# -- 7. a broken config file is reported the same way, with --db or not, to a terminal or a pipe -------

BROKEN = {
    "not TOML": ('locale = "es\n', "is not valid TOML"),
    "unknown key": ("colour = 1\n", "has an unknown key 'colour'"),
    "bad value": ("[list]\nlimit = 0\n", "list.limit takes a whole number from 1 to"),
}
COMMANDS = (("list",), ("show", "1"), ("stats",), ("search", "radio"), ("tags",), ("export", "-o", "-"))


def _one_error_line(stderr: str, config: Path, said: str) -> None:
    assert stderr.count("\n") == 1 and stderr.startswith("Error: "), stderr
    assert str(config) in stderr and said in stderr, stderr


@pytest.mark.parametrize("broken", BROKEN, ids=str)
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize("terminal", [False, True], ids=["pipe", "terminal"])
def test_a_broken_config_stops_every_command_given_db_whatever_stdout_is(
    run: Run,
    db: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    broken: str,
    command: tuple[str, ...],
    terminal: bool,
) -> None:
    run.ok("add", "--title", "Radio turns three", "--date", "2017-01-26", "-c", "HN")
    text, said = BROKEN[broken]
    config = tmp_path / "config.toml"
    config.write_text(text)
    if terminal:
        monkeypatch.setattr("whrd_cli.cli.common.is_terminal", lambda: True)
    before = db.read_bytes()
    with_db = run("--db", str(db), *command)
    without = run(*command)  # WHRD_DB names the same archive
    for result in (with_db, without):
        assert result.exit_code == 1, (result.stdout, result.stderr)
        assert result.stdout == ""
        _one_error_line(result.stderr, config, said)
    assert with_db.stderr == without.stderr
    assert db.read_bytes() == before


def test_spanish_a_broken_config_with_db_to_a_pipe_is_said_in_spanish(
    run: Run, db: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("colour = 1\n")
    result = run("--db", str(db), "list", env=ES)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: El archivo de configuración {config} tiene una clave desconocida"
    )
    assert result.stderr.count("\n") == 1


def test_config_still_works_with_db_and_a_broken_config_to_mend_it(
    run: Run, db: Path, tmp_path: Path
) -> None:
    config = tmp_path / "config.toml"
    config.write_text("colour = 1\n")
    assert run.ok("--db", str(db), "config", "path").stdout == f"{config}\n"
    run.ok("--db", str(db), "config", "unset", "colour")
    assert config.read_text() == ""
    assert run.ok("--db", str(db), "list").stdout == ""
