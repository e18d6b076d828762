"""Language detection on short titles, and `--lang` by name (issue 13).

The oracle is `lang_titles`: titles a person wrote knowing their language (the held-out ones
written after the detector was tuned). Run with `-s` to see the accuracy and the misses.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import Run
from lang_titles import EN, ES, FINAL_EN, FINAL_ES, HELD_OUT_EN, HELD_OUT_ES, UNDECIDABLE
from whrd_cli import i18n
from whrd_cli.errors import ValidationError
from whrd_cli.lang import detect_language, language_code

REQUIRED = 0.97


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A run in Spanish leaves Spanish in force in this process: give the next test English."""
    yield
    i18n.activate("en")


def _accuracy(name: str, titles: tuple[str, ...], lang: str) -> float:
    misses = [(title, detect_language(title)) for title in titles if detect_language(title) != lang]
    accuracy = 1 - len(misses) / len(titles)
    print(f"\n{name}: {len(titles) - len(misses)}/{len(titles)} = {accuracy:.1%}")
    for title, got in misses:
        print(f"  miss: {title!r} -> {got}")
    return accuracy


def test_the_tables_are_big_enough_and_short() -> None:
    assert len(EN) >= 120 and len(ES) >= 120
    assert len(HELD_OUT_EN) >= 40 and len(HELD_OUT_ES) >= 40
    every = EN + ES + HELD_OUT_EN + HELD_OUT_ES + FINAL_EN + FINAL_ES
    assert all(1 <= len(title.split()) <= 8 for title in every), [t for t in every if len(t.split()) > 8]
    assert len(set(every)) == len(every)


@pytest.mark.parametrize(
    ("name", "titles", "lang"),
    [
        ("EN", EN, "en"),
        ("ES", ES, "es"),
        ("HELD_OUT_EN", HELD_OUT_EN, "en"),
        ("HELD_OUT_ES", HELD_OUT_ES, "es"),
        ("FINAL_EN", FINAL_EN, "en"),
        ("FINAL_ES", FINAL_ES, "es"),
    ],
)
def test_short_titles_are_detected(name: str, titles: tuple[str, ...], lang: str) -> None:
    assert _accuracy(name, titles, lang) >= REQUIRED


@pytest.mark.parametrize("text", UNDECIDABLE)
def test_too_little_to_tell_says_so(text: str) -> None:
    assert detect_language(text) is None


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("DEFENSORA ASESINADA EN HONDURAS", "es"),  # shouting: capitals are no names then
        ("DEFENDER MURDERED IN HONDURAS", "en"),
        ("Defender Murdered In Honduras", "en"),  # Title Case
        ("Garífuna Leaders Kidnapped In Triunfo De La Cruz", "en"),  # a Spanish place name inside
        ("Berta\n\nLa red denuncia las amenazas contra la defensora y exige protección.", "es"),  # summary
        ("Berta\n\nThe network condemns the threats against her and demands protection.", "en"),
        ("¿Dónde está Berta?", "es"),
    ],
)
def test_hard_shapes(text: str, lang: str) -> None:
    assert detect_language(text) == lang


# -- the interface's language when the text does not tell ------------------------------------------


def _stored_lang(db: Path, bulletin_id: int = 1) -> str:
    return str(json.loads(db.read_text(encoding="utf-8"))["bulletins"][str(bulletin_id)]["lang"])


@pytest.mark.parametrize(("interface", "expected"), [("es", "es"), ("en", "en")])
def test_too_short_title_gets_the_interface_language(
    run: Run, db: Path, interface: str, expected: str
) -> None:
    result = run("add", "--title", "Hola", "--date", "2024-01-01", env={"WHRD_LANG": interface})
    assert result.exit_code == 0, result.stderr
    assert _stored_lang(db) == expected
    assert "--lang" in result.stderr and f" {expected} " in result.stderr  # the note says what was recorded


def test_a_detected_language_needs_no_note(run: Run, db: Path) -> None:
    result = run("add", "--title", "Defensora asesinada en Honduras", "--date", "2024-01-01")
    assert (result.exit_code, result.stderr) == (0, "")
    assert _stored_lang(db) == "es"


def test_a_given_language_needs_no_note(run: Run, db: Path) -> None:
    result = run("add", "--title", "Hola", "--date", "2024-01-01", "--lang", "en")
    assert (result.exit_code, result.stderr) == (0, "")


def test_edit_lang_blank_detects_again_and_says_when_it_cannot(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Honduras", "--date", "2024-01-01", "--lang", "es")
    result = run("edit", "1", "--lang", "", env={"WHRD_LANG": "en"})
    assert result.exit_code == 0, result.stderr
    assert _stored_lang(db) == "en" and "recorded as en" in result.stderr
    result = run("edit", "1", "--title", "Defensora detenida en Tegucigalpa", "--lang", "")
    assert (result.exit_code, _stored_lang(db)) == (0, "es")
    assert "Could not tell" not in result.stderr


def test_import_uses_the_listing_majority_else_the_interface(run: Run, db: Path, tmp_path: Path) -> None:
    undecided = "Berta Cáceres\n\n2019-02-14\n\nHonduras\n\n2019-03-01\n"
    lone = tmp_path / "lone.txt"
    lone.write_text(undecided, encoding="utf-8")
    assert run("import", str(lone), env={"WHRD_LANG": "es"}).exit_code == 0
    assert {_stored_lang(db, 1), _stored_lang(db, 2)} == {"es"}
    mixed = tmp_path / "mixed.txt"
    mixed.write_text(
        "COPINH\n\n2020-02-14\n\nDefenders of the river jailed in Tocoa\n\n2020-03-01\n", encoding="utf-8"
    )
    assert run("import", str(mixed), env={"WHRD_LANG": "es"}).exit_code == 0
    assert {_stored_lang(db, 3), _stored_lang(db, 4)} == {"en"}  # the listing's majority, not the interface's


# -- --lang takes names --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("es", "es"),
        ("EN", "en"),
        ("español", "es"),
        ("Espanol", "es"),
        ("ESPAÑOL", "es"),
        ("spanish", "es"),
        ("Castellano", "es"),
        ("inglés", "en"),
        ("ingles", "en"),
        ("English", "en"),
        (" fr ", "fr"),  # any ISO 639-1 code, as before
        ("", ""),  # blank: detect
    ],
)
def test_language_code(value: str, code: str) -> None:
    assert language_code(value) == code


@pytest.mark.parametrize("value", ["klingon", "francés", "esp", "zz", "e s"])
def test_language_code_refuses_saying_what_it_takes(value: str) -> None:
    with pytest.raises(ValidationError) as caught:
        language_code(value)
    assert caught.value.field == "lang"
    message = caught.value.message
    assert repr(value) in message and "ISO 639-1" in message and "español" in message and "english" in message


def test_lang_names_everywhere_a_code_is_taken(run: Run, db: Path, tmp_path: Path) -> None:
    run.ok("add", "--title", "Honduras", "--date", "2024-01-01", "--lang", "Español")
    run.ok("add", "--title", "Guatemala", "--date", "2024-01-02", "--lang", "inglés")
    assert [_stored_lang(db, 1), _stored_lang(db, 2)] == ["es", "en"]
    assert [b["id"] for b in run.json("list", "--lang", "español")] == [1]
    assert [b["id"] for b in run.json("list", "--lang", "ENGLISH")] == [2]
    assert [b["id"] for b in run.json("list", "--lang", "castellano", "--lang", "en")] in ([1, 2], [2, 1])
    run.ok("edit", "2", "--lang", "castellano")
    assert _stored_lang(db, 2) == "es"
    listing = tmp_path / "one.txt"
    listing.write_text("Nicaragua\n\n2020-02-14\n", encoding="utf-8")
    run.ok("import", str(listing), "--lang", "Inglés")
    assert _stored_lang(db, 3) == "en"


@pytest.mark.parametrize(
    "args",
    [
        ["list", "--lang", "klingon"],
        ["add", "--title", "x", "--date", "2024-01-01", "--lang", "francés"],
        ["import", "data/listing-es.txt", "--lang", "espanish"],
    ],
)
def test_unknown_language_names_are_one_clear_error(run: Run, db: Path, args: list[str]) -> None:
    root = Path(__file__).resolve().parents[1]
    args = [str(root / a) if a.startswith("data/") else a for a in args]
    result = run(*args)
    assert result.exit_code == 1
    assert "ISO 639-1" in result.stderr and "español" in result.stderr and "english" in result.stderr
    assert not db.exists()
