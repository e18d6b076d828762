"""`whrd doctor` on the archive's content: shape, damaged bulletins (each kind, every one, with
the field), ids and uids, likely duplicates, similar tags and categories; exit codes; --json;
Spanish. Archives are written here by hand (the oracle is the file as written, never the store's
own checks), and every refused archive is left byte for byte as it was."""

from __future__ import annotations

import difflib
import json
import os
from pathlib import Path
from typing import Any

import pytest

from conftest import Run
from whrd_cli.doctor import archive_checks
from whrd_cli.doctor.subject import Subject


def bulletin(title: str, date: str = "2024-03-01", **fields: Any) -> dict[str, Any]:
    return {"title": title, "date": date, "countries": ["HN"], "tags": [], "lang": "en", **fields}


def write(db: Path, bulletins: dict[str, Any], *, next_id: int | None = None) -> bytes:
    """An archive as a person or another tool might leave it, 0600 like whrd's own."""
    ids = [int(k) for k in bulletins if k.isdigit()]
    meta = {"app": "whrd", "schema": 1, "next_id": next_id or max(ids, default=0) + 1}
    data = json.dumps({"meta": {"1": meta}, "bulletins": bulletins}, ensure_ascii=False).encode()
    db.write_bytes(data)
    os.chmod(db, 0o600)
    return data


def report(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    result = run("doctor", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def findings(data: dict[str, Any], check: str) -> list[dict[str, Any]]:
    return next(c for c in data["checks"] if c["check"] == check)["findings"]


def test_a_healthy_archive_made_by_whrd_is_all_ok(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Defender threatened in Tela", "--date", "2024-03-01", "--country", "HN")
    run.ok("add", "--title", "Radio back on air", "--date", "2024-03-02", "--country", "GT")
    result = run("doctor")
    assert result.exit_code == 0, result.stdout
    lines = result.stdout.splitlines()
    assert all(line.startswith("ok: ") for line in lines[:-1]), lines
    assert len(lines) == 16  # fifteen checks (conflicts: issue 18; links: 17; plain text: 19) and the summary
    assert lines[-1] == f"No problems found in {db}."


# Each kind of damage the store refuses: the bulletin as written, the field doctor must name.
DAMAGE = [
    (bulletin("T", date="2024-02-30"), "date"),
    (bulletin("T", date="3 March 2024"), "date"),
    ({"date": "2024-03-01"}, "title"),
    (bulletin("   "), "title"),
    (bulletin("T", colour="red"), "colour"),
    (bulletin("T", countries="HN"), "countries"),
    (bulletin("T", countries=["Honduras"]), "countries"),
    (bulletin("T", tags=["ok", 3]), "tags"),
    (bulletin("T", summary=42), "summary"),
    (bulletin("T", truncated="yes"), "truncated"),
    (bulletin("T", added="yesterday"), "added"),
    ("not a record", None),
]


@pytest.mark.parametrize(("raw", "field"), DAMAGE)
def test_each_kind_of_damage_is_named_with_its_field(run: Run, db: Path, raw: Any, field: str | None) -> None:
    before = write(db, {"1": bulletin("Sound"), "2": raw})
    code, data = report(run)
    assert code == 3
    (found,) = findings(data, "bulletins")
    assert (found["kind"], found["ids"], found["field"]) == ("damaged-bulletin", [2], field)
    assert found["message"].startswith(f"Bulletin 2 in {db} ")
    assert db.read_bytes() == before
    assert data["status"] == "problem" and data["exit_code"] == 3


def test_an_id_that_is_not_a_number_is_named(run: Run, db: Path) -> None:
    write(db, {"1": bulletin("Sound"), "01": bulletin("Leading zero")})
    code, data = report(run)
    assert code == 3
    (found,) = findings(data, "bulletins")
    assert (found["ids"], found["field"], found["value"]) == ([], "id", "01")


def test_every_damaged_bulletin_is_reported_not_only_the_first(run: Run, db: Path) -> None:
    table = {str(i): bulletin(f"Bulletin {i}") for i in range(1, 8)}
    table["2"]["date"] = "2024-13-01"
    table["5"]["countries"] = ["hn"]
    table["7"]["weird"] = True
    write(db, table)
    code, data = report(run)
    assert code == 3
    got = [(f["ids"], f["field"]) for f in findings(data, "bulletins")]
    assert got == [([2], "date"), ([5], "countries"), ([7], "weird")]
    plain = run("doctor")
    assert plain.exit_code == 3
    assert (
        sum(line.startswith("problem: Bulletins damaged by hand: ") for line in plain.stdout.splitlines())
        == 3
    )


def test_a_damaged_meta_record_is_an_archive_problem(run: Run, db: Path) -> None:
    write(db, {"1": bulletin("T")})
    data = json.loads(db.read_text())
    data["meta"]["1"]["next_id"] = "seven"
    db.write_text(json.dumps(data))
    code, out = report(run)
    assert code == 3
    assert [f["kind"] for f in findings(out, "archive")] == ["damaged-meta"]


def test_next_id_not_above_every_id_is_a_warning(run: Run, db: Path) -> None:
    write(db, {"1": bulletin("A"), "9": bulletin("B", date="2024-01-02")}, next_id=5)
    code, data = report(run)
    assert code == 1  # a warning is a finding (issue 15)
    (found,) = findings(data, "ids")
    assert (found["kind"], found["severity"], found["value"], found["ids"]) == (
        "next-id-low",
        "warning",
        5,
        [9],
    )


def test_an_id_written_twice_in_the_file_is_a_problem(run: Run, db: Path) -> None:
    first = json.dumps(bulletin("First copy"))
    second = json.dumps(bulletin("Second copy", date="2024-04-04"))
    meta = '{"1": {"app": "whrd", "schema": 1, "next_id": 4}}'
    other = '{"title": "x", "date": "2024-01-01"}'
    db.write_text(f'{{"meta": {meta}, "bulletins": {{"3": {first}, "1": {other}, "3": {second}}}}}')
    os.chmod(db, 0o600)
    code, data = report(run)
    assert code == 1
    (found,) = findings(data, "ids")
    assert (found["kind"], found["ids"]) == ("repeated-id", [3])
    assert "2 times" in found["message"]


def test_a_brace_inside_a_text_is_no_repeated_id(run: Run, db: Path) -> None:
    write(db, {"1": bulletin('A {"2": {curly}} title'), "2": bulletin("B", summary="{{{{")})
    code, data = report(run)
    assert (code, findings(data, "ids")) == (0, [])


def _subject(tmp_path: Path, table: dict[str, Any]) -> Subject:
    """A Subject over tables given as parsed (uids are not yet a field the store accepts)."""
    subject = Subject(path=tmp_path / "x.json")
    subject.tables = {"meta": {"1": {"app": "whrd", "schema": 1, "next_id": 9}}, "bulletins": table}
    return subject


def test_uids_given_twice_are_a_problem_and_missing_ones_a_warning(tmp_path: Path) -> None:
    table = {
        "1": bulletin("A", uid="u-1"),
        "2": bulletin("B", uid="u-2"),
        "3": bulletin("C", uid="u-1"),
        "4": bulletin("D"),
    }
    got = {(f.kind, f.severity, f.ids) for f in archive_checks.ids_and_uids(_subject(tmp_path, table))}
    assert got == {("repeated-uid", "problem", (1, 3)), ("missing-uid", "warning", (4,))}


def test_without_any_uid_the_uid_check_is_silent(tmp_path: Path) -> None:
    table = {"1": bulletin("A"), "2": bulletin("B")}
    assert archive_checks.ids_and_uids(_subject(tmp_path, table)) == []


MEXICO = "Defensoras de México se reúnen en {} para compartir estrategias de protección"


def test_likely_duplicates_need_the_same_date_countries_and_a_near_title(run: Run, db: Path) -> None:
    write(
        db,
        {
            "1": bulletin("Defensora amenazada en Tela, Honduras"),
            "2": bulletin("Defensora Amenazada en Tela Honduras"),  # case and a comma
            "3": bulletin("Defensora amenazáda en Tela, Honduras."),  # accent and a full stop
            "4": bulletin("Defensora amenazada en Tela, Honduras", date="2024-03-02"),  # another day
            "5": bulletin("Defensora amenazada en Tela, Honduras", countries=["GT"]),  # another country
            "6": bulletin("Radio comunitaria vuelve al aire"),  # same day and country, other news
            "7": bulletin("Defensoras amenazadas en Tela y Ceiba, Honduras"),  # ratio < 0.9
            "8": bulletin("Two women defenders detained", countries=["GT", "HN"]),
            "9": bulletin("Two women defenders detained.", countries=["GT", "HN"]),
            # A templated title with another place: difflib rates them 0.9, yet two bulletins.
            "10": bulletin(MEXICO.format("Yucatán"), date="2024-05-05"),
            "11": bulletin(MEXICO.format("Guerrero"), date="2024-05-05"),
            "12": bulletin("Radio comunitaria vuelve al aire en Tela", date="2024-06-06"),
            "13": bulletin(
                "Radio comunitria vuelve al aire en la Tela", date="2024-06-06"
            ),  # typo, short word
            "14": bulletin("Radio comunitaria vuelve al aire en la ciudad de Tela", date="2024-06-06"),
        },
    )
    assert difflib.SequenceMatcher(None, MEXICO.format("Yucatán"), MEXICO.format("Guerrero")).ratio() > 0.9
    code, data = report(run)
    assert code == 1  # a warning is a finding (issue 15)
    assert [f["ids"] for f in findings(data, "duplicates")] == [[1, 2, 3], [8, 9], [12, 13]]


def test_tags_that_differ_by_case_accents_or_a_letter(run: Run, db: Path) -> None:
    write(
        db,
        {
            "1": bulletin("A", tags=["WHRD", "HN"]),
            "2": bulletin("B", tags=["WHRD"]),
            "3": bulletin("C", tags=["WHRDs", "GT"]),  # one letter more
            "4": bulletin("D", tags=["Garífuna"]),
            "5": bulletin("E", tags=["garifuna"]),  # case and accent
            "6": bulletin("F", tags=["Protección"], lang="es"),
            "7": bulletin("G", tags=["Protection"]),  # one letter, but another language
            "8": bulletin("H", tags=["Mining", "Mine"]),  # two letters apart
        },
    )
    code, data = report(run)
    assert code == 1  # a warning is a finding (issue 15)
    got = [(f["value"], f["ids"]) for f in findings(data, "tags")]
    assert got == [(["Garífuna", "garifuna"], [5]), (["WHRD", "WHRDs"], [3])]
    assert findings(data, "tags")[1]["message"] == (
        "#WHRD (2), #WHRDs (1) differ only by case, accents or a letter; one of them is likely a slip."
    )


def test_short_tags_one_letter_apart_are_not_flagged(run: Run, db: Path) -> None:
    write(db, {"1": bulletin("A", tags=["HN", "UN", "ONU"]), "2": bulletin("B", tags=["GT", "EU", "ONG"])})
    assert findings(report(run)[1], "tags") == []


def test_similar_categories(run: Run, db: Path) -> None:
    write(
        db,
        {
            "1": bulletin("A", category="report"),
            "2": bulletin("B", category="report"),
            "3": bulletin("C", category="reports"),
            "4": bulletin("D", category="alert"),
        },
    )
    (found,) = findings(report(run)[1], "categories")
    assert (found["value"], found["ids"]) == (["report", "reports"], [3])


def test_a_foreign_json_file_is_refused_and_left_untouched(run: Run, db: Path) -> None:
    db.write_text('{"rows": [1, 2, 3]}')
    os.chmod(db, 0o644)
    before = sorted(os.listdir(db.parent))
    for args in ([], ["--fix"], ["--json"], ["--fix", "--json"]):
        result = run("doctor", *args)
        assert result.exit_code == 3, args
        assert f"{db} is a JSON file but not a whrd archive; whrd will not touch it." in result.stdout
    assert db.read_text() == '{"rows": [1, 2, 3]}'
    assert oct(db.stat().st_mode & 0o777) == "0o644"
    assert sorted(os.listdir(db.parent)) == before


def test_an_empty_file_cannot_be_read(run: Run, db: Path) -> None:
    db.write_bytes(b"")
    code, data = report(run)
    assert code == 3
    assert [f["kind"] for f in findings(data, "archive")] == ["archive-unreadable"]
    assert {c["status"] for c in data["checks"] if c["check"] in ("bulletins", "duplicates")} == {"skipped"}
    assert db.read_bytes() == b""


def test_a_missing_archive_is_healthy_and_nothing_is_made(run: Run, db: Path) -> None:
    result = run("doctor")
    assert result.exit_code == 0
    assert f"The archive {db} does not exist yet; add bulletins" in result.stderr
    assert not db.exists() and os.listdir(db.parent) == []
    code, data = report(run)
    assert (code, data["exists"], data["status"]) == (0, False, "ok")


def test_an_archive_without_bulletins_is_healthy(run: Run, db: Path) -> None:
    write(db, {})
    code, data = report(run)
    assert (code, data["status"], data["problems"], data["warnings"]) == (0, "ok", 0, 0)


def test_json_keys_are_stable(run: Run, db: Path) -> None:
    write(db, {"1": bulletin("Same title"), "2": bulletin("Same title!")})
    _code, data = report(run)
    assert set(data) == {
        "archive",
        "exists",
        "status",
        "exit_code",
        "problems",
        "warnings",
        "checks",
        "fixed",
    }
    assert [c["check"] for c in data["checks"]] == [
        "archive",
        "bulletins",
        "ids",
        "revisions",
        "links",
        "index",
        "backups",
        "modes",
        "plain-text",
        "temp-files",
        "lock",
        "duplicates",
        "tags",
        "categories",
        "conflicts",
    ]
    (found,) = findings(data, "duplicates")
    assert set(found) == {"kind", "severity", "message", "ids", "path", "field", "value", "fixable"}


def test_spanish_output(run: Run, db: Path) -> None:
    write(
        db,
        {
            "1": bulletin("T", date="2024-02-30"),
            "2": bulletin("A", tags=["WHRD"]),
            "3": bulletin("B", tags=["whrd"]),
        },
    )
    result = run("doctor", env={"WHRD_LANG": "es"})
    assert result.exit_code == 3
    lines = result.stdout.splitlines()
    assert lines[0] == "correcto: Forma y esquema del archivo"
    assert lines[1].startswith(f"problema: Boletines dañados a mano: El boletín 1 de {db} ")
    assert "advertencia: Etiquetas parecidas: " in result.stdout
    assert lines[-1] == "1 problema, 1 advertencia."  # the tags (no index yet is no finding)
