"""Link commands (issue 17): link, unlink, thread.

Each write is one archive call (`Archive.relink` with a plan from `links`), one operation that
`undo` undoes whole. What the library found is printed here, on stderr; data on stdout.
"""

from __future__ import annotations

from typing import Annotated

import typer

from ..i18n import _, ngettext, number
from . import complete
from .common import RICH_HELP, fail, note, open_archive, print_json
from .localize import LocalizedCommand
from .options import JsonOpt

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
    ] = 80,
    json_: JsonOpt = False,
) -> None:
    """Link bulletins: versions of one text in other languages, or a follow-up of an alert.

    A translation group has one version per language; every version lists the others. A
    follow-up follows an alert (or a follow-up of one); --closes marks the one that ends the case.
    'whrd undo' undoes a link.

    Examples: whrd link 12 13 --translation; whrd link 15 --follows 12 --kind release --closes;
    whrd link --suggest
    """
    archive = open_archive(ctx)
    if suggest:
        from .links_suggest import run_suggest

        run_suggest(archive, yes=yes, minimum=minimum, json_=json_)
        return
    if bulletin_id is None:
        fail(_("Give the id of a bulletin to link (or --suggest)."))
    if not archive.exists:
        fail(
            _("No bulletin with id {id}: the archive {path} does not exist yet.").format(
                id=bulletin_id, path=archive.path
            )
        )
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


@app.command(cls=LocalizedCommand)
def unlink(
    ctx: typer.Context,
    bulletin_id: Annotated[
        int, typer.Argument(metavar="ID", help="The bulletin's id.", autocompletion=complete.ids)
    ],
    other: OptionalIdArg = None,
) -> None:
    """Remove the link between two bulletins, or every link of one (it leaves its group and thread).

    'whrd undo' brings the links back.

    Example: whrd unlink 12 13
    """
    archive = open_archive(ctx)
    if not archive.exists:
        fail(
            _("No bulletin with id {id}: the archive {path} does not exist yet.").format(
                id=bulletin_id, path=archive.path
            )
        )
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

    archive = open_archive(ctx)
    if not archive.exists:
        fail(
            _("No bulletin with id {id}: the archive {path} does not exist yet.").format(
                id=bulletin_id, path=archive.path
            )
        )
    found = thread_of(archive, bulletin_id, language())
    if json_:
        print_json(found.to_dict())
        return
    from ..render import make_console
    from .links_render import thread_table

    make_console().print(thread_table(found))
    count = len(found.steps)
    note(
        ngettext("{n} bulletin in the thread.", "{n} bulletins in the thread.", count).format(n=number(count))
    )
