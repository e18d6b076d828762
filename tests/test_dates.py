"""Dates: every accepted form in both languages, and the ones that must be refused, never guessed."""

from __future__ import annotations

from datetime import date

import pytest

from whrd_cli.dates import DateRange, format_date, parse_date, parse_range
from whrd_cli.errors import DateError

TODAY = date(2024, 6, 15)  # a Saturday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-01-26", date(2017, 1, 26)),
        ("26 January 2017", date(2017, 1, 26)),
        ("January 26, 2017", date(2017, 1, 26)),
        ("January 26th, 2017", date(2017, 1, 26)),
        ("26/01/2017", date(2017, 1, 26)),
        ("01/02/2017", date(2017, 2, 1)),  # day first
        ("4 de marzo de 2018", date(2018, 3, 4)),
        ("15 diciembre, 2017", date(2017, 12, 15)),
        ("2 octubre 2017", date(2017, 10, 2)),
        ("2 Octubre 2017", date(2017, 10, 2)),
        ("1º de mayo de 2019", date(2019, 5, 1)),
        ("lunes, 4 de marzo de 2019", date(2019, 3, 4)),
        ("Miércoles 6 de septiembre de 2017", date(2017, 9, 6)),
        ("6 de setiembre de 2017", date(2017, 9, 6)),
        ("  26 January 2017 ", date(2017, 1, 26)),
        ("26\u00a0January\u00a02017", date(2017, 1, 26)),
        ("29 February 2016", date(2016, 2, 29)),
        ("4 mar 2018", date(2018, 3, 4)),
        ("ene 5, 2020", date(2020, 1, 5)),
    ],
)
def test_parse_date_accepts(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "marzo de 2018",  # no day: dateutil would take today's
        "4 de marzo",  # no year
        "26 January",
        "January 2017",
        "2017",
        "2017-03",
        "31 February 2017",  # not a real date
        "2017-02-30",
        "2017-13-01",
        "yesterday",  # relative dates are for filters, not publication dates
        "4 March 17",  # two-digit year is a guess
        "not a date",
        "26 Janvier 2017",  # French is not supported
        "10",
        "2017-01-26T10:00",  # a time is not a date
        "99999-01-01",
    ],
)
def test_parse_date_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_date(text)


def test_missing_parts_are_named() -> None:
    with pytest.raises(DateError, match="has no day"):
        parse_date("marzo de 2018")
    with pytest.raises(DateError, match="has no year"):
        parse_date("4 de marzo")


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("2017", date(2017, 1, 1), date(2017, 12, 31)),
        ("2017-03", date(2017, 3, 1), date(2017, 3, 31)),
        ("2016-2", date(2016, 2, 1), date(2016, 2, 29)),
        ("March 2017", date(2017, 3, 1), date(2017, 3, 31)),
        ("marzo 2017", date(2017, 3, 1), date(2017, 3, 31)),
        ("diciembre de 2017", date(2017, 12, 1), date(2017, 12, 31)),
        ("2017-01-26", date(2017, 1, 26), date(2017, 1, 26)),
        ("4 de marzo de 2018", date(2018, 3, 4), date(2018, 3, 4)),
        ("today", TODAY, TODAY),
        ("hoy", TODAY, TODAY),
        ("yesterday", date(2024, 6, 14), date(2024, 6, 14)),
        ("ayer", date(2024, 6, 14), date(2024, 6, 14)),
        ("7d", date(2024, 6, 8), TODAY),
        ("3w", date(2024, 5, 25), TODAY),
        ("6m", date(2023, 12, 15), TODAY),
        ("1y", date(2023, 6, 15), TODAY),
        ("last week", date(2024, 6, 3), date(2024, 6, 9)),
        ("la semana pasada", date(2024, 6, 3), date(2024, 6, 9)),
        ("last month", date(2024, 5, 1), date(2024, 5, 31)),
        ("el mes pasado", date(2024, 5, 1), date(2024, 5, 31)),
        ("2 weeks ago", date(2024, 6, 1), date(2024, 6, 1)),
        ("hace 2 semanas", date(2024, 6, 1), date(2024, 6, 1)),
        ("hace 3 días", date(2024, 6, 12), date(2024, 6, 12)),
        ("1 month ago", date(2024, 5, 15), date(2024, 5, 15)),
    ],
)
def test_parse_range(text: str, start: date, end: date) -> None:
    assert parse_range(text, today=TODAY) == DateRange(start, end)


def test_relative_month_clamps_to_month_end() -> None:
    assert parse_range("1m", today=date(2024, 3, 31)).start == date(2024, 2, 29)


@pytest.mark.parametrize("text", ["", "marzo", "March", "2017-13", "soon", "4 de marzo", "7x", "17"])
def test_parse_range_refuses(text: str) -> None:
    with pytest.raises(DateError):
        parse_range(text, today=TODAY)


def test_today_is_a_parameter_not_the_clock() -> None:
    assert parse_range("today", today=date(2001, 9, 11)).start == date(2001, 9, 11)


@pytest.mark.parametrize(
    ("day", "locale", "expected"),
    [
        ("2017-01-26", "en", "26 January 2017"),
        ("2018-03-04", "es", "4 de marzo de 2018"),
        ("2017-12-15", "es", "15 de diciembre de 2017"),
    ],
)
def test_format_date(day: str, locale: str, expected: str) -> None:
    assert format_date(day, locale) == expected
    assert parse_date(expected).isoformat() == day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2017-1-5", date(2017, 1, 5)),  # year first is always year-month-day, never day-first
        ("2017/03/04", date(2017, 3, 4)),
        ("2017.03.04", date(2017, 3, 4)),
        ("2017 03 04", date(2017, 3, 4)),
        ("20170304", date(2017, 3, 4)),
        ("2017-03-4", date(2017, 3, 4)),
    ],
)
def test_year_first_numeric_dates_are_never_swapped(text: str, expected: date) -> None:
    assert parse_date(text) == expected
    assert parse_range(text, today=TODAY) == DateRange(expected, expected)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0001-01-01", "outside 1900-2100"),
        ("9999-12-31", "outside 1900-2100"),
        ("31/02/2017", "not a real calendar date"),
        ("29 de febrero de 2017", "not a real calendar date"),
        ("2017/02/30", "not a real calendar date"),
        ("31 February 2017", "'31 February 2017'"),  # the message quotes what was written
    ],
)
def test_impossible_or_implausible_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(DateError, match=message):
        parse_date(text)


@pytest.mark.parametrize("text", ["0000", "1850", "99999y", "999999999d", "hace 99999999 dias", "2150-01"])
def test_filter_dates_out_of_range_are_errors(text: str) -> None:
    with pytest.raises(DateError):
        parse_range(text, today=TODAY)
