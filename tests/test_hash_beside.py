"""The plain light read hashes the archive (its trust mark) in a thread beside the parse
(`light._read_plain`): the digest's look at the first bytes is made before the thread starts.
Oracles: `marks.sha_mark` of the file's bytes (SHA-256 by hashlib, outside whrd's Digest), and
whether the next append reads the archive light (only a file that hashes to its mark is)."""

from __future__ import annotations

import os
import threading
from pathlib import Path
from typing import Any

import pytest
from tests.corpus import bulletin

from marks import sha_mark
from whrd_cli.storage import light
from whrd_cli.store import Archive

LONG = "Las defensoras del río denuncian amenazas «graves» \\ y vigilancia. " * 40


def _big(db: Path, count: int = 600) -> None:
    """An archive of more than a megabyte (the hash then runs in its thread)."""
    Archive(db).add_many(
        [bulletin("es", f"2024-02-{1 + n % 28:02d}", f"Boletín {n}", LONG) for n in range(count)]
    )
    assert db.stat().st_size > 1 << 20


def _light_reads(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    found: list[bool] = []
    real = light.load
    monkeypatch.setattr(light, "load", lambda path: found.append((got := real(path)) is not None) or got)
    return found


def test_appends_leave_the_mark_of_their_bytes(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _big(db)
    reads = _light_reads(monkeypatch)
    for n in range(3):
        Archive(db).add(bulletin("en", "2024-03-01", f"Alert {n}", "Short."))
        assert os.getxattr(db, "user.whrd.sound") == sha_mark(db.read_bytes())
    assert reads == [True, True, True]


def test_a_tiny_bulletins_table_before_big_tables(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every bulletin deleted: the bulletins table ends within the digest's first look (`{}`), the
    history kept after it is over a megabyte."""
    _big(db, 700)
    Archive(db).delete(list(range(1, 701)))
    assert db.read_bytes().startswith(b'{"bulletins":{},')
    assert db.stat().st_size > 1 << 20
    reads = _light_reads(monkeypatch)
    Archive(db).add(bulletin("en", "2024-03-01", "After the deletions", "Short."))
    Archive(db).add(bulletin("en", "2024-03-02", "And one more", "Short."))
    assert reads == [True, True]
    assert os.getxattr(db, "user.whrd.sound") == sha_mark(db.read_bytes())


def test_an_edited_archive_is_not_trusted(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _big(db)
    text = db.read_bytes()
    at = text.index(b"Bolet\xc3\xadn 7")
    mark = os.getxattr(db, "user.whrd.sound")
    db.write_bytes(text[:at] + b"Boletin 7" + text[at + len("Boletín 7".encode()) :])  # same size - 1
    os.setxattr(db, "user.whrd.sound", mark)  # (an editor that kept the attribute)
    reads = _light_reads(monkeypatch)
    Archive(db).add(bulletin("en", "2024-03-01", "After the edit", "Short."))
    assert reads == [False]  # read in full, as before
    assert os.getxattr(db, "user.whrd.sound") == sha_mark(db.read_bytes())


def test_no_thread_to_be_had(db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A limit on processes: every thread refused; the hash is made in this thread, rightly."""
    _big(db)
    refused: list[str] = []

    def start(self: threading.Thread, *_args: Any) -> None:
        refused.append(self.name)
        raise RuntimeError("can't start new thread")

    reads = _light_reads(monkeypatch)
    monkeypatch.setattr(threading.Thread, "start", start)
    Archive(db).add(bulletin("en", "2024-03-01", "No threads", "Short."))
    monkeypatch.undo()
    assert "whrd-hash" in refused
    assert reads == [True]
    assert os.getxattr(db, "user.whrd.sound") == sha_mark(db.read_bytes())
