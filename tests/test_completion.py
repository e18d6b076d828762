"""Shell completion of option values (issue 12, item 22): countries, categories, formats, tags and
ids are offered, not file names. Run as the shell runs it: `whrd` with bash's completion
variables, in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

SRC = str(Path(__file__).resolve().parents[1] / "src")


def complete(line: str, db: Path, lang: str = "en") -> list[str]:
    """What bash would offer for the last word of `line` (empty when the line ends in a space)."""
    words = line.split(" ")
    env = {
        **os.environ,
        "WHRD_LANG": lang,
        "PYTHONPATH": SRC,
        "WHRD_DB": str(db),
        "_WHRD_COMPLETE": "complete_bash",
        "COMP_WORDS": line,
        "COMP_CWORD": str(len(words) - 1),
    }
    out = subprocess.run(
        [sys.executable, "-m", "whrd_cli"], env=env, capture_output=True, text=True, check=True
    ).stdout
    return [line for line in out.splitlines() if line]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("whrd list --country Hon", ["Hong Kong", "Honduras"]),
        ("whrd list -c HN", ["HN"]),
        ("whrd list -c Méx", ["México"]),  # Typer keeps values that start with what was typed
        ("whrd list -c Mex", ["Mexico"]),
        ("whrd list --country Centro", ["Centroamérica"]),
        ("whrd add --category op", ["open-letter"]),
        ("whrd stats -k a", ["alert"]),
        ("whrd export --format j", ["json", "jsonl"]),
        ("whrd export -f ", ["md", "html", "listing", "json", "jsonl", "csv", "atom"]),
        # The choice options, `config` keys and `help`'s commands (a shell used to offer file names)
        ("whrd list --sort ", ["date", "added", "title"]),
        ("whrd stats --by ", ["country", "category", "lang", "tag", "year", "month"]),
        ("whrd stats --locale ", ["en", "es"]),
        ("whrd export --group-by ", ["none", "country", "month", "category", "thread"]),
        ("whrd export --locale e", ["en", "es"]),
        ("whrd config get ", ["locale", "db", "editor", "export.format", "export.base_url", "list.limit"]),
        ("whrd config set ex", ["export.format", "export.base_url"]),
        ("whrd help st", ["stats"]),
        ("whrd help li", ["link", "list"]),
    ],
)
def test_values_come_from_whrds_tables(line: str, expected: list[str], db: Path) -> None:
    assert sorted(complete(line, db)) == sorted(expected)


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("whrd list --sort ", ["date", "added", "title", "fecha", "agregado", "título"]),
        ("whrd list --sort f", ["fecha"]),
        ("whrd stats --by a", ["año"]),
        ("whrd export -g h", ["hilo"]),
    ],
)
def test_a_spanish_interface_also_offers_the_spanish_names(line: str, expected: list[str], db: Path) -> None:
    """Each Spanish name offered is one the option takes (`choices.resolve` maps it to its key)."""
    from whrd_cli.choices import BY, GROUP_BY, SORT, resolve

    offered = complete(line, db, "es")
    assert sorted(offered) == sorted(expected)
    table = {"--sort": SORT, "--by": BY, "-g": GROUP_BY}[line.split(" ")[2]]
    assert all(resolve(value, table) is not None for value in offered)


def test_tags_and_ids_come_from_the_archive(add: Callable[..., int], db: Path, tmp_path: Path) -> None:
    add("Older", "2019-01-01", "-l", "en", "-t", "Agua")
    add("Newer", "2020-01-01", "-l", "en", "-t", "Agua", "-t", "Alerta")
    assert complete("whrd list --tag A", db) == ["Agua", "Alerta"]  # most used first
    assert complete("whrd edit 1 --remove-tag Al", db) == ["Alerta"]
    assert complete("whrd show ", db) == ["2", "1"]  # newest first
    other = tmp_path / "other.json"
    assert complete(f"whrd show --db {other} ", db) == []  # that archive does not exist: nothing
    assert not other.exists()
