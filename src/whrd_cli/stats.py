"""Counting bulletins: the one counting code behind `stats`, `countries` and `tags`.

Everything here works on stored dicts (or the index's rows of them), never on `Bulletin`s: the
overview of 100,000 bulletins must cost one pass over dicts, not 100,000 objects. Nothing here
prints: `report` is the whole of `whrd stats`; the CLI renders it as charts or JSON.

What a share means: the number of the bulletins in the selection that a row counts, divided by
the number of bulletins in the selection. Category, language, year and month give each bulletin
exactly one row, so their shares add up to 1. A bulletin with two countries (or two tags) counts
once in each of their rows, and a bulletin with none counts in no row; so country and tag shares
can add up to more or less than 1, and each still reads "this share of the bulletins names it".
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from itertools import repeat
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from .choices import BY, resolve, valid_values
from .errors import InputError
from .i18n import _, word
from .tally import Tally, scan, tally

if TYPE_CHECKING:
    from .filters import Filter
    from .store import Archive

DIMENSIONS: tuple[str, ...] = ("country", "category", "lang", "tag", "year", "month")
PERIODS: tuple[str, ...] = ("year", "month")
MAX_MONTHS_CHARTED = 36  # the overview charts by month while its span is this short, else by year

_PREFIX = {"year": 4, "month": 7, "day": 10}

Raw = Mapping[str, Any]


class Count(Struct, frozen=True):
    """One row of a count: the stored value, how it reads, how many bulletins, their share.

    `value` is None only for the "other" row that `top` adds, so it cannot clash with a real value.
    """

    value: str | None
    label: str
    count: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "count": self.count, "share": self.share}


class Overview(Struct, frozen=True):
    """The archive (or a selection) at a glance; `period` says whether `by_period` is by month or year."""

    total: int
    first: str | None
    last: str | None
    period: str
    by_country: list[Count]
    by_category: list[Count]
    by_lang: list[Count]
    by_period: list[Count]
    # Open and closed alerts by country (issue 17); None when the archive has no follow-up.
    alerts: list[AlertCount] | None = None

    def to_dict(self) -> dict[str, Any]:
        """The `--json` shape of issue 7, keys in that order (the period unit shows in the values);
        `alerts` only when the archive records follow-ups."""
        data = {
            "total": self.total,
            "first": self.first,
            "last": self.last,
            "by_country": [row.to_dict() for row in self.by_country],
            "by_category": [row.to_dict() for row in self.by_category],
            "by_lang": [row.to_dict() for row in self.by_lang],
            "by_period": [row.to_dict() for row in self.by_period],
        }
        if self.alerts is not None:
            data["alerts"] = [row.to_dict() for row in self.alerts]
        return data


class AlertCount(Struct, frozen=True):
    """Alerts of one country (value "" for none) still open, and closed by a follow-up."""

    value: str
    label: str
    open: int
    closed: int

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "open": self.open, "closed": self.closed}


def alert_counts(found: Mapping[str, tuple[int, int]] | None, locale: str) -> list[AlertCount] | None:
    """The rows of `tally.alert_status`, most open first (then most closed, then by code)."""
    if found is None:
        return None
    rows = [
        AlertCount(code, _label(code, "country", locale) if code else word("stats.none", locale), *counts)
        for code, counts in found.items()
    ]
    return sorted(rows, key=lambda row: (-row.open, -row.closed, row.value))


def check_dimension(by: str) -> str:
    """The dimension named by a user (any case), or an InputError listing the valid ones."""
    key = resolve(by, BY) or by
    if key not in DIMENSIONS:
        message = _("Unknown --by {value!r}. Valid values: {valid}.")
        raise InputError(message.format(value=by, valid=valid_values(DIMENSIONS, BY)))
    return key


# -- counting ------------------------------------------------------------------------------------


def _label(value: str, by: str, locale: str) -> str:
    if not value and by in ("category", "lang"):
        return word("stats.none", locale)
    if by == "country":
        from .countries import country_name

        return country_name(value, locale)
    if by == "category":
        from .categories import category_name

        return category_name(value, locale)
    if by == "lang":
        from .lang import language_name

        return language_name(value, locale)
    return value


def _share(count: int, total: int) -> float:
    return round(count / total, 4) if total else 0.0


def _rows(counter: Mapping[str, int], values: Iterable[str], by: str, total: int, locale: str) -> list[Count]:
    return [
        Count(value, _label(value, by, locale), counter.get(value, 0), _share(counter.get(value, 0), total))
        for value in values
    ]


def _month_index(value: str) -> int:
    return int(value[:4]) * 12 + int(value[5:7]) - 1


def periods_between(start: str, end: str, unit: str) -> list[str]:
    """Every `YYYY` or `YYYY-MM` from the period of date `start` to that of `end`, inclusive."""
    if unit == "year":
        return [f"{year:04d}" for year in range(int(start[:4]), int(end[:4]) + 1)]
    return [f"{i // 12:04d}-{i % 12 + 1:02d}" for i in range(_month_index(start), _month_index(end) + 1)]


def _period_rows(
    days: Mapping[str, int], unit: str, total: int, span: tuple[str, str] | None, locale: str
) -> list[Count]:
    """Chronological rows with empty periods as 0, from the span's start (or first date) to its end."""
    if not days:
        return []
    start, end = min(days), max(days)
    if span is not None:
        start, end = min(start, span[0]), max(end, span[1])
    n = _PREFIX[unit]
    counter: Counter[str] = Counter()
    for day, count in days.items():
        counter[day[:n]] += count
    return _rows(counter, periods_between(start, end, unit), unit, total, locale)


def count_by(
    raws: Iterable[Raw] | Tally, by: str, *, locale: str = "en", span: tuple[str, str] | None = None
) -> list[Count]:
    """Rows for one dimension: periods in time order with empty ones as 0, the rest by count then value.

    `raws` are stored dicts, or a `Tally` that counted `by`. Tags count case- and
    accent-insensitively under their first spelling. `span` (two ISO dates) widens the periods to
    cover it, so a chosen year shows all twelve months.
    """
    counted = raws if isinstance(raws, Tally) else tally(zip(repeat(0), raws), (by,))
    if by in PERIODS:
        return _period_rows(counted.days, by, counted.total, span, locale)
    if by not in counted.counters:
        raise ValueError(f"cannot count by {by!r}")  # a bug: the CLI checks the dimension first
    counter = counted.counters[by]
    ordered = sorted(counter, key=lambda value: (-counter[value], value))
    return _rows(counter, ordered, by, counted.total, locale)


def chart_unit(start: str, end: str) -> str:
    """`month` while the span is short enough to chart month by month, else `year`."""
    return "month" if _month_index(end) - _month_index(start) < MAX_MONTHS_CHARTED else "year"


# The dimensions the overview counts (its period rows come from the days every tally counts).
OVERVIEW_DIMENSIONS: tuple[str, ...] = ("country", "category", "lang")


def overview(
    raws: Iterable[Raw] | Tally, *, locale: str = "en", span: tuple[str, str] | None = None
) -> Overview:
    """Total, first and last date, and counts by country, category, language and period.

    `raws` are stored dicts, or a `Tally` of `OVERVIEW_DIMENSIONS`.
    """
    counted = raws if isinstance(raws, Tally) else tally(zip(repeat(0), raws), OVERVIEW_DIMENSIONS)
    total, days = counted.total, counted.days
    first, last = (min(days), max(days)) if days else (None, None)
    unit = "month"
    if first and last:
        unit = chart_unit(min(first, span[0]) if span else first, max(last, span[1]) if span else last)
    return Overview(
        total=total,
        first=first,
        last=last,
        period=unit,
        by_country=_with_none_row(count_by(counted, "country", locale=locale), counted, locale),
        by_category=count_by(counted, "category", locale=locale),
        by_lang=count_by(counted, "lang", locale=locale),
        by_period=_period_rows(days, unit, total, span, locale),
    )


def _with_none_row(rows: list[Count], counted: Tally, locale: str) -> list[Count]:
    """The overview's country rows and a "(none)" row, in count order as the category's is."""
    if not counted.without_country:
        return rows
    n = counted.without_country
    none = Count("", word("stats.none", locale), n, _share(n, counted.total))
    return sorted([*rows, none], key=lambda row: (-row.count, row.value or ""))


def top(rows: Sequence[Count], n: int | None, *, total: int, locale: str = "en") -> list[Count]:
    """The `n` largest rows (in their given order) and one "other" row summing the rest.

    Periods keep their time order: the busiest `n` are kept where they fall. The "other" share is
    its count over `total`, the same meaning as every other row's share.
    """
    if n is None or len(rows) <= n:
        return list(rows)
    ranked = sorted(range(len(rows)), key=lambda i: (-rows[i].count, i))
    kept = set(ranked[:n])
    rest = sum(row.count for i, row in enumerate(rows) if i not in kept)
    other = Count(None, word("stats.other", locale), rest, _share(rest, total))
    return [row for i, row in enumerate(rows) if i in kept] + [other]


# -- the span a chart covers ---------------------------------------------------------------------


def chart_span(archive: Archive | Tally, flt: Filter, *, today: date) -> tuple[str, str] | None:
    """The dates the period rows cover: --since/--until where given, else the archive's first/last.

    An --until in the future stops at today (or the archive's last date, if later): charting
    empty months to come says nothing. None when the archive is empty. Given the `Tally` of a
    `scan` of the archive, no second pass is made.
    """
    counted = archive if isinstance(archive, Tally) else scan(archive, None)
    if counted.first is None or counted.last is None:
        return None
    first, last = counted.first, counted.last
    start = flt.since or first
    end = min(flt.until, max(last, today.isoformat())) if flt.until else last
    return start, max(start, end)


def top_overview(view: Overview, n: int | None, *, locale: str = "en") -> Overview:
    """The overview with its country, category and language lists cut to `n` plus "other".

    The period list is a time line, so it is never cut.
    """
    if n is None:
        return view
    from msgspec.structs import replace

    return replace(
        view,
        by_country=top(view.by_country, n, total=view.total, locale=locale),
        by_category=top(view.by_category, n, total=view.total, locale=locale),
        by_lang=top(view.by_lang, n, total=view.total, locale=locale),
    )


# -- the whole of `whrd stats` -------------------------------------------------------------------


class Report(Struct, frozen=True):
    """What `whrd stats` shows: the rows of one dimension (`by`), or else the overview.

    With no bulletin selected, `rows` is empty and `overview` that of nothing; `archive_empty` then
    tells an archive without bulletins from a selection that matches none.
    """

    total: int
    by: str | None
    rows: list[Count]
    overview: Overview | None
    archive_empty: bool = False


def report(
    archive: Archive, flt: Filter, *, by: str | None, keep: int | None, locale: str, today: date
) -> Report:
    """Count what `flt` selects in one pass: the rows of `by`, or the overview; each table cut to
    the `keep` largest rows plus "other" (periods are a time line: the overview's are never cut).

    Periods span --since/--until, else the whole archive (see `chart_span`).
    """
    counted = scan(archive, flt, (by,) if by else OVERVIEW_DIMENSIONS)
    if not counted.total:
        nothing = None if by else overview([])
        return Report(0, by, [], nothing, archive_empty=counted.first is None)
    periods = by is None or by in PERIODS
    span = chart_span(counted, flt, today=today) if periods else None
    if by:
        rows = top(count_by(counted, by, locale=locale, span=span), keep, total=counted.total, locale=locale)
        return Report(counted.total, by, rows, None)
    view = top_overview(overview(counted, locale=locale, span=span), keep, locale=locale)
    from msgspec.structs import replace

    from .tally import alert_status

    view = replace(view, alerts=alert_counts(alert_status(archive, flt), locale))
    return Report(counted.total, None, [], view)
