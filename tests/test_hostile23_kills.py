"""Hostile review 23 of f5ae733 (the index's change made while the new archive is fsynced): a writer
SIGKILLed at each point of the new order (inside the fsync thread once the index's change is
made, right before the archive's rename, right after it, at the index's commit), for every kind
of write, with the index's change small (kept in SQLite's page cache) or large (spilled into the
index file, with a hot journal). Each child prints where it dies just before `os.kill`, so the
test proves the kill landed there. Afterwards the index is never trusted while wrong: whenever
`is_fresh` says yes, its answers are the in-memory search of the archive (the oracle), and after a
read and another write it is the archive's again, the same as a rebuild, with no stray journal."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import bulletin, indexed_archive
from tests.test_search_index import answers, assert_same_as_a_rebuild, in_memory

from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex, get_entry
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)
SRC = str(Path(__file__).resolve().parents[1] / "src")
ROOT = str(Path(__file__).resolve().parents[1])

CHILD = r"""
import os, signal, sys, threading
from whrd_cli.model import Bulletin
from whrd_cli.search import index
from whrd_cli.search.service import SearchIndex
from whrd_cli.storage import atomic
from whrd_cli.store import Archive

db, op, point, spill = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4] == "spill"
made = threading.Event()
state = {"renamed": False}


def die(where):
    print(f"KILLED-AT {where} prepared={made.is_set()} renamed={state['renamed']}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)


real_connect, real_prepare_update = index._connect, index.prepare_update


def connect(path, *, readonly=False):
    conn = real_connect(path, readonly=readonly)
    if spill and not readonly:  # a tiny page cache: the change is written into the file before COMMIT
        conn.execute("PRAGMA cache_size=1")
    return conn


def prepare_update(*args, **kwargs):
    found = real_prepare_update(*args, **kwargs)
    if found is not None:
        made.set()
    return found


index._connect, index.prepare_update = connect, prepare_update
real_fsync, real_replace, real_fsync_dir = os.fsync, os.replace, atomic.fsync_dir


def is_temp(fd):
    name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
    return name.startswith("." + os.path.basename(db) + atomic.TMP_MARK)


def fsync(fd):
    if point == "fsync" and is_temp(fd):
        made.wait(10)  # the index's change is made beside this fsync: die inside it, in its thread
        die("fsync")
    real_fsync(fd)


def replace(src, dst, *args, **kwargs):
    if point == "replace" and os.fspath(dst) == db:
        die("replace")
    real_replace(src, dst, *args, **kwargs)
    if os.fspath(dst) == db:
        state["renamed"] = True


def fsync_dir(folder):
    if point == "renamed" and state["renamed"]:
        die("renamed")
    real_fsync_dir(folder)


def commit(self):
    die("commit")


atomic.os.fsync, atomic.os.replace, atomic.fsync_dir = fsync, replace, fsync_dir
if point == "commit":
    index.Prepared.commit = commit
archive = Archive(db, followers=(SearchIndex(),))


def new(n):
    return Bulletin.create(title=f"Radio killed in Olancho {n}", date="2024-03-03", lang="en",
                           summary="A community radio defender was killed.")


if op == "add":
    archive.add(new(0))
elif op == "import":
    archive.add_many([new(n) for n in range(300)])
elif op == "edit":
    archive.update(2, {"title": "Radio killed in Olancho, community voice"})
elif op == "delete":
    archive.delete([2, 6])
elif op == "undo":
    archive.undo()
elif op == "restore":
    first = archive.versions(2)[-1].rev
    archive.restore(2, first)
print("NOT KILLED", flush=True)
"""

POINTS = ["fsync", "replace", "renamed", "commit"]
OPS = ["add", "import", "edit", "delete", "undo", "restore"]


@pytest.fixture
def archive(db: Path) -> Archive:
    return indexed_archive(db, retitled=True)


def every_entry(db: Path) -> dict[int, Any]:
    """What `whrd show` answers for every id (from the index when fresh)."""
    archive = Archive(db, followers=INDEXED)
    return {doc_id: get_entry(archive, doc_id) for doc_id, _raw in archive.select()}


def archive_entries(db: Path) -> dict[int, Any]:
    archive = Archive(db, followers=INDEXED)
    return {doc_id: archive.get(doc_id) for doc_id, _raw in archive.select()}


@pytest.mark.parametrize("spill", ["small", "spill"])
@pytest.mark.parametrize("point", POINTS)
@pytest.mark.parametrize("op", OPS)
def test_a_writer_killed_anywhere_never_leaves_a_trusted_wrong_index(
    archive: Archive, db: Path, op: str, point: str, spill: str
) -> None:
    old_bytes, old_index = db.read_bytes(), ix.index_path(db).read_bytes()
    old_answers = in_memory(db)
    assert answers(db) == old_answers and ix.is_fresh(db)
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, ROOT])}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), op, point, spill], env=env, capture_output=True, text=True
    )
    assert done.returncode == -9, (done.stdout, done.stderr)
    renamed = point in ("renamed", "commit")
    assert done.stdout.strip() == f"KILLED-AT {point} prepared=True renamed={renamed}"
    assert (db.read_bytes() == old_bytes) == (not renamed)  # the kill landed before or after the rename
    journal = Path(f"{ix.index_path(db)}-journal")
    assert journal.exists()  # killed inside the index's open transaction, every time
    # Spilled: the change is in the index file already, the journal hot (its magic written); kept
    # in the page cache: the file untouched, the journal's header still zero (not hot).
    hot = journal.read_bytes()[:8] != bytes(8)
    assert hot == (spill == "spill") == (ix.index_path(db).read_bytes() != old_index)
    expected = in_memory(db)
    if not renamed:
        assert expected == old_answers
    # The index, if trusted now, answers as the archive does; `show` too, for every id.
    if ix.is_fresh(db):
        assert answers(db) == expected
    assert every_entry(db) == archive_entries(db)
    assert answers(db) == expected
    Archive(db, followers=INDEXED).add(bulletin("en", "2024-04-04", "Another radio in Copán", "After it."))
    assert not journal.exists()
    assert answers(db) == in_memory(db)
    assert every_entry(db) == archive_entries(db)
    assert_same_as_a_rebuild(db)
