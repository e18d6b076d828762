"""Hostile review 23 of f5ae733: a big change to the index (more than one chunk of rows) is worked
out on two processes (`workers.fork_shared`), so the prepare now forks while the archive's fsync
thread runs. The fork must happen then (proved below), and the index must come out as the
archive: the in-memory search of it and a rebuild from scratch."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import CORPUS, bulletin
from tests.test_search_index import answers, assert_same_as_a_rebuild, in_memory

from whrd_cli import workers
from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex
from whrd_cli.storage import atomic
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)


def test_an_import_of_many_forks_beside_the_fsync_and_indexes_right(
    db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    Archive(db, followers=INDEXED).add_many([bulletin(*row) for row in CORPUS])
    assert ix.is_fresh(db)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    beside: list[bool] = []
    real_start = workers.start_child

    def start_child(*args: Any, **kwargs: Any) -> Any:
        beside.append(any(t.name == "whrd-fsync" and t.is_alive() for t in threading.enumerate()))
        return real_start(*args, **kwargs)

    monkeypatch.setattr(workers, "start_child", start_child)
    many = [
        bulletin(
            "es" if n % 3 else "en",
            f"20{10 + n % 14}-0{1 + n % 9}-1{n % 9}",
            f"Radio comunitaria {n} de defensoras" if n % 2 else f"Community radio {n} defenders",
            f"Resumen {n}: minería y territorio en Olancho." if n % 2 else f"Summary {n}: mining and rivers.",
            ["HN", "GT", "SV"][n % 3 : n % 3 + 1],
            ["Radio"] if n % 5 == 0 else [],
        )
        for n in range(2500)
    ]
    made: list[bool] = []
    real_prepare, real_fsync = ix.prepare_update, os.fsync
    done = threading.Event()

    def prepare(*args: Any, **kwargs: Any) -> Any:
        found = real_prepare(*args, **kwargs)
        made.append(found is not None)
        done.set()
        return found

    def fsync(fd: int) -> None:  # a slow disk: the archive's fsync lasts until the prepare is over
        if os.path.basename(os.readlink(f"/proc/self/fd/{fd}")).startswith(f".{db.name}{atomic.TMP_MARK}"):
            done.wait(60)
        real_fsync(fd)

    monkeypatch.setattr(ix, "prepare_update", prepare)
    monkeypatch.setattr(atomic.os, "fsync", fsync)
    result = Archive(db, followers=INDEXED).add_many(many)
    assert len(result.added) == 2500
    assert made == [True]
    assert beside and all(beside)  # forked while the archive's fsync thread was running
    assert ix.is_fresh(db) and answers(db) == in_memory(db)
    assert_same_as_a_rebuild(db)
