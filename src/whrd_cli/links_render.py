"""The renderables of links (issue 17): a thread's timeline, suggested pairs, open alerts, and the
links lines of `show`. Text, never markup (titles are the user's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from .i18n import N_, _
from .i18n import translate as t
from .text import printable

if TYPE_CHECKING:
    from rich.console import RenderableType

    from .links_read import OpenAlert, Related, Thread
    from .links_suggest import Pair
    from .stats import AlertCount

# The kinds of a follow-up, as a reader sees them.
KIND_LABELS = {
    "update": N_("case update"),
    "threat": N_("new threat"),
    "release": N_("release"),
    "closure": N_("closure"),
}


def kind_label(kind: str) -> str:
    label = KIND_LABELS.get(kind)
    if label is not None:
        return t(label)
    from .categories import category_name
    from .i18n import language

    return category_name(kind, language()) or kind


def thread_table(thread: Thread) -> RenderableType:
    """One row per step: date, id, what it is, title, other versions."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(_("Date"), style="whrd.date", no_wrap=True)
    table.add_column(_("ID"), justify="right", style="whrd.id", no_wrap=True)
    table.add_column(_("What"), style="whrd.category")
    table.add_column(_("Title"), style="whrd.title", overflow="fold")
    table.add_column(_("Other versions"), style="whrd.muted")
    for step in thread.steps:
        what = Text(kind_label(step.kind))
        if step.closes:
            what.append(" " + _("(closes)"), "whrd.muted")
        table.add_row(
            step.date,
            str(step.id),
            what,
            Text(printable(step.title, multiline=False)),
            ", ".join(f"#{i}" for i in step.versions),
        )
    return table


def pairs_table(pairs: Sequence[Pair]) -> RenderableType:
    """Suggested translation pairs, most certain first."""
    from rich.table import Table
    from rich.text import Text

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(_("Confidence"), justify="right", style="whrd.id", no_wrap=True)
    table.add_column(_("ID"), justify="right", no_wrap=True)
    table.add_column(_("Title"), style="whrd.title", overflow="fold")
    table.add_column(_("ID"), justify="right", no_wrap=True)
    table.add_column(_("Title"), style="whrd.title", overflow="fold")
    for pair in pairs:
        table.add_row(
            f"{pair.confidence}",
            f"{pair.first} ({pair.first_lang})",
            Text(printable(pair.first_title, multiline=False)),
            f"{pair.second} ({pair.second_lang})",
            Text(printable(pair.second_title, multiline=False)),
        )
    return table


def open_alerts_table(alerts: Sequence[OpenAlert]) -> RenderableType:
    """`list --open-alerts`: oldest first, with the days since the last news."""
    from rich.table import Table
    from rich.text import Text

    from .i18n import language
    from .render import countries_text

    table = Table(box=None, header_style="bold", pad_edge=False)
    table.add_column(_("ID"), justify="right", style="whrd.id", no_wrap=True)
    table.add_column(_("Date"), style="whrd.date", no_wrap=True)
    table.add_column(_("Countries"), style="whrd.country", max_width=20)
    table.add_column(_("Title"), style="whrd.title", overflow="fold")
    table.add_column(_("Follow-ups"), justify="right")
    table.add_column(_("Days since news"), justify="right")
    for alert in alerts:
        table.add_row(
            str(alert.id),
            alert.date,
            countries_text(alert.countries, language()),
            Text(printable(alert.title, multiline=False)),
            str(alert.followups),
            str(alert.days),
        )
    return table


def related_panel(found: Related) -> RenderableType | None:
    """`show`'s lines about a bulletin's links, under its panel; None when it has none."""
    from rich.table import Table
    from rich.text import Text

    def named(item: tuple[int, str, str, str]) -> Text:
        doc_id, lang, date, title = item
        text = Text(f"#{doc_id}", "whrd.id")
        text.append(f" {lang} {date} ", "whrd.muted")
        text.append(printable(title, multiline=False))
        return text

    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="whrd.muted", no_wrap=True)
    grid.add_column()
    for item in found.versions:
        grid.add_row(_("Other version"), named(item))
    if found.follows is not None:
        line = named(found.follows)
        line.append(
            f" ({kind_label(found.kind or 'update')}"
            + (", " + _("closes the case") if found.closes else "")
            + ")",
            "whrd.muted",
        )
        grid.add_row(_("Follows"), line)
    for item in found.followups:
        grid.add_row(_("Follow-up"), named(item))
    for uid in found.missing:
        grid.add_row(_("Not in this archive"), Text(uid, "whrd.muted"))
    return grid if grid.row_count else None


def alerts_table(rows: Sequence[AlertCount]) -> RenderableType:
    """`stats`: open and closed alerts by country."""
    from rich.table import Table

    table = Table(
        box=None, header_style="bold", pad_edge=False, title=_("Alerts by country"), title_justify="left"
    )
    table.add_column(_("Country"), style="whrd.country")
    table.add_column(_("Open"), justify="right", style="whrd.id")
    table.add_column(_("Closed"), justify="right")
    for row in rows:
        table.add_row(printable(row.label, multiline=False), str(row.open), str(row.closed))
    return table
