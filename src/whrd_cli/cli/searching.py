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
    AllLanguagesOpt,
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
    """Reads a dash word the shell hands over (`-word`, `'-país:mexico defensoras'`) as query text.

    Click would take `-mexico` for the options -m -e -x…, and `-country:mexico` for `-c
    ountry:mexico`. So an argument that starts with one dash and is not exactly an option of
    search (or a cluster of its flags), or that holds a space, goes after a `--`, in order.
    """

    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        options, words = _split(args, self.get_params(ctx))
        given = [*options, *(["--", *words] if words else [])]
        try:
            return super().parse_args(ctx, list(given))
        except Exception as exc:
            # Click's NoSuchOption (Typer may vendor its own Click, so matched by name) for a
            # `--word` that is not close to an option: the hint is the user's own command with --.
            option = getattr(exc, "option_name", None)
            if (
                type(exc).__name__ == "NoSuchOption"
                and isinstance(option, str)
                and not getattr(exc, "possibilities", None)
            ):
                import shlex

                rest = [arg for arg in options if arg != option]
                command = shlex.join(["whrd", "search", *rest, "--", option, *words])
                message = _("No such option: {word}. To search for it, put -- before the query: {command}")
                exc.message = message.format(word=option, command=command)  # type: ignore[attr-defined]
            raise


def _split(args: list[str], params: list[Any]) -> tuple[list[str], list[str]]:
    """`args` as (options with their values, query words), each in the order given."""
    valued: set[str] = set()
    flags: set[str] = set()
    for param in params:
        if getattr(param, "param_type_name", "") == "option":
            names = [*param.opts, *param.secondary_opts]
            (flags if param.is_flag or param.count else valued).update(names)
    options: list[str] = []
    words: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        index += 1
        if arg == "--":
            words.extend(args[index:])
            break
        if not arg.startswith("-") or arg == "-" or " " in arg:
            words.append(arg)
        elif arg.startswith("--"):
            options.append(arg)  # --opt, --opt=value; an unknown one is Click's error
            if arg in valued and index < len(args):
                options.append(args[index])
                index += 1
        elif arg in valued:
            options.extend(args[index - 1 : index + 1])
            index += 1
        elif all(f"-{letter}" in flags for letter in arg[1:]):
            options.append(arg)
        else:
            words.append(arg)
    return options, words


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
    all_languages: AllLanguagesOpt = False,
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

    fold = None if all_languages else language()  # a translation group once (issue 17)
    result = search_archive(
        archive, parsed, flt, limit=shown, count=terminal, private=private and json_, fold=fold
    )
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
        message = ngettext(
            "Showing {shown} bulletin, the best of {total} matching; {more} more with --limit N or --all.",
            "Showing the {shown} best of {total} matching bulletins; {more} more with --limit N or --all.",
            shown,
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
