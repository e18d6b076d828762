"""`whrd stats`: the archive at a glance (issue 7). Options → `Filter` → the stats library → Rich or JSON.

The charts' words and names follow `--locale`, which defaults to the interface's language; the
messages on stderr follow the interface. `--json` is data: its labels are English unless
`--locale` asks otherwise.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..choices import locale_code
from ..i18n import Word, _, language, word
from . import complete
from .common import (
    RICH_HELP,
    build_filter,
    missing_archive_note,
    note,
    open_archive,
    print_json,
    today,
)
from .localize import LocalizedCommand
from .options import CategoryOpt, CountryOpt, LangOpt, SinceOpt, TagOpt, UntilOpt

if TYPE_CHECKING:
    from rich.console import Console

    from ..filters import Filter
    from ..stats import Count, Overview


app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

# Rows per overview table on a terminal unless --top says otherwise; the rest become "other".
OVERVIEW_TOP = 10

ByOpt = Annotated[
    str | None,
    typer.Option(
        "--by",
        metavar="FIELD",
        help="One table instead of the overview: country, category, lang, tag, year or month.",
        show_default=False,
        autocompletion=complete.dimensions,
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
    str | None,
    typer.Option(
        "--locale",
        metavar="en|es",
        help="Names of countries, categories and languages: en or es (default: the interface's language).",
        show_default=False,
        autocompletion=complete.locales,
    ),
]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON and nothing else on stdout.")]


@app.command(cls=LocalizedCommand)
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
    locale: LocaleOpt = None,
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
    # No --locale: the interface's language, but JSON is data and keeps English labels.
    default = "en" if json_ else language()
    locale = locale_code(locale) if locale is not None else default
    flt = build_filter(country=country, category=category, tag=tag, since=since, until=until, lang=lang)
    archive = open_archive(ctx)
    if missing_archive_note(archive):
        if json_:
            print_json([] if dimension else lib.overview([]).to_dict())
        return
    # A terminal's overview keeps the largest rows of each table unless --top says otherwise.
    keep = top if json_ or dimension else top or OVERVIEW_TOP
    result = lib.report(archive, flt, by=dimension, keep=keep, locale=locale, today=today())
    if not result.total:
        note(_("The archive is empty.") if result.archive_empty else _("No bulletins match the filters."))
    if json_:
        print_json(result.overview.to_dict() if result.overview else [row.to_dict() for row in result.rows])
    elif result.total:
        if dimension:
            _print_table(result.rows, dimension, result.total, flt, locale)
        elif result.overview:
            _print_overview(result.overview, flt, locale)


def _print_table(rows: list[Count], by: str, total: int, flt: Filter, locale: str) -> None:
    from ..charts import CountChart, format_count
    from ..render import make_console

    console = make_console()
    _print_filters(console, flt, locale)
    console.print(CountChart(rows, headers=_headers(by, locale), locale=locale))
    if by in ("country", "tag") and sum(r.count for r in rows) != total:
        plural = word(f"stats.plural_{by}", locale)
        console.print(
            word("stats.several", locale).format(plural=plural, total=format_count(total, locale)),
            style="whrd.muted",
            overflow="fold",
        )


def _print_overview(view: Overview, flt: Filter, locale: str) -> None:
    from rich.text import Text

    from ..charts import count_charts, format_count
    from ..render import make_console

    console = make_console()
    _print_filters(console, flt, locale)
    if view.total == 1:
        heading = word("stats.one", locale).format(first=view.first)
    else:
        heading = word("stats.summary", locale).format(
            total=format_count(view.total, locale), first=view.first, last=view.last
        )
    console.print(Text(heading, "whrd.heading"))
    by_title, per_title = word("stats.by", locale), word("stats.per", locale)
    sections = (
        ("country", view.by_country, by_title.format(name=_name("country", locale))),
        ("category", view.by_category, by_title.format(name=_name("category", locale))),
        ("lang", view.by_lang, by_title.format(name=_name("lang", locale))),
        (view.period, view.by_period, per_title.format(name=_name(view.period, locale))),
    )
    console.print()
    console.print(
        count_charts(
            [(title, rows, _headers(by, locale)) for by, rows, title in sections if rows], locale=locale
        )
    )
    if view.alerts:  # open and closed alerts by country (issue 17)
        from ..links_render import alerts_table

        console.print()
        console.print(alerts_table(view.alerts))


def _name(by: str, locale: str) -> str:
    """A dimension's name inside a sentence: "By country", "Boletines por mes"."""
    return word(f"stats.{by}", locale).lower()


def _headers(by: str, locale: str) -> tuple[str, str, str]:
    return word(f"stats.{by}", locale), word("stats.count", locale), word("stats.share", locale)


# The names of the filters in force (`Filter.describe`'s keys), in the charts' locale.
FILTER_NAMES = {
    "countries": Word("countries", "países"),
    "categories": Word("categories", "categorías"),
    "tags": Word("tags", "etiquetas"),
    "langs": Word("langs", "idiomas"),
    "since": Word("since", "desde"),
    "until": Word("until", "hasta"),
}


def _print_filters(console: Console, flt: Filter, locale: str) -> None:
    """Say which filters are in force, so a chart of a selection is never read as the whole archive."""
    described = flt.describe()
    if not described:
        return
    from rich.text import Text

    parts = [f"{_filter_name(k, locale)} {_filter_values(k, v, locale)}" for k, v in described.items()]
    console.print(Text(word("stats.filters", locale).format(filters="; ".join(parts)), "whrd.muted"))


def _filter_values(key: str, values: Any, locale: str) -> str:
    """The values of one filter: names in Spanish (`Honduras`, `Alerta`, `español`); English keeps
    the codes and keys it has always shown."""
    if not isinstance(values, list):
        return str(values)
    if locale == "es" and key == "countries":
        from ..countries import country_name

        values = [country_name(code, locale) for code in values]
    elif locale == "es" and key == "categories":
        from ..categories import category_name

        values = [category_name(name, locale) for name in values]
    elif locale == "es" and key == "langs":
        from ..lang import language_name

        values = [language_name(code, locale, in_text=True) for code in values]
    return ", ".join(values)


def _filter_name(key: str, locale: str) -> str:
    names = FILTER_NAMES.get(key)
    return key if names is None else names.es if locale == "es" else names.en
