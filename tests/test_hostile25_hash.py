"""Hostile review (session 25) of 15a4be9: the SHA-256 of a plain archive (its trust mark) made in
a thread beside the parse, the digest's first look (`_LOOK` bytes) taken before that thread starts.

Oracles: `hashlib.sha256` of the file's bytes and of its bytes up to the bulletins table's closing
`}` (where that is: `{"bulletins":` and `orjson.dumps` of the table `json.loads` reads), the mark
`marks.sha_mark` computes from the file after a write, and which read the write took (a spy on
`light.load`: light, with the hash resumed, or in full)."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from marks import sha_mark
from whrd_cli.model import Bulletin
from whrd_cli.storage import light, names, trust
from whrd_cli.store import Archive

ATTR = "user.whrd.sound"
HEAD = b'{"bulletins":'


def _tables(bulletins: int, history: int, summary: int = 40) -> dict[str, Any]:
    table = {
        str(n): {"title": f'T{n} "q" \\ ,"{n + 1}":{{ \u2028 \U0001f600', "summary": "s" * summary}
        for n in range(1, bulletins + 1)
    }
    return {
        "bulletins": table,
        "journal": {"1": {"at": "2024-01-01T00:00:00Z", "command": "add"}},
        "history": {"1": {"text": "h" * history}} if history else {},
        "meta": {"1": {"schema": 3, "next_id": bulletins + 1}},
    }


def _oracle_mark(data: bytes) -> bytes:
    return b"2:" + hashlib.sha256(data).hexdigest().encode()


# Layouts: the bulletins table empty (its `}` at byte 14), ending just before, at and past the
# 64 bytes looked at first; files under, at and over the 1 MB from which the hash is a thread's,
# and between 1 and 2 MB; one bulletin with a history past 1 MB.
CASES = [
    (0, 0),
    (0, 1_200_000),
    (1, 0),
    (1, 1_200_000),
    (3, (1 << 20) - 300),
    (3, (1 << 20) + 300),
    (3, 1_500_000),
    (3, (2 << 20) - 500),
    (400, 1_100_000),
]


def _mapped(data: bytes) -> Any:
    """`data` as a big plain archive is read (`names.Plain`: this process's own memory)."""
    plain = names.own_memory(len(data), names.Plain)
    plain[:] = data
    return plain


@pytest.mark.parametrize("mapped", [False, True])
@pytest.mark.parametrize(("count", "history"), CASES)
def test_the_read_hash_and_the_resumed_state_are_sha256_of_the_file(
    count: int, history: int, mapped: bool
) -> None:
    tables = _tables(count, history)
    data = orjson.dumps(tables)
    sound: list[bool] = []
    read, head = light._read_plain(_mapped(data) if mapped else data, _oracle_mark(data), sound)
    assert sound == [True]
    assert read[0] is not None and list(read[0]["bulletins"]) == list(tables["bulletins"])
    table_end = len(HEAD) + len(orjson.dumps(json.loads(data)["bulletins"]))  # just past its `}`
    assert head is not None
    before, hashed = head
    assert before == HEAD
    assert trust.mark_of(hashed) == _oracle_mark(data[: table_end - 1])
    # The state is a copy: hashing the rest from it gives the file's hash, twice over.
    for _ in range(2):
        resumed = hashed.copy()
        resumed.update(data[table_end - 1 :])
        assert trust.mark_of(resumed) == _oracle_mark(data)


@pytest.mark.parametrize(("count", "history"), [(0, 1_200_000), (3, 1_500_000), (2, 10)])
def test_a_wrong_mark_is_never_sound(count: int, history: int) -> None:
    data = orjson.dumps(_tables(count, history))
    for wrong in (
        _oracle_mark(data[:-1] + b" "),
        _oracle_mark(data)[:-1] + b"0",
        b"1:" + _oracle_mark(data)[2:],
    ):
        sound: list[bool] = []
        light._read_plain(data, wrong, sound)
        assert sound == [False]


def test_a_file_laid_out_otherwise_hashes_whole_without_a_resumed_state() -> None:
    data = b'{ "bulletins":{"1":{"title":"x"}},"meta":{"1":{}}}' + b" " * (1 << 20)
    sound: list[bool] = []
    _read, head = light._read_plain(data, _oracle_mark(data), sound)
    assert sound == [True] and head is None


def _loads(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """One entry per light read: the `Source` (None when the archive was read in full)."""
    seen: list[Any] = []
    real = light.load

    def spy(path: Path) -> Any:
        found = real(path)
        seen.append(None if found is None else found[1])
        return found

    monkeypatch.setattr(light, "load", spy)
    return seen


def _history_archive(db: Path, bulletins: int, size: int) -> None:
    """An archive whose history table is about `size` bytes (a bulletin edited twice), then its
    `bulletins` bulletins: written and marked by whrd."""
    archive = Archive(db)
    archive.add(Bulletin.create(title="Borrada", date="2024-01-01", summary="s"))
    archive.update(1, {"summary": "x" * (size // 2)})
    archive.update(1, {"summary": "y" * (size // 2)})
    archive.delete([1])
    if bulletins:
        archive.add_many(
            [
                Bulletin.create(title=f"Defensora {n}", date="2024-01-02", summary="z")
                for n in range(bulletins)
            ]
        )


@pytest.mark.parametrize(
    ("bulletins", "size"),
    [(0, 1_200_000), (1, 1_200_000), (2, 1_400_000), (5, 1_900_000), (0, 3_000_000), (3, 5_000_000)],
)
def test_appends_to_an_archive_of_a_big_history_keep_the_mark_right(
    db: Path, monkeypatch: pytest.MonkeyPatch, bulletins: int, size: int
) -> None:
    _history_archive(db, bulletins, size)
    data = db.read_bytes()
    assert len(data) > (1 << 20) and os.getxattr(db, ATTR) == sha_mark(data)
    if not bulletins:
        assert data.startswith(b'{"bulletins":{}')  # its table ends within the first 64 bytes
    seen = _loads(monkeypatch)
    for n in range(3):
        new = Bulletin.create(
            title=f'Nueva "{n}" \\ \U0001f600 ,"9":{{', date="2024-02-01", summary="a\tb «ñ» \\\\u2028"
        )
        Archive(db).add(new)
        assert seen[-1] is not None and seen[-1].hashed is not None  # light, its hash resumed
        after = db.read_bytes()
        assert os.getxattr(db, ATTR) == sha_mark(after) == _oracle_mark(after)
        tables = json.loads(after)
        assert orjson.dumps(tables) == after
        assert tables["bulletins"][list(tables["bulletins"])[-1]]["title"] == new.title
        assert tables["bulletins"][list(tables["bulletins"])[-1]]["summary"] == new.summary
    assert len(seen) == 3


@pytest.mark.parametrize("where", ["history", "bulletins", "end"])
def test_an_archive_edited_by_hand_is_read_in_full(
    db: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    _history_archive(db, 2, 1_200_000)
    data = bytearray(db.read_bytes())
    mark = os.getxattr(db, ATTR)
    stamp = db.stat()
    if where == "history":
        at = data.index(b"yyyy")
        data[at] = ord("Y")
    elif where == "bulletins":
        at = data.index(b"Defensora 0")
        data[at] = ord("d")
    else:  # meta's next id, one more
        at = data.index(b'"next_id":') + len(b'"next_id":')
        data[at] = ord("7")
    db.write_bytes(bytes(data))
    os.setxattr(db, ATTR, mark)  # the mark kept (as a copy that keeps xattrs would keep it)
    os.utime(db, ns=(stamp.st_atime_ns, stamp.st_mtime_ns))
    seen = _loads(monkeypatch)
    Archive(db).add(Bulletin.create(title="Tras la edición", date="2024-02-01", summary="n"))
    assert seen == [None]  # the mark did not match: read in full
    after = db.read_bytes()
    assert os.getxattr(db, ATTR) == sha_mark(after)
    tables = json.loads(after)
    if where == "history":
        assert "Y" in json.dumps(tables["history"])
    if where == "bulletins":
        assert tables["bulletins"]["2"]["title"].startswith("defensora 0")
    if where == "end":
        assert list(tables["bulletins"])[-1] == "7"
