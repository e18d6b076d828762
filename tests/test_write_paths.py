"""The faster write paths of issue 14 give what the slow ones gave: the msgspec parse, the table
changed in place instead of through TinyDB, the plain-URL shortcut."""

from __future__ import annotations

import json
from pathlib import Path
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
