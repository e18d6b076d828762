"""Hostile review 24 of b1568a4: `tallies` in the index states a user meets. An index of version 7
(no `tallies`, no triggers) must never be read as version 8; a writer SIGKILLed with its change
spilled into the index file (a hot journal) must leave `stats` right; and after any of these the
kept counts must be exactly a recount of `docs` (what a rebuild's `count_all` writes). The oracle
is the archive file read with `json.load` (`stats --json` against it)."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run
from tests.test_hostile24_cli_tallies import _oracle as archive_counts

from whrd_cli.search import index as ix

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _oracle(db: Path) -> dict[str, Any]:
    """The archive file's own counts (`json.load`), as `_stats` reads them from `stats --json`."""
    return {k: v for k, v in archive_counts(db).items() if k not in ("year", "month")}


def _stats(run: Run) -> dict[str, Any]:
    view = run.json("stats")

    def rows(name: str) -> dict[str, int]:
        return {row["value"]: row["count"] for row in view[name] if row["count"]}

    return {
        "total": view["total"],
        "first": view["first"],
        "last": view["last"],
        "country": rows("by_country"),
        "category": rows("by_category"),
        "lang": rows("by_lang"),
    }


def _recount(db: Path) -> tuple[list[Any], list[Any]]:
    """The kept tallies, and the recount of `docs` a rebuild would write."""
    with sqlite3.connect(ix.index_path(db)) as conn:
        kept = sorted(conn.execute("SELECT dim, key, n FROM tallies").fetchall())
        counted = sorted(  # (written out here, not the product's own SQL)
            conn.execute(
                "SELECT 'day', date, count(*) FROM docs GROUP BY date "
                "UNION ALL SELECT 'countries', countries, count(*) FROM docs GROUP BY countries "
                "UNION ALL SELECT 'category', ifnull(category, ''), count(*) FROM docs GROUP BY 2 "
                "UNION ALL SELECT 'lang', ifnull(lang, ''), count(*) FROM docs GROUP BY 2"
            ).fetchall()
        )
    return kept, counted


def _fill(run: Run) -> None:
    run.ok("add", "--title", "Uno", "--date", "2019-01-01", "--lang", "es", "-c", "HN")
    run.ok(
        "add", "--title", "Two", "--date", "2024-05-01", "--lang", "en", "-c", "GT", "-c", "HN", "-k", "alert"
    )
    run.ok("add", "--title", "Three", "--date", "2022-05-01", "--lang", "en", "-k", "news")


def _as_version_7(db: Path, *, wrong_tallies: bool) -> None:
    """The index as a whrd of index version 7 left it: no triggers, and `tallies` absent or (a
    table of another meaning, say) wrong."""
    with sqlite3.connect(ix.index_path(db)) as conn:
        for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            conn.execute(f"DROP TRIGGER {name}")
        if wrong_tallies:
            conn.execute("UPDATE tallies SET n = n + 7")
            conn.execute("INSERT INTO tallies VALUES ('day', '1999-09-09', 3)")
        else:
            conn.execute("DROP TABLE tallies")
        conn.execute("UPDATE meta SET value = 'whrd-search-index 7' WHERE key = 'version'")


@pytest.mark.parametrize("wrong_tallies", [False, True])
def test_a_version_7_index_is_never_read_then_rebuilt_with_tallies(
    run: Run, db: Path, wrong_tallies: bool
) -> None:
    _fill(run)
    _as_version_7(db, wrong_tallies=wrong_tallies)
    assert not ix.is_fresh(db)
    assert _stats(run) == _oracle(db)
    assert _stats(run) == _oracle(db)  # (a read leaves it so, or rebuilds it right)
    run.ok("edit", "3", "--date", "2016-02-02", "--lang", "es")
    assert ix.is_fresh(db)
    kept, counted = _recount(db)
    assert kept == counted
    assert _stats(run) == _oracle(db)
    run.ok("delete", "1", "--yes")  # in place now: the rebuilt index's triggers keep the counts
    assert _recount(db)[0] == _recount(db)[1]
    assert _stats(run) == _oracle(db)


def test_a_stale_index_with_stale_tallies_is_not_read(run: Run, db: Path) -> None:
    """The archive changed by hand (its stamp changed): the tallies of before must not answer."""
    _fill(run)
    with open(db, encoding="utf-8") as fh:
        data = json.load(fh)
    data["bulletins"]["2"]["date"] = "2030-12-12"
    data["bulletins"]["2"]["countries"] = ["MX"]
    del data["bulletins"]["1"]
    with open(db, "w", encoding="utf-8") as fh:
        json.dump(data, fh)
    assert _stats(run) == _oracle(db)


CHILD = r"""
import os, signal, sys
from whrd_cli.model import Bulletin
from whrd_cli.search import index
from whrd_cli.search.service import SearchIndex
from whrd_cli.storage import atomic
from whrd_cli.store import Archive

db, op, point = sys.argv[1], sys.argv[2], sys.argv[3]
real_connect, real_replace = index._connect, os.replace


def connect(path, *, readonly=False):
    conn = real_connect(path, readonly=readonly)
    if not readonly:  # a tiny page cache: the change is written into the file before COMMIT
        conn.execute("PRAGMA cache_size=1")
    return conn


def die(where):
    print(f"KILLED-AT {where}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


def commit(self):
    die("commit")


def replace(src, dst, *args, **kwargs):
    if os.fspath(dst) == db:
        die("replace")
    real_replace(src, dst, *args, **kwargs)


index._connect = connect
if point == "commit":  # the archive renamed, the index's change not committed
    index.Prepared.commit = commit
else:  # the index's change made, the archive not renamed: the index is rolled back, kept in place
    atomic.os.replace = replace
archive = Archive(db, followers=(SearchIndex(),))
if op == "import":
    archive.add_many([Bulletin.create(title=f"Killed import {n}", date=f"2031-0{n % 9 + 1}-01", lang="es",
                                      countries=["SV"], category="report") for n in range(400)])
elif op == "delete":
    archive.delete([1, 2])
elif op == "edit":
    archive.update(2, {"date": "2001-01-01", "countries": ["CR"], "category": "statement", "lang": "es"})
print("NOT KILLED", flush=True)
"""


@pytest.mark.parametrize("point", ["commit", "replace"])
@pytest.mark.parametrize("op", ["import", "delete", "edit"])
def test_a_writer_killed_before_the_index_commit_leaves_stats_right(
    run: Run, db: Path, op: str, point: str
) -> None:
    _fill(run)
    for n in range(30):  # pages enough for the change to spill into the index file
        run.ok("add", "--title", f"Filler {n}", "--date", f"2020-01-{n % 28 + 1:02d}", "--lang", "en")
    env = {**os.environ, "PYTHONPATH": SRC}
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), op, point], env=env, capture_output=True, text=True, timeout=60
    )
    assert child.returncode == -signal.SIGKILL and f"KILLED-AT {point}" in child.stdout, child
    assert os.path.exists(f"{ix.index_path(db)}-journal"), "no hot journal: the test tests nothing"
    assert _stats(run) == _oracle(db)
    inode = os.stat(ix.index_path(db)).st_ino
    run.ok("add", "--title", "After the kill", "--date", "2032-02-02", "--lang", "es", "-c", "PA")
    assert ix.is_fresh(db)
    if point == "replace":  # the archive is as before the kill: the index rolled back, changed in place
        assert os.stat(ix.index_path(db)).st_ino == inode
    kept, counted = _recount(db)
    assert kept == counted
    assert _stats(run) == _oracle(db)
    run.ok("delete", "3", "--yes")  # in place, on the index the kill's next write left
    kept, counted = _recount(db)
    assert kept == counted
    assert _stats(run) == _oracle(db)
