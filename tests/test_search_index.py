"""The SQLite search index beside the archive: derived, disposable, never trusted when stale.

Every search here must give what a search of the archive in memory gives (the other tests in
test_search.py check that for the whole query language through `ids`).
"""

from __future__ import annotations

import json
import os
import sqlite3
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run
from tests.corpus import CORPUS, bulletin, indexed_archive

from whrd_cli.filters import Filter
from whrd_cli.search import index as ix
from whrd_cli.search.query import parse_query
from whrd_cli.search.rank import search
from whrd_cli.search.service import SearchIndex, search_archive
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)  # the archive as the CLI opens it: its index follows every write

QUERIES = [
    "radio",
    "defensora",
    "mining OR minería",
    '"community radio"',
    'radio -"community radio"',
    "title:radio -country:SV",
    "country:honduras",
    "tag:whrdalert OR mothers",
    '"of the"',
]


@pytest.fixture
def archive(db: Path) -> Archive:
    return indexed_archive(db)


def answers(db: Path, flt: Filter | None = None) -> dict[str, list[tuple[int, float]]]:
    """Every query's hits (id, score) as `Archive.search` gives them."""
    found = {}
    for query in QUERIES:
        result = search_archive(Archive(db, followers=INDEXED), parse_query(query), flt)
        found[query] = [(hit.id, hit.score) for hit in result.hits]
    return found


def in_memory(db: Path, flt: Filter | None = None) -> dict[str, list[tuple[int, float]]]:
    found = {}
    for query in QUERIES:
        result = search(Archive(db, followers=INDEXED).select(), parse_query(query), flt)
        found[query] = [(hit.id, hit.score) for hit in result.hits]
    return found


def dump(db: Path) -> dict[str, Any]:
    """Everything the index holds but its own bookkeeping of the archive's stat."""
    conn = sqlite3.connect(ix.index_path(db))
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta WHERE key NOT IN ('ino', 'size', 'mtime_ns')"))
        return {
            "meta": meta,
            "docs": conn.execute("SELECT * FROM docs ORDER BY id").fetchall(),
            "records": conn.execute("SELECT * FROM records ORDER BY id").fetchall(),
            "fts": conn.execute("SELECT rowid, * FROM fts ORDER BY rowid").fetchall(),
        }
    finally:
        conn.close()


def assert_same_as_a_rebuild(db: Path) -> None:
    assert ix.is_fresh(db)
    incremental = dump(db)
    ix.index_path(db).unlink()
    assert (
        search_archive(Archive(db, followers=INDEXED), parse_query("radio")).unindexed == 0
    )  # rebuilt, then answered
    assert dump(db) == incremental


FILTERS = [
    None,
    Filter(langs=frozenset({"en"})),
    Filter(since="2019-01-01"),
    Filter(countries=frozenset({"HN", "SV"}), tags=frozenset({"communityradio"})),
    Filter(categories=frozenset({"news"})),
]


@pytest.mark.parametrize("flt", FILTERS)
def test_the_index_answers_as_memory_does(archive: Archive, db: Path, flt: Filter | None) -> None:
    assert answers(db, flt) == in_memory(db, flt)
    assert ix.is_fresh(db)


def test_a_fresh_index_answers_without_reading_the_archive(archive: Archive, db: Path, run: Run) -> None:
    expected = run.json("search", "radio")
    before = db.stat()
    with open(db, "r+b") as fh:  # the same file, size and times, but no longer an archive
        fh.write(b"\0" * before.st_size)
    os.utime(db, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert ix.is_fresh(db)  # the index cannot tell: it trusts the archive's stat
    assert run.json("search", "radio") == expected
    assert sorted(item["id"] for item in expected) == [2, 6, 8, 11]
    assert run("list").exit_code == 0  # list answers from the index too (tests/test_index_reads.py)
    assert run("list", "--private").exit_code == 3  # anything that reads the archive now fails
    # Private notes are not in the index: --private reads them from the archive.
    assert run("search", "radio", "--private", "--json").exit_code == 3


def test_json_output_is_the_same_from_the_index_and_from_memory(archive: Archive, db: Path, run: Run) -> None:
    Archive(db, followers=INDEXED).update(2, {"private": "Contact: Ana, +504 5555"})
    from_index = [run.json("search", q, *extra) for q in QUERIES for extra in ([], ["--private"])]
    ix.discard(db)
    db.chmod(0o400)  # read-only: searched in memory
    from_memory = [run.json("search", q, *extra) for q in QUERIES for extra in ([], ["--private"])]
    assert from_index == from_memory
    assert not ix.index_path(db).exists()
    assert any(item.get("private") for items in from_index for item in items)


def test_writes_update_the_index_in_place_and_match_a_rebuild(
    archive: Archive, db: Path, run: Run, tmp_path: Path
) -> None:
    assert_same_as_a_rebuild(db)
    inode = ix.index_path(db).stat().st_ino
    run.ok(
        "add", "--title", "Radio comunitaria en Olancho", "--date", "2024-05-01", "-l", "es", "-t", "Radio"
    )
    assert ix.index_path(db).stat().st_ino == inode  # updated in place, not rebuilt
    assert_same_as_a_rebuild(db)

    inode = ix.index_path(db).stat().st_ino
    run.ok("edit", "2", "--title", "Mining threats in Olancho", "--lang", "es")
    run.ok("delete", "3", "6", "--yes")
    source = tmp_path / "more.jsonl"
    records = [
        {"title": "Radio y minería", "date": "2022-02-02", "lang": "es", "summary": "Amenazas."},
        {"title": "Mining in Honduras", "date": "2022-02-03", "lang": "en", "private": "x"},
    ]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    run.ok("import", str(source))
    records[0]["summary"] = "Amenazas de nuevo."  # an update that changes something (else: skipped)
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    run.ok("import", str(source), "--on-duplicate", "update")
    assert ix.index_path(db).stat().st_ino == inode
    assert answers(db) == in_memory(db)
    assert_same_as_a_rebuild(db)

    run.ok("reindex")
    assert answers(db) == in_memory(db)
    assert_same_as_a_rebuild(db)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda db: ix.index_path(db).unlink(), id="missing"),
        pytest.param(lambda db: ix.index_path(db).write_bytes(os.urandom(8192)), id="garbage"),
        pytest.param(lambda db: ix.index_path(db).write_bytes(b""), id="empty"),
        pytest.param(
            lambda db: ix.index_path(db).write_bytes(ix.index_path(db).read_bytes()[:20000]), id="truncated"
        ),
        pytest.param(lambda db: db.write_bytes(db.read_bytes() + b"\n"), id="archive edited by hand"),
    ],
)
def test_a_damaged_or_stale_index_is_rebuilt_by_search_and_by_writes(
    archive: Archive, db: Path, run: Run, damage: Any
) -> None:
    expected = in_memory(db)
    damage(db)
    assert not ix.is_fresh(db)
    assert answers(db) == expected
    assert ix.is_fresh(db)

    damage(db)
    run.ok("add", "--title", "Radio station in Olancho", "--date", "2024-01-01", "-l", "en")
    assert ix.is_fresh(db)
    assert answers(db) == in_memory(db)


def test_an_archive_replaced_by_another_is_searched_as_it_is(db: Path, tmp_path: Path, run: Run) -> None:
    Archive(db, followers=INDEXED).add_many([bulletin(*row) for row in CORPUS])
    other = tmp_path / "other" / "archive.json"
    Archive(other, followers=INDEXED).add_many(
        [bulletin("en", "2020-01-01", "Radio in Copán", "A new station.")]
    )
    assert ix.is_fresh(db) and ix.is_fresh(other)
    os.replace(other, db)  # the other archive's own index stays behind: ours is stale now
    assert [item["id"] for item in run.json("search", "radio")] == [1]
    assert [item["title"] for item in run.json("search", "copan")] == ["Radio in Copán"]


def test_a_copied_archive_and_index_are_not_trusted(archive: Archive, db: Path, tmp_path: Path) -> None:
    copy = tmp_path / "copy" / "archive.json"
    copy.parent.mkdir()
    copy.write_bytes(db.read_bytes())
    ix.index_path(copy).write_bytes(ix.index_path(db).read_bytes())
    assert not ix.is_fresh(copy)  # another inode: it could be any version of the archive
    assert answers(copy) == in_memory(db)
    assert ix.is_fresh(copy)


def test_a_read_only_archive_is_searched_in_memory_and_nothing_is_written(
    archive: Archive, db: Path, run: Run
) -> None:
    expected = in_memory(db)
    ix.discard(db)
    db.chmod(0o400)
    before = sorted(p.name for p in db.parent.iterdir())
    assert answers(db) == expected
    assert run.json("search", "radio")
    assert sorted(p.name for p in db.parent.iterdir()) == before


def test_a_busy_lock_means_a_search_in_memory(archive: Archive, db: Path) -> None:
    from filelock import FileLock

    expected = in_memory(db)
    ix.discard(db)
    with FileLock(f"{db}.lock"):
        result = search_archive(Archive(db, followers=INDEXED), parse_query("radio"))
        assert [(hit.id, hit.score) for hit in result.hits] == expected["radio"]
        assert result.unindexed == len(CORPUS)
    assert not ix.index_path(db).exists()


def test_a_fresh_index_serves_a_read_only_archive(archive: Archive, db: Path) -> None:
    db.chmod(0o400)
    assert ix.is_fresh(db)
    assert search_archive(Archive(db, followers=INDEXED), parse_query("radio")).unindexed == 0


def test_search_on_a_missing_archive_creates_nothing(db: Path, run: Run) -> None:
    assert run.json("search", "radio") == []
    run.ok("search", "radio")
    assert list(db.parent.iterdir()) == []


def test_the_index_file_is_private_and_leaves_no_journal(archive: Archive, db: Path, run: Run) -> None:
    path = ix.index_path(db)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    run.ok("add", "--title", "Radio station in Olancho", "--date", "2024-01-01")
    path.unlink()
    run.ok("search", "radio")  # rebuilt by search
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    names = sorted(p.name for p in db.parent.iterdir())
    assert names == ["archive.json", "archive.json.lock", "archive.json.search.sqlite"]


KILLER = """
import os, signal, sys
from whrd_cli.model import Bulletin
from whrd_cli.search import index
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive


def die():
    os.kill(os.getpid(), signal.SIGKILL)


class DiesFirst(SearchIndex):
    def prepare(self, *args, **kwargs):  # nothing made ready beside the fsync: all of it after
        return None

    def after_write(self, *args, **kwargs):  # the archive is written, the index not touched yet
        die()


follower = SearchIndex()
if sys.argv[2] == "after_write":
    follower = DiesFirst()
elif sys.argv[2] == "commit":

    def dies_before(self):  # the archive renamed into place, the index's change not committed
        die()

    index.Prepared.commit = dies_before
else:
    real = index._set_totals

    def dies_inside(*args, **kwargs):
        real(*args, **kwargs)  # the index rows are written, the archive not yet renamed
        die()

    index._set_totals = dies_inside
new = Bulletin.create(title="Radio killed in Olancho", date="2024-03-03", lang="en")
Archive(sys.argv[1], followers=(follower,)).add(new)
"""


@pytest.mark.parametrize(
    "where",
    [
        pytest.param("after_write", id="after the archive, before the index"),
        pytest.param("commit", id="after the archive, inside the index transaction"),
        pytest.param("_set_totals", id="inside the index transaction, before the archive's rename"),
    ],
)
def test_a_killed_writer_never_leaves_a_trusted_stale_index(archive: Archive, db: Path, where: str) -> None:
    old_stamp = ix.Stamp.of(db)
    done = subprocess.run([sys.executable, "-c", KILLER, str(db), where], check=False)
    assert done.returncode == -9
    landed = where != "_set_totals"  # the index's change is made while the new archive is fsynced
    assert ("Radio killed in Olancho" in db.read_text(encoding="utf-8")) == landed
    assert (ix.Stamp.of(db) == old_stamp) == (not landed)
    hot_journal = Path(f"{ix.index_path(db)}-journal").exists()
    assert hot_journal == (where != "after_write")  # killed inside the transaction, or before it
    if landed:
        assert not ix.is_fresh(db)
    expected = in_memory(db)
    assert (len(CORPUS) + 1 in [doc_id for doc_id, _score in expected["radio"]]) == landed
    assert answers(db) == expected
    assert ix.is_fresh(db)
    # Killed before the archive's rename, the index was still the archive's: never rebuilt, its
    # stray journal (zeroed header: not hot) left for the next write to take over.
    Archive(db, followers=INDEXED).add(bulletin("en", "2024-04-04", "Another radio in Copán", "After it."))
    assert not Path(f"{ix.index_path(db)}-journal").exists()
    assert answers(db) == in_memory(db)
    assert_same_as_a_rebuild(db)


def test_a_killed_writer_then_another_write_rebuilds(archive: Archive, db: Path, run: Run) -> None:
    done = subprocess.run([sys.executable, "-c", KILLER, str(db), "_set_totals"], check=False)
    assert done.returncode == -9
    run.ok("add", "--title", "Another radio", "--date", "2024-04-04")
    assert ix.is_fresh(db)
    assert_same_as_a_rebuild(db)
    assert answers(db) == in_memory(db)
