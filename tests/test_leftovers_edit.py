"""The last hostile review's leftovers, 2: `edit` refuses a tag or country both given and removed in
one command (`--add-tag x --remove-tag x`), in the user's language, the archive and every file
beside it (backups, index) byte for byte untouched."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
from tests.conftest import Run

ES = {"WHRD_LANG": "es"}


def _digests(folder: Path) -> dict[str, str]:
    """Every file beside the archive (backups, index, history are in it too), by name."""
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


@pytest.fixture
def bulletin(run: Run, db: Path) -> int:
    run.ok(
        "add",
        "--title",
        "Radio turns three",
        "--date",
        "2017-01-26",
        "-c",
        "HN",
        "-t",
        "Radio",
        "-t",
        "Liberación",
    )
    run.ok("edit", "1", "--add-tag", "Second")  # so that a backup exists too
    return 1


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (("--add-tag", "x", "--remove-tag", "x"), "The tag 'x' is both added and removed by this edit"),
        (("--add-tag", "#Radio", "--remove-tag", "radio"), "The tag 'radio' is both added and removed"),
        (("--add-tag", "Liberacion", "--remove-tag", "#LIBERACIÓN"), "The tag 'LIBERACIÓN' is both added"),
        (("--add-tag", "a b", "--remove-tag", "b"), "The tag 'b' is both added and removed"),
        (("--tag", "x", "--remove-tag", "X"), "The tag 'X' is both added and removed"),
        (("--add-country", "HN", "--remove-country", "honduras"), "The country Honduras is both added"),
        (("--add-country", "GT, SV", "--remove-country", "El Salvador"), "The country El Salvador is both"),
        (("--add-country", "GT", "--remove-country", "Centroamérica"), "The country Guatemala is both added"),
        (("--country", "MX", "--remove-country", "México"), "The country Mexico is both added and removed"),
    ],
)
def test_an_edit_that_adds_and_removes_the_same_thing_is_refused(
    run: Run, db: Path, bulletin: int, args: tuple[str, ...], said: str
) -> None:
    before = _digests(db.parent)
    result = run("edit", str(bulletin), *args)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr.startswith(f"Error: {said}")
    assert result.stderr.endswith("; nothing changed.\n") and result.stderr.count("\n") == 1
    assert _digests(db.parent) == before


def test_spanish_the_contradiction_is_said_in_spanish(run: Run, db: Path, bulletin: int) -> None:
    before = _digests(db.parent)
    tag = run("edit", "1", "--add-tag", "x", "--remove-tag", "x", env=ES)
    country = run("edit", "1", "--add-country", "MX", "--remove-country", "mexico", env=ES)
    assert (tag.exit_code, country.exit_code) == (1, 1)
    assert (
        tag.stderr == "Error: La etiqueta 'x' se agrega y se quita en la misma edición; no se cambió nada.\n"
    )
    assert (
        country.stderr
        == "Error: El país México se agrega y se quita en la misma edición; no se cambió nada.\n"
    )
    assert _digests(db.parent) == before


def test_a_region_but_one_country_is_not_a_contradiction(run: Run, db: Path, bulletin: int) -> None:
    run.ok("edit", "1", "--add-country", "Centroamérica", "--remove-country", "HN")
    assert run.json("show", "1")["countries"] == ["GT", "BZ", "SV", "NI", "CR", "PA"]


def test_different_tags_added_and_removed_still_work(run: Run, db: Path, bulletin: int) -> None:
    run.ok("edit", "1", "--add-tag", "Nueva", "--remove-tag", "radio")
    assert run.json("show", "1")["tags"] == ["Liberación", "Second", "Nueva"]
