"""Rich renderables for the terminal: tables, the listing-style preview panel, the theme.

User text always enters Rich as `Text`, never as markup: a title like `[#WHRDAlert]` or `[/b]`
must print as written. Styles are named in one theme, so colours change in one place.
Rich's heavier modules are imported inside the functions that draw.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from .categories import category_label, category_name
from .countries import country_name
from .dates import format_date
from .store import Entry

if TYPE_CHECKING:
    from rich.console import Console, RenderableType
    from rich.theme import Theme

STYLES = {
    "whrd.id": "bold cyan",
    "whrd.date": "green",
    "whrd.category": "magenta",
    "whrd.country": "yellow",
    "whrd.title": "bold",
    "whrd.tag": "blue",
    "whrd.muted": "dim",
    "whrd.match": "bold black on yellow",
    "whrd.private": "red",
}


def theme() -> Theme:
    from rich.theme import Theme

    return Theme(STYLES)


def make_console(*, stderr: bool = False) -> Console:
    from rich.console import Console

    return Console(theme=theme(), stderr=stderr, highlight=False, soft_wrap=False)


def countries_text(codes: Sequence[str], locale: str = "en") -> str:
    return ", ".join(country_name(code, locale) for code in codes)


def bulletin_table(entries: Iterable[Entry], *, locale: str = "en") -> RenderableType:
    """The list view: id, date, category, countries, title."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False, expand=False)
    table.add_column("ID", justify="right", style="whrd.id", no_wrap=True)
    table.add_column("Date", style="whrd.date", no_wrap=True)
    table.add_column("Category", style="whrd.category", no_wrap=True)
    table.add_column("Countries", style="whrd.country", max_width=24)
    table.add_column("Title", style="whrd.title", ratio=1, overflow="fold")
    for entry in entries:
        b = entry.bulletin
        table.add_row(
            str(entry.id),
            b.date,
            Text(category_name(b.category, locale)),
            Text(countries_text(b.countries, locale)),
            Text(b.title),
        )
    return table


def plain_line(entry: Entry) -> str:
    """One tab-separated line per bulletin, for pipes and scripts (codes, not names)."""
    b = entry.bulletin
    return "\t".join((str(entry.id), b.date, b.category or "", ",".join(b.countries), b.title))


def bulletin_panel(entry: Entry, *, show_private: bool = False) -> RenderableType:
    """A bulletin laid out as a published listing entry: heading, summary, date, then details."""
    from rich.console import Group
    from rich.panel import Panel
    from rich.table import Table
    from rich.text import Text

    b = entry.bulletin
    heading = Text()
    label = category_label(b.category, b.lang)
    if label:
        heading.append(label, "whrd.category")
        heading.append(" / ")
    heading.append(b.title, "whrd.title")
    if b.tags:
        heading.append("  ")
        heading.append(" ".join(f"#{t}" for t in b.tags), "whrd.tag")
    summary = Text(b.summary + (" […]" if b.truncated else ""))
    day = Text(format_date(b.date, b.lang), "whrd.date")

    details = Table.grid(padding=(0, 2))
    details.add_column(style="whrd.muted", no_wrap=True)
    details.add_column()
    details.add_row("Countries", Text(countries_text(b.countries) or "—", "whrd.country"))
    details.add_row("Category", Text(category_name(b.category) or "—", "whrd.category"))
    details.add_row("Language", Text(b.lang))
    if b.tags:
        details.add_row("Tags", Text(" ".join(f"#{t}" for t in b.tags), "whrd.tag"))
    for name, value in (("URL", b.url), ("Source", b.source)):
        if value:
            details.add_row(name, Text(value))
    if show_private and b.private:
        details.add_row("Private", Text(b.private, "whrd.private"))
    details.add_row("Added", Text(b.added or "—", "whrd.muted"))
    if b.updated and b.updated != b.added:
        details.add_row("Updated", Text(b.updated, "whrd.muted"))
    parts: list[RenderableType] = [heading, Text(), summary, Text(), day, Text(), details]
    return Panel(Group(*parts), title=Text(f"#{entry.id}", "whrd.id"), title_align="left")


def counts_table(rows: Iterable[tuple[str, str, int]], *, value_header: str) -> RenderableType:
    """value, label, count rows (used by `countries` and `tags`)."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(value_header)
    table.add_column("Count", justify="right", style="whrd.id")
    for value, label, count in rows:
        shown = Text(label)
        if value != label:
            shown.append(f" ({value})", "whrd.muted")
        table.add_row(shown, str(count))
    return table
