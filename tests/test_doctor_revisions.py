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
    assert _kinds(run) == ["broken-chain"]
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
