"""Hostile review 23 of f5ae733, end to end: after every kind of CLI write (add, edit, delete,
import, undo, restore, purge, merge, link, unlink, reindex) the read commands answer from the
index exactly as they answer from the archive itself. The oracle is the same command run with the
index moved away (`list`, `show`, `stats`, `tags`, `countries` then read the archive; `search` is
compared with the in-memory search of the archive)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from tests.conftest import Run
from tests.corpus import CORPUS, bulletin
from tests.test_search_index import answers, in_memory

from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)
READS = [
    ("list", "--json"),
    ("list", "--country", "HN", "--json"),
    ("list", "--sort", "title"),
    ("stats", "--json"),
    ("tags",),
    ("countries",),
    ("show", "1", "--json"),
    ("show", "2", "--json"),
    ("show", "4", "--json"),
    ("thread", "1"),
]


def reads(run: Run) -> list[tuple[int, str, str]]:
    found = []
    for args in READS:
        result = run(*args)
        found.append((result.exit_code, result.stdout, result.stderr))
    return found


def other_archive(tmp_path: Path, db: Path) -> Path:
    """A copy of the archive that went its own way: an edit, a delete, a new bulletin."""
    other = tmp_path / "other.json"
    shutil.copy(db, other)
    Archive(other).update(2, {"title": "Community radio celebrates five years"})
    Archive(other).delete([6])
    Archive(other).add(bulletin("es", "2024-05-06", "Radio comunitaria en Gracias", "Otra radio."))
    return other


OPS = ["add", "edit", "delete", "import", "undo", "restore", "purge", "purge-history", "merge", "link"]
OPS += ["unlink", "reindex"]


@pytest.mark.parametrize("op", OPS)
def test_reads_from_the_index_are_reads_from_the_archive_after_every_write(
    run: Run, db: Path, tmp_path: Path, op: str
) -> None:
    Archive(db, followers=INDEXED).add_many([bulletin(*row) for row in CORPUS])
    run.ok("edit", "2", "--title", "Community radio celebrates four years")
    run.ok("link", "1", "5", "--translation")
    run.ok("search", "radio")  # (the index made, fresh)
    assert ix.is_fresh(db)
    if op == "add":
        run.ok("add", "--title", "Radio host threatened in Gracias", "--date", "2024-05-05", "-l", "en")
    elif op == "edit":
        run.ok("edit", "4", "--title", "Amenazas contra defensoras del río", "--add-tag", "Río")
    elif op == "delete":
        run.ok("delete", "3", "7", "--yes")
    elif op == "import":
        source = tmp_path / "in.jsonl"
        rows = [{"title": f"Radio {n} in Copán", "date": f"2023-0{n}-01", "lang": "en"} for n in range(1, 6)]
        source.write_text("".join(json.dumps(row) + "\n" for row in rows), encoding="utf-8")
        run.ok("import", str(source))
    elif op == "undo":
        run.ok("undo", "--yes")
    elif op == "restore":
        rev = json.loads(run.ok("history", "2", "--json").stdout)
        first = rev[-1]["rev"] if isinstance(rev, list) else rev["versions"][-1]["rev"]
        run.ok("restore", "2", first, "--yes")
    elif op == "purge":
        run.ok("delete", "3", "--purge", "--yes")
    elif op == "purge-history":
        run.ok("purge", "--history", "--before", "2100-01-01", "--yes")
    elif op == "merge":
        run.ok("merge", str(other_archive(tmp_path, db)), "--yes")
    elif op == "link":
        run.ok("link", "4", "10", "--translation")
    elif op == "unlink":
        run.ok("unlink", "1")
    else:
        run.ok("reindex")
    assert ix.is_fresh(db)
    from_index = reads(run)
    assert answers(db) == in_memory(db)
    moved = tmp_path / "index-aside"
    ix.index_path(db).rename(moved)
    from_archive = reads(run)
    assert not ix.index_path(db).exists()  # (those reads answered from the archive, rebuilding nothing)
    assert from_index == from_archive
    assert all(code == 0 for code, _out, _err in from_index)
