"""Dates: every accepted form in both languages, and the ones that must be refused, never guessed."""

from __future__ import annotations

from datetime import date

import pytest

from whrd_cli.dates import DateRange, format_date, parse_date, parse_range
from whrd_cli.errors import DateError, IncompleteDateError

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


FULL = "give a full date such as 2017-01-26."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The date is empty: give a day, month and year, such as 2017-01-26."),
        ("   ", "The date is empty: give a day, month and year, such as 2017-01-26."),
        ("marzo de 2018", f"The date 'marzo de 2018' has no day: {FULL}"),  # dateutil would take today's
        ("4 de marzo", f"The date '4 de marzo' has no year: {FULL}"),
        ("26 January", f"The date '26 January' has no year: {FULL}"),
        ("January 2017", f"The date 'January 2017' has no day: {FULL}"),
        ("2017", f"The date '2017' has no day or month: {FULL}"),
        ("2017-03", f"The date '2017-03' has no day: {FULL}"),
        ("10", f"The date '10' has no month or year: {FULL}"),
        ("31 February 2017", "'31 February 2017' is not a real calendar date."),
        ("2017-02-30", "'2017-02-30' is not a real calendar date."),
        ("2017-13-01", "'2017-13-01' is not a real calendar date."),
        ("99999-01-01", "'99999-01-01' is not a real calendar date."),
        # relative dates are for filters, not publication dates
        ("yesterday", "Cannot read the date 'yesterday'."),
        ("4 March 17", "Cannot read the date '4 March 17': write the year with four digits."),  # a guess
        ("not a date", "Cannot read the date 'not a date'."),
        ("26 Janvier 2017", "Cannot read the date '26 Janvier 2017'."),  # French is not supported
        ("2017-01-26T10:00", "Cannot read the date '2017-01-26T10:00': give a date without a time."),
    ],
)
def test_parse_date_refuses(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == message
    assert (caught.value.field, caught.value.value) == ("date", text)


@pytest.mark.parametrize(
    ("text", "missing"),
    [
        ("marzo de 2018", ("day",)),
        ("4 de marzo", ("year",)),
        ("2017", ("day", "month")),
        ("10", ("month", "year")),
    ],
)
def test_missing_parts_are_named(text: str, missing: tuple[str, ...]) -> None:
    with pytest.raises(IncompleteDateError) as caught:
        parse_date(text)
    assert caught.value.missing == missing  # what a listing's date-line message names


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


YEAR = "write it with four digits, such as 2017."


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "The date is empty."),
        ("marzo", f"The date 'marzo' has no year: {YEAR}"),
        ("March", f"The date 'March' has no year: {YEAR}"),
        ("4 de marzo", f"The date '4 de marzo' has no year: {YEAR}"),
        ("17", f"The date '17' has no year: {YEAR}"),
        ("2017-13", "'2017-13' is not a real month."),
        ("soon", "Cannot read the date 'soon'."),
        ("7x", "Cannot read the date '7x'."),
    ],
)
def test_parse_range_refuses(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_range(text, today=TODAY)
    assert str(caught.value) == message
    assert (caught.value.field, caught.value.value) == ("date", text)


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
        ("0001-01-01", "The date '0001-01-01' is outside 1900-2100; check the year."),
        ("9999-12-31", "The date '9999-12-31' is outside 1900-2100; check the year."),
        ("31/02/2017", "'31/02/2017' is not a real calendar date."),  # the message quotes what was written
        ("29 de febrero de 2017", "'29 de febrero de 2017' is not a real calendar date."),
        ("2017/02/30", "'2017/02/30' is not a real calendar date."),
    ],
)
def test_impossible_or_implausible_dates_say_why(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text)
    assert str(caught.value) == message


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("0000", "The date '0000' is not a date whrd can use; check the numbers."),
        ("1850", "The date '1850' is outside 1900-2100; check the year."),
        ("2150-01", "The date '2150-01' is outside 1900-2100; check the year."),
        ("99999y", "The date '99999y' is not a date whrd can use; check the numbers."),
        ("999999999d", "The date '999999999d' is not a date whrd can use; check the numbers."),
        (
            "hace 99999999 dias",
            "The date 'hace 99999999 dias' is not a date whrd can use; check the numbers.",
        ),
    ],
)
def test_filter_dates_out_of_range_are_errors(text: str, message: str) -> None:
    with pytest.raises(DateError) as caught:
        parse_range(text, today=TODAY)
    assert str(caught.value) == message


# -- issue 12, item 18: month-first dates, today/yesterday, far-future dates -----------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "03/14/2020",
            "The date '03/14/2020' is month first, but whrd reads numeric dates day first. "
            "Write it as 2020-03-14.",
        ),
        (
            "3.31.2021",
            "The date '3.31.2021' is month first, but whrd reads numeric dates day first. "
            "Write it as 2021-03-31.",
        ),
        (
            "12-25-2019",
            "The date '12-25-2019' is month first, but whrd reads numeric dates day first. "
            "Write it as 2019-12-25.",
        ),
        ("02/30/2020", "'02/30/2020' is not a real calendar date."),
        ("13/14/2020", "'13/14/2020' is not a real calendar date."),
    ],
)
@pytest.mark.parametrize("reader", ["date", "range"])
def test_month_first_numeric_dates_are_refused_with_the_iso_form(
    text: str, message: str, reader: str
) -> None:
    with pytest.raises(DateError) as caught:
        parse_date(text) if reader == "date" else parse_range(text, today=TODAY)
    assert caught.value.message == message


@pytest.mark.parametrize(
    ("text", "expected"),
    [("04/03/2020", date(2020, 3, 4)), ("14/03/2020", date(2020, 3, 14)), ("12.11.2019", date(2019, 11, 12))],
)
def test_day_first_numeric_dates_still_read(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("today", TODAY), ("Hoy", TODAY), (" yesterday ", date(2024, 6, 14)), ("AYER", date(2024, 6, 14))],
)
def test_today_and_yesterday_are_publication_dates_given_today(text: str, expected: date) -> None:
    assert parse_date(text, today=TODAY) == expected
    with pytest.raises(DateError):  # no hidden clock: without today they cannot be read
        parse_date(text)


@pytest.mark.parametrize(
    ("day", "today", "far"),
    [
        (date(2025, 6, 15), TODAY, False),
        (date(2025, 6, 16), TODAY, True),
        (date(2017, 1, 1), TODAY, False),
        (date(2025, 2, 28), date(2024, 2, 29), False),
        (date(2025, 3, 1), date(2024, 2, 29), True),
    ],
)
def test_far_future_is_more_than_a_year_after_today(day: date, today: date, far: bool) -> None:
    from whrd_cli.dates import far_future

    assert far_future(day, today) is far
