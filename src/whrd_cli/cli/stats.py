"""`whrd stats`: the archive at a glance (issue 7). Options → `Filter` → the stats library → Rich or JSON."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from .common import (
    RICH_HELP,
    build_filter,
    fail,
    missing_archive_note,
    note,
    open_archive,
    print_json,
    today,
)
from .options import CategoryOpt, CountryOpt, LangOpt, SinceOpt, TagOpt, UntilOpt

if TYPE_CHECKING:
    from rich.console import Console

    from ..filters import Filter
    from ..stats import Count, Overview


app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

LOCALES = ("en", "es")
# Rows per overview table on a terminal unless --top says otherwise; the rest become "other".
OVERVIEW_TOP = 10

# The words of the charts, in each locale (error messages stay in English, like the rest of whrd).
TEXT: dict[str, dict[str, str]] = {
    "en": {
        "country": "Country",
        "category": "Category",
        "lang": "Language",
        "tag": "Tag",
        "year": "Year",
        "month": "Month",
        "count": "Count",
        "share": "Share",
        "by": "By {name}",
        "per": "Bulletins per {name}",
        "summary": "{total} bulletins, {first} to {last}",
        "one": "1 bulletin, {first}",
        "filters": "Filters: {filters}",
        "several": (
            "A bulletin with {plural} counts in each of their rows; shares are of the {total} bulletins."
        ),
        "plural_country": "several countries",
        "plural_tag": "several tags",
    },
    "es": {
        "country": "País",
        "category": "Categoría",
        "lang": "Idioma",
        "tag": "Etiqueta",
        "year": "Año",
        "month": "Mes",
        "count": "Total",
        "share": "%",
        "by": "Por {name}",
        "per": "Boletines por {name}",
        "summary": "{total} boletines, del {first} al {last}",
        "one": "1 boletín, {first}",
        "filters": "Filtros: {filters}",
        "several": (
            "Un boletín con {plural} cuenta en cada una de sus filas; los % son de los {total} boletines."
        ),
        # The quantifier agrees with the noun: varios países, varias etiquetas.
        "plural_country": "varios países",
        "plural_tag": "varias etiquetas",
    },
}

ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="FIELD",
        help="One table instead of the overview: country, category, lang, tag, year or month.",
        show_default=False,
    ),
]
TopOpt = Annotated[
    int | None,
    typer.Option(
        "--top",
        min=1,
        metavar="N",
        help="Keep the N largest rows and sum the rest as 'other' (overview default on a terminal: 10).",
        show_default=False,
    ),
]
LocaleOpt = Annotated[
    str,
    typer.Option("--locale", metavar="en|es", help="Names of countries, categories and languages: en or es."),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON and nothing else on stdout.")]


@app.command()
def stats(
    ctx: typer.Context,
    country: CountryOpt = None,
    category: CategoryOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    lang: LangOpt = None,
    by: ByOpt = None,
    top: TopOpt = None,
    locale: LocaleOpt = "en",
    json_: JsonOpt = False,
) -> None:
    """Count bulletins by country, category, language, tag and period, with bar charts.

    Without --by: the total, the date span, tables by country, category and language, and a
    chart per month (per year when the span passes three years), empty periods shown as 0.
    With --by: one table of value, count, share and bar; months and years in time order.
    A bulletin with several countries (or tags) counts in each of their rows, so those shares
    can add up to more than 100 %. Periods span --since/--until, else the whole archive.

    Example: whrd stats --since 2024 --by month
    """
    from .. import stats as lib

    dimension = lib.check_dimension(by) if by is not None else None
    locale = locale.strip().lower()
    if locale not in LOCALES:
        fail(f"Unknown locale {locale!r}. Valid locales: {', '.join(LOCALES)}.")
    flt = build_filter(country=country, category=category, tag=tag, since=since, until=until, lang=lang)
    archive = open_archive(ctx)
    if missing_archive_note(archive):
        if json_:
            print_json([] if dimension else lib.overview([]).to_dict())
        return
    # One pass over the stored dicts counts the selection and finds the archive's span.
    counted = lib.scan(archive, flt, (dimension,) if dimension else lib.OVERVIEW_DIMENSIONS)
    if not counted.total:
        note("No bulletins match the filters." if len(archive) else "The archive is empty.")
        if json_:
            print_json([] if dimension else lib.overview([]).to_dict())
        return
    total = counted.total
    # The span only matters where periods are listed.
    periods = dimension is None or dimension in lib.PERIODS
    span = lib.chart_span(counted, flt, today=today()) if periods else None
    if dimension:
        rows = lib.count_by(counted, dimension, locale=locale, span=span)
        rows = lib.top(rows, top, total=total, locale=locale)
        if json_:
            print_json([row.to_dict() for row in rows])
        else:
            _print_table(rows, dimension, total, flt, locale)
        return
    view = lib.overview(counted, locale=locale, span=span)
    if json_:
        print_json(lib.top_overview(view, top, locale=locale).to_dict())
    else:
        _print_overview(lib.top_overview(view, top or OVERVIEW_TOP, locale=locale), flt, locale)


def _print_table(rows: list[Count], by: str, total: int, flt: Filter, locale: str) -> None:
    from ..render import CountChart, format_count, make_console

    words = TEXT[locale]
    console = make_console()
    _print_filters(console, flt, locale)
    console.print(CountChart(rows, headers=_headers(by, words), locale=locale))
    if by in ("country", "tag") and sum(r.count for r in rows) != total:
        console.print(
            words["several"].format(plural=words[f"plural_{by}"], total=format_count(total, locale)),
            style="whrd.muted",
            overflow="fold",
        )


def _print_overview(view: Overview, flt: Filter, locale: str) -> None:
    from rich.text import Text

    from ..render import count_charts, format_count, make_console

    words = TEXT[locale]
    console = make_console()
    _print_filters(console, flt, locale)
    if view.total == 1:
        heading = words["one"].format(first=view.first)
    else:
        heading = words["summary"].format(
            total=format_count(view.total, locale), first=view.first, last=view.last
        )
    console.print(Text(heading, "whrd.heading"))
    sections = (
        ("country", view.by_country, words["by"].format(name=words["country"].lower())),
        ("category", view.by_category, words["by"].format(name=words["category"].lower())),
        ("lang", view.by_lang, words["by"].format(name=words["lang"].lower())),
        (view.period, view.by_period, words["per"].format(name=words[view.period].lower())),
    )
    console.print()
    console.print(
        count_charts(
            [(title, rows, _headers(by, words)) for by, rows, title in sections if rows], locale=locale
        )
    )


def _headers(by: str, words: dict[str, str]) -> tuple[str, str, str]:
    return words[by], words["count"], words["share"]


def _print_filters(console: Console, flt: Filter, locale: str) -> None:
    """Say which filters are in force, so a chart of a selection is never read as the whole archive."""
    described = flt.describe()
    if not described:
        return
    from rich.text import Text

    parts = [f"{k} {', '.join(v) if isinstance(v, list) else v}" for k, v in described.items()]
    console.print(Text(TEXT[locale]["filters"].format(filters="; ".join(parts)), "whrd.muted"))
