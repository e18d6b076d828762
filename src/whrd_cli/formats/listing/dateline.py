"""A listing's date lines: which lines are made like one, what date one gives, and its language.

The month and weekday words come from `dates`; what is the listing's own is the shape of a date
line (so that a mistyped one, `26 Januray 2017`, is recognised as a date line and refused rather
than read as summary text), a fast path for the published forms, and the message for a line that
cannot be read exactly (`January 2017` has no day; `03/04/2017` could be either order).
"""

from __future__ import annotations

import difflib
import re
from datetime import date
from functools import lru_cache

from ...dates import (
    MAX_YEAR,
    MIN_YEAR,
    MONTH_NAMES,
    MONTH_WORDS,
    MONTHS_EN,
    MONTHS_ES,
    parse_date,
)
from ...errors import DateError, IncompleteDateError, WeekdayError
from ...i18n import N_, _, language, translate
from ...text import fold
from ...weekdays import WEEKDAY_WORDS, weekday_name
from .. import or_list

# What a date line is made of, so a mistyped one is recognised as a date line and refused.
_DATE_CHARS = re.compile(r"[\w\s,.\-/º°ª]+")
# A number may carry an ordinal ending: 1st, 3rd, 1º (folded to 1o), 1ro, 1er, 1ero, 2do, 4to, 1°.
_DATE_TOKEN = re.compile(r"\d+(?:st|nd|rd|th|ero|er|ro|do|to|o|a|°)?|[^\W\d_]+")
# The full month names a misspelt word is compared with (`Januray` is close to `january`).
_FULL_MONTHS = tuple(fold(m) for m in MONTHS_EN + MONTHS_ES)
# Words a date line may hold besides numbers and months: joining words and weekday names.
_DATE_WORDS = frozenset({"de", "del", "of", "the", "el", "primero", *WEEKDAY_WORDS})
_ENGLISH_MONTHS = frozenset(name for name, (_number, lang) in MONTH_NAMES.items() if lang == "en")
_SPANISH_MONTHS = frozenset(name for name, (_number, lang) in MONTH_NAMES.items() if lang == "es")
_DAY_MONTH_YEAR = re.compile(
    r"(\d{1,2})(?:o|st|nd|rd|th)?\s+(?:de\s+)?([a-z]+),?\s+(?:(?:de|del)\s+)?(\d{4})\.?"
)
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\.?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
# A year in a date line, to name it when it is outside the years whrd takes.
_YEAR = re.compile(r"(?<!\d)\d{4}(?!\d)")
# The parts a date may lack (`IncompleteDateError.missing`), as a message names them.
_PARTS = {"day": N_("day"), "month": N_("month"), "year": N_("year")}


def _close_to_month(word: str) -> bool:
    return len(word) >= 4 and bool(difflib.get_close_matches(word, _FULL_MONTHS, n=1, cutoff=0.75))


def date_shaped(text: str) -> bool:
    """Whether a line is made like a date line (numbers, month names, `de`), readable or not."""
    if len(text) > 40 or not _DATE_CHARS.fullmatch(text):
        return False
    tokens = _DATE_TOKEN.findall(fold(text))
    if not 1 <= len(tokens) <= 7:
        return False
    numbers = months = 0
    for token in tokens:
        if token[0].isdigit():
            if len(token.rstrip("abcdefghijklmnopqrstuvwxyz°")) > 4:
                return False
            numbers += 1
        elif token in MONTH_WORDS or _close_to_month(token):
            months += 1
        elif token not in _DATE_WORDS:
            return False
    if tokens == [t for t in tokens if t.isdigit()] and len(tokens) == 1:
        return len(tokens[0]) == 4  # a year alone
    return numbers >= 1 and (months >= 1 or numbers >= 2)


def _common_date(text: str) -> str | None:
    """The published forms (`26 January 2017`, `4 de marzo de 2018`, `15 diciembre, 2017`,
    `November 22, 2016`) read directly: dateutil takes ~0.3 ms a line, a 10,000-block listing
    3 s. Anything else, or an impossible day, goes to `dates.parse_date`."""
    folded = fold(text)
    found = _DAY_MONTH_YEAR.fullmatch(folded)
    if found:
        day, month, year = found[1], found[2], found[3]
    else:
        found = _MONTH_DAY_YEAR.fullmatch(folded)
        if not found:
            return None
        month, day, year = found[1], found[2], found[3]
    named = MONTH_NAMES.get(month)
    if named is None:
        return None
    try:
        return date(int(year), named[0], int(day)).isoformat()
    except ValueError:
        return None


def read_date_line(text: str) -> tuple[str | None, str | None]:
    """(ISO date, None) for a readable date line, (None, why not) otherwise, in the interface's
    language (a cache shared by the languages would answer in the first one asked)."""
    return _read_date_line(text, language())


@lru_cache(maxsize=4096)
def _read_date_line(text: str, _language: str) -> tuple[str | None, str | None]:
    numeric = _NUMERIC_DATE.fullmatch(text)
    if numeric and int(numeric[1]) <= 12 and int(numeric[2]) <= 12 and int(numeric[1]) != int(numeric[2]):
        return None, _(
            "the date line {line!r} could be day/month or month/day; "
            "write the month as a word (4 March 2017) or use 2017-03-04"
        ).format(line=text)
    if numeric and int(numeric[1]) <= 12 < int(numeric[2]):
        meant = _real_date(int(numeric[3]), int(numeric[1]), int(numeric[2]))
        if meant is not None:  # 03/13/2024: written month first, as whrd never reads it
            return None, _(
                "the date line {line!r} is month first, but whrd reads numeric dates day first; "
                "write it as {iso}"
            ).format(line=text, iso=meant)
    fast = _common_date(text)
    if fast is not None:
        return _in_years(fast, text)
    try:
        return _in_years(parse_date(text).isoformat(), text)
    except IncompleteDateError as exc:
        missing = or_list([translate(_PARTS[part]) if part in _PARTS else part for part in exc.missing])
        return None, _(
            "the date line {line!r} has no {missing}; "
            "write a full date such as 26 January 2017, 4 de marzo de 2018 or 2017-01-26"
        ).format(line=text, missing=missing)
    except WeekdayError as exc:
        named, actual = weekday_name(exc.named), weekday_name(exc.actual)
        return None, _(
            "the date line {line!r} names a {named}, but {day} is a {actual}; check the day"
        ).format(line=text, named=named, day=exc.day, actual=actual)
    except DateError:
        if any(not MIN_YEAR <= int(year) <= MAX_YEAR for year in _YEAR.findall(text)):
            return None, _outside(text)
        return None, _(
            "cannot read the date line {line!r}; "
            "write a full date such as 26 January 2017, 4 de marzo de 2018 or 2017-01-26"
        ).format(line=text)


def _real_date(year: int, month: int, day: int) -> str | None:
    try:
        return date(year, month, day).isoformat()
    except ValueError:
        return None


def _in_years(day: str, text: str) -> tuple[str | None, str | None]:
    """A date read from a line, or why it cannot be a publication date: outside 1900-2100, as
    `whrd add` refuses (the fast path does not go through `dates.parse_date`'s check)."""
    return (day, None) if MIN_YEAR <= int(day[:4]) <= MAX_YEAR else (None, _outside(text))


def _outside(text: str) -> str:
    return _("the date line {line!r} is outside {low}-{high}; check the year").format(
        line=text, low=MIN_YEAR, high=MAX_YEAR
    )


def date_language(text: str) -> str | None:
    """The language a date line's words are in (`4 de marzo de 2018` is Spanish), if they tell."""
    words = set(_DATE_TOKEN.findall(fold(text)))
    if words & _SPANISH_MONTHS or "de" in words:
        return "es"
    if words & _ENGLISH_MONTHS:
        return "en"
    return None
