"""Link commands (issue 17): link, unlink, thread.

Each write is one archive call (`Archive.relink` with a plan from `links`), one operation that
`undo` undoes whole. What the library found is printed here, on stderr; data on stdout.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import _, ngettext, number
from . import common, complete
from .common import RICH_HELP, archive_with, fail, note, open_archive, print_json
from .localize import LocalizedCommand
from .options import IdArg, JsonOpt

if TYPE_CHECKING:
    from ..filters import Filter
    from ..store import Archive

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

OptionalIdArg = Annotated[
    int | None,
    typer.Argument(metavar="ID", help="The bulletin's id.", show_default=False, autocompletion=complete.ids),
]


def _linked(changed: list[int]) -> None:
    ids = ", ".join(map(str, changed))
    note(
        ngettext("Linked: bulletin {ids} changed.", "Linked: bulletins {ids} changed.", len(changed)).format(
            ids=ids
        )
    )


@app.command(cls=LocalizedCommand)
def link(
    ctx: typer.Context,
    bulletin_id: OptionalIdArg = None,
    others: Annotated[
        list[int] | None,
        typer.Argument(
            metavar="[OTHER]...", help="The other versions (with --translation).", show_default=False
        ),
    ] = None,
    translation: Annotated[
        bool, typer.Option("--translation", help="ID and OTHER are one bulletin in different languages.")
    ] = False,
    follows: Annotated[
        int | None,
        typer.Option(
            "--follows", metavar="ALERT", help="ID is a follow-up of the alert ALERT.", show_default=False
        ),
    ] = None,
    kind: Annotated[
        str, typer.Option("--kind", help="What the follow-up says: update, threat, release, closure.")
    ] = "update",
    closes: Annotated[bool, typer.Option("--closes", help="This follow-up closes the case.")] = False,
    suggest: Annotated[
        bool, typer.Option("--suggest", help="Propose translation pairs (same day ±2, category, countries).")
    ] = False,
    yes: Annotated[
        bool, typer.Option("--yes", "-y", help="With --suggest: link the pairs at or above --min.")
    ] = False,
    minimum: Annotated[
        int,
        typer.Option(
            "--min", metavar="N", help="With --suggest --yes: the lowest confidence (0-100) to link."
        ),
    ] = 70,
    json_: JsonOpt = False,
) -> None:
    """Link bulletins: versions of one text in other languages, or a follow-up of an alert.

    A translation group has one version per language; every version lists the others. A
    follow-up follows an alert (or a follow-up of one); --closes marks the one that ends the case.
    'whrd link 15 --follows 12 --kind release --closes' records a release that closes case 12;
    'whrd link --suggest' proposes pairs. 'whrd undo' undoes a link.

    Example: whrd link 12 13 --translation
    """
    if suggest:
        _suggest(open_archive(ctx), yes=yes, minimum=minimum, json_=json_)
        return
    if bulletin_id is None:
        fail(_("Give the id of a bulletin to link (or --suggest)."))
    archive = archive_with(ctx, bulletin_id)
    from .. import links

    if translation == (follows is not None):
        fail(_("Say what the link is: --translation OTHER, or --follows ALERT."))
    if translation:
        if not others:
            fail(
                _("Give the id of the other version: whrd link {id} OTHER --translation.").format(
                    id=bulletin_id
                )
            )
        ids = [bulletin_id, *others]
        changed = archive.relink(lambda bulletins: links.plan_translation(bulletins, ids))
    else:
        if others:
            fail(_("--follows takes one bulletin: whrd link ID --follows ALERT."))
        assert follows is not None
        alert = follows
        changed = archive.relink(
            lambda bulletins: links.plan_follow(
                bulletins, bulletin_id, alert, kind=kind.strip().lower(), closes=closes
            )
        )
    _linked(changed)


def _suggest(archive: Archive, *, yes: bool, minimum: int, json_: bool) -> None:
    """`link --suggest`: the likely pairs as a table (or JSON); with --yes, link the sure ones."""
    if not 0 <= minimum <= 100:
        fail(_("--min must be a confidence from 0 to 100, not {value}.").format(value=minimum))
    from .. import links
    from ..links_suggest import suggest

    if common.missing_archive_note(archive):
        if json_:
            print_json([])
        return
    pairs = suggest({str(doc_id): raw for doc_id, raw in archive.raw_items()})
    sure = [pair for pair in pairs if pair.confidence >= minimum]
    changed: list[int] = []
    if yes and sure:
        changed = archive.relink(
            lambda bulletins: links.plan_pairs(bulletins, [(p.first, p.second) for p in sure])
        )
    if json_:
        print_json([{**pair.to_dict(), "linked": yes and pair in sure} for pair in pairs])
    elif pairs:
        from ..links_render import pairs_table
        from ..render import make_console

        make_console().print(pairs_table(pairs))
    if not pairs:
        note(
            _(
                "No likely translation pairs: none in another language within two days, with the "
                "same category and a country in common, says the same."
            )
        )
    elif yes:
        if changed:
            _linked(changed)
        else:
            note(_("No pair at or above {min}: nothing was linked.").format(min=minimum))
    else:
        note(
            ngettext(
                "{n} pair at or above {min}: link it with 'whrd link --suggest --yes', or one by one "
                "with 'whrd link ID OTHER --translation'.",
                "{n} pairs at or above {min}: link them with 'whrd link --suggest --yes', or one by "
                "one with 'whrd link ID OTHER --translation'.",
                len(sure),
            ).format(n=number(len(sure)), min=minimum)
        )


# An import that adds more is not searched for pairs (a first import of a whole archive would wait
# for it): 'whrd link --suggest' does it when asked.
OFFER_AT_MOST = 5000


def offer_pairs(archive: Archive, added: list[int]) -> None:
    """After an import: the likely translation pairs among what it added. On a terminal they are
    shown and the person is asked whether to link them; off one, a hint line says how."""
    from ..links_suggest import DEFAULT_MIN, suggest

    if not added or len(added) > OFFER_AT_MOST:
        return
    bulletins = {str(doc_id): raw for doc_id, raw in archive.raw_items()}
    pairs = suggest(bulletins, among=added, floor=DEFAULT_MIN)
    if not pairs:
        return
    if not common.stdin_is_terminal():
        note(
            ngettext(
                "{n} likely translation pair among the bulletins imported: see it with "
                "'whrd link --suggest'.",
                "{n} likely translation pairs among the bulletins imported: see them with "
                "'whrd link --suggest'.",
                len(pairs),
            ).format(n=number(len(pairs)))
        )
        return
    from .. import links
    from ..links_render import pairs_table
    from ..render import make_console
    from .prompts import confirm

    make_console(stderr=True).print(pairs_table(pairs))
    question = ngettext(
        "Link {n} pair as versions of one bulletin?",
        "Link {n} pairs as versions of one bulletin?",
        len(pairs),
    ).format(n=number(len(pairs)))
    if confirm(question, default=False, err=True):
        _linked(archive.relink(lambda raw: links.plan_pairs(raw, [(p.first, p.second) for p in pairs])))


@app.command(cls=LocalizedCommand)
def unlink(
    ctx: typer.Context,
    bulletin_id: IdArg,
    other: OptionalIdArg = None,
) -> None:
    """Remove the link between two bulletins, or every link of one (it leaves its group and thread).

    'whrd undo' brings the links back.

    Example: whrd unlink 12 13
    """
    archive = archive_with(ctx, bulletin_id)
    from .. import links

    changed = archive.relink(lambda bulletins: links.plan_unlink(bulletins, bulletin_id, other))
    ids = ", ".join(map(str, changed))
    note(
        ngettext(
            "Unlinked: bulletin {ids} changed.", "Unlinked: bulletins {ids} changed.", len(changed)
        ).format(ids=ids)
    )


@app.command(cls=LocalizedCommand)
def thread(
    ctx: typer.Context,
    bulletin_id: Annotated[
        int, typer.Argument(metavar="ID", help="Any bulletin of the thread.", autocompletion=complete.ids)
    ],
    json_: JsonOpt = False,
) -> None:
    """Show an alert's thread as a timeline, oldest first, from any of its bulletins.

    Example: whrd thread 12
    """
    from ..i18n import language
    from ..links_read import thread_of

    archive = archive_with(ctx, bulletin_id)
    found = thread_of(archive, bulletin_id, language())
    if json_:
        print_json(found.to_dict())
        return
    from ..links_render import thread_table
    from ..render import make_console

    make_console().print(thread_table(found))
    count = len(found.steps)
    note(
        ngettext("{n} bulletin in the thread.", "{n} bulletins in the thread.", count).format(n=number(count))
    )


def list_open_alerts(archive: Archive, flt: Filter, *, json_: bool) -> None:
    """`list --open-alerts`: the alerts (matching the filter) whose thread has no closing
    follow-up, oldest first, with the days since the thread's last news."""
    from ..i18n import language
    from ..links_read import open_alerts

    bulletins = {str(doc_id): raw for doc_id, raw in archive.raw_items()}
    found = [
        alert
        for alert in open_alerts(bulletins, language(), common.today())
        if flt.matches(alert.id, bulletins[str(alert.id)])
    ]
    if json_:
        print_json([alert.to_dict() for alert in found])
        return
    if not found:
        note(_("No open alerts."))
        return
    if not common.is_terminal():  # a pipe: one tab-separated line each, as `list` gives (codes)
        from ..text import printable

        for a in found:
            fields = (
                a.id,
                a.date,
                ",".join(a.countries),
                printable(a.title, multiline=False),
                a.followups,
                a.days,
            )
            print("\t".join(map(str, fields)))
    else:
        from ..links_render import open_alerts_table
        from ..render import make_console

        make_console().print(open_alerts_table(found))
    note(ngettext("{n} open alert.", "{n} open alerts.", len(found)).format(n=number(len(found))))
