"""The last hostile review's leftovers, 1: an empty filter value (`-k ''`, `--since=`) is a usage
error on every command that filters, the same for every filter, in the user's language; it never
means "no filter" for some options and an error for others."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.conftest import Run

FILTERS = ("-k", "--category", "-c", "--country", "-t", "--tag", "-l", "--lang", "--since", "--until")
NAMES = {  # how Click names each option in its message
    **dict.fromkeys(("-k", "--category"), "'--category' / '-k'"),
    **dict.fromkeys(("-c", "--country"), "'--country' / '-c'"),
    **dict.fromkeys(("-t", "--tag"), "'--tag' / '-t'"),
    **dict.fromkeys(("-l", "--lang"), "'--lang' / '-l'"),
    "--since": "'--since'",
    "--until": "'--until'",
}
COMMANDS = (("list",), ("search", "radio"), ("export", "-o", "-"), ("stats",))


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.fixture
def archive(run: Run, db: Path) -> Path:
    run.ok("add", "--title", "Community radio turns three", "--date", "2017-01-26", "-c", "HN", "-k", "news")
    return db


# '#' is empty only as a tag or category (where `#WHRDAlert` may start with it).
CASES = [
    (option, value)
    for option in FILTERS
    for value in ("", "  ", "#")
    if value != "#" or option in ("-t", "--tag", "-k", "--category")
]


@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: c[0])
@pytest.mark.parametrize(("option", "value"), CASES)
def test_an_empty_filter_is_a_usage_error_everywhere(
    run: Run, archive: Path, command: tuple[str, ...], option: str, value: str
) -> None:
    before = _digest(archive)
    result = run(*command, option, value)
    assert result.exit_code == 2, (result.stdout, result.stderr)
    assert result.stdout == ""
    shown = NAMES[option]
    assert result.stderr == (
        f"Error: Invalid value for {shown}: it is empty: give a value, or leave the option out "
        f"(see 'whrd {command[0]} --help').\n"
    )
    assert _digest(archive) == before


def test_spanish_an_empty_category_is_refused_in_spanish(run: Run, archive: Path) -> None:
    result = run("list", "-k", "", env={"WHRD_LANG": "es"})
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: Valor no válido para '--category' / '-k': está vacío: indique un valor u omita la "
        "opción (vea 'whrd list --help').\n"
    )


def test_spanish_an_empty_country_is_the_same_error_as_an_empty_category(run: Run, archive: Path) -> None:
    result = run("stats", "--country=", env={"WHRD_LANG": "es"})
    assert result.exit_code == 2
    assert "'--country' / '-c': está vacío" in result.stderr


def test_an_empty_value_among_good_ones_is_still_refused(run: Run, archive: Path) -> None:
    result = run("list", "-k", "news", "-k", "")
    assert result.exit_code == 2
    assert "'--category' / '-k': it is empty" in result.stderr


def test_real_filter_values_still_filter(run: Run, archive: Path) -> None:
    assert [b["title"] for b in run.json("list", "-k", "NOTICIAS", "-t", "#x", "-c", "HN")] == []
    assert len(run.json("list", "-k", "NOTICIAS", "-c", "Honduras", "--since", "2017")) == 1


def test_a_hash_alone_is_empty_only_where_a_hash_may_start_the_value(run: Run, archive: Path) -> None:
    result = run("list", "-c", "#")
    assert result.exit_code == 1 and result.stderr.startswith("Error: Unknown country '#'.")
