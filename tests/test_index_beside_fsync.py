"""The search index's change is made while the new archive is fsynced, and committed only once
the archive is in place: a write that fails before its rename leaves the index as it was, still
the archive's (issue 14: ~5 ms of an `add` at 10k no longer waits for the disk)."""

from __future__ import annotations

import os
import sqlite3
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import CORPUS, bulletin, indexed_archive
from tests.faults import fail_at, index_changes_made

from whrd_cli.errors import ArchiveError
from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex
from whrd_cli.storage import atomic
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)
NEW = bulletin("en", "2024-05-05", "Threats against a radio host in Gracias", "The host was followed home.")


@pytest.fixture
def archive(db: Path) -> Archive:
    return indexed_archive(db)


def rows(db: Path) -> list[tuple[Any, ...]]:
    """The index's records and the stat it vouches for, read with sqlite3 itself."""
    conn = sqlite3.connect(ix.index_path(db))
    try:
        meta = sorted(conn.execute("SELECT key, value FROM meta"))
        return [*meta, *conn.execute("SELECT id, record FROM records ORDER BY id")]
    finally:
        conn.close()


def is_temp(fd: int, db: Path) -> bool:
    """Whether `fd` is the archive's temp file (not the index's journal or anything else)."""
    name = os.readlink(f"/proc/self/fd/{fd}")
    return os.path.basename(name).startswith(f".{db.name}{atomic.TMP_MARK}")


def test_the_index_change_is_made_while_the_archive_is_fsynced(
    archive: Archive, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The archive's fsync waits until the index's change has begun: were they one after the
    other, it would wait in vain (and the test fails on its timeout, not by hanging)."""
    begun = threading.Event()
    seen: dict[str, object] = {}
    real_fsync, real_prepared = os.fsync, ix._prepared

    def fsync(fd: int) -> None:
        if is_temp(fd, db):
            seen["overlapped"] = begun.wait(timeout=10)
            seen["fsync thread"] = threading.current_thread() is not threading.main_thread()
        real_fsync(fd)

    def prepared(*args: Any, **kwargs: Any) -> Any:
        begun.set()
        seen["archive renamed before"] = "Gracias" in db.read_text(encoding="utf-8")
        return real_prepared(*args, **kwargs)

    monkeypatch.setattr(atomic.os, "fsync", fsync)
    monkeypatch.setattr(ix, "_prepared", prepared)
    Archive(db, followers=INDEXED).add(NEW)
    assert seen == {"overlapped": True, "fsync thread": True, "archive renamed before": False}
    assert ix.is_fresh(db)
    assert [hit.id for hit in ix_search(db, "Gracias")] == [len(CORPUS) + 1]


def ix_search(db: Path, words: str) -> list[Any]:
    from whrd_cli.search.query import parse_query
    from whrd_cli.search.service import search_archive

    result = search_archive(Archive(db, followers=INDEXED), parse_query(words))
    assert result.unindexed == 0
    return list(result.hits)


@pytest.mark.parametrize("where", ["fsync", "rename"])
def test_a_write_that_fails_before_its_rename_leaves_the_index_as_it_was(
    archive: Archive, db: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    before, index_before = db.read_bytes(), rows(db)
    assert ix.is_fresh(db)
    made = index_changes_made(monkeypatch, "_prepared")
    fail_at(monkeypatch, db, where)
    with pytest.raises(ArchiveError, match="Cannot write the archive"):
        Archive(db, followers=INDEXED).add(NEW)
    monkeypatch.undo()
    assert made == [True]  # the index's change was made, then rolled back
    assert db.read_bytes() == before
    assert not atomic.temp_files(db)
    assert not Path(f"{ix.index_path(db)}-journal").exists()
    assert rows(db) == index_before
    assert ix.is_fresh(db)  # still the archive's: nothing to rebuild
    assert ix_search(db, "Gracias") == []
