"""The Atom feed as a feed reader sees it (issue 12, item 21), checked with a real feed parser
(feedparser): every entry has content, a link where one can be built, `published` from the
bulletin's date, and `updated` that moves only when the bulletin really changed."""

from __future__ import annotations

import time
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import feedparser
import pytest
from tests.conftest import Run

from whrd_cli.model import Bulletin
from whrd_cli.store import Archive

CLOCK = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)  # when the bulletins were imported
BASE = "https://example.org/whrd/alerts.atom"


@pytest.fixture
def archive(db: Path) -> Path:
    Archive(db, clock=lambda: CLOCK).add_many(
        [
            Bulletin.create(
                title="Radio comunitaria cumple cinco años",
                date="2019-02-14",
                category="news",
                summary="La radio celebra.\n\nSegundo párrafo.",
                truncated=True,
                lang="es",
                url="https://example.org/radio",
                private="sólo por Signal",
            ),
            Bulletin.create(title="Threats in Olancho", date="2022-05-17", category="alert", lang="en"),
            Bulletin.create(title="Letter", date="2018-03-04", category="open-letter", lang="en"),
        ]
    )
    return db


def parsed(run: Run, *args: str) -> Any:
    text = run.ok("export", "-f", "atom", "-o", "-", *args).stdout
    feed = feedparser.parse(text)
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert feed.version == "atom10"
    return feed


def by_title(feed: Any) -> dict[str, Any]:
    return {entry.title: entry for entry in feed.entries}


def day(struct: time.struct_time) -> str:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", struct)


def test_a_feed_reader_reads_every_entry_with_content_and_dates(run: Run, archive: Path) -> None:
    feed = parsed(run)
    entries = by_title(feed)
    assert sorted(entries) == ["Letter", "Radio comunitaria cumple cinco años", "Threats in Olancho"]
    radio = entries["Radio comunitaria cumple cinco años"]
    assert radio.content[0].type == "text/plain"
    assert radio.content[0].value == "La radio celebra.\n\nSegundo párrafo. […]"
    assert "Signal" not in radio.content[0].value
    for entry in entries.values():
        assert len(entry.content) == 1  # RFC 4287 §4.1.2: with content, a link is not required
    published = {title: day(e.published_parsed) for title, e in entries.items()}
    assert published == {
        "Radio comunitaria cumple cinco años": "2019-02-14T00:00:00Z",
        "Threats in Olancho": "2022-05-17T00:00:00Z",
        "Letter": "2018-03-04T00:00:00Z",
    }
    # Recorded on 2024-01-02 and never changed: `updated` is the publication day, not the import.
    assert {title: day(e.updated_parsed) for title, e in entries.items()} == published
    assert day(feed.feed.updated_parsed) == "2022-05-17T00:00:00Z"
    assert [link.href for link in radio.links] == ["https://example.org/radio"]
    assert entries["Letter"].get("links", []) == []  # no url, no --base-url: no link
    assert "links" not in feed.feed or all(link.rel != "self" for link in feed.feed.links)


def test_base_url_gives_a_self_link_and_a_link_to_every_entry(run: Run, archive: Path) -> None:
    feed = parsed(run, "--base-url", BASE)
    assert [(link.rel, link.href) for link in feed.feed.links] == [("self", BASE)]
    ids = {item["title"]: item["id"] for item in run.json("list")}
    links = {title: [(link.rel, link.href) for link in e.links] for title, e in by_title(feed).items()}
    assert links == {
        "Radio comunitaria cumple cinco años": [("alternate", "https://example.org/radio")],
        "Threats in Olancho": [
            ("alternate", f"https://example.org/whrd/#bulletin-{ids['Threats in Olancho']}")
        ],
        "Letter": [("alternate", f"https://example.org/whrd/#bulletin-{ids['Letter']}")],
    }


def test_an_edit_moves_updated_and_only_that_entry(run: Run, archive: Path) -> None:
    before = by_title(parsed(run))
    run.ok(
        "edit", str(next(i["id"] for i in run.json("list") if i["title"] == "Letter")), "--summary", "New."
    )
    stored = next(i for i in run.json("list") if i["title"] == "Letter")
    after = parsed(run)
    entries = by_title(after)
    expected = datetime.fromisoformat(stored["updated"].replace("Z", "+00:00")).astimezone(timezone.utc)
    assert day(entries["Letter"].updated_parsed) == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
    assert entries["Letter"].updated_parsed > entries["Letter"].published_parsed
    assert entries["Letter"].content[0].value == "New."
    assert day(after.feed.updated_parsed) == expected.strftime("%Y-%m-%dT%H:%M:%SZ")
    for title in ("Radio comunitaria cumple cinco años", "Threats in Olancho"):
        assert entries[title].updated_parsed == before[title].updated_parsed
        assert entries[title].id == before[title].id


def test_private_notes_go_in_content_only_when_asked(run: Run, archive: Path) -> None:
    radio = by_title(parsed(run, "--include-private"))["Radio comunitaria cumple cinco años"]
    assert (
        radio.content[0].value == "La radio celebra.\n\nSegundo párrafo. […]\n\nPrivate note: sólo por Signal"
    )
    assert "Signal" not in radio.summary


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["-f", "atom", "--base-url", "example.org/feed"],
            "Error: --base-url must be an http(s) address such as https://example.org/whrd/feed.atom, "
            "not 'example.org/feed'.\n",
        ),
        (
            ["-f", "atom", "--base-url", "javascript:alert(1)"],
            "Error: --base-url must be an http(s) address such as https://example.org/whrd/feed.atom, "
            "not 'javascript:alert(1)'.\n",
        ),
        (
            ["-f", "atom", "--base-url", "https://exa mple.org/"],
            "Error: --base-url must be an http(s) address such as https://example.org/whrd/feed.atom, "
            "not 'https://exa mple.org/'.\n",
        ),
        (["-f", "md", "--base-url", BASE], "Error: --base-url works with the atom format, not md.\n"),
    ],
)
def test_a_bad_base_url_is_one_line(run: Run, archive: Path, args: list[str], message: str) -> None:
    result = run("export", "-o", "-", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", message)
