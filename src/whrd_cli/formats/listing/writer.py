"""Writing a listing: one block per bulletin, in its language, that reads back to the same bulletin.

The heading carries the category label (left out when it would read back as title text, as a
new category such as `covid-19` or `tv` would) and only as many leading countries as a reader
needs to get them all back in order (the rest are named in the title, tags or summary), each in a
form the heading grammar reads as that country; the summary keeps its paragraphs and gets its `[…]` back
when the source cut it; the date line is `dates.format_date` in the bulletin's language.

A summary never forges a block: each paragraph is one line, and a line the reader would take for a
date line, a heading (`#WHRDAlert HONDURAS / …`) or a final `[…]`, or that starts with a
backslash, is written after a backslash, which the reader removes (see `blocks`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache
from typing import TYPE_CHECKING, TextIO

from ...categories import category_label
from ...countries import country_name, spellings
from ...dates import format_date
from .. import WriteContext
from .blocks import ESCAPE, MARKER_AT_END, split_lines
from .dateline import date_shaped
from .heading import has_label_prefix, label_category, label_countries, text_countries

if TYPE_CHECKING:
    from ...model import Bulletin
    from ...records import Entry

MARKER = "[…]"


@lru_cache(maxsize=512)
def heading_country(code: str, lang: str) -> str | None:
    """The upper-case name a heading gives a country, one that reads back as that country."""
    other = "en" if lang == "es" else "es"
    candidates = [country_name(code, lang), country_name(code, other)]
    candidates += [re.sub(r"\s*\(.*\)", "", name) for name in candidates]
    candidates += [name.split(",")[0] for name in candidates]
    candidates += [name for name in spellings(code) if len(name) > 3]
    for candidate in candidates:
        upper = candidate.upper().strip()
        if "," in upper or "/" in upper or not upper:
            continue
        if label_countries(upper) == [code]:
            return upper
    return None  # no name of it can stand in a heading; it is left out


def _heading_countries(bulletin: Bulletin) -> list[str]:
    """The fewest leading countries the heading must carry for a reader to get them all, in order."""
    codes = list(bulletin.countries)
    named = text_countries(bulletin.title, bulletin.tags, bulletin.summary)
    needed = len(codes)
    for cut in range(len(codes) + 1):
        head = codes[:cut]
        if head + [c for c in named if c not in head] == codes:
            needed = cut
            break
    if bulletin.category in (None, "alert") and codes:
        needed = max(needed, 1)  # as published: `#WHRDAlert ECUADOR / …`, `GUATEMALA / …`
    return codes[:needed]


def format_heading(bulletin: Bulletin, lang: str) -> str:
    """`CATEGORY / title`, `#WHRDAlert COUNTRY / title`, `COUNTRY / title`, with hashtags after."""
    names = [n for n in (heading_country(c, lang) for c in _heading_countries(bulletin)) if n]
    segments: list[str] = []
    if bulletin.category == "alert":
        segments.append(" ".join([category_label("alert", lang), ", ".join(names)]).strip())
    elif bulletin.category:
        label = category_label(bulletin.category, lang)
        if label_category(label) == bulletin.category:  # else it would read back as the title's
            segments.append(label)
        if names:
            segments.append(", ".join(names))
    elif names:
        segments.append(", ".join(names))
    title = bulletin.title + "".join(f" #{tag}" for tag in bulletin.tags)
    return " / ".join([*segments, title])


def misreads(line: str) -> bool:
    """Whether a summary line, as the reader sees it, would read as something else: a date line,
    a heading, a truncation marker; or starts with the escape itself."""
    seen = split_lines(line)[0].text
    if seen.startswith(ESCAPE) or bool(MARKER_AT_END.search(seen)):
        return True
    return date_shaped(seen) or has_label_prefix(seen)


def format_summary(bulletin: Bulletin) -> str:
    """The summary as paragraphs of one line each, lines that would misread escaped, with the
    truncation marker put back when the source cut it (on a line of its own after an escaped line)."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", bulletin.summary) if p.strip()]
    lines = [ESCAPE + p if misreads(p) else p for p in paragraphs]
    if bulletin.truncated:
        if not lines:
            lines.append(MARKER)
        elif lines[-1].startswith(ESCAPE):
            lines[-1] += f"\n{MARKER}"
        else:
            lines[-1] += f" {MARKER}"
    return "\n\n".join(lines)


def format_block(bulletin: Bulletin, *, locale: str = "en") -> str:
    """One listing block (heading, summary, date line, blank lines between), in the bulletin's language."""
    lang = bulletin.lang if bulletin.lang in ("en", "es") else locale
    parts = [format_heading(bulletin, lang), format_summary(bulletin), format_date(bulletin.date, lang)]
    return "\n\n".join(part for part in parts if part) + "\n"


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    """The entries as a listing, in the given order, a blank line between blocks."""
    for index, entry in enumerate(entries):
        if index:
            out.write("\n")
        out.write(format_block(entry.bulletin, locale=context.locale))
