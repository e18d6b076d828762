"""Filters take Spanish values wherever English ones work (issue 13): relative and written dates,
categories and countries, read by the library and by `whrd list`; a date that cannot be read is an
error, never a guess; and the errors about them are Spanish when the interface is.

Every expected date is written out by hand from the fixed today of the conftest (Saturday
2024-06-15), not computed by whrd.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date

import pytest

from conftest import Run
from spanish import english_left
from whrd_cli import i18n
from whrd_cli.categories import normalise_category
from whrd_cli.countries import resolve_country
from whrd_cli.dates import DateRange, parse_date, parse_range
from whrd_cli.errors import DateError, IncompleteDateError

TODAY = date(2024, 6, 15)  # a Saturday; its week runs Monday 10 to Sunday 16 June


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A run in Spanish leaves the process speaking Spanish; the next test must not inherit it."""
    yield
    i18n.activate("en")


def d(text: str) -> date:
    return date.fromisoformat(text)


# -- relative filter dates: each English form, its Spanish forms, and the span by hand --------------

SPANS = [
    # (English, Spanish forms, first day, last day)
    ("today", ["hoy", "Hoy"], "2024-06-15", "2024-06-15"),
    ("yesterday", ["ayer", "AYER"], "2024-06-14", "2024-06-14"),
    ("this week", ["esta semana"], "2024-06-10", "2024-06-16"),
    ("last week", ["la semana pasada", "semana pasada"], "2024-06-03", "2024-06-09"),
    ("this month", ["este mes", "Este mes"], "2024-06-01", "2024-06-30"),
    ("last month", ["el mes pasado", "mes pasado"], "2024-05-01", "2024-05-31"),
    ("this year", ["este año", "este ano", "Este Año"], "2024-01-01", "2024-12-31"),
    ("last year", ["el año pasado", "el ano pasado", "año pasado"], "2023-01-01", "2023-12-31"),
    ("30d", ["30 d"], "2024-05-16", "2024-06-15"),
    ("3w", ["3s", "3 s"], "2024-05-25", "2024-06-15"),
    ("6m", ["6 m"], "2023-12-15", "2024-06-15"),
    ("1y", ["1a", "1 a"], "2023-06-15", "2024-06-15"),
    ("last 30 days", ["los últimos 30 días", "ultimos 30 dias"], "2024-05-16", "2024-06-15"),
    ("past 2 weeks", ["las últimas 2 semanas", "últimas dos semanas"], "2024-06-01", "2024-06-15"),
    ("last 6 months", ["los últimos seis meses"], "2023-12-15", "2024-06-15"),
    ("last 2 years", ["los ultimos 2 anos"], "2022-06-15", "2024-06-15"),
    (
        "a month ago",
        ["hace un mes", "Hace un mes", "hace 1 mes", "hace  un  mes"],
        "2024-05-15",
        "2024-05-15",
    ),
    ("2 weeks ago", ["hace 2 semanas", "hace dos semanas"], "2024-06-01", "2024-06-01"),
    ("one week ago", ["hace una semana"], "2024-06-08", "2024-06-08"),
    ("3 days ago", ["hace 3 días", "hace tres dias"], "2024-06-12", "2024-06-12"),
    ("a day ago", ["hace un día"], "2024-06-14", "2024-06-14"),
    ("a year ago", ["hace un año", "hace un ano"], "2023-06-15", "2023-06-15"),
    ("2 years ago", ["hace 2 años"], "2022-06-15", "2022-06-15"),
]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [(text, start, end) for english, spanish, start, end in SPANS for text in (english, *spanish)],
)
def test_relative_dates_in_both_languages(text: str, start: str, end: str) -> None:
    assert parse_range(text, today=TODAY) == DateRange(d(start), d(end))


def test_the_week_and_month_periods_at_their_edges() -> None:
    # A Monday is the first day of its own week; January's last month is December of last year.
    assert parse_range("esta semana", today=date(2024, 6, 10)) == DateRange(d("2024-06-10"), d("2024-06-16"))
    assert parse_range("la semana pasada", today=date(2024, 6, 16)) == DateRange(
        d("2024-06-03"), d("2024-06-09")
    )
    assert parse_range("el mes pasado", today=date(2024, 1, 10)) == DateRange(
        d("2023-12-01"), d("2023-12-31")
    )
    assert parse_range("este mes", today=date(2024, 2, 29)) == DateRange(d("2024-02-01"), d("2024-02-29"))
    assert parse_range("hace un mes", today=date(2024, 3, 31)) == DateRange(d("2024-02-29"), d("2024-02-29"))


# -- written dates --------------------------------------------------------------------------------

FIRST_OF_MAY = [
    "1º de mayo de 2019",
    "1ro de mayo de 2019",
    "1.º de mayo de 2019",
    "1° de mayo de 2019",
    "1o de mayo de 2019",
    "1er de mayo de 2019",
    "1ero de mayo de 2019",
    "1 de mayo del 2019",
    "1º de mayo del 2019",
    "primero de mayo de 2019",
    "Primero de Mayo del 2019",
    "miércoles 1.º de mayo de 2019",
    "1ro mayo 2019",
]


@pytest.mark.parametrize("text", FIRST_OF_MAY)
def test_spanish_ordinal_days(text: str) -> None:
    assert parse_date(text) == date(2019, 5, 1)
    assert parse_range(text, today=TODAY) == DateRange(date(2019, 5, 1), date(2019, 5, 1))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("2do de mayo de 2019", date(2019, 5, 2)), ("3ro de mayo de 2019", date(2019, 5, 3))],
)
def test_other_ordinal_days(text: str, expected: date) -> None:
    assert parse_date(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "hace un rato",
        "el mes que viene",
        "la semana que viene",
        "el año que viene",
        "mañana",
        "pasado mañana",
        "hace unos días",
        "hace muchos meses",
        "hace -1 días",
        "este siglo",
        "next week",
        "primero de mayo",  # no year
    ],
)
def test_a_date_that_cannot_be_read_is_an_error_not_a_guess(text: str) -> None:
    with pytest.raises(DateError):
        parse_range(text, today=TODAY)


def test_a_spanish_date_without_a_year_says_so() -> None:
    with pytest.raises(IncompleteDateError) as caught:
        parse_range("1º de mayo", today=TODAY)
    assert caught.value.missing == ("year",)
    assert caught.value.field == "date" and caught.value.value == "1º de mayo"


# -- categories and countries ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("alerta", "alert"),
        ("Alerta", "alert"),
        ("carta abierta", "open-letter"),
        ("CARTA ABIERTA", "open-letter"),
        ("pronunciamiento", "statement"),
        ("noticias", "news"),
        ("informe", "report"),
        ("campaña", "campaign"),
        ("campana", "campaign"),
        ("evento", "event"),
    ],
)
def test_spanish_categories(text: str, key: str) -> None:
    assert normalise_category(text) == key


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Mexico", "MX"),
        ("México", "MX"),
        ("méxico", "MX"),
        ("Panamá", "PA"),
        ("Panama", "PA"),
        ("Belice", "BZ"),
        ("belice", "BZ"),
        ("Guatemala", "GT"),
        ("El Salvador", "SV"),
        ("Nicaragua", "NI"),
        ("Costa Rica", "CR"),
    ],
)
def test_spanish_country_names(text: str, code: str) -> None:
    assert resolve_country(text) == code


# -- end to end: `whrd list` with Spanish values -----------------------------------------------------


def _titles(run: Run, *args: str) -> list[str]:
    return sorted(item["title"] for item in run.json("list", *args))


@pytest.fixture
def dated(add: Callable[..., int]) -> None:
    """Bulletins on both sides of each boundary the tests below draw."""
    for day in (
        "2023-12-31",
        "2024-01-01",
        "2024-05-14",
        "2024-05-15",
        "2024-06-02",
        "2024-06-03",
        "2024-06-09",
        "2024-06-10",
        "2024-06-15",
    ):
        add(f"Boletín {day}", day)


@pytest.mark.usefixtures("dated")
@pytest.mark.parametrize(
    ("args", "days"),
    [
        (
            ["--since", "hace un mes"],
            ["2024-05-15", "2024-06-02", "2024-06-03", "2024-06-09", "2024-06-10", "2024-06-15"],
        ),
        (["--until", "hace un mes"], ["2023-12-31", "2024-01-01", "2024-05-14", "2024-05-15"]),
        (
            ["--since", "hace 2 semanas"],
            ["2024-06-02", "2024-06-03", "2024-06-09", "2024-06-10", "2024-06-15"],
        ),
        (["--since", "la semana pasada", "--until", "la semana pasada"], ["2024-06-03", "2024-06-09"]),
        (["--since", "esta semana"], ["2024-06-10", "2024-06-15"]),
        (["--since", "el año pasado", "--until", "el ano pasado"], ["2023-12-31"]),
        (["--since", "este año", "--until", "hace un mes"], ["2024-01-01", "2024-05-14", "2024-05-15"]),
        (["--since", "este mes"], ["2024-06-02", "2024-06-03", "2024-06-09", "2024-06-10", "2024-06-15"]),
        (["--since", "ayer"], ["2024-06-15"]),
        (["--since", "hoy", "--until", "hoy"], ["2024-06-15"]),
        (
            ["--since", "los últimos 30 días"],
            ["2024-06-02", "2024-06-03", "2024-06-09", "2024-06-10", "2024-06-15"],
        ),
    ],
)
def test_list_since_and_until_in_spanish(run: Run, args: list[str], days: list[str]) -> None:
    assert _titles(run, *args) == [f"Boletín {day}" for day in days]


def test_list_between_spanish_written_dates(run: Run, add: Callable[..., int]) -> None:
    for day in ("2019-04-30", "2019-05-01", "2019-05-02"):
        add(f"Boletín {day}", day)
    assert _titles(run, "--since", "1º de mayo de 2019", "--until", "1ro de mayo del 2019") == [
        "Boletín 2019-05-01"
    ]
    assert _titles(run, "--since", "primero de mayo de 2019") == ["Boletín 2019-05-01", "Boletín 2019-05-02"]
    assert _titles(run, "--until", "1.º de mayo de 2019") == ["Boletín 2019-04-30", "Boletín 2019-05-01"]


def test_list_by_spanish_category_and_country(run: Run, add: Callable[..., int]) -> None:
    add("Alerta en Honduras", "2024-01-02", "-k", "alert", "--country", "HN")
    add("Carta a la Fiscalía", "2024-01-03", "-k", "open-letter", "--country", "MX")
    add("Pronunciamiento regional", "2024-01-04", "-k", "statement", "--country", "PA")
    add("Noticias de Belice", "2024-01-05", "-k", "news", "--country", "BZ")
    assert _titles(run, "-k", "alerta") == ["Alerta en Honduras"]
    assert _titles(run, "-k", "carta abierta") == ["Carta a la Fiscalía"]
    assert _titles(run, "-k", "pronunciamiento") == ["Pronunciamiento regional"]
    assert _titles(run, "-k", "noticias") == ["Noticias de Belice"]
    assert _titles(run, "--country", "México") == ["Carta a la Fiscalía"]
    assert _titles(run, "--country", "Mexico") == ["Carta a la Fiscalía"]
    assert _titles(run, "--country", "Panamá") == ["Pronunciamiento regional"]
    assert _titles(run, "--country", "Belice") == ["Noticias de Belice"]


# -- errors in Spanish (these need the merged Spanish catalog) ----------------------------------------

SPANISH = {"WHRD_LANG": "es"}


def _spanish_error(run: Run, *args: str) -> str:
    result = run(*args, env=SPANISH)
    assert result.exit_code == 1, (result.exit_code, result.stdout, result.stderr)
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1, result.stderr
    message = result.stderr.removeprefix("Error: ").strip()  # "Error" is a Spanish word too
    assert english_left(message) == [], message
    return message


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--since", "hace un rato"], "No se puede leer la fecha 'hace un rato'."),
        (["--until", "el mes que viene"], "No se puede leer la fecha 'el mes que viene'."),
        (
            ["--since", "1º de mayo"],
            "La fecha '1º de mayo' no tiene año: escríbalo con cuatro cifras, como 2017.",
        ),
        (["--since", "1850"], "La fecha '1850' está fuera de 1900-2100; revise el año."),
        (
            ["--since", "este año", "--until", "el año pasado"],
            "--since este año es posterior a --until el año pasado: ningún boletín puede coincidir.",
        ),
        (["--country", "Belise"], "País desconocido: 'Belise'. ¿Quiso decir: Belice?"),
        (["-k", "alertta"], "Categoría desconocida: 'alertta'. ¿Quiso decir: alerta?"),
        (
            ["--lang", "xx"],
            "Idioma desconocido 'xx': indique un código ISO 639-1, como en o es, "
            "o un nombre: español, castellano, spanish, inglés, english.",
        ),
    ],
)
def test_filter_errors_in_spanish(run: Run, args: list[str], message: str) -> None:
    assert _spanish_error(run, "list", *args).endswith(message)


def test_add_errors_in_spanish(run: Run) -> None:
    message = _spanish_error(run, "add", "--title", "Alerta", "--date", "1 de mayo")
    assert message.endswith("La fecha '1 de mayo' no tiene año: escriba una fecha completa, como 2017-01-26.")
    message = _spanish_error(run, "add", "--title", "Alerta", "--date", "hoy", "--url", "ftp://x.org")
    assert message.endswith("La URL 'ftp://x.org' debe empezar por http:// o https://.")


def test_search_errors_in_spanish(run: Run) -> None:
    assert _spanish_error(run, "search", "país:").endswith(
        "país: necesita una palabra después, como en país:honduras."
    )
    assert _spanish_error(run, "search", '"sin cerrar').endswith(
        "Comillas sin cerrar en la consulta '\"sin cerrar': cierre la frase con otras comillas \"."
    )


def test_the_same_errors_stay_english_in_english(run: Run) -> None:
    result = run("list", "--since", "hace un rato")
    assert result.exit_code == 1
    assert result.stderr == "Error: Cannot read the date 'hace un rato'.\n"
    result = run("list", "--country", "Belise")
    assert result.stderr == "Error: Unknown country 'Belise'. Did you mean: Belize?\n"
