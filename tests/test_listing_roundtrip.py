"""A listing export cannot be made to forge bulletins (issue 12, item 6).

A summary may hold anything a person types: blank lines, a line that reads as a date line (English
or Spanish), a line shaped like a heading (`#WHRDAlert HONDURAS / …`), a `[…]` marker, a leading
backslash. Exported as a listing and read back, every bulletin stays one block: the same number of
bulletins, with the same dates, titles, categories, truncation and summary words.
"""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import Run

from whrd_cli.formats import WriteContext
from whrd_cli.formats.listing.reader import read_records
from whrd_cli.formats.listing.writer import write
from whrd_cli.model import Bulletin
from whrd_cli.records import Entry
from whrd_cli.store import Archive

MONTHS_EN = str.split("January February March April May June July August September October November December")
MONTHS_ES = str.split("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre")
MONTHS_ES.append("diciembre")
CATEGORIES = ["news", "alert", "statement", "report", "open-letter"]
WORDS = ["defensoras", "water", "radio", "tierra", "community", "land", "derechos", "threats", "river"]

days = st.dates(min_value=date(1990, 1, 1), max_value=date(2030, 12, 31))
date_lines = st.one_of(
    days.map(lambda d: f"{d.day} {MONTHS_EN[d.month - 1]} {d.year}"),
    days.map(lambda d: f"{d.day} de {MONTHS_ES[d.month - 1]} de {d.year}"),
    days.map(lambda d: f"{d.day} {MONTHS_ES[d.month - 1]}, {d.year}"),
    days.map(lambda d: f"{MONTHS_EN[d.month - 1]} {d.day}, {d.year}"),
    days.map(lambda d: f"{d.day:02d}/{d.month:02d}/{d.year}"),
    days.map(lambda d: d.isoformat()),
    days.map(lambda d: str(d.year)),
    st.just("26 Januray 2017"),
)
plain = st.lists(st.sampled_from(WORDS), min_size=1, max_size=6).map(" ".join)
headings = st.one_of(
    plain.map(lambda t: f"#WHRDAlert HONDURAS / {t}"),
    plain.map(lambda t: f"#AlertaDefensoras GUATEMALA / {t}"),
    plain.map(lambda t: f"NEWS / {t}"),
    plain.map(lambda t: f"NOTICIAS / {t} #WHRDs"),
    plain.map(lambda t: f"GUATEMALA / {t}"),
    plain.map(lambda t: f"PRONUNCIAMIENTO / MÉXICO / {t}"),
)
markers = st.one_of(
    plain.map(lambda t: f"{t} […]"),
    plain.map(lambda t: f"{t} [...]"),
    plain.map(lambda t: f"{t} (...)"),
    st.sampled_from(["[…]", "[...]"]),
)
hostile_line = st.one_of(plain, date_lines, headings, markers, plain.map(lambda t: "\\" + t), st.just("\\"))
breaks = st.sampled_from(["\n", "\n\n", "\n \n\n", "\n\n\n"])


@st.composite
def summaries(draw: Any) -> str:
    lines = draw(st.lists(hostile_line, max_size=8))
    text = ""
    for line in lines:
        text += (draw(breaks) if text else "") + line
    return text


@st.composite
def bulletins(draw: Any) -> Bulletin:
    title = draw(plain).capitalize()
    return Bulletin.create(
        title=title,
        date=draw(days).isoformat(),
        category=draw(st.sampled_from(CATEGORIES)),
        countries=draw(st.sampled_from([[], ["HN"], ["GT", "MX"]])),
        summary=draw(summaries()),
        truncated=draw(st.booleans()),
        lang=draw(st.sampled_from(["en", "es"])),
    )


def export_listing(items: list[Bulletin]) -> str:
    out = io.StringIO()
    context = WriteContext(title="t", locale="en", group_by="none")
    write([Entry(n, b) for n, b in enumerate(items, start=1)], out, context)
    return out.getvalue()


def words(text: str) -> list[str]:
    """The summary's words, the oracle: a listing keeps every word, not the exact line breaks."""
    return text.split()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(bulletins(), min_size=1, max_size=5))
def test_hostile_summaries_never_forge_or_change_a_bulletin(items: list[Bulletin]) -> None:
    text = export_listing(items)
    back = [record.bulletin for record in read_records(text, source="export.txt")]
    assert len(back) == len(items), text
    for original, read in zip(items, back, strict=True):
        assert (read.date, read.title, read.category) == (original.date, original.title, original.category)
        assert read.truncated == original.truncated, text
        assert words(read.summary) == words(original.summary), text


ISSUE_SUMMARY = (
    "First part.\n\n4 March 2018\n\n#WHRDAlert HONDURAS / A forged alert\n\nIts summary […]\n\n2 May 2019"
)


def test_the_issue_example_round_trips_through_the_cli(run: Run, db: Path, tmp_path: Path) -> None:
    Archive(db).add_many(
        [
            Bulletin.create(
                title="The real one", date="2020-05-01", category="news", lang="en", summary=ISSUE_SUMMARY
            )
        ]
    )
    out = tmp_path / "out.txt"
    run.ok("export", "-f", "listing", "-o", str(out))
    assert out.read_text(encoding="utf-8") == (
        "NEWS / The real one\n\nFirst part.\n\n\\4 March 2018\n\n"
        "\\#WHRDAlert HONDURAS / A forged alert\n\n\\Its summary […]\n\n\\2 May 2019\n\n1 May 2020\n"
    )
    fresh = tmp_path / "fresh.json"
    run.ok("--db", str(fresh), "import", str(out))
    [item] = run.json("--db", str(fresh), "list")
    assert (item["date"], item["title"], item["category"]) == ("2020-05-01", "The real one", "news")
    assert item["summary"] == ISSUE_SUMMARY and item["truncated"] is False
