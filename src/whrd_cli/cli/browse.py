"""Read commands: list, show, countries, tags, where. None of them writes or creates anything.

Tables, panels and messages are in the interface's language; `--json` and the tab-separated
lines of a pipe are data and stay as they are in every language.
"""

from __future__ import annotations

import sys
from typing import Annotated

import typer

from ..i18n import N_, _, language
from ..i18n import translate as t
from . import common, complete
from .common import (
    RICH_HELP,
    archive_with,
    build_filter,
    fail,
    missing_archive_note,
    note,
    open_archive,
    print_json,
    state,
)
from .localize import LocalizedCommand
from .options import (
    AllLanguagesOpt,
    AllOpt,
    CategoryOpt,
    CountryOpt,
    IdArg,
    JsonOpt,
    LangOpt,
    LimitOpt,
    PrivateOpt,
    SinceOpt,
    TagOpt,
    UntilOpt,
)

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

TERMINAL_ROWS = 50


@app.command("list", cls=LocalizedCommand)
def list_(
    ctx: typer.Context,
    country: CountryOpt = None,
    category: CategoryOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    lang: LangOpt = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    sort: Annotated[
        str,
        typer.Option(
            "--sort",
            help="date (the default), added or title.",
            show_default=False,
            autocompletion=complete.sorts,
        ),
    ] = "date",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order.")] = False,
    json_: JsonOpt = False,
    private: PrivateOpt = False,
    all_languages: AllLanguagesOpt = False,
    open_alerts: Annotated[
        bool,
        typer.Option("--open-alerts", help="Alerts whose thread has no closing follow-up, oldest first."),
    ] = False,
) -> None:
    """List bulletins, newest first, filtered by country, category, tag, date and language.

    A bulletin in several languages is listed once, in the interface's language when it has
    that version (--all-languages: every version).

    On a terminal: a table of the first 50 (--limit N, --all). To a pipe: one tab-separated line
    per bulletin (id, date, category, country codes, title), all of them.

    Example: whrd list --country Honduras --since 2017 --category alert
    """
    from ..choices import SORT, resolve, valid_values
    from ..filters import SORTS, sort_items

    key = resolve(sort, SORT) or sort
    if key not in SORTS:
        fail(
            _("Unknown sort {name!r}. Valid sorts: {valid}.").format(
                name=sort, valid=valid_values(SORTS, SORT)
            )
        )
    sort = key
    flt = build_filter(country=country, category=category, tag=tag, since=since, until=until, lang=lang)
    archive = open_archive(ctx)
    if missing_archive_note(archive):
        if json_:
            print_json([])
        return
    shown = limit
    if shown is None and not all_ and not json_ and common.is_terminal():
        from ..config import config_path, load_config

        shown = load_config(config_path()).list_limit or TERMINAL_ROWS
    if open_alerts:
        from .links import list_open_alerts

        list_open_alerts(archive, flt, json_=json_)
        return
    from ..search.reads import listed

    fold = None if all_languages else language()
    brief = not json_ and not common.is_terminal()  # a pipe's lines show four fields
    found = (
        None
        if private
        else listed(archive.path, flt, by=sort, reverse=reverse, limit=shown, fold=fold, brief=brief)
    )
    if found is not None:
        rows, total = found
    else:  # no fresh index, or private notes asked for: the archive itself
        rows = archive.select(flt)
        if fold is not None:
            from ..links_fold import hidden_rows

            hide = hidden_rows(rows, fold)  # rows are in id order, as the index's path reads them
            rows = [row for row in rows if row[0] not in hide] if hide else rows
        sort_items(rows, by=sort, reverse=reverse)
        total = len(rows)
        if shown is not None:
            rows = rows[:shown]
    if json_:
        from ..records import record_dict

        print_json([record_dict(doc_id, raw, private=private) for doc_id, raw in rows])
        return
    if not total:
        note(_("No bulletins match.") if not flt.is_empty else _("The archive is empty."))
        return
    if not common.is_terminal():
        from ..render import plain_line

        sys.stdout.write("".join(f"{plain_line(doc_id, raw)}\n" for doc_id, raw in rows))
        return
    from ..render import bulletin_table, list_footer, make_console

    console = make_console()
    console.print(bulletin_table(rows, locale=language(), width=console.width))
    console.print(list_footer(len(rows), total))


@app.command(cls=LocalizedCommand)
def show(
    ctx: typer.Context,
    bulletin_id: IdArg,
    json_: JsonOpt = False,
    private: PrivateOpt = False,
) -> None:
    """Show one bulletin as a published listing entry, with its tags, countries and links.

    Example: whrd show 12 --private
    """
    archive = archive_with(ctx, bulletin_id)
    from ..search.service import get_entry

    entry = get_entry(archive, bulletin_id, private=private)
    if archive.in_conflict(bulletin_id):  # read from the meta record at the file's head: no parse
        note(
            _(
                "Bulletin {id} is in conflict: another archive has another version; see 'whrd resolve {id}'."
            ).format(id=bulletin_id)
        )
    if json_:
        from ..records import entry_dict

        print_json(entry_dict(entry, private=private))
        return
    from ..render import SHOW_MAX_WIDTH, bulletin_panel, make_console

    console = make_console()
    console.print(bulletin_panel(entry, show_private=private), width=min(console.width, SHOW_MAX_WIDTH))
    from ..links_read import related_of
    from ..links_render import related_panel

    found = related_panel(related_of(archive, entry.id, entry.bulletin.to_dict()))
    if found is not None:  # other versions, the alert followed, follow-ups (issue 17)
        console.print(found, width=min(console.width, SHOW_MAX_WIDTH))


# What `countries` and `tags` count: the table's header, and the note when no bulletin has one.
COUNTED = {
    "country": (N_("Country"), N_("No bulletin has a country.")),
    "tag": (N_("Tag"), N_("No bulletin has a tag.")),
}


def _count_command(ctx: typer.Context, by: str, json_: bool) -> None:
    """`countries` and `tags`: names in the interface's language, but `--json` labels in English
    whatever the language, as every machine output is."""
    from ..stats import count_by, scan

    archive = open_archive(ctx)
    if missing_archive_note(archive):
        if json_:
            print_json([])
        return
    counted = scan(archive, None, (by,))
    rows = count_by(counted, by, locale="en" if json_ else language())
    if json_:
        print_json([row.to_dict() for row in rows])
        return
    header, nothing = COUNTED[by]
    if not rows:
        note(_("The archive is empty.") if not counted.total else t(nothing))
        return
    from ..render import counts_table, make_console

    make_console().print(counts_table(rows, value_header=t(header)))


@app.command(cls=LocalizedCommand)
def countries(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Each country in the archive with its number of bulletins.

    Example: whrd countries
    """
    _count_command(ctx, "country", json_)


@app.command(cls=LocalizedCommand)
def tags(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """Each tag in the archive with its number of bulletins.

    Example: whrd tags --json
    """
    _count_command(ctx, "tag", json_)


@app.command(cls=LocalizedCommand)
def where(ctx: typer.Context) -> None:
    """Print the path of the archive in use (from --db, $WHRD_DB or the default).

    Example: whrd where
    """
    typer.echo(str(state(ctx).db))
    from ..crypto.session import describe

    lock_state = describe(state(ctx).db.absolute())  # issue 16: nobody takes it for protected wrongly
    if lock_state:
        note(lock_state)
