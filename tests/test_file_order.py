"""whrd writes its tables bulletins first and meta last (`light.file_order`), so an `add` leaves
the file's bytes up to its stored bulletins as they were and resumes their SHA-256 instead of
hashing the whole archive again; `show`'s conflict hint reads the meta record from the file's end.

Oracles: `hashlib.sha256` of the file as it is on disk, the common prefix of the files before and
after (computed on the bytes, not by whrd), and `json.loads` with the keys in file order.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from whrd_cli.model import Bulletin
from whrd_cli.storage import light, trust
from whrd_cli.store import Archive
from whrd_cli.sync.conflicts import hint


def _bulletins(count: int, start: int = 0) -> list[Bulletin]:
    return [
        Bulletin.create(title=f"Defensora {n} «agua»", date=f"2021-03-{1 + n % 28:02d}", summary="x" * 40)
        for n in range(start, start + count)
    ]


def _archive(tmp_path: Path, count: int = 300) -> Path:
    path = tmp_path / "a.json"
    Archive(path).add_many(_bulletins(count))
    if trust.read_mark(path) is None:
        pytest.skip("no user extended attributes here: no write is light, nothing is resumed")
    return path


def _hashed_bytes(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many bytes each write hashed as it wrote them."""
    seen: list[int] = []
    original = trust.hashed

    def counting(pieces: Any, digest: Any) -> Any:
        seen.append(0)
        for piece in original(pieces, digest):
            seen[-1] += len(piece)
            yield piece

    monkeypatch.setattr(trust, "hashed", counting)
    return seen


def _order(path: Path) -> list[str]:
    return list(json.loads(path.read_bytes(), object_pairs_hook=lambda pairs: dict(pairs)))


def _common_prefix(a: bytes, b: bytes) -> int:
    """How many bytes the two start with alike (the first difference found by bisection)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if a[:middle] == b[:middle] else (low, middle - 1)
    return low


def test_an_add_hashes_only_what_follows_the_stored_bulletins(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _archive(tmp_path)
    before = path.read_bytes()
    assert _order(path)[0] == "bulletins" and _order(path)[-1] == "meta"
    seen = _hashed_bytes(monkeypatch)
    Archive(path).add_many(_bulletins(2, start=1000))
    after = path.read_bytes()
    assert trust.read_mark(path) == trust.RULES + b":" + hashlib.sha256(after).hexdigest().encode()
    assert seen == [len(after) - _common_prefix(before, after)]  # the rest was resumed
    assert seen[0] < len(after) // 20


def test_an_archive_written_meta_first_is_marked_right_and_then_resumed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An archive written by an older whrd (meta first) is read light and written in file order;
    its hash is computed whole that once, and resumed from the next add on."""
    path = _archive(tmp_path)
    tables = json.loads(path.read_bytes())
    older = orjson.dumps({"meta": tables["meta"], **{k: v for k, v in tables.items() if k != "meta"}})
    path.write_bytes(older)
    trust.set_mark_on(path, trust.RULES + b":" + hashlib.sha256(older).hexdigest().encode())
    seen = _hashed_bytes(monkeypatch)
    calls: list[int] = []
    original = light._parts
    monkeypatch.setattr(light, "_parts", lambda d, s: (calls.append(len(s.keys)), original(d, s))[1])

    Archive(path).add_many(_bulletins(1, start=2000))
    first = path.read_bytes()
    assert calls == [300]  # read light: its stored bulletins kept as bytes
    assert seen == [len(first)]  # nothing to resume: the head changed
    assert _order(path)[0] == "bulletins" and _order(path)[-1] == "meta"
    assert trust.read_mark(path) == trust.RULES + b":" + hashlib.sha256(first).hexdigest().encode()

    Archive(path).add_many(_bulletins(1, start=3000))
    second = path.read_bytes()
    assert calls == [300, 301] and seen[1] == len(second) - _common_prefix(first, second)
    assert trust.read_mark(path) == trust.RULES + b":" + hashlib.sha256(second).hexdigest().encode()


def _write(path: Path, tables: dict[str, Any]) -> None:
    path.write_bytes(orjson.dumps(tables))


def test_the_conflict_hint_is_read_from_the_end_or_from_the_head(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    meta = {"1": {"app": "whrd", "conflicts": [3, 5]}}
    # A title that holds the very text the hint looks for: inside a JSON string, its quotes are
    # escaped, so it is never taken for the meta record.
    decoy = {"1": {"title": ',"meta":{"1":{"conflicts":[9]}}'}}
    _write(path, {"bulletins": decoy, "journal": {"1": {"added": [1]}}, "meta": meta})
    assert hint(path) == [3, 5]
    _write(path, {"meta": meta, "bulletins": decoy})  # written by an older whrd
    assert hint(path) == [3, 5]
    big = {str(n): {"title": "t" * 200} for n in range(1, 3000)}  # past the bytes read at each end
    _write(path, {"bulletins": big, "meta": meta})
    assert os.path.getsize(path) > 512 * 1024 and hint(path) == [3, 5]
    nested = {"1": {"conflicts": [4], "remotes": {"a": {"url": "x"}, "meta": {"url": "y"}}}}
    _write(path, {"bulletins": decoy, "meta": nested})  # a key "meta" inside the meta record
    assert hint(path) == [4]
    _write(path, {"bulletins": big, "meta": meta, "other": {}})  # meta not last: no hint
    assert hint(path) == []
    _write(path, {"bulletins": decoy, "meta": {"1": {"app": "whrd"}}})
    assert hint(path) == []
    path.write_bytes(b"age-encryption.org/v1\n" + os.urandom(600))
    assert hint(path) == []
