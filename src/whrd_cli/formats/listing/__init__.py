"""The network's published listing format: blocks of a heading, a summary and a date line.

    #WHRDAlert HONDURAS / Threats against a land defender in Tegucigalpa #WHRDs

    The network warns of repeated threats against a defender who documents evictions […]

    3 August 2021

Reading records what a careful reader would, or reports an error; it never guesses. Writing
gives the same format, each block in its bulletin's language, and reads back to the same title,
date, category, countries, summary, truncated, tags and lang. (`url`, `source`, `private` and
timestamps have no place in a listing; a summary's single line breaks become spaces.) Copy-paste
debris is tolerated: CRLF or CR line ends, a BOM, non-breaking and zero-width spaces, soft
hyphens, trailing spaces, curly quotes, a missing `[…]`.

The package, one concern a module, each importing only those below it:
- `reader`: blocks to bulletins (countries, date, language), every bad block located;
- `writer`: bulletins to blocks;
- `blocks`: lines cleaned and grouped into blocks, the summary and its `[…]`;
- `heading`: the heading grammar (category and country labels, title, hashtags);
- `dateline`: which lines are date lines and the date each gives (month words from `dates`).

This module is what the format registry (`formats.FORMATS`) imports: `read`, `read_records`,
`sniff` and `write`.
"""

from __future__ import annotations

from .reader import read, read_records, sniff
from .writer import write

__all__ = ["read", "read_records", "sniff", "write"]
