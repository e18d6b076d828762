"""What a hostile tester found (issue 12): private text in the search index, lost backups, files
the user may not write, damaged archives half-written, stray temp and lock files, reads that write.

Every test compares bytes on disk before and after, against what the test itself wrote."""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from tests.conftest import Run

from whrd_cli.search import index as ix

SECRET = "Contact Ana Quispe at +504 9988-7766 safehouse"


def _files_beside(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


# -- 1. the search index never holds a private note -------------------------------------------------


def test_the_search_index_never_holds_a_private_note(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    run.ok("add", "--title", "Another radio", "--date", "2024-01-03")
    assert run.json("search", "radio")  # builds the index
    run.ok("edit", "2", "--private", SECRET + " (second)")  # an in-place update of the index
    assert run.json("search", "radio")
    index_files = [p for p in db.parent.iterdir() if p.name.startswith(db.name + ix.SUFFIX)]
    assert [p.name for p in index_files] == [db.name + ix.SUFFIX]
    for path in index_files:
        data = path.read_bytes()
        assert SECRET.encode() not in data and b"safehouse" not in data
    with sqlite3.connect(ix.index_path(db)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    assert columns == ["id", "record"]


def test_search_private_still_shows_the_note_from_the_archive(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    run.ok("add", "--title", "Another radio", "--date", "2024-01-03")
    for _ in range(2):  # the first search rebuilds the index, the second answers from it
        hits = run.json("search", "radio", "--private")
        assert {hit["title"]: hit["private"] for hit in hits} == {
            "Radio station threatened": SECRET,
            "Another radio": None,
        }
        assert all("private" not in hit for hit in run.json("search", "radio"))
        plain = run.ok("search", "radio", "--private").stdout
        assert "safehouse" not in plain
    assert ix.is_fresh(db)


def _old_index(db: Path) -> None:
    """An index as whrd wrote it before version 3: a `records.private` column holding the note."""
    st = os.stat(db)
    path = ix.index_path(db)
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
            "CREATE TABLE records(id INTEGER PRIMARY KEY, record TEXT NOT NULL, private TEXT);"
        )
        values = {"version": "whrd-search-index 2 _fts1", "ino": st.st_ino, "size": st.st_size}
        values["mtime_ns"] = st.st_mtime_ns
        conn.executemany("INSERT INTO meta VALUES (?, ?)", list(values.items()))
        conn.execute("INSERT INTO records VALUES (1, '{}', ?)", (SECRET,))
    conn.close()
    os.chmod(path, 0o600)
    assert SECRET.encode() in path.read_bytes()


def test_an_index_of_an_older_version_is_replaced_by_the_next_search(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    ix.index_path(db).unlink()
    _old_index(db)
    assert [hit["title"] for hit in run.json("search", "radio")] == ["Radio station threatened"]
    assert SECRET.encode() not in ix.index_path(db).read_bytes()
    assert ix.is_fresh(db)


def test_an_older_index_that_cannot_be_rebuilt_is_removed(db: Path, run: Run) -> None:
    from filelock import FileLock

    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    ix.index_path(db).unlink()
    _old_index(db)
    with FileLock(f"{db}.lock"):  # another whrd is writing: the search cannot rebuild the index
        assert [hit["title"] for hit in run.json("search", "radio")] == ["Radio station threatened"]
    assert not ix.index_path(db).exists()
