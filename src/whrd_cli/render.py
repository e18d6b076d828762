"""Rich renderables for the terminal: tables, the listing-style preview panel, the theme.

User text always enters Rich as `Text`, never as markup: a title like `[#WHRDAlert]` or `[/b]`
must print as written. Styles are named in one theme, so colours change in one place.
Rich's heavier modules are imported inside the functions that draw. Headers, labels and
footers are in the interface's language (`i18n`), and so are country and category names unless a
caller asks for a locale; a bulletin's own heading stays in the bulletin's language.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, NamedTuple

from .categories import category_label, category_name
from .countries import country_name
from .dates import format_date
from .i18n import N_, _, language, ngettext, number
from .i18n import translate as t
from .text import printable, printable_raw

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.text import Text
    from rich.theme import Theme

    from .records import Entry
    from .search.highlight import Highlights
    from .stats import Count

STYLES = {
    "whrd.id": "bold cyan",
    "whrd.date": "green",
    "whrd.category": "magenta",
    "whrd.country": "yellow",
    "whrd.title": "bold",
    "whrd.tag": "blue",
    "whrd.muted": "dim",
    "whrd.match": "bold underline black on yellow",  # underlined: still visible with NO_COLOR
    "whrd.private": "red",
    "whrd.bar": "cyan",
    "whrd.heading": "bold",
}


def theme() -> Theme:
    from rich.theme import Theme

    return Theme(STYLES)


def make_console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(theme=theme(), stderr=stderr, highlight=False, soft_wrap=False)


def quantity(n: int) -> str:
    """A count inside a sentence or a table: 1.234 in Spanish (`i18n.number`); English keeps the
    digits whrd always wrote there (1234), so its messages read as they always did."""
    return number(n) if language() == "es" else str(n)


def countries_text(codes: Sequence[str], locale: str | None = None) -> str:
    """Country names of stored codes, in `locale` (default: the interface's language)."""
    return ", ".join(country_name(code, locale or language()) for code in codes)


# Column headers and the `show` panel's field names, translated where they are drawn.
ID = N_("ID")
DATE = N_("Date")
CATEGORY = N_("Category")
COUNTRIES = N_("Countries")
# The header of a column of ISO country codes: as short as the codes.
CTRY = N_("Ctry")
TITLE = N_("Title")
TITLE_SUMMARY = N_("Title / summary")
COUNT = N_("Count")
# The `show` panel's field names.
LANGUAGE = N_("Language")
TAGS = N_("Tags")
URL = N_("URL")
SOURCE = N_("Source")
PRIVATE = N_("Private")
ADDED = N_("Added")
UPDATED = N_("Updated")


SHOW_MAX_WIDTH = 100  # `show` reads as a page, not a banner across a wide terminal
_TITLE_FLOOR = 40  # a title column narrower than this (or than 40 % of a narrow screen) gives way


def _longest_word(texts: Iterable[str]) -> int:
    return max((len(word) for text in texts for word in text.split()), default=0)


class Layout(NamedTuple):
    """The list table's columns at one width (see `list_layout`)."""

    countries: str  # "names", "codes" or "none"
    countries_width: int
    category: bool
    category_width: int
    title_width: int


def list_layout(
    width: int,
    *,
    ids: Sequence[str],
    categories: Sequence[str],
    names: Sequence[str],
    codes: Sequence[str],
    titles: Sequence[str],
    category_header: int = 8,
) -> Layout:
    """How the list table fits `width`: countries as "names", "codes" or "none", whether the
    category shows, and each column's width.

    Titles come first: the first layout (names and category, codes and category, codes, then
    neither) that leaves the title its full length, or at least 40 columns (40 % of a narrow
    screen) and its longest word, wins; no word is ever cut across lines when it can be helped.
    The category column is at least as wide as its header (`category_header` characters).
    """
    id_w = max(2, *map(len, ids)) if ids else 2
    cat_w = min(max([8, category_header, *map(len, categories)]), 16)
    names_w = min(max([9, _longest_word(names), *map(len, names)]), 40)
    codes_w = min(max([4, *map(len, codes)]), 10)
    longest = max(map(len, titles), default=5)
    need = min(longest, max(min(_TITLE_FLOOR, width * 2 // 5), _longest_word(titles)))
    layouts = (("names", names_w, True), ("codes", codes_w, True), ("codes", min(codes_w, 6), False))
    for countries, countries_w, category in layouts:
        widths = [id_w, 10, countries_w, *([cat_w] if category else [])]
        title_w = width - sum(widths) - 2 * len(widths)  # two spaces between columns
        if title_w >= need:
            return Layout(countries, countries_w, category, cat_w, min(title_w, longest))
    return Layout("none", 0, False, 0, max(width - id_w - 10 - 4, 1))


def bulletin_table(
    rows: Iterable[tuple[int, Mapping[str, Any]]], *, locale: str | None = None, width: int = 80
) -> RenderableType:
    """The list view of stored bulletins (id, stored dict): id, date, category, countries, title,
    laid out for `width` columns by `list_layout` (titles first; countries as ISO codes, then the
    category dropped, as space runs short).

    Drawn from the stored dicts as `Archive.select` gives them, without building a `Bulletin`."""
    from rich.table import Table
    from rich.text import Text

    locale = locale or language()
    rows = [(doc_id, printable_raw(raw)) for doc_id, raw in rows]
    names = [countries_text(raw.get("countries") or (), locale) for _, raw in rows]
    codes = [", ".join(raw.get("countries") or ()) for _, raw in rows]
    categories = [category_name(raw.get("category"), locale) for _, raw in rows]
    titles = [raw["title"] for _, raw in rows]
    category_header = t(CATEGORY)
    layout = list_layout(
        width,
        ids=[str(i) for i, _raw in rows],
        categories=categories,
        names=names,
        codes=codes,
        titles=titles,
        category_header=len(category_header),
    )
    countries, show_category = layout.countries, layout.category
    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    table.add_column(t(ID), justify="right", style="whrd.id", no_wrap=True)
    table.add_column(t(DATE), style="whrd.date", no_wrap=True)
    if show_category:
        table.add_column(
            category_header,
            style="whrd.category",
            no_wrap=True,
            width=layout.category_width,
            overflow="ellipsis",
        )
    if countries != "none":
        header = t(COUNTRIES) if countries == "names" else t(CTRY)
        table.add_column(header, style="whrd.country", width=layout.countries_width)
    table.add_column(t(TITLE), style="whrd.title", width=layout.title_width, overflow="fold")
    for (doc_id, raw), category, name, code in zip(rows, categories, names, codes, strict=True):
        cells: list[RenderableType] = [str(doc_id), raw["date"]]
        cells += [Text(category)] if show_category else []
        cells += [Text(name)] if countries == "names" else [Text(code)] if countries == "codes" else []
        table.add_row(*cells, Text(raw["title"]))
    return table


def list_footer(shown: int, total: int) -> Text:
    """Under the list table: how many of the matches it shows, and how to see the rest."""
    from rich.text import Text

    if shown < total:
        message = _("Showing {shown} of {total} bulletins; use --limit N or --all for more.")
        return Text(message.format(shown=quantity(shown), total=quantity(total)), "whrd.muted")
    return Text(ngettext("{n} bulletin.", "{n} bulletins.", total).format(n=quantity(total)), "whrd.muted")


def entry_line(entry: Entry) -> str:
    """One bulletin in one line of plain text (id, date, title), as a confirmation lists it."""
    return f"{entry.id}  {entry.bulletin.date}  {printable(entry.bulletin.title, multiline=False)}"


def recorded_line(verb: str, entry: Entry) -> str:
    """`Added #7 — es · Alert · Honduras`: what an add or edit recorded, said to a terminal
    (`verb` comes translated; names in the interface's language)."""
    b = entry.bulletin
    names = countries_text(b.countries)
    parts = [b.lang, category_name(b.category, language()) if b.category else "", names]
    return f"{verb} #{entry.id} — " + " · ".join(part for part in parts if part)


def local_time(stamp: str | None) -> str:
    """A stored UTC timestamp in the local time zone (`TZ` respected), with the zone named:
    `2024-06-15 16:03 CEST (UTC+02:00)`. Text that is not a timestamp is shown as it is."""
    if not stamp:
        return "—"
    from datetime import datetime, timezone

    try:
        moment = datetime.fromisoformat(stamp.replace("Z", "+00:00"))
    except ValueError:
        return stamp
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)
    local = moment.astimezone()
    offset = local.strftime("%z")
    offset = f"UTC{offset[:3]}:{offset[3:]}" if offset not in ("", "+0000") else "UTC"
    zone = local.tzname() or ""
    named = zone and not zone.startswith(("+", "-")) and zone not in ("UTC", "GMT") and offset != "UTC"
    return local.strftime("%Y-%m-%d %H:%M") + (f" {zone} ({offset})" if named else f" {offset}")


def plain_line(doc_id: int, raw: Mapping[str, Any]) -> str:
    """One tab-separated line per stored bulletin, for pipes and scripts (codes, not names)."""
    # No control character, tab or line break from a field; only the fields shown are looked at
    # (a pipe of 20,000 lines must not check 20,000 summaries).
    fields = (raw["date"], raw.get("category") or "", ",".join(raw.get("countries") or ()), raw["title"])
    return "\t".join((str(doc_id), *(printable(field, multiline=False) for field in fields)))


def bulletin_panel(entry: Entry, *, show_private: bool = False) -> RenderableType:
    """A bulletin laid out as a published listing entry: heading, summary, date, then details."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    b = entry.bulletin.printable()  # a hand-edited archive may hold control characters
    heading = Text()
    label = category_label(b.category, b.lang)
    if label:
        heading.append(label, "whrd.category")
        heading.append(" / ")
    heading.append(b.title, "whrd.title")
    if b.tags:
        heading.append("  ")
        heading.append(" ".join(f"#{tag}" for tag in b.tags), "whrd.tag")
    summary = Text(b.summary + (" […]" if b.truncated else ""))
    # The entry is previewed in the bulletin's language, but a Spanish interface never shows an
    # English month: its date is written as Spanish readers write it.
    lang = language()
    day = Text(format_date(b.date, "es" if lang == "es" else b.lang), "whrd.date")

    details = Table.grid(padding=(0, 2))
    details.add_column(style="whrd.muted", no_wrap=True)
    details.add_column()
    details.add_row(t(COUNTRIES), Text(countries_text(b.countries, lang) or "—", "whrd.country"))
    details.add_row(t(CATEGORY), Text(category_name(b.category, lang) or "—", "whrd.category"))
    from .lang import language_name

    named = language_name(b.lang, lang)
    details.add_row(t(LANGUAGE), Text(f"{named} ({b.lang})" if named != b.lang else b.lang))
    if b.tags:
        details.add_row(t(TAGS), Text(" ".join(f"#{tag}" for tag in b.tags), "whrd.tag"))
    for name, value in ((URL, b.url), (SOURCE, b.source)):
        if value:
            details.add_row(t(name), Text(value))
    if show_private and b.private:
        details.add_row(t(PRIVATE), Text(b.private, "whrd.private"))
    details.add_row(t(ADDED), Text(local_time(b.added), "whrd.muted"))
    if b.updated and b.updated != b.added:
        details.add_row(t(UPDATED), Text(local_time(b.updated), "whrd.muted"))
    parts: list[RenderableType] = [heading, Text(), summary, Text(), day, Text(), details]
    return Panel(Group(*parts), title=Text(f"#{entry.id}", "whrd.id"), title_align="left")


def counts_table(rows: Iterable[Count], *, value_header: str) -> RenderableType:
    """Label (with the stored value beside it when they differ) and count: `countries` and `tags`."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(value_header)
    table.add_column(t(COUNT), justify="right", style="whrd.id")
    for row in rows:
        value, label = printable(row.value or "", multiline=False), printable(row.label, multiline=False)
        shown = Text(label)
        if value != label:
            shown.append(f" ({value})", "whrd.muted")
        table.add_row(shown, quantity(row.count))
    return table


def search_table(
    rows: Iterable[tuple[Entry, Highlights]], *, locale: str | None = None, width: int = 120
) -> RenderableType:
    """Search results: id, date, countries, then the title over a snippet, matches highlighted."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False, expand=False, leading=1)
    table.add_column(t(ID), justify="right", style="whrd.id", no_wrap=True)
    table.add_column(t(DATE), style="whrd.date", no_wrap=True)
    names = width >= 100  # below that, ISO codes leave the title and snippet their room
    table.add_column(t(COUNTRIES) if names else t(CTRY), style="whrd.country", max_width=20 if names else 10)
    table.add_column(t(TITLE_SUMMARY), ratio=1, overflow="fold")
    for entry, found in rows:
        # `printable` keeps lengths, so the match spans still fall on the same characters.
        title = Text(printable(found.title.text, multiline=False), "whrd.title")
        snippet = Text(printable(found.snippet.text, multiline=False))
        for text, spans in ((title, found.title.spans), (snippet, found.snippet.spans)):
            for start, end in spans:
                text.stylize("whrd.match", start, end)
        cell = Text.assemble(title, "\n", snippet) if snippet else title
        where = (
            countries_text(entry.bulletin.countries, locale) if names else ", ".join(entry.bulletin.countries)
        )
        table.add_row(str(entry.id), entry.bulletin.date, Text(printable(where, multiline=False)), cell)
    return table
