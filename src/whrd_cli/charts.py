"""The charts of `whrd stats`: tables of counts with an inline bar per row, laid out for the
width they are drawn at (numbers keep their width, names give way, bars take what is left).

Split from `render` (which keeps the other renderables and the theme) to keep each module short.
Rich's modules are imported inside the functions that draw.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING

from .i18n import number, percent

if TYPE_CHECKING:
    from rich.console import Console, ConsoleOptions, RenderableType
    from rich.measure import Measurement
    from rich.segment import Segment

    from .stats import Count

_EIGHTHS = " ▏▎▍▌▋▊▉"
_BAR_MIN = 6  # a bar narrower than this no longer reads as a chart
_LABEL_MIN = 8  # below this the code column gives way to the name
_LABEL_MAX = 32


class CountBar:
    """A horizontal bar as long as `count / maximum` of the width Rich gives it.

    It fills whatever column width is left, so bars scale with the terminal. A non-zero count
    always shows at least a sliver, so a quiet month never reads as an empty one.
    """

    def __init__(self, count: int, maximum: int, style: str = "whrd.bar") -> None:
        self.count = count
        self.maximum = maximum
        self.style = style

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement(1, options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[Segment]:
        from rich.segment import Segment

        width = max(options.max_width, 1)
        eighths = round(width * 8 * self.count / self.maximum) if self.maximum else 0
        if self.count and not eighths:
            eighths = 1
        full, rest = divmod(min(eighths, width * 8), 8)
        yield Segment("█" * full + (_EIGHTHS[rest] if rest else ""), console.get_style(self.style))


def format_count(count: int, locale: str = "en") -> str:
    """12,408 in English; 12.408 in Spanish (as `i18n.number` writes every count whrd shows)."""
    return number(count, locale)


def format_share(share: float, locale: str = "en") -> str:
    """A share of 1 as a percentage: 40.9% in English, 40,9 % in Spanish (`i18n.percent`)."""
    return percent(share * 100, locale)


class CountChart:
    """Rows of code, name, count, share and a bar, laid out for the width it is drawn at.

    Rich would squeeze every column alike and cut the numbers; here the numbers keep their
    width, names are cut with an ellipsis (one row stays one line, bars stay aligned), the code
    column is dropped before a name gets too short, and the bar takes what is left.
    `label_width` lets several charts share one alignment.
    """

    def __init__(
        self,
        rows: Sequence[Count],
        *,
        headers: tuple[str, str, str],
        title: str | None = None,
        locale: str = "en",
        show_codes: bool = True,
        label_width: int | None = None,
    ) -> None:
        self.rows = rows
        self.headers = headers
        self.title = title
        self.locale = locale
        self.codes = show_codes and any(r.value is not None and r.value != r.label for r in rows)
        self.label_width = label_width or label_width_of(rows, headers[0])
        self.code_width = min(max([1, *(len(r.value or "") for r in rows)]), 12)
        self.counts = [format_count(r.count, locale) for r in rows]
        self.shares = [format_share(r.share, locale) for r in rows]
        self.count_width = max([len(headers[1]), *map(len, self.counts)])
        self.share_width = max([len(headers[2]), *map(len, self.shares)])

    @property
    def name_width(self) -> int:
        """Columns taken by code and name together: what charts align on."""
        return self.label_width + (self.code_width + 2 if self.codes else 0)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        from rich.measure import Measurement

        return Measurement(min(options.max_width, 20), options.max_width)

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> Iterator[RenderableType]:
        from rich.table import Table
        from rich.text import Text

        count_w, share_w = self.count_width, self.share_width
        fixed = count_w + share_w + _BAR_MIN + 6  # three gaps of two spaces between four columns
        block = max(1, min(self.name_width, options.max_width - fixed))  # code and name together
        codes = self.codes and block - self.code_width - 2 >= _LABEL_MIN
        label_w = block - self.code_width - 2 if codes else block

        table = Table(
            box=None,
            header_style="bold",
            pad_edge=False,
            expand=True,
            padding=(0, 1),
            title=Text(self.title, "whrd.heading") if self.title else None,
            title_justify="left",
        )
        if codes:
            table.add_column(width=self.code_width, no_wrap=True, style="whrd.muted", overflow="ellipsis")
        table.add_column(self.headers[0], width=label_w, no_wrap=True, overflow="ellipsis")
        table.add_column(self.headers[1], width=count_w, justify="right", no_wrap=True, style="whrd.id")
        table.add_column(self.headers[2], width=share_w, justify="right", no_wrap=True, style="whrd.muted")
        table.add_column(ratio=1, no_wrap=True)
        maximum = max((r.count for r in self.rows if r.value is not None), default=0)
        for row, count, share in zip(self.rows, self.counts, self.shares, strict=True):
            other = row.value is None
            cells: list[RenderableType] = [Text(row.value or "")] if codes else []
            cells += [
                Text(row.label, "whrd.muted" if other else ""),
                count,
                share,
                Text("") if other else CountBar(row.count, maximum),
            ]
            table.add_row(*cells)
        yield table


def label_width_of(rows: Sequence[Count], header: str = "") -> int:
    from rich.cells import cell_len

    return min(max([cell_len(header), *(cell_len(r.label) for r in rows)]), _LABEL_MAX)


def count_charts(
    sections: Sequence[tuple[str, Sequence[Count], tuple[str, str, str]]], *, locale: str = "en"
) -> RenderableType:
    """Several titled charts, one under another, with their numbers and bars aligned."""
    from rich.console import Group
    from rich.text import Text

    charts = [
        CountChart(rows, headers=headers, title=title, locale=locale) for title, rows, headers in sections
    ]
    name_width = max(chart.name_width for chart in charts)
    count_width = max(chart.count_width for chart in charts)
    share_width = max(chart.share_width for chart in charts)
    parts: list[RenderableType] = []
    for chart in charts:
        chart.label_width += name_width - chart.name_width
        chart.count_width, chart.share_width = count_width, share_width
        if parts:
            parts.append(Text())
        parts.append(chart)
    return Group(*parts)
