"""Atom 1.0 feed writer (RFC 4287).

The feed is written as text with one escaping rule for element text and one for attribute
values (`_text`, `_attr`), applied to every value, and characters XML 1.0 cannot carry dropped;
the tests parse every feed back with a real XML parser, on hostile text too. (xml.etree took
twice as long on 100,000 entries.)

Ids are what keep a feed reader from showing an entry twice:
- an entry's id is `urn:uuid:` and a UUID5 of the archive's stable UUID, the bulletin's id and its
  `added` stamp: the same on every export (an edit keeps both), different from every other
  archive's, and not repeated even if a restored backup hands out an id a second time;
- the feed's id names the archive and the lasting part of the selection (countries, categories,
  tags, languages) but not its dates, so a weekly `--since 7d` feed keeps one id.

Dates: an entry's `published` is the bulletin's date (midnight UTC). Its `updated` is the same,
unless the bulletin was changed after it was recorded (its `updated` stamp is later than its
`added` one): then the moment of that change. Importing a listing stamps every bulletin with the
import time, which is not news: a reader shows bulletins by their dates, and again only when they
really change. The feed's `updated` is the newest entry's, so an unchanged archive exports to the
same bytes.

Every entry has `content` (text: the summary, `[…]` when cut, and the private note only with
`--include-private`), so RFC 4287 §4.1.2 needs no link; an entry links to the bulletin's http(s)
url, else, given `--base-url` (the feed's own address, also its `rel="self"` link), to
`<the feed's folder>#bulletin-<id>`. The feed's author is the digest title (whrd knows no
person's name to give).
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import TYPE_CHECKING, TextIO
from urllib.parse import urljoin

from .. import __version__
from ..categories import category_name
from ..countries import country_name
from ..dates import utc_stamp
from ..digest.context import filter_lines, linkable, period
from ..digest.labels import digest_locale
from ..i18n import word
from ..text import fold

if TYPE_CHECKING:
    from ..records import Entry
    from . import WriteContext

ATOM_NS = "http://www.w3.org/2005/Atom"
COUNTRY_SCHEME = "urn:iso:std:iso:3166:-1"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
# Characters XML 1.0 cannot carry at all; the model already refuses most of them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_TEXT_SPECIAL = re.compile(r"[&<>]")
_TEXT_ESCAPES = {"&": "&amp;", "<": "&lt;", ">": "&gt;"}
# In an attribute, quotes end the value and a parser would turn raw tabs and line breaks to spaces.
_ATTR_SPECIAL = re.compile(r'[&<>"\t\n\r]')
_ATTR_ESCAPES = {**_TEXT_ESCAPES, '"': "&quot;", "\t": "&#9;", "\n": "&#10;", "\r": "&#13;"}
# Filters that name what a feed is about; dates move with every run, so they stay out of its id.
_LASTING_FILTERS = ("countries", "categories", "tags", "langs")


def _text(value: str) -> str:
    """Element content: `&`, `<`, `>` escaped (`>` too, so `]]>` can never appear)."""
    value = _NOT_XML.sub("", value)
    return _TEXT_SPECIAL.sub(lambda m: _TEXT_ESCAPES[m[0]], value)


def _attr(value: str) -> str:
    """An attribute value, to be written between double quotes."""
    value = _NOT_XML.sub("", value)
    return _ATTR_SPECIAL.sub(lambda m: _ATTR_ESCAPES[m[0]], value)


def _namespace(archive_id: str) -> uuid.UUID:
    try:
        return uuid.UUID(archive_id)
    except ValueError:  # not a UUID: still a stable, distinct namespace
        return uuid.uuid5(uuid.NAMESPACE_URL, f"whrd:{archive_id}")


def entry_id(archive_id: str, bulletin_id: int, added: str | None) -> str:
    name = f"bulletin/{bulletin_id}/{added or ''}"
    return f"urn:uuid:{uuid.uuid5(_namespace(archive_id), name)}"


def feed_id(archive_id: str, filters: dict[str, object]) -> str:
    lasting = {k: filters[k] for k in _LASTING_FILTERS if filters.get(k)}
    tags = lasting.get("tags")
    if isinstance(tags, list | tuple):  # shown as written, matched (and named here) folded
        lasting["tags"] = sorted({fold(str(tag)) for tag in tags})
    name = "feed/" + json.dumps(lasting, sort_keys=True, ensure_ascii=False)
    return f"urn:uuid:{uuid.uuid5(_namespace(archive_id), name)}"


def _instant(stamp: str | None, day: str) -> str:
    """An RFC 3339 UTC date-time: the stored stamp, else midnight UTC of the publication day."""
    if stamp and _RFC3339.fullmatch(stamp):
        try:
            return utc_stamp(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
        except ValueError:  # Python 3.10 reads only 3 or 6 fraction digits
            pass
    return f"{day}T00:00:00Z"


def entry_updated(added: str | None, updated: str | None, day: str) -> str:
    """An entry's `updated`: when the bulletin was last changed after it was recorded, else (and
    never earlier than) its publication day."""
    published = f"{day}T00:00:00Z"
    if not updated or not added:
        return published
    changed, recorded = _instant(updated, day), _instant(added, day)
    return max(changed, published) if changed > recorded else published


def site_of(base_url: str) -> str:
    """The folder a feed's address is in (`https://x.org/whrd/feed.atom` -> `https://x.org/whrd/`)."""
    return urljoin(base_url, ".")


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    entries = list(entries)  # read three times below: build each entry (an export's `Selection`) once
    locale = digest_locale(context.locale)
    generated = context.generated.date() if context.generated else None
    covered = period([e.bulletin.date for e in entries], context.filters, generated, locale)
    about = [f"{word('digest.period', locale)}: {covered.text}"] if covered else []
    about += [f"{line.name}: {line.value}" for line in filter_lines(context.filters, locale)]
    updates = [entry_updated(e.bulletin.added, e.bulletin.updated, e.bulletin.date) for e in entries]
    if updates:
        newest = max(updates)  # all UTC and one format, so they sort as strings
    elif context.generated:
        newest = utc_stamp(context.generated)
    else:
        newest = "1970-01-01T00:00:00Z"
    lines = [
        '<?xml version="1.0" encoding="utf-8"?>',
        f'<feed xmlns="{ATOM_NS}" xml:lang="{_attr(locale)}">',
        f"  <id>{_text(feed_id(context.archive_id, context.filters))}</id>",
        f'  <title type="text">{_text(context.title)}</title>',
    ]
    if about:
        lines.append(f'  <subtitle type="text">{_text(". ".join(about))}</subtitle>')
    lines += [
        f"  <updated>{newest}</updated>",
        f"  <author><name>{_text(context.title)}</name></author>",
        *(
            [f'  <link rel="self" type="application/atom+xml" href="{_attr(context.base_url)}"/>']
            if context.base_url
            else []
        ),
        f'  <generator version="{_attr(__version__)}">whrd</generator>',
    ]
    names: dict[str, str] = {}
    for entry, updated in zip(entries, updates, strict=True):
        _entry(lines, entry, updated, context, locale, names)
    lines.append("</feed>\n")
    out.write("\n".join(lines))


def _entry(
    lines: list[str], entry: Entry, updated: str, context: WriteContext, locale: str, names: dict[str, str]
) -> None:
    b = entry.bulletin
    lines.append(f'  <entry xml:lang="{_attr(b.lang)}">')
    lines.append(f"    <id>{entry_id(context.archive_id, entry.id, b.added)}</id>")
    lines.append(f'    <title type="text">{_text(b.title)}</title>')
    lines.append(f"    <updated>{updated}</updated>")
    lines.append(f"    <published>{b.date}T00:00:00Z</published>")
    link = linkable(b.url)
    if not link and context.base_url:
        link = f"{site_of(context.base_url)}#bulletin-{entry.id}"
    if link:
        lines.append(f'    <link rel="alternate" href="{_attr(link)}"/>')
    for other_id, other_lang, other_url in context.versions.get(entry.id, ()):  # issue 17
        other = linkable(other_url) or (
            f"{site_of(context.base_url)}#bulletin-{other_id}" if context.base_url else None
        )
        if other:
            lines.append(f'    <link rel="alternate" hreflang="{_attr(other_lang)}" href="{_attr(other)}"/>')
    summary = b.summary + (" […]" if b.truncated else "")
    lines.append(f'    <summary type="text">{_text(summary)}</summary>')
    content = summary
    if context.include_private and b.private:
        note = f"{word('digest.private', locale)}: {b.private}"
        content = f"{summary}\n\n{note}" if summary else note
    lines.append(f'    <content type="text">{_text(content)}</content>')
    if b.category:
        label = category_name(b.category, locale)
        lines.append(f'    <category term="{_attr(b.category)}" label="{_attr(label)}"/>')
    for code in b.countries:
        if code not in names:
            names[code] = _attr(country_name(code, locale))
        lines.append(f'    <category term="{_attr(code)}" scheme="{COUNTRY_SCHEME}" label="{names[code]}"/>')
    for tag in b.tags:
        lines.append(f'    <category term="{_attr(tag)}"/>')
    lines.append("  </entry>")
