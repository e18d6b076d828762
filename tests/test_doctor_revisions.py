"""`whrd doctor`'s revision-chain check (issue 15): silent on an archive whrd wrote (edits,
deletes, undo, purge), and names each way a hand edit can break a chain. The oracle is the
archive file edited here with json, and the finding kinds doctor reports in --json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.conftest import Run


def _kinds(run: Run) -> list[str]:
    result = run("doctor", "--json")
    data = json.loads(result.stdout)
    (check,) = [c for c in data["checks"] if c["check"] == "revisions"]
    return [f["kind"] for f in check["findings"]]


def _setup(run: Run, db: Path) -> dict[str, Any]:
    for n in (1, 2, 3):
        run.ok("add", "--title", f"Boletín {n}", "--date", f"2024-01-0{n}", "-l", "es")
    run.ok("edit", "1", "--title", "Boletín uno")
    run.ok("edit", "1", "--summary", "Texto.")
    run.ok("delete", "3", "--purge", "--yes")
    run.ok("delete", "2", "--yes")
    return json.loads(db.read_text(encoding="utf-8"))


def test_an_archive_whrd_wrote_has_whole_chains(run: Run, db: Path) -> None:
    _setup(run, db)
    run.ok("undo", "--yes")  # brings 2 back as an edit of its tombstone
    assert _kinds(run) == []


def _write(db: Path, data: dict[str, Any]) -> None:
    db.write_text(json.dumps(data), encoding="utf-8")


def test_each_broken_chain_is_named(run: Run, db: Path) -> None:
    data = _setup(run, db)
    one = data["bulletins"]["1"]
    entry = data["history"][one["uid"]]
    good_rev = one["rev"]
    one["rev"] = "9-" + "0" * 32
    _write(db, data)
    assert _kinds(run) == ["damaged-history"]  # a rev its tree does not know: the shape check names it
    one["rev"] = good_rev
    dropped = sorted(entry["bodies"])[0]
    del entry["bodies"][dropped]
    _write(db, data)
    assert _kinds(run) == ["missing-version"]
    entry["bodies"][dropped] = {"title": "x"}
    entry["bodies"]["1-" + "f" * 32] = {"title": "stray"}
    _write(db, data)
    assert _kinds(run) == ["orphan-version"]
    del entry["bodies"]["1-" + "f" * 32]
    data["bulletins"].pop("1")  # a bulletin gone without a deletion in its history
    _write(db, data)
    assert _kinds(run) == ["lost-bulletin"]


def test_fix_merges_similar_tags_when_asked_and_undo_brings_them_back(
    run: Run, db: Path, stdin_terminal: None
) -> None:
    for n, tag in enumerate(["WHRDs", "WHRDs", "whrds", "WHRD", "Radio"], start=1):
        run.ok("add", "--title", f"Boletín {n}", "--date", f"2024-02-0{n}", "-l", "es", "--tag", tag)
    before = json.loads(db.read_text(encoding="utf-8"))["bulletins"]
    result = run("doctor", "--fix", input="n\nn\n")  # asked (a group per likeness), refused: nothing
    assert "Merge" in result.stdout + result.stderr
    assert json.loads(db.read_text(encoding="utf-8"))["bulletins"] == before
    result = run("doctor", "--fix", input="y\ny\n")
    after = json.loads(db.read_text(encoding="utf-8"))["bulletins"]
    assert sorted(tag for raw in after.values() for tag in raw["tags"]) == ["Radio"] + ["WHRDs"] * 4
    assert "undo" in result.stderr
    assert all(after[k]["rev"].startswith("2-") for k in ("3", "4"))  # a revision each
    run.ok("undo", "--yes")
    back = json.loads(db.read_text(encoding="utf-8"))["bulletins"]
    assert [back[k]["tags"] for k in sorted(back)] == [before[k]["tags"] for k in sorted(before)]


def test_fix_off_a_terminal_never_merges(run: Run, db: Path) -> None:
    for n, tag in enumerate(["WHRDs", "WHRD"], start=1):
        run.ok("add", "--title", f"Boletín {n}", "--date", f"2024-02-0{n}", "-l", "es", "--tag", tag)
    before = db.read_bytes()
    result = run("doctor", "--fix")
    assert "only on a terminal" in result.stderr and result.exit_code == 1
    assert json.loads(db.read_bytes())["bulletins"] == json.loads(before)["bulletins"]


def test_numbers_are_no_slips_and_a_big_group_still_finds_a_slip(run: Run, db: Path) -> None:
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    series = [
        Bulletin.create(title=f"Bulk bulletin number {n}", date="2024-01-05", countries=["HN"], lang="en")
        for n in range(300)  # one big group: one day, one country
    ]
    slips = [
        Bulletin.create(title=t, date="2024-01-05", countries=["HN"], lang="es")
        for t in ("Defensora detenida en Tegucigalpa", "Defensoras detenida en Tegucigalpa")
    ]
    Archive(db).add_many(series + slips)
    data = json.loads(run("doctor", "--json").stdout)
    (check,) = [c for c in data["checks"] if c["check"] == "duplicates"]
    (finding,) = check["findings"]  # the one-letter slip, and no pair of the numbered series
    assert set(finding["ids"]) <= {301, 302} and finding["ids"]
