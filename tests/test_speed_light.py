"""Writes that only append bulletins read the archive light and keep its bytes (`storage.light`,
issue 14): the file they write is exactly the one a full read and full encoding would write.

Oracles: the same add done the slow way (a copy of the archive without whrd's mark, so read in
full and encoded whole), and `json.loads` of the result, compared with the tables built here
from `json.loads` of the archive before the add and the bulletins given."""

from __future__ import annotations

import itertools
import json
import os
import shutil
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from msgspec.structs import replace

from whrd_cli import history
from whrd_cli.model import Bulletin
from whrd_cli.search.index import index_path
from whrd_cli.storage import light, trust
from whrd_cli.storage.plan import OnDuplicate
from whrd_cli.store import Archive

NOW = datetime(2025, 3, 4, 5, 6, 7, tzinfo=timezone.utc)


def _clock() -> datetime:
    return NOW


@pytest.fixture
def uids(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Bulletin uids from a counter (both ways of writing must give the same bytes)."""
    counter = itertools.count(1)
    monkeypatch.setattr(history, "new_uid", lambda: f"{next(counter):032x}")
    yield


@pytest.fixture
def spliced(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many stored bulletins each light write kept as bytes."""
    calls: list[int] = []
    original = light._parts

    def spy(data: Any, source: light.Source) -> Any:
        calls.append(len(source.keys))
        return original(data, source)

    monkeypatch.setattr(light, "_parts", spy)
    return calls


def _marked(path: Path) -> bool:
    return trust.read_mark(path) is not None


def _unmarked_copy(path: Path, target: Path) -> None:
    target.write_bytes(path.read_bytes())  # no extended attribute: read in full, written whole


_CHARS = st.characters(
    whitelist_categories=("Lu", "Ll", "Lo", "Nd", "Po", "Ps", "Pe", "Sm", "So", "Zs", "Mn")
)
_TEXT = st.text(alphabet=_CHARS, min_size=1, max_size=30).filter(lambda t: any(c.isalnum() for c in t))
_BULLETIN = st.builds(
    lambda title, day, summary, tags, countries, lang: Bulletin.create(
        title=title,
        date=f"2020-01-{day:02d}",
        summary=summary,
        tags=tags,
        countries=countries,
        lang=lang,
    ),
    _TEXT,
    st.integers(1, 28),
    st.text(alphabet=_CHARS, max_size=60),
    st.lists(st.sampled_from(["agua", "tierra", "WHRD", "mujeres défensoras", "🌱"]), max_size=3),
    st.lists(st.sampled_from(["HN", "GT", "MX"]), max_size=2),
    st.sampled_from(["en", "es", "fr"]),
)


def _key(bulletin: Bulletin) -> str:
    return bulletin.key


def _tables(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def _expected(before: dict[str, Any], after: dict[str, Any], added: list[Bulletin]) -> None:
    """`after` is `before` with the new bulletins appended in order (and meta's next id moved,
    one operation journaled): every stored bulletin as it was, in the same order."""
    old, new = before.get("bulletins", {}), after["bulletins"]
    assert list(new)[: len(old)] == list(old)
    assert all(new[key] == value for key, value in old.items())
    appended = [new[key] for key in list(new)[len(old) :]]
    assert [(b["title"], b["date"], b["summary"], b["tags"]) for b in appended] == [
        (b.title, b.date, b.summary, list(b.tags)) for b in added
    ]
    assert after["meta"]["1"]["next_id"] == int(list(new)[-1]) + 1
    assert {k: v for k, v in after["meta"]["1"].items() if k != "next_id"} == {
        k: v for k, v in before["meta"]["1"].items() if k != "next_id"
    }
    assert after.get("history", {}) == before.get("history", {})
    assert len(after["journal"]) == min(len(before.get("journal", {})) + 1, history.JOURNAL_KEEP)


def _add_both_ways(
    tmp: Path, stored: list[Bulletin], edit: bool, new: list[Bulletin], monkeypatch: pytest.MonkeyPatch
) -> tuple[Path, Path, list[int], dict[str, Any]]:
    """The same archive, then the same add: light (marked file) and full (unmarked copy)."""
    fast, slow = tmp / "fast" / "a.json", tmp / "slow" / "a.json"
    for folder in (fast.parent, slow.parent):
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    counter = itertools.count(1)
    monkeypatch.setattr(history, "new_uid", lambda: f"{next(counter):032x}")
    archive = Archive(fast, clock=_clock)
    archive.add_many(stored, on_duplicate=OnDuplicate.ADD)
    if edit and stored:  # a history table and a tombstone before the add
        archive.update(1, {"summary": "edited ñ"})
        if len(stored) > 1:
            archive.delete([2])
    _unmarked_copy(fast, slow)
    before = _tables(slow)
    calls: list[int] = []
    original = light._parts

    def spy(data: Any, source: light.Source) -> Any:
        calls.append(len(source.keys))
        return original(data, source)

    monkeypatch.setattr(light, "_parts", spy)
    for path in (fast, slow):
        state = itertools.count(1000)
        monkeypatch.setattr(history, "new_uid", lambda state=state: f"{next(state):032x}")
        Archive(path, clock=_clock).add_many(new, on_duplicate=OnDuplicate.SKIP)
    monkeypatch.setattr(light, "_parts", original)
    return fast, slow, calls, before


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(_BULLETIN, max_size=6),
    st.booleans(),
    st.lists(
        _BULLETIN.map(lambda b: replace(b, title=f"Nuevo {b.title}")), min_size=1, max_size=3, unique_by=_key
    ),
)
def test_an_append_writes_the_bytes_a_full_write_writes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, stored: list[Bulletin], edit: bool, new: list[Bulletin]
) -> None:
    fast, slow, calls, before = _add_both_ways(tmp_path, stored, edit, new, monkeypatch)
    if not _marked(fast):
        pytest.skip("no user extended attributes here: every write reads in full")
    assert len(calls) == 1  # the light way was taken for the marked file only
    assert fast.read_bytes() == slow.read_bytes()
    _expected(before, _tables(fast), new)
    assert _marked(fast)  # and the file it wrote is marked sound again
    assert trust.is_sound_copy(fast.read_bytes(), trust.read_mark(fast))


def test_the_result_is_the_old_tables_with_the_bulletins_appended(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stored = [
        Bulletin.create(title=f"Défensoras «{n}» ✊", date="2021-05-06", summary="a\u00a0b", lang="es")
        for n in range(5)
    ]
    new = [
        Bulletin.create(title="Última", date="2022-01-01", tags=["agua"], lang="es"),
        Bulletin.create(title="Défensoras «3» ✊", date="2021-05-06", lang="es"),  # a duplicate: skipped
        Bulletin.create(title="Last one", date="2022-01-02", countries=["HN"], lang="en"),
    ]
    fast, slow, calls, before = _add_both_ways(tmp_path, stored, True, new, monkeypatch)
    if not _marked(fast):
        pytest.skip("no user extended attributes here")
    assert calls == [4]  # five stored, one deleted: four kept as bytes
    assert fast.read_bytes() == slow.read_bytes()
    after = _tables(fast)
    _expected(before, after, [new[0], new[2]])
    assert "history" in after and after["bulletins"]["1"]["summary"] == "edited ñ"


def test_the_first_bulletins_of_an_empty_archive(tmp_path: Path, uids: None, spliced: list[int]) -> None:
    path = tmp_path / "a.json"
    archive = Archive(path, clock=_clock)
    archive.add_many([], on_duplicate=OnDuplicate.SKIP)  # a new archive: its meta record only
    archive.add(Bulletin.create(title="First", date="2020-01-01", lang="en"))  # no bulletins table yet
    archive.delete([1])  # a marked archive whose bulletins table is empty
    if not _marked(path):
        pytest.skip("no user extended attributes here")
    assert spliced == [0]  # the meta-only archive, read light: no bulletins table to keep
    before = _tables(path)
    assert before["bulletins"] == {}
    spliced.clear()
    Archive(path, clock=_clock).add(Bulletin.create(title="Second", date="2020-01-02", lang="en"))
    assert spliced == [0]
    after = _tables(path)
    assert list(after["bulletins"]) == ["2"] and after["bulletins"]["2"]["title"] == "Second"
    assert after["history"] == before["history"]


def test_a_marked_file_edited_in_place_is_read_in_full(
    tmp_path: Path, uids: None, spliced: list[int]
) -> None:
    path = tmp_path / "a.json"
    Archive(path, clock=_clock).add(Bulletin.create(title="Original", date="2020-01-01", lang="en"))
    if not _marked(path):
        pytest.skip("no user extended attributes here")
    data = path.read_bytes().replace(b"Original", b"Replaced")
    with open(path, "r+b") as fh:  # in place: the attribute stays, the bytes no longer match it
        fh.write(data)
    assert _marked(path)
    Archive(path, clock=_clock).add(Bulletin.create(title="Second", date="2020-01-02", lang="en"))
    assert spliced == []
    assert [b["title"] for b in _tables(path)["bulletins"].values()] == ["Replaced", "Second"]


def test_anything_but_an_append_is_refused_before_a_byte_is_written(tmp_path: Path, uids: None) -> None:
    from whrd_cli.storage.tinydb_adapter import AtomicJSONStorage

    path = tmp_path / "a.json"
    Archive(path, clock=_clock).add_many(
        [Bulletin.create(title=t, date="2020-01-01", lang="en") for t in ("a1", "b2")],
        on_duplicate=OnDuplicate.ADD,
    )
    if not _marked(path):
        pytest.skip("no user extended attributes here")
    before = path.read_bytes()
    for change in ("replace", "remove", "edit", "partial"):
        storage = AtomicJSONStorage(path, writable=True, light=True)
        tables = storage.read()
        assert tables is not None and storage.source is not None
        table = tables["bulletins"]
        if change == "replace":
            table["1"] = {"title": "x", "date": "2020-01-01"}
        elif change == "remove":
            del table["2"]
            table["3"] = {"title": "x", "date": "2020-01-01"}
        elif change == "edit":
            table["1"]["title"] = "edited"
        else:
            table["3"] = {"_key": "k"}
        with pytest.raises(RuntimeError):
            storage.write(tables)
        assert path.read_bytes() == before
        assert not [name for name in os.listdir(tmp_path) if ".whrd-tmp-" in name]


def test_a_stale_index_is_rebuilt_from_the_whole_archive(
    tmp_path: Path, uids: None, spliced: list[int]
) -> None:
    from whrd_cli.search.service import SearchIndex

    path = tmp_path / "a.json"
    archive = Archive(path, clock=_clock, followers=[SearchIndex()])
    archive.add(Bulletin.create(title="Water defenders", date="2020-01-01", summary="river", lang="en"))
    if not _marked(path):
        pytest.skip("no user extended attributes here")
    index_path(path).unlink()
    Archive(path, clock=_clock, followers=[SearchIndex()]).add(
        Bulletin.create(title="Forest", date="2020-01-02", lang="en")
    )
    assert spliced == [1]
    import sqlite3

    conn = sqlite3.connect(index_path(path))
    try:
        rows = conn.execute("SELECT id, date FROM docs ORDER BY id").fetchall()
        records = [json.loads(r)["title"] for (r,) in conn.execute("SELECT record FROM records ORDER BY id")]
    finally:
        conn.close()
    assert rows == [(1, "2020-01-01"), (2, "2020-01-02")]
    assert records == ["Water defenders", "Forest"]


def test_an_update_import_reads_in_full(tmp_path: Path, uids: None, spliced: list[int]) -> None:
    path = tmp_path / "a.json"
    archive = Archive(path, clock=_clock)
    archive.add(Bulletin.create(title="Same", date="2020-01-01", lang="en"))
    Archive(path, clock=_clock).add_many(
        [Bulletin.create(title="Same", date="2020-01-01", summary="more", lang="en")],
        on_duplicate=OnDuplicate.UPDATE,
    )
    assert spliced == []
    assert _tables(path)["bulletins"]["1"]["summary"] == "more"


def test_reads_after_a_light_write_see_whole_bulletins(
    tmp_path: Path, uids: None, spliced: list[int]
) -> None:
    path = tmp_path / "a.json"
    Archive(path, clock=_clock).add(
        Bulletin.create(title="Old one", date="2020-01-01", summary="s", lang="en")
    )
    archive = Archive(path, clock=_clock)
    new_id = archive.add(Bulletin.create(title="New one", date="2020-01-02", summary="t", lang="en"))
    if not _marked(path):
        pytest.skip("no user extended attributes here")
    assert spliced == [1]
    assert archive.get(new_id).bulletin.summary == "t"
    assert archive.get(1).bulletin.summary == "s"  # not from the light read: the file read in full
    assert [e.bulletin.title for e in archive.entries()] == ["Old one", "New one"]
    archive.delete([new_id])  # a later write of the same Archive forgets what it appended
    with pytest.raises(Exception, match="No bulletin"):
        archive.get(new_id)
