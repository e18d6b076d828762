"""Leftover 3 of the 21st session: the note `add`/`edit` give about a region (`Centroamérica is a
region: recorded as its 7 countries (...)`) describes the bulletin as the edit leaves it: a country
the same edit removes is not named as recorded."""

from __future__ import annotations

import json

import pytest
from tests.conftest import Run

ES = {"WHRD_LANG": "es"}


def _countries(run: Run, bulletin_id: str) -> list[str]:
    return json.loads(run.ok("show", bulletin_id, "--json").stdout)["countries"]


@pytest.fixture
def one(run: Run) -> str:
    return run.ok(
        "add", "--title", "Radio station turns three", "--date", "2017-01-26", "-c", "MX"
    ).stdout.strip()


def test_a_region_but_one_names_what_was_recorded(run: Run, one: str) -> None:
    result = run.ok("edit", one, "--add-country", "Centroamérica", "--remove-country", "HN")
    assert _countries(run, one) == ["MX", "GT", "BZ", "SV", "NI", "CR", "PA"]
    assert result.stderr == (
        "Centroamérica is a region: recorded as 6 of its 7 countries "
        "(Guatemala, Belize, El Salvador, Nicaragua, Costa Rica, Panama), without Honduras.\n"
        f"Updated bulletin {one}.\n"
    )


def test_a_region_but_two_in_spanish(run: Run, one: str) -> None:
    result = run("edit", one, "--country", "Mesoamérica", "--remove-country", "Guatemala, MX", env=ES)
    assert result.exit_code == 0, result.stderr
    assert _countries(run, one) == ["BZ", "SV", "HN", "NI", "CR", "PA"]
    assert result.stderr == (
        "Mesoamérica es una región: se registró como 6 de sus 8 países "
        "(Belice, El Salvador, Honduras, Nicaragua, Costa Rica, Panamá), sin México, Guatemala.\n"
        f"Boletín {one} actualizado.\n"
    )


@pytest.mark.parametrize(
    ("env", "said"),
    [
        (
            {},
            "Centroamérica is a region, but none of its 7 countries was recorded: "
            "this edit removes them all.",
        ),
        (
            ES,
            "Centroamérica es una región, pero no se registró ninguno de sus 7 países: "
            "esta edición los quita todos.",
        ),
    ],
)
def test_a_region_wholly_removed_says_so(run: Run, one: str, env: dict[str, str], said: str) -> None:
    every = "Guatemala,Honduras,El Salvador,Nicaragua,Costa Rica,Panama,Belize"
    result = run("edit", one, "--country", "Centroamérica", "--remove-country", every, env=env)
    assert result.exit_code == 0, result.stderr
    assert _countries(run, one) == []
    assert result.stderr.splitlines()[0] == said


def test_a_region_that_changes_nothing_says_nothing_of_it(run: Run, one: str) -> None:
    every = "Guatemala,Honduras,El Salvador,Nicaragua,Costa Rica,Panama,Belize"
    result = run.ok("edit", one, "--add-country", "Centroamérica", "--remove-country", every)
    assert result.stderr == f"Bulletin {one} was already so; nothing changed.\n"


def test_a_whole_region_is_said_as_before(run: Run, one: str) -> None:
    result = run.ok("edit", one, "--add-country", "Central America")
    assert result.stderr.splitlines()[0] == (
        "Central America is a region: recorded as its 7 countries "
        "(Guatemala, Belize, El Salvador, Honduras, Nicaragua, Costa Rica, Panama)."
    )
    added = run.ok("add", "--title", "Otra", "--date", "2017-01-27", "-c", "Centroamérica", "--lang", "es")
    assert added.stderr.splitlines()[0] == (
        "Centroamérica is a region: recorded as its 7 countries "
        "(Guatemala, Belize, El Salvador, Honduras, Nicaragua, Costa Rica, Panama)."
    )


def test_a_removal_outside_the_region_leaves_its_note_whole(run: Run, one: str) -> None:
    result = run.ok("edit", one, "--add-country", "Centroamérica", "--remove-country", "MX")
    assert _countries(run, one) == ["GT", "BZ", "SV", "HN", "NI", "CR", "PA"]
    assert result.stderr.splitlines()[0] == (
        "Centroamérica is a region: recorded as its 7 countries "
        "(Guatemala, Belize, El Salvador, Honduras, Nicaragua, Costa Rica, Panama)."
    )
