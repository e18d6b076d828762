"""Search commands: `search` (ranked full-text search with highlights) and `reindex`."""

from __future__ import annotations

import sys
from typing import Annotated, Any

import typer

from ..i18n import _, language, ngettext
from . import common
from .common import (
    RICH_HELP,
    build_filter,
    missing_archive_note,
    note,
    open_archive,
    print_json,
)
from .localize import LocalizedCommand
from .options import (
    AllOpt,
    CategoryOpt,
    CountryOpt,
    JsonOpt,
    LangOpt,
    LimitOpt,
    PrivateOpt,
    SinceOpt,
    TagOpt,
    UntilOpt,
)

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

TERMINAL_ROWS = 20
# Below this many bulletins indexed on the fly (no usable search index), the cost is too small to nag.
REINDEX_HINT = 1000


class _SearchCommand(LocalizedCommand):
    """Says how to pass an exclusion when the shell hands `-word` to the option parser."""

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        given = list(args)  # the parser consumes `args`
        try:
            return super().parse_args(ctx, args)
        except Exception as exc:
            # Click's NoSuchOption (Typer may vendor its own Click, so matched by name).
            # `-disappeared` reaches Click as the short options -d -i -s…: name the whole word.
            option = getattr(exc, "option_name", None)
            if type(exc).__name__ == "NoSuchOption" and isinstance(option, str) and option[1:2] != "-":
                word = next((arg for arg in given if arg.startswith(option)), option)
                message = _(
                    "No such option: {word}. To exclude a word, quote the whole query or put -- "
                    "before it: whrd search 'mothers {word}', or whrd search -- mothers {word}"
                )
                exc.message = message.format(word=word)  # type: ignore[attr-defined]
            raise


@app.command(cls=_SearchCommand)
def search(
    ctx: typer.Context,
    query: Annotated[
        list[str],
        typer.Argument(
            metavar="QUERY...",
            help='Words (all must match), "a phrase", -word, a OR b, title:word, tag:name, country:name.',
            show_default=False,
        ),
    ],
    country: CountryOpt = None,
    category: CategoryOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    lang: LangOpt = None,
    limit: LimitOpt = None,
    all_: AllOpt = False,
    json_: JsonOpt = False,
    private: PrivateOpt = False,
) -> None:
    """Search titles, summaries and tags, best matches first, in English and Spanish.

    Case, accents and word endings are ignored: defensora finds Defensoras, Sanchez finds
    Sánchez, mining finds mines. Words must all match; "a phrase" matches those words together;
    -word excludes; a OR b matches either; title:word looks in titles only; tag:name and
    country:name (like --country) narrow the results. Quote a query that has -word or quotes.

    On a terminal: the 20 best, with the matches highlighted (--limit N, --all). To a pipe: one
    tab-separated line per bulletin (id, date, category, country codes, title), all of them.
    --json: the bulletins as 'list --json' prints them, each with its score.

    Example: whrd search 'defensoras "consulta previa" -country:mexico' --since 2020
    """
    from ..search.query import parse_query

    parsed = parse_query(" ".join(query))
    flt = build_filter(country=country, category=category, tag=tag, since=since, until=until, lang=lang)
    archive = open_archive(ctx)
    if missing_archive_note(archive):
        if json_:
            print_json([])
        return
    terminal = not json_ and common.is_terminal()  # the seam tests patch
    shown = TERMINAL_ROWS if limit is None and not all_ and terminal else limit
    # Only the terminal's footer says how many matched; elsewhere the count is not worth its cost.
    from ..render import quantity
    from ..search.service import search_archive

    result = search_archive(archive, parsed, flt, limit=shown, count=terminal, private=private and json_)
    if result.unindexed >= REINDEX_HINT:
        message = _(
            "The search index beside the archive could not be built (read-only, or another whrd "
            "is writing), so {n} bulletins were indexed on the fly and this search was slower."
        )
        note(message.format(n=quantity(result.unindexed)))
    if json_:
        from ..records import record_dict

        print_json(
            [_json_hit(record_dict(hit.id, hit.raw, private=private), hit.score) for hit in result.hits]
        )
        return
    if not result.hits:
        note(_("No bulletins match."))
        return
    if not terminal:
        from ..render import plain_line

        sys.stdout.write("".join(f"{plain_line(hit.id, hit.raw)}\n" for hit in result.hits))
        return
    from ..records import Entry, to_bulletin

    entries = [(Entry(hit.id, to_bulletin(hit.raw)), hit) for hit in result.hits]
    from ..render import make_console, search_table
    from ..search.highlight import highlight

    console = make_console()
    found = ((e, highlight(parsed, hit.raw)) for e, hit in entries)
    console.print(search_table(found, locale=language(), width=console.width))
    total, shown = result.total or 0, len(entries)
    if shown < total:
        message = _(
            "Showing the {shown} best of {total} matching bulletins; {more} more with --limit N or --all."
        )
        footer = message.format(shown=quantity(shown), total=quantity(total), more=quantity(total - shown))
    else:
        footer = ngettext("{n} matching bulletin.", "{n} matching bulletins.", total).format(
            n=quantity(total)
        )
    console.print(footer, style="whrd.muted")


def _json_hit(data: dict[str, Any], score: float) -> dict[str, Any]:
    data["score"] = score
    return data


@app.command(cls=LocalizedCommand)
def reindex(ctx: typer.Context) -> None:
    """Rebuild the search index beside the archive, and the derived data in it, in one write.

    Never needed for correctness: search rebuilds a missing or stale index by itself. Use it to
    drop the search data an older whrd stored inside the archive (a smaller archive loads faster).
    The bulletins themselves do not change.

    Example: whrd reindex
    """
    archive = open_archive(ctx)
    if missing_archive_note(archive):
        return
    count = archive.reindex()
    from ..render import quantity

    note(ngettext("Reindexed {n} bulletin.", "Reindexed {n} bulletins.", count).format(n=quantity(count)))
