"""The options several commands share, defined once as `Annotated` aliases: the filters of list,
search, export and stats, and the output options of list and search.

A command that takes these options takes them with the same names, letters, help and panel, so
`--country` means the same everywhere; `common.build_filter` turns the filter options into one
`Filter`.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import _
from . import complete

# -- the filters: list, search, export, stats -----------------------------------------------------


def _given(value: list[str] | str | None) -> list[str] | str | None:
    """A filter's value as typed, refused when it is empty (`-c ''`, `--since=`): an empty filter
    is a mistake (an unset variable, a lost quote), never "no filter", and every filter says so the
    same way, as a usage error (exit 2)."""
    _refuse_empty(value, ignore="")
    return value


def _given_hashtag(value: list[str] | None) -> list[str] | None:
    """The same for a tag or a category, which may be written with `#` (`-t '#'` is empty too)."""
    _refuse_empty(value, ignore="#")
    return value


def _refuse_empty(value: list[str] | str | None, *, ignore: str) -> None:
    values = value if isinstance(value, list) else [value]
    if any(text is not None and not text.strip().lstrip(ignore).strip() for text in values):
        raise typer.BadParameter(_("it is empty: give a value, or leave the option out"))


CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        help="Country name (English or Spanish), ISO code, or region (Mesoamerica). Repeatable.",
        rich_help_panel="Filters",
        autocompletion=complete.countries,
        callback=_given,
    ),
]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-k",
        help="news, alert, open-letter, statement, report (or a label such as PRONUNCIAMIENTO). Repeatable.",
        rich_help_panel="Filters",
        autocompletion=complete.categories,
        callback=_given_hashtag,
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--tag",
        "-t",
        help="Tag, with or without #. Repeatable.",
        rich_help_panel="Filters",
        autocompletion=complete.tags,
        callback=_given_hashtag,
    ),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="From this date: 2017-01-26, 2017, 2017-03, 'marzo 2017', 30d, 6m, 'last month', hoy.",
        rich_help_panel="Filters",
        callback=_given,
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option(
        "--until", help="Up to this date (same forms as --since).", rich_help_panel="Filters", callback=_given
    ),
]
LangOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--lang",
        "-l",
        help="Language code of the bulletin (en, es). Repeatable.",
        rich_help_panel="Filters",
        callback=_given,
    ),
]

# -- what to print: list, search (show and the counts take --json and --private too) ---------------

# The most --limit takes: beyond any archive, and far below what SQLite's integers hold (a limit of
# 2**63 would overflow deep inside a search instead of being a clean usage error).
MAX_LIMIT = 1_000_000_000
LimitOpt = Annotated[
    int | None,
    typer.Option("--limit", "-n", min=1, max=MAX_LIMIT, help="Show at most N bulletins.", show_default=False),
]
AllOpt = Annotated[bool, typer.Option("--all", "-a", help="Show every match, even on a terminal.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print JSON and nothing else on stdout.")]
PrivateOpt = Annotated[
    bool, typer.Option("--private", help="Include the private note (left out by default).")
]
AllLanguagesOpt = Annotated[
    bool,
    typer.Option(
        "--all-languages", help="Every language version of a bulletin, not one per translation group."
    ),
]

IdArg = Annotated[int, typer.Argument(metavar="ID", help="The bulletin's id.", autocompletion=complete.ids)]
