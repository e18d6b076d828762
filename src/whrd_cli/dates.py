"""Every date a user or a listing gives, read exactly or refused.

Publication dates must name a day, a month and a four-digit year; filter dates may also be a
whole year or month, or relative to `today`, which is always a parameter (never a hidden `now()`).
python-dateutil does the reading, with Spanish month names added, but it is never allowed to fill
a missing part from today's date: each date is parsed against two different default dates, and a
part that comes out differently was not in the text.

The month words of both languages are here and nowhere else (the weekday words, in `weekdays`):
the listing's date lines, dateutil's table and the digests' month headings all read them here.
"""

from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from functools import lru_cache
from typing import TYPE_CHECKING

from msgspec import Struct

from .errors import DateError, IncompleteDateError
from .i18n import N_, _, translate
from .text import fold
from .weekdays import WEEKDAY_ABBREVIATIONS, WEEKDAYS_EN, WEEKDAYS_ES, check_weekday

if TYPE_CHECKING:
    from dateutil.parser import parserinfo

# Numeric dates that start with the year are always year-month-day (2017/03/04, 2017-1-5,
# 20170304): dateutil's day-first setting would otherwise read them as year-day-month.
_YEAR_FIRST = re.compile(r"(\d{4})(?:([-/. ])(\d{1,2})\2(\d{1,2})|()(\d{2})(\d{2}))")
# Publication and filter dates outside these years are typing mistakes, not bulletins.
MIN_YEAR = 1900
MAX_YEAR = 2100
_YEAR = re.compile(r"\d{4}")
_YEAR_MONTH = re.compile(r"(\d{4})-(\d{1,2})")
# Relative filter dates, folded (accents optional), English and Spanish alike: a span back to
# today (30d, 2s, 6m, 1a; last 3 weeks, los últimos 3 meses), one day back (2 weeks ago, hace un
# mes), or a whole calendar period (`_PERIODS`). Units: d/día, w/s (semana), m/mes, y/a (año).
_UNITS: dict[str, str] = {
    **dict.fromkeys(("d", "day", "days", "dia", "dias"), "d"),
    **dict.fromkeys(("w", "s", "week", "weeks", "semana", "semanas"), "w"),
    **dict.fromkeys(("m", "month", "months", "mes", "meses"), "m"),
    **dict.fromkeys(("y", "a", "year", "years", "ano", "anos"), "y"),
}
# Counts written as words: "a month ago", "hace un mes", "hace dos semanas".
_NUMBERS = (
    "one two three four five six seven eight nine ten eleven twelve",
    "uno dos tres cuatro cinco seis siete ocho nueve diez once doce",
)
_COUNTS: dict[str, int] = {"a": 1, "an": 1, "un": 1, "una": 1} | {
    word: n for words in _NUMBERS for n, word in enumerate(words.split(), 1)
}
_COUNT = r"(\d+|" + "|".join(_COUNTS) + ")"
_RELATIVE = re.compile(r"(\d+)\s*(d|w|m|y|s|a)")
# (Patterns, compiled by `re` at their first use: most commands never read a relative date.)
_LAST = (
    rf"(?:(?:last|past)\s+{_COUNT}\s+(days|weeks|months|years)"
    rf"|(?:(?:los|las)\s+)?(?:ultimos|ultimas)\s+{_COUNT}\s+(dias|semanas|meses|anos))"
)
_AGO = (
    rf"(?:{_COUNT}\s+(days?|weeks?|months?|years?)\s+ago"
    rf"|hace\s+{_COUNT}\s+(dias?|semanas?|mes|meses|anos?))"
)
# Calendar periods (folded) -> (unit, how many back): this week is 0, last week 1.
_PERIODS: dict[str, tuple[str, int]] = {
    **dict.fromkeys(("today", "hoy"), ("d", 0)),
    **dict.fromkeys(("yesterday", "ayer"), ("d", 1)),
    **dict.fromkeys(("this week", "esta semana"), ("w", 0)),
    **dict.fromkeys(("last week", "la semana pasada", "semana pasada"), ("w", 1)),
    **dict.fromkeys(("this month", "este mes"), ("m", 0)),
    **dict.fromkeys(("last month", "el mes pasado", "mes pasado"), ("m", 1)),
    **dict.fromkeys(("this year", "este ano"), ("y", 0)),
    **dict.fromkeys(("last year", "el ano pasado", "ano pasado"), ("y", 1)),
}
# A numeric date that does not start with the year: day first (26/01/2017, 4.3.2018, 4-3-2018).
_NUMERIC_DAY_FIRST = re.compile(r"(\d{1,2})([-/.])(\d{1,2})\2(\d{4})")
# Words for a publication date relative to `today` (folded): today and yesterday, both languages.
RELATIVE_DAYS: dict[str, int] = {"today": 0, "hoy": 0, "yesterday": 1, "ayer": 1}
# A day written as an ordinal, after `fold` (which makes º an "o"): 1º, 1.º, 1°, 1o, 1ro, 1er, 1ero,
# 2do, 4to; "primero de mayo" is the first. (English 1st, 2nd, 3rd, 4th are dateutil's own.)
_ORDINAL = re.compile(r"(\d)(?:\s*°|\s*o\b|\.o\b|(?:ro|er|ero|do|to)\b)")
_FIRST = re.compile(r"\bprimero\b")
# What a date lacks, in the order day, month, year -> how a message names it.
_MISSING: dict[tuple[str, ...], str] = {
    ("day",): N_("day"),
    ("month",): N_("month"),
    ("year",): N_("year"),
    ("day", "month"): N_("day or month"),
    ("day", "year"): N_("day or year"),
    ("month", "year"): N_("month or year"),
    ("day", "month", "year"): N_("day or month or year"),
}

# -- month and weekday words: the one table every reader and writer of dates uses -------------------

MONTHS_EN: tuple[str, ...] = tuple(
    str.split("January February March April May June July August September October November December")
)
MONTHS_ES: tuple[str, ...] = tuple(
    str.split("enero febrero marzo abril mayo junio julio agosto septiembre octubre noviembre diciembre")
)
# Full Spanish names besides those (folded -> month): 'setiembre' is written in Peru and Uruguay.
MONTH_VARIANTS_ES: dict[str, int] = {"setiembre": 9}
# Abbreviations, folded, January first ("mar" is March, never the weekday "martes").
MONTH_ABBREVIATIONS: tuple[tuple[str, ...], ...] = (
    ("jan", "ene"),
    ("feb",),
    ("mar",),
    ("apr", "abr"),
    ("may",),
    ("jun",),
    ("jul",),
    ("aug", "ago"),
    ("sep", "sept", "set"),
    ("oct",),
    ("nov",),
    ("dec", "dic"),
)
# Every full month name, folded -> (month, language): what a month word in a date says.
MONTH_NAMES: dict[str, tuple[int, str]] = {
    **{fold(name): (number, "en") for number, name in enumerate(MONTHS_EN, start=1)},
    **{fold(name): (number, "es") for number, name in enumerate(MONTHS_ES, start=1)},
    **{name: (number, "es") for name, number in MONTH_VARIANTS_ES.items()},
}
# Every word, folded, that names a month: full names, variants and abbreviations.
MONTH_WORDS: frozenset[str] = frozenset(MONTH_NAMES).union(*MONTH_ABBREVIATIONS)


class DateRange(Struct, frozen=True):
    """An inclusive span of days: a filter bound reads `start` for --since and `end` for --until."""

    start: date
    end: date


@lru_cache(maxsize=1)
def _parserinfo() -> parserinfo:
    from dateutil import parser

    # dateutil looks words up lower-cased, and `_clean` folds the text first: folded names match.
    months = [list(short) for short in MONTH_ABBREVIATIONS]
    for word, (number, _lang) in MONTH_NAMES.items():
        months[number - 1].append(word)
    weekdays = [
        (short_en, fold(en), short_es, fold(es))
        for en, es, (short_en, short_es) in zip(WEEKDAYS_EN, WEEKDAYS_ES, WEEKDAY_ABBREVIATIONS, strict=True)
    ]

    class BilingualInfo(parser.parserinfo):
        MONTHS = [tuple(names) for names in months]  # noqa: RUF012 - dateutil's own class attribute
        # "mar" is both March and the Spanish weekday abbreviation of martes; the month wins.
        WEEKDAYS = [tuple(w for w in day if w != "mar") for day in weekdays]  # noqa: RUF012
        JUMP = [*parser.parserinfo.JUMP, "de", "del", "el", "y"]  # noqa: RUF012

    return BilingualInfo(dayfirst=True, yearfirst=False)


def _dateutil_parts(text: str, raw: str) -> tuple[int | None, int | None, int | None]:
    """Return (year, month, day) of the cleaned `text`, None for each part it does not give;
    messages quote `raw`, what the user wrote."""
    from dateutil import parser

    _refuse_month_first(text, raw)
    first = datetime(4, 1, 1)
    second = datetime(8, 2, 2)
    try:
        a = parser.parse(text, parserinfo=_parserinfo(), default=first)
        b = parser.parse(text, parserinfo=_parserinfo(), default=second)
    except (ValueError, OverflowError, TypeError) as exc:
        if "out of range" in str(exc):
            raise DateError(_("{raw!r} is not a real calendar date.").format(raw=raw), value=raw) from exc
        raise DateError(_("Cannot read the date {raw!r}.").format(raw=raw), value=raw) from exc
    if a.time() != a.time().min or a.tzinfo is not None:
        raise DateError(
            _("Cannot read the date {raw!r}: give a date without a time.").format(raw=raw), value=raw
        )
    year = a.year if a.year == b.year else None
    month = a.month if a.month == b.month else None
    day = a.day if a.day == b.day else None
    if year is not None and not _YEAR.search(text):
        raise DateError(
            _("Cannot read the date {raw!r}: write the year with four digits.").format(raw=raw), value=raw
        )
    return year, month, day


def _refuse_month_first(text: str, raw: str) -> None:
    """A numeric date whose second number cannot be a month was written month first (US style):
    dateutil would quietly swap it, while 04/03/2020 stays 4 March. Refused, naming the ISO form."""
    m = _NUMERIC_DAY_FIRST.fullmatch(text)
    if not m or int(m[3]) <= 12:
        return
    try:
        meant = date(int(m[4]), int(m[1]), int(m[3]))
    except ValueError:
        raise DateError(_("{raw!r} is not a real calendar date.").format(raw=raw), value=raw) from None
    raise DateError(
        _(
            "The date {raw!r} is month first, but whrd reads numeric dates day first. Write it as {iso}."
        ).format(raw=raw, iso=meant.isoformat()),
        value=raw,
    )


def far_future(day: date, today: date) -> bool:
    """Whether a publication date lies more than a year after `today`: allowed (an announced
    event), but more often a typed year, so `add` warns."""
    try:
        return day > today.replace(year=today.year + 1)
    except ValueError:  # 29 February
        return day > today.replace(year=today.year + 1, day=28)


def _year_first(text: str, raw: str) -> date | None:
    m = _YEAR_FIRST.fullmatch(text)
    if not m:
        return None
    month, day = (m[3], m[4]) if m[2] is not None else (m[6], m[7])
    try:
        return date(int(m[1]), int(month), int(day))
    except ValueError as exc:
        raise DateError(_("{raw!r} is not a real calendar date.").format(raw=raw), value=raw) from exc


def _plausible(day: date, raw: str) -> date:
    if not MIN_YEAR <= day.year <= MAX_YEAR:
        raise DateError(
            _("The date {raw!r} is outside {low}-{high}; check the year.").format(
                raw=raw, low=MIN_YEAR, high=MAX_YEAR
            ),
            value=raw,
        )
    return day


def _clean(text: str) -> str:
    text = fold(text).replace("\u00a0", " ").strip().strip(".")
    return _FIRST.sub("1", _ORDINAL.sub(r"\1", text))


def parse_date(text: str, *, today: date | None = None) -> date:
    """Read a full calendar date (`2017-01-26`, `26 January 2017`, `4 de marzo de 2018`); with
    `today`, also `today`/`hoy` and `yesterday`/`ayer`."""
    raw = text
    text = text.strip()
    if not text:
        raise DateError(_("The date is empty: give a day, month and year, such as 2017-01-26."), value=raw)
    if today is not None:  # imports give none, and pay nothing for it
        back = RELATIVE_DAYS.get(_clean(text))
        if back is not None:
            return _plausible(today - timedelta(days=back), raw)
    numeric = _year_first(text, raw)
    if numeric is not None:
        return _plausible(numeric, raw)
    cleaned = _clean(text)
    year, month, day = _dateutil_parts(cleaned, raw)
    missing = [name for name, part in (("day", day), ("month", month), ("year", year)) if part is None]
    if missing:
        raise IncompleteDateError(
            _("The date {raw!r} has no {parts}: give a full date such as 2017-01-26.").format(
                raw=raw, parts=translate(_MISSING[tuple(missing)])
            ),
            value=raw,
            missing=tuple(missing),
        )
    assert year is not None and month is not None and day is not None
    found = _plausible(date(year, month, day), raw)
    check_weekday(cleaned, found, raw)
    return found


def _month_range(year: int, month: int) -> DateRange:
    start = date(year, month, 1)
    following = date(year + (month == 12), month % 12 + 1, 1)
    return DateRange(start, following - timedelta(days=1))


def _back(today: date, amount: int, unit: str) -> date:
    from dateutil.relativedelta import relativedelta

    unit = _UNITS[unit]
    if unit == "d":
        return today - timedelta(days=amount)
    if unit == "w":
        return today - timedelta(weeks=amount)
    if unit == "m":
        return today - relativedelta(months=amount)
    return today - relativedelta(years=amount)


def _count(text: str) -> int:
    return _COUNTS[text] if text in _COUNTS else int(text)


def _period(unit: str, back: int, today: date) -> DateRange:
    """The whole day, week (Monday first), month or year `back` of them before today's."""
    if unit == "d":
        day = today - timedelta(days=back)
        return DateRange(day, day)
    if unit == "w":
        monday = today - timedelta(days=today.weekday() + 7 * back)
        return DateRange(monday, monday + timedelta(days=6))
    if unit == "m":
        month = today.year * 12 + today.month - 1 - back
        return _month_range(month // 12, month % 12 + 1)
    return DateRange(date(today.year - back, 1, 1), date(today.year - back, 12, 31))


def parse_range(text: str, *, today: date) -> DateRange:
    """Read a filter date: a full date, a year, a month, or a span relative to `today`."""
    try:
        span = _parse_range(text, today)
    except (ValueError, OverflowError) as exc:  # date(0, 1, 1), 999999999 days back…
        if isinstance(exc, DateError):
            raise
        raise DateError(
            _("The date {raw!r} is not a date whrd can use; check the numbers.").format(raw=text), value=text
        ) from exc
    _plausible(span.start, text)
    _plausible(span.end, text)
    return span


def _parse_range(text: str, today: date) -> DateRange:
    raw = text
    t = _clean(text)
    if not t:
        raise DateError(_("The date is empty."), value=raw)
    t = " ".join(t.split())
    if t in _PERIODS:
        return _period(*_PERIODS[t], today)
    m = _RELATIVE.fullmatch(t) or re.fullmatch(_LAST, t)
    if m:
        count, unit = (group for group in m.groups() if group is not None)
        return DateRange(_back(today, _count(count), unit), today)
    m = re.fullmatch(_AGO, t)
    if m:
        count, unit = (group for group in m.groups() if group is not None)
        day = _back(today, _count(count), unit)
        return DateRange(day, day)
    if _YEAR.fullmatch(t):
        return DateRange(date(int(t), 1, 1), date(int(t), 12, 31))
    m = _YEAR_MONTH.fullmatch(t)
    if m:
        if not 1 <= int(m[2]) <= 12:
            raise DateError(_("{raw!r} is not a real month.").format(raw=raw), value=raw)
        return _month_range(int(m[1]), int(m[2]))
    if _YEAR_FIRST.fullmatch(t):
        day = parse_date(raw)
        return DateRange(day, day)
    year, month, day_ = _dateutil_parts(t, raw)
    if year is None:
        raise IncompleteDateError(
            _("The date {raw!r} has no year: write it with four digits, such as 2017.").format(raw=raw),
            value=raw,
            missing=("year",),
        )
    if month is None:
        if day_ is not None:
            raise DateError(_("Cannot read the date {raw!r}.").format(raw=raw), value=raw)
        return DateRange(date(year, 1, 1), date(year, 12, 31))
    if day_ is None:
        return _month_range(year, month)
    single = date(year, month, day_)
    check_weekday(t, single, raw)  # `--since "Monday 12 March 2024"` (a Tuesday) is a slip too
    return DateRange(single, single)


def format_date(value: date | str, locale: str = "en") -> str:
    """Write a date as a published listing does: `26 January 2017` / `4 de marzo de 2018`."""
    if isinstance(value, str):
        value = date.fromisoformat(value)
    if locale == "es":
        return f"{value.day} de {MONTHS_ES[value.month - 1]} de {value.year}"
    return f"{value.day} {MONTHS_EN[value.month - 1]} {value.year}"


def utc_stamp(moment: datetime) -> str:
    """The one way whrd writes an instant: UTC to the second, `2024-01-02T03:04:05Z` (RFC 3339)."""
    return moment.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
