"""Hostile review 24 of b1568a4 (`stats` of the whole archive read from the index's `tallies`, kept
by triggers): after CLI writes of every kind, including changes of more than `_FEW` (1000)
bulletins at once made in place, `stats --json`, `stats --by ... --json` and `countries --json`
must say what the archive file says. The oracle is the archive read with `json.load` and counted
here; each step also checks that the index is fresh and was changed in place (same inode), so the
triggers, not a rebuild, are what is checked."""

from __future__ import annotations

import json
import os
import sqlite3
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run

from whrd_cli.search import index as ix

COUNTRIES = [[], ["HN"], ["GT", "HN"], ["MX"], ["SV", "GT", "MX"]]
CATEGORIES = [None, "alert", "news", "statement"]
LANGS = ["en", "es"]


def _record(n: int, shift: int = 0) -> dict[str, Any]:
    k = n + shift
    record: dict[str, Any] = {
        "title": f"Bulletin number {n} about defenders",
        "date": f"20{18 + k % 7}-{k % 12 + 1:02d}-{k % 28 + 1:02d}",
        "countries": COUNTRIES[k % len(COUNTRIES)],
        "lang": LANGS[k % 2],
        "summary": f"Summary {n}.",
    }
    if CATEGORIES[k % len(CATEGORIES)] is not None:
        record["category"] = CATEGORIES[k % len(CATEGORIES)]
    return record


def _oracle(db: Path) -> dict[str, Any]:
    with open(db, encoding="utf-8") as fh:
        stored = json.load(fh)["bulletins"]
    raws = list(stored.values())
    countries: Counter[str] = Counter()
    for raw in raws:
        for code in raw.get("countries") or [""]:
            countries[code] += 1
    dates = [raw["date"] for raw in raws]
    return {
        "total": len(raws),
        "first": min(dates) if dates else None,
        "last": max(dates) if dates else None,
        "country": dict(countries),
        "category": dict(Counter(raw.get("category") or "" for raw in raws)),
        "lang": dict(Counter(raw.get("lang") or "" for raw in raws)),
        "year": dict(Counter(d[:4] for d in dates)),
        "month": dict(Counter(d[:7] for d in dates)),
    }


def _rows(rows: list[dict[str, Any]]) -> dict[str, int]:
    return {row["value"]: row["count"] for row in rows if row["count"]}


def _assert_agree(run: Run, db: Path) -> None:
    want = _oracle(db)
    assert ix.is_fresh(db), "the index should be the archive's after a whrd write"
    with sqlite3.connect(ix.index_path(db)) as conn:
        assert conn.execute("SELECT count(*) FROM tallies WHERE n <= 0").fetchone()[0] == 0
    if not want["total"]:
        assert run("stats", "--json").exit_code == 0
        return
    view = run.json("stats")
    got = {
        "total": view["total"],
        "first": view["first"],
        "last": view["last"],
        "country": _rows(view["by_country"]),
        "category": _rows(view["by_category"]),
        "lang": _rows(view["by_lang"]),
    }
    assert got == {k: want[k] for k in got}
    coded = {k: v for k, v in want["country"].items() if k}  # --by country lists no "(none)" row
    for by in ("country", "category", "lang", "year", "month"):
        assert _rows(run.json("stats", "--by", by)) == (coded if by == "country" else want[by]), by
    assert _rows(run.json("countries")) == coded


def _jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    return path


def _inode(db: Path) -> int:
    return os.stat(ix.index_path(db)).st_ino


def test_big_writes_in_place_keep_whole_archive_stats_right(run: Run, db: Path, tmp_path: Path) -> None:
    run.ok("add", "--title", "Seed bulletin", "--date", "2020-05-05", "--lang", "en")
    inode = _inode(db)
    _assert_agree(run, db)
    # 1,200 bulletins in one import: a change in place of more than _FEW rows
    run.ok("import", str(_jsonl(tmp_path / "a.jsonl", [_record(n) for n in range(1200)])))
    assert _inode(db) == inode, "the import was not made in place: the triggers went untested"
    _assert_agree(run, db)
    # the same 1,200 updated with other dates, countries, categories and languages
    changed = [_record(n, shift=3) | {"title": f"Bulletin number {n} about defenders"} for n in range(1200)]
    for n, record in enumerate(changed):  # the duplicate key is date/lang/title: keep date and lang
        record["date"], record["lang"] = _record(n)["date"], _record(n)["lang"]
    run.ok("import", str(_jsonl(tmp_path / "b.jsonl", changed)), "--on-duplicate", "update")
    _assert_agree(run, db)
    run.ok("undo", "--yes")
    _assert_agree(run, db)
    run.ok("delete", *map(str, range(2, 1150)), "--yes")
    _assert_agree(run, db)
    run.ok("undo", "--yes")
    _assert_agree(run, db)
    assert _inode(db) == inode, "a write rebuilt the index: its triggers went untested"
    run.ok("delete", *map(str, range(3, 1103)), "--purge", "--yes")  # (purge rebuilds the index)
    _assert_agree(run, db)
    run.ok("add", "--title", "After the purge", "--date", "2031-07-07", "--lang", "es", "-c", "CR")
    _assert_agree(run, db)


def test_edits_of_each_counted_field_then_undo(run: Run, db: Path) -> None:
    run.ok("add", "--title", "First", "--date", "2021-01-01", "--lang", "en", "--country", "HN")
    run.ok("add", "--title", "Second", "--date", "2022-02-02", "--lang", "es", "--category", "alert")
    run.ok("add", "--title", "Third", "--date", "2023-03-03", "--lang", "en", "-c", "GT", "-c", "SV")
    inode = _inode(db)
    steps = [
        ("edit", "1", "--date", "2019-12-31"),  # a new first date
        ("edit", "3", "--date", "2025-01-01"),  # a new last date
        ("edit", "3", "--date", "2023-03-03"),  # the last date's only bulletin moves back
        ("edit", "2", "--country", "MX", "--country", "HN"),
        ("edit", "2", "--remove-country", "MX"),
        ("edit", "2", "--remove-country", "HN"),  # no country at all
        ("edit", "1", "--category", "news"),
        ("edit", "1", "--category", ""),  # cleared
        ("edit", "2", "--lang", "en"),  # the last Spanish one
        ("delete", "1", "--yes"),  # the first date's only bulletin
        ("undo", "--yes"),
        ("undo", "--yes"),
        ("undo", "--yes"),
        ("delete", "1", "2", "3", "--yes"),  # nothing left
        ("undo", "--yes"),
    ]
    for step in steps:
        run.ok(*step)
        _assert_agree(run, db)
    assert _inode(db) == inode


def test_spanish_output_of_whole_archive_stats_agrees(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Uno", "--date", "2021-01-01", "--lang", "es", "--country", "HN")
    run.ok("add", "--title", "Dos", "--date", "2021-02-01", "--lang", "es", "--category", "alert")
    run.ok("edit", "1", "--country", "GT")
    view = run.json("stats", "--locale", "es")
    assert view["total"] == 2
    by_country = {row["value"]: (row["label"], row["count"]) for row in view["by_country"] if row["count"]}
    assert by_country == {"GT": ("Guatemala", 1), "": (by_country[""][0], 1)}
    assert by_country[""][0] != "(none)"  # Spanish, not English


def test_merge_restore_and_csv_update_keep_whole_archive_stats_right(
    run: Run, db: Path, tmp_path: Path
) -> None:
    run.ok("add", "--title", "Radio uno", "--date", "2021-01-01", "--lang", "es", "-c", "HN", "-k", "alert")
    run.ok("add", "--title", "Radio two", "--date", "2022-02-02", "--lang", "en", "-c", "GT")
    run.ok("add", "--title", "Radio three", "--date", "2023-03-03", "--lang", "en")
    other = tmp_path / "other.json"
    other.write_bytes(db.read_bytes())
    run.ok("--db", str(other), "edit", "2", "--date", "2010-10-10", "-c", "MX", "-k", "report")
    run.ok("--db", str(other), "delete", "3", "--yes")
    run.ok("--db", str(other), "add", "--title", "Otra", "--date", "2035-05-05", "--lang", "es", "-c", "NI")
    _assert_agree(run, db)
    run.ok("merge", str(other), "--yes")
    _assert_agree(run, db)
    run.ok("edit", "1", "--date", "2012-12-12", "-c", "CR", "--lang", "en")
    _assert_agree(run, db)
    rev = next(word for word in run.ok("history", "1").stdout.split() if word.startswith("1-"))
    run.ok("restore", "1", rev, "--yes")  # back to 2021-01-01, HN, alert, es
    assert run.json("show", "1")["date"] == "2021-01-01"
    _assert_agree(run, db)
    csv = tmp_path / "fix.csv"
    run.ok("export", "-f", "csv", "-o", str(csv))
    text = csv.read_text(encoding="utf-8-sig").replace("alert", "statement")
    csv.write_text(text, encoding="utf-8-sig")
    run.ok("import", str(csv), "--on-duplicate", "update")
    assert "statement" in _oracle(db)["category"]
    _assert_agree(run, db)


READS = [
    ("stats",),
    ("stats", "--json"),
    ("stats", "--top", "2"),
    ("stats", "--locale", "es"),
    ("stats", "--json", "--locale", "es"),
    ("stats", "--since", "2022"),  # the span of the periods: --since, then the archive's last
    ("stats", "--until", "2020-06", "--json"),
    ("stats", "--country", "HN", "--by", "month", "--json"),
    ("stats", "--category", "alert", "--json"),
    ("stats", "--since", "2040", "--json"),  # selects none of a non-empty archive
    ("stats", "--by", "year"),
    ("stats", "--by", "tag", "--json"),
    ("countries",),
    ("countries", "--json"),
]


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_stats_output_is_the_archive_scans(run: Run, db: Path, tmp_path: Path, lang: str) -> None:
    """Byte for byte, in English and Spanish (WHRD_LANG): what the index answers is what the pass
    over the archive answers once the index is moved away."""
    run.ok("add", "--title", "Seed", "--date", "2019-05-05", "--lang", "en", "-t", "Radio")
    run.ok("import", str(_jsonl(tmp_path / "a.jsonl", [_record(n) for n in range(60)])))
    run.ok("edit", "5", "--date", "2031-01-31", "-c", "CR", "-k", "")
    run.ok("delete", "7", "9", "--yes")
    run.ok("undo", "--yes")
    run.ok("delete", "8", "--yes")
    assert ix.is_fresh(db)
    env = {"WHRD_LANG": lang}
    indexed = [(args, run(*args, env=env)) for args in READS]
    ix.index_path(db).rename(tmp_path / "away.sqlite")
    for args, answer in indexed:
        scanned = run(*args, env=env)
        assert (answer.exit_code, answer.stdout) == (scanned.exit_code, scanned.stdout), args
