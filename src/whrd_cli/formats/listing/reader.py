"""Reading a listing: each block becomes a bulletin, or every bad block is reported with its line.

- **countries**: the heading's, then those the title, tags and summary name (`countries.find_countries`:
  English and Spanish names, capitals; words that only resemble a country are not one).
- **date**: from the date line only. A line shaped like a date that cannot be read exactly
  (`26 Januray 2017`, `January 2017`, `03/04/2017`) is an error for its block, as is a block
  with no date line, or a heading with no title.
- **lang**: `--lang` if given; else the block's own words (`lang.detect_language`); when they are
  too few, the language of the date line's month or of the category label; else the file's
  most common language; else the interface's language (`i18n.language`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

from msgspec import Struct

from ...errors import ParseError, WhrdError
from ...i18n import N_, _, language, translate
from ...lang import detect_language
from ...model import Bulletin
from .. import Location, RecordError
from ..reading import Progress, Record, bulletins_reader, raise_if_any, record_error
from .blocks import Block, segment, split_lines, summary
from .dateline import date_language, date_shaped, read_date_line
from .heading import Heading, parse_heading, text_countries

# The truncation marker that ends a summary (`[…]`, `[...]`), at the end of a line.
_MARKER = re.compile(r"\[\s*(?:…|\.{2,})\s*\]$")
_NO_DATE = N_("no date line after this block's summary (expected a line such as 26 January 2017)")


class _Parsed(Struct, frozen=True):
    location: Location
    fields: dict[str, Any]
    detected: str | None  # the language of the block's words, if they tell
    hint: str | None  # the language of its date line or category label, if they tell


def _parse_block(block: Block, source: str, errors: list[RecordError]) -> _Parsed | None:
    """A block's fields, or None after appending every problem it has to `errors`."""
    location = Location("line", block.heading.number)
    failed = False
    day: str | None = None
    if block.date is None:
        errors.append(RecordError(source, location, "date", translate(_NO_DATE)))
        failed = True
    else:
        day, problem = read_date_line(block.date.text)
        if problem:
            errors.append(RecordError(source, Location("line", block.date.number), "date", problem))
            failed = True
    heading = parse_heading(block.heading_text)
    if not heading.title:
        errors.append(
            RecordError(
                source,
                location,
                "title",
                _("the heading {heading!r} has no title").format(heading=block.heading_text),
            )
        )
        failed = True
    elif _summary_as_heading(block, heading):
        errors.append(
            RecordError(
                source,
                location,
                "title",
                _(
                    "the heading {heading!r} ends in […], as a summary does; give this block its "
                    "heading, or, if the date line above it belongs to the summary, write a \\ before it"
                ).format(heading=block.heading_text),
            )
        )
        failed = True
    if failed:
        return None
    text, truncated = summary(block)
    countries = list(heading.countries)
    countries += [c for c in text_countries(heading.title, heading.tags, text) if c not in countries]
    hint = date_language(block.date.text) if block.date else None
    return _Parsed(
        location,
        {
            "title": heading.title,
            "date": day,
            "category": heading.category,
            "countries": countries,
            "summary": text,
            "truncated": truncated,
            "tags": heading.tags,
        },
        detect_language(f"{heading.title}\n{text}"),
        hint or heading.lang,
    )


def _summary_as_heading(block: Block, heading: Heading) -> bool:
    """A bare line ending in `[…]` (no label, no summary under it) where a heading should be is a
    summary: its block lost its heading, or a bare date inside the summary above ended that block
    early. Taking it for a title would make a bulletin of summary text."""
    bare = heading.category is None and not heading.countries
    return bare and not block.body and bool(_MARKER.search(block.heading_text))


def sniff(text: str) -> float:
    """How surely a text is a listing: it has at least one date line (checked in its first 2,000 lines)."""
    return 0.5 if any(date_shaped(line.text) for line in split_lines(text)[:2000] if line.text) else 0.0


def _refuse_other_formats(text: str, source: str) -> None:
    """A `.txt` is read as a listing; one that holds JSON, JSON Lines or CSV (its whole first line
    a JSON object or array, or a header row of field names) says so, not 'no date line'."""
    from .. import csv, json, jsonl

    for name, module in (("json", json), ("jsonl", jsonl), ("csv", csv)):
        if module.sniff(text) >= 0.9:
            said = _("{source} holds {format}, not a listing; give --format {format}. Nothing was imported.")
            raise ParseError(said.format(source=source, format=name))


def read_records(
    text: str, *, source: str, lang: str | None = None, progress: Progress | None = None
) -> list[Record]:
    """Every block of a listing as a bulletin, located by its heading's line."""
    _refuse_other_formats(text, source)
    errors: list[RecordError] = []
    blocks = segment(split_lines(text), source, errors)
    parsed = [p for p in (_parse_block(b, source, errors) for b in blocks) if p is not None]
    fallback = language()
    if lang is None:
        known = Counter(found for p in parsed if (found := p.detected or p.hint) is not None)
        if known:
            fallback = known.most_common(1)[0][0]
    records: list[Record] = []
    total = len(parsed)
    for done, item in enumerate(parsed, start=1):
        chosen = lang or item.detected or item.hint or fallback
        try:
            records.append(Record(item.location, Bulletin.create(**item.fields, lang=chosen)))
        except WhrdError as exc:
            errors.append(record_error(source, item.location, exc))
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
    raise_if_any(errors)
    return records


read = bulletins_reader(read_records)
