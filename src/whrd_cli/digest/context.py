"""What a digest shows, worked out in Python: the context a digest template receives.

The templates only loop. Grouping and counts, the period, the filters in words, labels, dates,
country and category names in the digest's locale, and which URLs may become links are decided
here and handed over as the context that `--template` documents (see `digest_context`).

The input is plain data: the bulletins as `(id, stored dict)` pairs and a `DigestOptions`, so
that nothing here knows the formats or the export that call it. Bulletin text is handed over raw;
escaping is the environment's (`environment.py`) and the `md` filter's (`escape.py`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from ..categories import CATEGORIES, category_label, category_name
from ..countries import country_name
from ..dates import MONTHS_EN, MONTHS_ES, format_date
from ..records import lang_of
from ..text import fold
from .labels import digest_locale, labels

GROUPINGS: tuple[str, ...] = ("none", "country", "month", "category", "thread")
_LINKABLE = re.compile(r"https?://\S+", re.IGNORECASE)


class DigestOptions(Struct, frozen=True, kw_only=True):
    """How to write one digest: what a format's `WriteContext` says about it, as plain data."""

    title: str
    locale: str = "en"
    group_by: str = "none"  # one of GROUPINGS
    include_private: bool = False
    filters: Mapping[str, Any] = field(default_factory=dict)  # `Filter.describe()`
    generated: datetime | None = None
    template: Path | None = None  # a user's template instead of the shipped one


class DigestBulletin(Struct, frozen=True):
    """One bulletin as a template sees it (a plain object: fast attribute access, sandbox-safe)."""

    id: int
    title: str
    date: str  # YYYY-MM-DD
    date_text: str  # "4 de marzo de 2018"
    category: str | None
    category_name: str  # "Open letter" / "Carta abierta"
    category_label: str  # "OPEN LETTER" / "CARTA ABIERTA", as listing headings write it
    countries: tuple[str, ...]  # ISO codes
    country_names: tuple[str, ...]
    summary: str
    paragraphs: tuple[str, ...]  # the summary split at blank lines
    truncated: bool
    tags: tuple[str, ...]
    lang: str
    url: str | None
    link: str | None  # the url when it is http(s), the only kind a digest links
    source: str | None
    private: str | None  # None unless --include-private
    added: str | None
    updated: str | None


class DigestGroup(Struct, frozen=True):
    """A heading and its bulletins; with no grouping, one group whose heading is None."""

    key: str | None
    heading: str | None
    anchor: str  # an HTML id: "group-hn", "group-2018-03"
    count: int
    bulletins: tuple[DigestBulletin, ...]


class FilterLine(Struct, frozen=True):
    name: str  # "Countries" / "Países"
    value: str  # "Guatemala, Honduras"


class Period(Struct, frozen=True):
    start: str  # YYYY-MM-DD
    end: str
    start_text: str  # "4 March 2018"
    end_text: str
    text: str  # "4 March 2018 – 2 June 2019", or one date


# -- the context ---------------------------------------------------------------------------------


def digest_context(pairs: Iterable[tuple[int, Mapping[str, Any]]], options: DigestOptions) -> dict[str, Any]:
    """Everything a digest template receives; the README documents each name.

    `pairs` are the bulletins in reading order: straight from the stored dicts, no `Bulletin` built.
    """
    locale = digest_locale(options.locale)
    generated = options.generated.date() if options.generated else None
    names = _Names(locale)
    private = options.include_private
    pairs = pairs if isinstance(pairs, list) else list(pairs)
    bulletins = [_bulletin(doc_id, raw, names, private) for doc_id, raw in pairs]
    if options.group_by == "thread":  # an alert and its follow-ups under the alert (issue 17)
        from ..links_export import thread_keys

        groups = by_thread(bulletins, thread_keys(pairs))
    else:
        groups = group_bulletins(bulletins, options.group_by, locale)
    return {
        "title": options.title,
        "locale": locale,
        "labels": labels(locale),
        "count": len(bulletins),
        "period": period([b.date for b in bulletins], options.filters, generated, locale),
        "filters": filter_lines(options.filters, locale),
        "generated": format_date(generated, locale) if generated else "",
        "generated_iso": options.generated.isoformat(timespec="seconds") if options.generated else "",
        "group_by": options.group_by,
        "groups": groups,
        "bulletins": bulletins,
    }


class _Names:
    """Localised names, each worked out once: a 100k digest repeats a few thousand dates and names."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.dates: dict[str, str] = {}
        self.countries: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.categories: dict[str | None, tuple[str, str]] = {}

    def date(self, day: str) -> str:
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = format_date(day, self.locale)
        return text

    def country_names(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        found = self.countries.get(codes)
        if found is None:
            found = self.countries[codes] = tuple(country_name(c, self.locale) for c in codes)
        return found

    def category(self, key: str | None) -> tuple[str, str]:
        found = self.categories.get(key)
        if found is None:
            found = self.categories[key] = (
                category_name(key, self.locale),
                category_label(key, self.locale),
            )
        return found


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _paragraphs(summary: str) -> tuple[str, ...]:
    if "\n" not in summary:
        return (summary,) if summary else ()
    return tuple(p.strip() for p in _PARAGRAPH_BREAK.split(summary) if p.strip())


def _bulletin(doc_id: int, raw: Mapping[str, Any], names: _Names, private: bool) -> DigestBulletin:
    """A bulletin for the template, from its stored dict (or `Bulletin.to_dict()`): each field
    read as `records.to_bulletin` reads it, so both give the same digest."""
    day = raw["date"]
    category = raw.get("category")
    cat_name, cat_label = names.category(category)
    countries = tuple(raw.get("countries") or ())
    summary = raw.get("summary") or ""
    url = raw.get("url")
    return DigestBulletin(
        id=doc_id,
        title=raw["title"],
        date=day,
        date_text=names.date(day),
        category=category,
        category_name=cat_name,
        category_label=cat_label,
        countries=countries,
        country_names=names.country_names(countries),
        summary=summary,
        paragraphs=_paragraphs(summary),
        truncated=bool(raw.get("truncated")),
        tags=tuple(raw.get("tags") or ()),
        lang=lang_of(raw),
        url=url,
        link=linkable(url),
        source=raw.get("source"),
        private=raw.get("private") if private else None,
        added=raw.get("added"),
        updated=raw.get("updated"),
    )


def linkable(url: str | None) -> str | None:
    """The url if a digest may link it: http(s) only (never javascript:, data:, or mailto:)."""
    return url if url and _LINKABLE.fullmatch(url) else None


def group_bulletins(bulletins: Sequence[DigestBulletin], by: str, locale: str) -> list[DigestGroup]:
    """Groups in reading order; a bulletin about two countries is in both country groups.

    Countries and categories read alphabetically / in the category table's order, months newest
    first; bulletins without a country or category come last. Within a group the given order holds.
    """
    if not bulletins:
        return []
    if by == "none":
        return [DigestGroup(None, None, "bulletins", len(bulletins), tuple(bulletins))]
    words = labels(locale)
    buckets: dict[str | None, list[DigestBulletin]] = {}
    for b in bulletins:
        for key in _group_keys(b, by):
            buckets.setdefault(key, []).append(b)
    if by == "country":
        headings = {k: (country_name(k, locale) if k else words.no_country) for k in buckets}
        order = sorted(buckets, key=lambda k: (k is None, fold(headings[k])))
    elif by == "category":
        headings = {k: (category_name(k, locale) if k else words.no_category) for k in buckets}
        rank = {c.key: i for i, c in enumerate(CATEGORIES)}
        order = sorted(buckets, key=lambda k: (k is None, rank.get(k or "", len(rank)), k or ""))
    elif by == "month":
        headings = {k: month_heading(k, locale) for k in buckets if k}
        order = sorted(buckets, key=lambda k: k or "", reverse=True)
    else:
        raise ValueError(f"cannot group by {by!r}")  # the CLI only offers GROUPINGS
    return [
        DigestGroup(
            key,
            headings[key],
            f"group-{_anchor(key)}" if key else "nogroup",
            len(buckets[key]),
            tuple(buckets[key]),
        )
        for key in order
    ]


def by_thread(
    bulletins: Sequence[DigestBulletin], keys: Sequence[tuple[str | None, str | None]]
) -> list[DigestGroup]:
    """The threads in the order their bulletins first appear, each under its first alert's title,
    then the bulletins in no thread, without a heading."""
    buckets: dict[str | None, list[DigestBulletin]] = {}
    headings: dict[str | None, str | None] = {}
    for b, (key, heading) in zip(bulletins, keys, strict=True):
        buckets.setdefault(key, []).append(b)
        headings[key] = heading
    order = [key for key in buckets if key is not None] + ([None] if None in buckets else [])
    return [
        DigestGroup(key, headings[key], key or "nogroup", len(buckets[key]), tuple(buckets[key]))
        for key in order
    ]


def _group_keys(b: DigestBulletin, by: str) -> Iterable[str | None]:
    if by == "country":
        return b.countries or (None,)
    if by == "category":
        return (b.category,)
    return (b.date[:7],)


def _anchor(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(key)).strip("-") or "x"


def month_heading(month: str, locale: str) -> str:
    """`2018-03` as `March 2018` / `Marzo de 2018`."""
    year, number = int(month[:4]), int(month[5:7])
    if locale == "es":
        return f"{MONTHS_ES[number - 1].capitalize()} de {year}"
    return f"{MONTHS_EN[number - 1]} {year}"


def period(
    dates: Sequence[str], filters: Mapping[str, Any], generated: date | None, locale: str
) -> Period | None:
    """The dates the digest covers: the --since/--until bounds, else the bulletins' own span.

    `--since 7d` without `--until` covers up to the day the digest is made.
    """
    start = filters.get("since") or (min(dates) if dates else None)
    end = filters.get("until")
    if end is None and filters.get("since") and generated is not None:
        end = max([generated.isoformat(), *dates])
    if end is None and dates:
        end = max(dates)
    if start is None or end is None:
        return None
    start_text, end_text = format_date(start, locale), format_date(end, locale)
    text = start_text if end == start else f"{start_text} – {end_text}"
    return Period(start, end, start_text, end_text, text)


def filter_lines(filters: Mapping[str, Any], locale: str) -> list[FilterLine]:
    """`Filter.describe()` in words: names rather than codes, dates as the locale writes them."""
    from ..lang import language_name

    words = labels(locale)
    lines: list[FilterLine] = []
    if filters.get("countries"):
        names = sorted((country_name(c, locale) for c in filters["countries"]), key=fold)
        lines.append(FilterLine(words.countries, ", ".join(names)))
    if filters.get("categories"):
        names = [category_name(c, locale) for c in filters["categories"]]
        lines.append(FilterLine(words.categories, ", ".join(names)))
    if filters.get("tags"):
        lines.append(FilterLine(words.tags, ", ".join(f"#{t}" for t in filters["tags"])))
    if filters.get("langs"):
        names = [language_name(code, locale, in_text=True) for code in filters["langs"]]
        lines.append(FilterLine(words.languages, ", ".join(names)))
    if filters.get("since"):
        lines.append(FilterLine(words.since, format_date(filters["since"], locale)))
    if filters.get("until"):
        lines.append(FilterLine(words.until, format_date(filters["until"], locale)))
    return lines
