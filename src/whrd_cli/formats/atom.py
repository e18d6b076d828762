"""Atom 1.0 feed writer (RFC 4287), built with xml.etree so the serialiser escapes every text.

Ids are what keep a feed reader from showing an entry twice:
- an entry's id is `urn:uuid:` and a UUID5 of the archive's stable UUID, the bulletin's id and its
  `added` stamp: the same on every export (an edit keeps both), different from every other
  archive's, and not repeated even if a restored backup hands out an id a second time;
- the feed's id names the archive and the lasting part of the selection (countries, categories,
  tags, languages) but not its dates, so a weekly `--since 7d` feed keeps one id.

`updated` is each bulletin's own `updated` stamp and the feed's is the newest of them, so an
unchanged archive exports to the same bytes. The feed's author is the digest title (whrd knows no
person's name to give). The private note, only with `--include-private`, goes in `content`.
"""

from __future__ import annotations

import json
import re
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, TextIO

from .. import __version__
from ..categories import category_name
from ..countries import country_name
from ..digest import LABELS, filter_lines, linkable, period

if TYPE_CHECKING:
    from ..store import Entry
    from . import WriteContext

ATOM_NS = "http://www.w3.org/2005/Atom"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
COUNTRY_SCHEME = "urn:iso:std:iso:3166:-1"
_RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2})")
# Characters XML 1.0 cannot carry at all; the model already refuses most of them.
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
# Filters that name what a feed is about; dates move with every run, so they stay out of its id.
_LASTING_FILTERS = ("countries", "categories", "tags", "langs")


def _text(value: str) -> str:
    return _NOT_XML.sub("", value)


def _child(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    element = ET.SubElement(parent, tag, {k: _text(v) for k, v in attrs.items()})
    if text is not None:
        element.text = _text(text)
    return element


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
    name = "feed/" + json.dumps(lasting, sort_keys=True, ensure_ascii=False)
    return f"urn:uuid:{uuid.uuid5(_namespace(archive_id), name)}"


def _instant(stamp: str | None, day: str) -> str:
    """An RFC 3339 UTC date-time: the stored stamp, else midnight UTC of the publication day."""
    if stamp and _RFC3339.fullmatch(stamp):
        try:
            return _utc(datetime.fromisoformat(stamp.replace("Z", "+00:00")))
        except ValueError:  # Python 3.10 reads only 3 or 6 fraction digits
            pass
    return f"{day}T00:00:00Z"


def _utc(moment: datetime) -> str:
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    locale = context.locale if context.locale in LABELS else "en"
    labels = LABELS[locale]
    feed = ET.Element("feed", {"xmlns": ATOM_NS, XML_LANG: locale})
    _child(feed, "id", feed_id(context.archive_id, context.filters))
    _child(feed, "title", context.title, type="text")
    generated = context.generated.date() if context.generated else None
    covered = period([e.bulletin.date for e in entries], context.filters, generated, locale)
    about = [f"{labels.period}: {covered.text}"] if covered else []
    about += [f"{line.name}: {line.value}" for line in filter_lines(context.filters, locale)]
    if about:
        _child(feed, "subtitle", ". ".join(about), type="text")
    updates = [_instant(e.bulletin.updated or e.bulletin.added, e.bulletin.date) for e in entries]
    if updates:
        newest = max(updates)  # all UTC and one format, so they sort as strings
    elif context.generated:
        newest = _utc(context.generated)
    else:
        newest = "1970-01-01T00:00:00Z"
    _child(feed, "updated", newest)
    author = _child(feed, "author")
    _child(author, "name", context.title)
    _child(feed, "generator", "whrd", version=__version__)
    names: dict[str, str] = {}
    for entry, updated in zip(entries, updates, strict=True):
        _entry(feed, entry, updated, context, names)
    ET.indent(feed, space="  ")
    out.write('<?xml version="1.0" encoding="utf-8"?>\n')
    out.write(ET.tostring(feed, encoding="unicode"))
    out.write("\n")


def _entry(feed: ET.Element, entry: Entry, updated: str, context: WriteContext, names: dict[str, str]) -> None:
    b = entry.bulletin
    locale = context.locale if context.locale in LABELS else "en"
    element = _child(feed, "entry", **{XML_LANG: b.lang})
    _child(element, "id", entry_id(context.archive_id, entry.id, b.added))
    _child(element, "title", b.title, type="text")
    _child(element, "updated", updated)
    _child(element, "published", f"{b.date}T00:00:00Z")
    link = linkable(b.url)
    if link:
        _child(element, "link", rel="alternate", href=link)
    summary = b.summary + (" […]" if b.truncated else "")
    _child(element, "summary", summary, type="text")
    if context.include_private and b.private:
        note = f"{LABELS[locale].private}: {b.private}"
        _child(element, "content", f"{summary}\n\n{note}" if summary else note, type="text")
    if b.category:
        _child(element, "category", term=b.category, label=category_name(b.category, locale))
    for code in b.countries:
        if code not in names:
            names[code] = country_name(code, locale)
        _child(element, "category", term=code, scheme=COUNTRY_SCHEME, label=names[code])
    for tag in b.tags:
        _child(element, "category", term=tag)
