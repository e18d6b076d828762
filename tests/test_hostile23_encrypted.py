"""Hostile review 23 of f5ae733 on an ENCRYPTED archive (its index in the session's tmpfs): the
index's change made beside the fsync of age ciphertext, for add/edit/delete/import; a failed fsync
or rename leaves ciphertext, identity, backups and index byte for byte as they were, the index
still fresh; the encrypting child lost (`ForkLost`: the write made again here) prepares the index
once and leaves it right; a writer SIGKILLed at each new point never leaves a trusted wrong index;
nothing plain lands beside the archive."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import CORPUS, bulletin
from tests.faults import count_lost_children, fail_at, index_changes_made, open_session
from tests.test_hostile23_kills import CHILD
from tests.test_search_index import answers, in_memory

from whrd_cli.crypto import codec, keys
from whrd_cli.errors import ArchiveError
from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex
from whrd_cli.storage import atomic
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)
NEW = bulletin("en", "2024-05-05", "Threats against a radio host in Gracias", "The host was followed home.")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sealed(db: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch) -> Archive:
    from whrd_cli.crypto import convert

    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    Archive(db).add_many([bulletin(*row) for row in CORPUS])
    Archive(db).update(2, {"title": "Community radio celebrates four years"})
    convert.encrypt_archive(db, "a passphrase of five words")
    open_session(runtime, db, str(keys.identity_for(db)))
    assert answers(db) == in_memory(db)  # (the index made in the session's tmpfs)
    assert ix.is_fresh(db) and ix.index_path(db).is_relative_to(runtime)
    return Archive(db, followers=INDEXED)


def sums(*folders: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for folder in folders
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def nothing_plain_beside(db: Path) -> None:
    assert not [p for p in db.parent.iterdir() if ".search.sqlite" in p.name]
    assert db.read_bytes().startswith(b"age-encryption.org/v1")


@pytest.mark.parametrize("op", ["add", "edit", "delete", "import"])
def test_every_encrypted_write_keeps_its_tmpfs_index_right(
    sealed: Archive, db: Path, op: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    made = index_changes_made(monkeypatch)
    if op == "add":
        sealed.add(NEW)
    elif op == "edit":
        sealed.update(4, {"title": "Amenazas contra defensoras del río en Gracias"})
    elif op == "delete":
        sealed.delete([5])
    else:
        sealed.add_many([NEW, bulletin("es", "2024-05-06", "Radio comunitaria en Gracias", "Otra.")])
    assert made == [True]  # made beside the ciphertext's fsync, then committed
    assert ix.is_fresh(db) and answers(db) == in_memory(db)
    nothing_plain_beside(db)


@pytest.mark.parametrize("where", ["fsync", "rename"])
@pytest.mark.parametrize("op", ["add", "import"])
def test_a_failed_encrypted_write_leaves_every_file_as_it_was(
    sealed: Archive, db: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch, where: str, op: str
) -> None:
    before = sums(db.parent, runtime)

    with monkeypatch.context() as patched, pytest.raises(ArchiveError, match="Cannot write the archive"):
        fail_at(patched, db, where)
        if op == "add":
            sealed.add(NEW)
        else:
            sealed.add_many([bulletin("en", f"2024-05-0{n}", f"Radio {n} in Gracias") for n in range(1, 8)])
    assert sums(db.parent, runtime) == before
    assert not atomic.temp_files(db)
    assert ix.is_fresh(db) and answers(db) == in_memory(db)


def test_a_lost_encrypting_child_prepares_the_index_once(
    sealed: Archive, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with monkeypatch.context() as patched:
        lost, calls = _add_losing_the_child(db, patched)
    assert lost == [True]
    assert calls == [True]  # the lost attempt failed before its fsync: prepared once, by the retry
    assert not Path(f"{ix.index_path(db)}-journal").exists()
    assert ix.is_fresh(db) and answers(db) == in_memory(db)
    nothing_plain_beside(db)


def _add_losing_the_child(db: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[list[bool], list[bool]]:
    from whrd_cli import workers

    monkeypatch.setattr(codec, "FORK_FROM", 3)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    parent = os.getpid()
    real_read = codec._Pieces.readinto

    def dying(self: Any, buffer: Any) -> int:
        if os.getpid() != parent:
            os._exit(3)  # the child encrypting the append is lost
        return real_read(self, buffer)

    monkeypatch.setattr(codec._Pieces, "readinto", dying)
    lost = count_lost_children(monkeypatch)
    calls = index_changes_made(monkeypatch)
    Archive(db, followers=INDEXED).add(NEW)
    return lost, calls


@pytest.mark.parametrize("point", ["fsync", "replace", "renamed", "commit"])
@pytest.mark.parametrize("op", ["add", "edit"])
def test_an_encrypted_writer_killed_anywhere_never_leaves_a_trusted_wrong_index(
    sealed: Archive, db: Path, runtime: Path, op: str, point: str
) -> None:
    old_bytes = db.read_bytes()
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    done = subprocess.run(
        [sys.executable, "-c", CHILD, str(db), op, point, "small"], env=env, capture_output=True, text=True
    )
    assert done.returncode == -9, (done.stdout, done.stderr)
    renamed = point in ("renamed", "commit")
    assert done.stdout.strip() == f"KILLED-AT {point} prepared=True renamed={renamed}"
    assert (db.read_bytes() == old_bytes) == (not renamed)
    assert Path(f"{ix.index_path(db)}-journal").exists()
    expected = in_memory(db)
    if ix.is_fresh(db):
        assert answers(db) == expected
    assert answers(db) == expected
    Archive(db, followers=INDEXED).add(bulletin("en", "2024-04-04", "Another radio in Copán", "After it."))
    assert not Path(f"{ix.index_path(db)}-journal").exists()
    assert ix.is_fresh(db) and answers(db) == in_memory(db)
    nothing_plain_beside(db)
