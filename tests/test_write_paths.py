"""The faster write paths of issue 14 give what the slow ones gave: the msgspec parse, the table
changed in place instead of through TinyDB, the plain-URL shortcut."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from whrd_cli.errors import ArchiveError, ValidationError
from whrd_cli.model import _PLAIN_URL, Bulletin, normalise_url
from whrd_cli.storage.check import load_archive_file
from whrd_cli.storage.plan import OnDuplicate
from whrd_cli.store import Archive


def _bulletin(n: int, **extra: object) -> Bulletin:
    return Bulletin.create(title=f"Bulletin number {n}", date="2020-01-01", lang="en", **extra)  # type: ignore[arg-type]


def test_the_parse_gives_what_the_standard_library_gives(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a.json")
    archive.add_many([_bulletin(n, summary='Ñandú «x» "y" \\ z 😀', tags=["a", "b"]) for n in range(5)])
    text = (tmp_path / "a.json").read_text(encoding="utf-8")
    assert load_archive_file(tmp_path / "a.json") == json.loads(text)


@pytest.mark.parametrize(
    "payload",
    [b"{", b'{"meta": {"1": {"app": "whrd", "schema": 1}}} x', b'"\xff"', b"[1e400]", b'"\\ud800"'],
)
def test_every_bad_file_is_still_refused_as_not_json(tmp_path: Path, payload: bytes) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(payload)
    with pytest.raises(ArchiveError, match="is not valid JSON"):
        load_archive_file(path)


def test_adds_updates_and_deletes_keep_the_file_order(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    archive = Archive(path)
    archive.add_many([_bulletin(n) for n in range(1, 6)])
    archive.delete([2])
    archive.update(4, {"summary": "changed"})
    result = Archive(path).add_many(
        [_bulletin(3, summary="merged"), _bulletin(9)], on_duplicate=OnDuplicate.UPDATE
    )
    assert (result.added, result.updated) == ([6], [3])
    stored = json.loads(path.read_text(encoding="utf-8"))
    assert list(stored["bulletins"]) == ["1", "3", "4", "5", "6"]  # replaced ones keep their place
    assert stored["bulletins"]["4"]["summary"] == "changed"
    assert stored["bulletins"]["3"]["summary"] == "merged"
    assert stored["bulletins"]["6"]["title"] == "Bulletin number 9"
    assert stored["meta"]["1"]["next_id"] == 7


@pytest.mark.parametrize(
    ("url", "kept"),
    [
        ("https://example.org/a?b=1#c", True),
        ("HTTP://Example.ORG", True),
        ("http://a..b/", True),
        ("http://a:8080/x", True),  # a port: the slow path
        ("http://a:99999/x", False),
        ("http://[::1/x", False),
        ("ftp://example.org", False),
        ("http:/example.org", False),
        ("https://example.org/a b", False),
        ("https://ejemplo.org/año", True),
    ],
)
def test_urls_are_kept_or_refused_as_before(url: str, kept: bool) -> None:
    if kept:
        assert normalise_url(url) == url
    else:
        with pytest.raises(ValidationError):
            normalise_url(url)


@settings(max_examples=300, deadline=None)
@given(st.from_regex(_PLAIN_URL, fullmatch=True))
def test_a_plain_url_passes_every_check_of_the_slow_path(url: str) -> None:
    parts = urlsplit(url)
    assert parts.scheme.lower() in ("http", "https")
    assert url[len(parts.scheme) :].startswith("://")
    assert parts.port is None and parts.hostname
    assert url.isascii() and " " not in url and url.isprintable()


@pytest.mark.parametrize("count", [0, 1, 4999, 5000, 5001, 12_345])
def test_the_archive_is_written_as_orjson_writes_it_whole(count: int) -> None:
    import orjson

    from whrd_cli.storage.tinydb_adapter import encode_pieces

    rows = range(1, count + 1)
    table = {str(n): {"title": f"Título «{n}» \u2028", "tags": ["a"], "n": n, "x": None} for n in rows}
    data = {"meta": {"1": {"app": "whrd", "schema": 1}}, "bulletins": table, "other": {"1": {"é": 1.5}}}
    # In whrd's file order: the bulletins first, the meta record last (`light.file_order`).
    in_order = {"bulletins": table, "other": data["other"], "meta": data["meta"]}
    assert b"".join(encode_pieces(data)) == orjson.dumps(in_order)
    assert b"".join(encode_pieces({})) == orjson.dumps({})
    assert b"".join(encode_pieces({"meta": data["meta"]})) == orjson.dumps({"meta": data["meta"]})


def _can_mark(folder: Path) -> bool:
    probe = folder / "probe"
    probe.write_bytes(b"")
    try:
        os.setxattr(probe, "user.whrd.probe", b"1")
    except OSError:
        return False
    finally:
        probe.unlink()
    return True


@pytest.fixture
def marked(tmp_path: Path) -> Path:
    """An archive of three bulletins written by whrd, on a file system that keeps user attributes."""
    if not _can_mark(tmp_path):
        pytest.skip("this file system keeps no user extended attributes")
    path = tmp_path / "a.json"
    Archive(path).add_many([_bulletin(n) for n in range(1, 4)])
    return path


def _counting_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The number of bulletins each `damage_in` call is given."""
    from whrd_cli.storage import check

    sizes: list[int] = []
    real = check.damage_in

    def counting(tables: Any, path: Path) -> str | None:
        sizes.append(len(tables.get("bulletins", {})))
        return real(tables, path)

    monkeypatch.setattr(check, "damage_in", counting)
    return sizes


def test_a_file_whrd_wrote_sound_is_not_checked_again_in_full(
    marked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert os.getxattr(marked, "user.whrd.sound").startswith(b"2:")
    sizes = _counting_checks(monkeypatch)
    Archive(marked).add(_bulletin(4))
    assert sizes == [1]  # only the new bulletin, once written
    Archive(marked).update(2, {"summary": "changed"})
    assert sizes == [1, 1]


def test_an_edit_after_a_read_trusts_the_parse_only_when_its_bytes_bear_the_mark(
    marked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`whrd edit` reads the bulletin first (`get`), then writes reusing that parse: the full check
    is skipped when the bytes parsed were the marked ones, and runs when they were not."""
    sizes = _counting_checks(monkeypatch)
    archive = Archive(marked)
    archive.get(2)
    archive.update(2, {"summary": "changed"})
    assert sizes == [1]  # only the changed bulletin
    assert (
        os.getxattr(marked, "user.whrd.sound")
        == b"2:" + hashlib.sha256(marked.read_bytes()).hexdigest().encode()
    )

    data = marked.read_bytes()
    with open(marked, "r+b") as fh:  # a hand edit in place: same inode and attribute, other bytes
        fh.write(data.replace(b"changed", b"CHANGED", 1))
    sizes.clear()
    archive = Archive(marked)
    archive.get(2)
    archive.update(2, {"summary": "again"})
    assert sizes == [3, 1]  # the parse reused, checked in full; then the changed bulletin


def test_an_edit_in_place_with_size_and_mtime_put_back_is_refused_as_before(
    marked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = marked.stat()
    data = marked.read_bytes()
    assert data.count(b'"date":"2020-01-01"') == 3
    broken = data.replace(b'"date":"2020-01-01"', b'"date":"2020-13-01"', 1)
    with open(marked, "r+b") as fh:  # the same file (inode, attribute), same size
        fh.write(broken)
    os.utime(marked, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = marked.stat()
    same = ("st_ino", "st_size", "st_mtime_ns")
    assert [getattr(after, name) for name in same] == [getattr(before, name) for name in same]
    assert os.getxattr(marked, "user.whrd.sound")  # the mark is still there: it must not be believed
    sizes = _counting_checks(monkeypatch)
    with pytest.raises(ArchiveError) as caught:
        Archive(marked).add(_bulletin(9))
    assert caught.value.message == (
        f"Bulletin 1 in {marked} has a 'date' that is not a real date written YYYY-MM-DD: '2020-13-01'. "
        "Fix it by hand, or restore a backup (ARCHIVE.bak)."
    )
    assert sizes == [3]
    assert marked.read_bytes() == broken


def test_a_copy_and_a_forged_mark_are_checked_in_full(marked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    copy = marked.with_name("b.json")
    copy.write_bytes(marked.read_bytes())  # a new file: no attribute
    os.setxattr(marked, "user.whrd.sound", b"1:" + b"0" * 64)
    sizes = _counting_checks(monkeypatch)
    Archive(copy).add(_bulletin(7))
    Archive(marked).add(_bulletin(8))
    assert sizes == [3, 1, 3, 1]  # each read in full, then the new bulletin before the mark
    for path in (copy, marked):  # each marked anew with the digest of what was written
        digest = hashlib.sha256(path.read_bytes()).hexdigest()
        assert os.getxattr(path, "user.whrd.sound") == f"2:{digest}".encode()


def test_the_stored_form_is_the_dict_form_without_nulls_plus_the_key() -> None:
    from whrd_cli.records import stored_form

    for bulletin in (
        _bulletin(1),
        _bulletin(2, countries=["HN", "GT"], tags=["x"], url="https://a.org", private="p", summary="s"),
    ):
        expected = {k: v for k, v in bulletin.to_dict().items() if v is not None} | {"_key": bulletin.key}
        assert stored_form(bulletin) == expected
        assert list(stored_form(bulletin)) == list(expected)


def test_backups_are_copied_and_compared_in_pieces(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whrd_cli.storage import backups

    monkeypatch.setattr(backups, "_PIECE", 7)
    path = tmp_path / "a.json"
    first = bytes(range(256)) * 3
    path.write_bytes(first)
    backups.keep_backup(path, 3)
    assert (tmp_path / "a.json.bak").read_bytes() == first
    backups.keep_backup(path, 3)  # the same bytes: history is not pushed out
    assert not (tmp_path / "a.json.bak.1").exists()
    second = first[:-1] + b"!"  # the same size, one byte different at the very end
    path.write_bytes(second)
    backups.keep_backup(path, 3)
    assert (tmp_path / "a.json.bak").read_bytes() == second
    assert (tmp_path / "a.json.bak.1").read_bytes() == first


def _counting_parses(monkeypatch: pytest.MonkeyPatch) -> list[Path]:
    from whrd_cli.storage import check

    parsed: list[Path] = []
    real = check.load_archive_file

    def counting(path: Path, **kwargs: Any) -> Any:
        parsed.append(path)
        return real(path, **kwargs)

    monkeypatch.setattr(check, "load_archive_file", counting)
    return parsed


def test_a_write_after_a_read_parses_the_file_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([_bulletin(n) for n in range(1, 4)])
    parsed = _counting_parses(monkeypatch)
    archive = Archive(path)
    assert archive.get(2).bulletin.title == "Bulletin number 2"
    archive.delete([2])
    assert len(parsed) == 1
    assert list(json.loads(path.read_text(encoding="utf-8"))["bulletins"]) == ["1", "3"]


def test_a_write_after_a_read_sees_what_changed_in_between(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([_bulletin(n) for n in range(1, 4)])
    archive = Archive(path)
    archive.get(1)
    Archive(path).add(_bulletin(4))  # another process, meanwhile
    archive.update(1, {"summary": "changed"})
    stored = json.loads(path.read_text(encoding="utf-8"))["bulletins"]
    assert [raw["title"] for raw in stored.values()][-1] == "Bulletin number 4"
    assert stored["1"]["summary"] == "changed"


def test_a_write_after_a_read_refuses_an_edit_in_place_made_in_between(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([_bulletin(n) for n in range(1, 4)])
    archive = Archive(path)
    archive.get(1)
    before = path.stat()
    broken = path.read_bytes().replace(b'"date":"2020-01-01"', b'"date":"2020-13-01"', 1)
    with open(path, "r+b") as fh:  # same inode, same size, mtime put back: only ctime moves
        fh.write(broken)
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    with pytest.raises(ArchiveError, match="has a 'date' that is not a real date"):
        archive.update(2, {"summary": "changed"})
    assert path.read_bytes() == broken


def test_the_index_totals_follow_small_writes_without_a_recount(tmp_path: Path) -> None:
    import sqlite3

    from whrd_cli.search import index

    archive = tmp_path / "a.json"

    def raw(title: str, lang: str | None) -> dict[str, Any]:
        found = {"title": title, "date": "2020-01-01", "summary": "Some words here", "tags": ["t"]}
        return found if lang is None else {**found, "lang": lang}

    bulletins = {"1": raw("One", "en"), "2": raw("Dos", "es"), "3": raw("Three", None), "4": raw("Four", "")}
    archive.write_text("0")
    index.rebuild(archive, bulletins, index.Stamp.of(archive))  # type: ignore[arg-type]
    inode = index.index_path(archive).stat().st_ino
    steps: list[tuple[dict[str, Any], set[int]]] = [
        ({"5": raw("Cinq", "fr")}, {5}),  # a new language
        ({"2": None}, {2}),  # the last Spanish one goes
        ({"1": raw("Uno", "es"), "6": raw("Six", "en")}, {1, 6}),  # a changed language, one more
        ({"3": None, "4": None, "1": None}, {1, 3, 4, 99}),  # 99: never there
    ]
    for number, (changes, touched) in enumerate(steps, start=1):
        before = index.Stamp.of(archive)
        for key, value in changes.items():
            if value is None:
                bulletins.pop(key, None)
            else:
                bulletins[key] = value
        archive.write_text(str(number) * (number + 1))  # another file state: another stamp
        index.update(archive, before, bulletins, touched)
        with sqlite3.connect(index.index_path(archive)) as conn:
            meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
        expected_langs = " ".join(sorted({b.get("lang") or "en" for b in bulletins.values()}))
        assert (meta["count"], meta["langs"]) == (len(bulletins), expected_langs), number
    assert index.index_path(archive).stat().st_ino == inode  # updated in place, never rebuilt
