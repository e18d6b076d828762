"""A big plain archive is read into huge pages (`names.Plain`, an mmap of this process's own) instead
of a `bytes`. Everything that reads it must see the same bytes: these tests lower the threshold so
that small archives take that path, and check every reader against `json.loads` of the file."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from marks import sha_mark
from whrd_cli.errors import ArchiveError
from whrd_cli.model import Bulletin
from whrd_cli.storage import check, light, names, trust
from whrd_cli.store import Archive


@pytest.fixture
def seen(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every archive read from here on takes the huge-page path; the kinds of what was read."""
    kinds: list[str] = []
    real = names.read_file

    def spy(fh: Any) -> Any:
        got = real(fh)
        kinds.append(type(got).__name__)
        return got

    monkeypatch.setattr(names, "_HUGE", 1)
    monkeypatch.setattr(check, "read_file", spy)
    monkeypatch.setattr(light, "read_file", spy)
    return kinds


def test_every_write_reads_the_archive_as_plain_pages_and_writes_what_it_would(
    tmp_path: Path, seen: list[str]
) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many(
        [Bulletin.create(title=f'Defensora {n} «ñ» ,"9":{{', date="2024-01-02") for n in range(50)]
    )
    light_reads: list[bool] = []
    real_load = light.load
    light.load = lambda p: _spied(light_reads, real_load(p))  # type: ignore[assignment]
    try:
        Archive(path).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    finally:
        light.load = real_load  # type: ignore[assignment]
    assert light_reads == [True] and "Plain" in seen  # the light read took the huge pages
    Archive(path).update(7, {"summary": "editada"})
    Archive(path).delete([9])
    data = path.read_bytes()
    stored = json.loads(data)["bulletins"]
    assert len(stored) == 50 and "9" not in stored
    assert stored["7"]["summary"] == "editada" and stored["51"]["title"] == "Nueva"
    assert trust.read_mark(path) == sha_mark(data)
    assert check.load_archive_file(path) == json.loads(data)
    assert seen.count("Plain") >= 4


def _spied(into: list[bool], got: Any) -> Any:
    into.append(got is not None)
    return got


def test_white_space_only_is_still_an_empty_archive(tmp_path: Path, seen: list[str]) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(b" \n\t\r\x0b\x0c" * 1000)
    with pytest.raises(ArchiveError, match="is empty"):
        check.load_archive_file(path)
    assert seen == ["Plain"]
    path.write_bytes(b" " * 1000 + b"x")
    with pytest.raises(ArchiveError, match="not valid JSON"):
        check.load_archive_file(path)


def test_a_file_that_grew_while_read_is_read_again_whole(
    tmp_path: Path, seen: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([Bulletin.create(title=f"Defensora {n}", date="2024-01-02") for n in range(5)])
    real_fstat = os.fstat

    class Shorter:  # the size as it was a moment before the last bytes were written
        def __init__(self, fd: int) -> None:
            self.st_size = real_fstat(fd).st_size - 10
            self.st_mode = real_fstat(fd).st_mode

    monkeypatch.setattr(names.os, "fstat", Shorter)
    with open(path, "rb") as fh:
        got = names.read_file(fh)
    assert isinstance(got, bytes) and got == path.read_bytes()
