"""Weekday words in both languages, and the rule that a date naming a weekday must fall on it.

dateutil reads `lunes 3 de marzo de 2024` as 3 March 2024 and ignores that it was a Sunday; a
weekday that disagrees with its date means the day or the weekday was mistyped, and which one
cannot be told, so the date is refused (`dates.parse_date`, and through it every date whrd reads).
"""

from __future__ import annotations

import re
from datetime import date

from .errors import WeekdayError
from .i18n import _, language
from .text import fold

WEEKDAYS_EN: tuple[str, ...] = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
WEEKDAYS_ES: tuple[str, ...] = ("lunes", "martes", "miércoles", "jueves", "viernes", "sábado", "domingo")
# Abbreviations, folded, Monday first: (English, Spanish).
WEEKDAY_ABBREVIATIONS: tuple[tuple[str, str], ...] = (
    ("mon", "lun"),
    ("tue", "mar"),
    ("wed", "mie"),
    ("thu", "jue"),
    ("fri", "vie"),
    ("sat", "sab"),
    ("sun", "dom"),
)
# Every weekday word a date may hold, folded -> 0 (Monday) to 6: the names and abbreviations
# `_parserinfo` gives dateutil, but `mar` (March, never martes).
WEEKDAY_WORDS: dict[str, int] = {
    word: number
    for number, names in enumerate(zip(WEEKDAYS_EN, WEEKDAYS_ES, WEEKDAY_ABBREVIATIONS, strict=True))
    for word in (fold(names[0]), fold(names[1]), *names[2])
    if word != "mar"
}
_WORDS = re.compile(r"[a-z]+")


def weekday_name(number: int, lang: str | None = None) -> str:
    """A weekday's name (0 is Monday) as a sentence says it: `Sunday`, `domingo`."""
    return (WEEKDAYS_ES if (lang or language()) == "es" else WEEKDAYS_EN)[number]


def check_weekday(cleaned: str, day: date, raw: str) -> None:
    """Refuse a date whose text (`cleaned`: folded, as `dates` reads it) names a weekday that `day`
    is not, raising a WeekdayError that says which weekday the date is."""
    actual = day.weekday()
    for word in _WORDS.findall(cleaned):
        named = WEEKDAY_WORDS.get(word)
        if named is not None and named != actual:
            raise WeekdayError(
                _("The date {raw!r} names a {named}, but {day} is a {actual}; check the day.").format(
                    raw=raw, named=weekday_name(named), day=day.isoformat(), actual=weekday_name(actual)
                ),
                value=raw,
                day=day.isoformat(),
                named=named,
                actual=actual,
            )
