"""Write commands for single bulletins: add, edit, delete.

Options become a `Bulletin` (add) or a `BulletinEdit` (edit), one archive call writes it; what
cannot come from options (prompts, $EDITOR, a confirmation) is asked here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import _, ngettext, number
from ..lang import language_code, language_note
from . import common, complete
from .common import RICH_HELP, fail, note, open_archive
from .edit_lists import not_there, refuse_contradictions
from .localize import LocalizedCommand
from .options import IdArg

if TYPE_CHECKING:
    from ..records import Entry
    from ..store import Archive

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

TitleOpt = Annotated[str | None, typer.Option("--title", help="The bulletin's title.")]
DateOpt = Annotated[
    str | None,
    typer.Option(
        "--date", "-d", help="Publication date: 2017-01-26, '26 January 2017', '4 de marzo de 2018'."
    ),
]
CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        help="Country name (English/Spanish), ISO code, or region (its countries). Repeatable; commas too.",
        autocompletion=complete.countries,
    ),
]
CategoryOpt = Annotated[
    str | None,
    typer.Option(
        "--category",
        "-k",
        help="news, alert, open-letter, statement, report, or a new one.",
        autocompletion=complete.categories,
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="Tag, with or without #. Repeatable.", autocompletion=complete.tags),
]
SummaryOpt = Annotated[str | None, typer.Option("--summary", "-s", help="The summary paragraph.")]
LangOpt = Annotated[
    str | None, typer.Option("--lang", "-l", help="Language code (en, es); detected when left out.")
]
UrlOpt = Annotated[str | None, typer.Option("--url", help="Link to the full bulletin (http/https).")]
SourceOpt = Annotated[str | None, typer.Option("--source", help="Where the bulletin came from.")]
PrivateOpt = Annotated[
    str | None, typer.Option("--private", help="A private note; never exported unless asked.")
]
TruncatedOpt = Annotated[
    bool | None,
    typer.Option("--truncated/--complete", help="Whether the summary was cut ([…]).", show_default=False),
]
EditorOpt = Annotated[bool, typer.Option("--editor", "-e", help="Write the bulletin in $EDITOR.")]
ForceOpt = Annotated[bool, typer.Option("--force", help="Keep a bulletin even if it duplicates another.")]
NewCategoryOpt = Annotated[
    bool, typer.Option("--new-category", help="Accept a category whrd and the archive do not know yet.")
]


def _draft_folder_and_prefix(archive: Archive) -> tuple[Path, str]:
    """Editor drafts live beside the archive (its folder is the person's own, and holds the same
    text), named after it: `archive.json.draft-….txt`."""
    return archive.path.parent, f"{archive.path.name}.draft-"


def _category_problem(text: str) -> str | None:
    """Why `text` cannot name a category here (a typo, or one neither whrd nor the archive knows)."""
    from ..categories import unknown_category

    return unknown_category(text, common._categories_in_use())


def _recorded(verb: str, entry: Entry) -> str:
    """`Added #7 — es · Alert · Honduras`: what was recorded, for a person at a terminal (`verb`
    already in the interface's language)."""
    from ..render import recorded_line

    return recorded_line(verb, entry)


@app.command(cls=LocalizedCommand)
def add(
    ctx: typer.Context,
    title: TitleOpt = None,
    date: DateOpt = None,
    country: CountryOpt = None,
    category: CategoryOpt = None,
    tag: TagOpt = None,
    summary: SummaryOpt = None,
    lang: LangOpt = None,
    url: UrlOpt = None,
    source: SourceOpt = None,
    private: PrivateOpt = None,
    truncated: TruncatedOpt = None,
    editor: EditorOpt = False,
    force: ForceOpt = False,
    new_category: NewCategoryOpt = False,
) -> None:
    """Record a bulletin and print its new id.

    Missing required fields are asked for on a terminal; --editor opens $EDITOR on a form.
    A duplicate (same date, title and language) is refused unless --force.

    Example: whrd add --title "Radio station turns three" --date 2017-01-26 -c Honduras -k news
    """
    fields: dict[str, Any] = {
        "title": title,
        "date": date,
        "countries": country or (),
        "category": category,
        "tags": tag or (),
        "summary": summary or "",
        "lang": language_code(lang) if lang else lang,  # a code or a name: español
        "url": url,
        "source": source,
        "private": private,
        "truncated": bool(truncated),
    }
    from ..model import Bulletin

    common.check_category(ctx, fields["category"], new=new_category)
    today = common.today()
    archive = open_archive(ctx)
    if editor:
        from ..entryform import parse_new_form, render_form
        from .editor import edit_until_valid

        def save_form(parsed: dict[str, Any]) -> int:
            """Save the form's bulletin; an unknown category is a mistake the form reopens on."""
            if parsed.get("category") != fields["category"]:
                common.check_category(ctx, parsed.get("category"), new=new_category)
            return archive.add(Bulletin.create(**parsed, today=today), force=force)

        folder, prefix = _draft_folder_and_prefix(archive)
        new_id = edit_until_valid(
            render_form(None, **fields),
            lambda text: save_form(parse_new_form(text)),
            folder=folder,
            prefix=prefix,
            interactive=common.stdin_is_terminal(),
        )
    else:
        if fields["title"] is None or fields["date"] is None:
            if not common.stdin_is_terminal():
                name = "title" if fields["title"] is None else "date"
                fail(
                    _("{option} is required (or run on a terminal to be asked, or use --editor).").format(
                        option=f"--{name}"
                    )
                )
            from .prompts import ask_fields

            fields = ask_fields(
                fields, today=today, new_category=new_category, category_problem=_category_problem
            )
        new_id = archive.add(Bulletin.create(**fields, today=today), force=force)
    entry = archive.get(new_id)
    common.warn_far_future(entry.bulletin.date)
    common.note_regions(fields["countries"], entry.bulletin.countries)
    if not editor and not fields["lang"] and (said := language_note(entry.bulletin)):
        note(said)  # the language is the interface's, not a finding: say so at once
    if common.is_terminal():
        typer.echo(_recorded(_("Added"), entry))
    else:
        typer.echo(str(new_id))


@app.command(cls=LocalizedCommand)
def edit(
    ctx: typer.Context,
    bulletin_id: IdArg,
    title: TitleOpt = None,
    date: DateOpt = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", "-c", help="Replace the countries. Repeatable.")
    ] = None,
    add_country: Annotated[
        list[str] | None,
        typer.Option("--add-country", help="Add a country.", autocompletion=complete.countries),
    ] = None,
    remove_country: Annotated[
        list[str] | None, typer.Option("--remove-country", help="Remove a country.")
    ] = None,
    category: CategoryOpt = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Replace the tags. Repeatable.")
    ] = None,
    add_tag: Annotated[list[str] | None, typer.Option("--add-tag", help="Add a tag.")] = None,
    remove_tag: Annotated[
        list[str] | None, typer.Option("--remove-tag", help="Remove a tag.", autocompletion=complete.tags)
    ] = None,
    summary: SummaryOpt = None,
    lang: LangOpt = None,
    url: UrlOpt = None,
    source: SourceOpt = None,
    private: PrivateOpt = None,
    truncated: TruncatedOpt = None,
    force: ForceOpt = False,
    new_category: NewCategoryOpt = False,
) -> None:
    """Change a bulletin's fields; with no field option, edit it in $EDITOR.

    An empty value clears an optional field (--url ""). A backup of the archive is kept first.

    Example: whrd edit 12 --add-tag Honduras --remove-country MX --category statement
    """
    from ..model import BulletinEdit

    refuse_contradictions(
        tags=[*(tag or ()), *(add_tag or ())],
        remove_tags=remove_tag or (),
        countries=[*(country or ()), *(add_country or ())],
        remove_countries=remove_country or (),
    )
    archive = common.archive_with(ctx, bulletin_id)
    common.check_category(ctx, category, new=new_category)
    asked = BulletinEdit.build(
        {
            "title": title,
            "date": date,
            "category": category,
            "summary": summary,
            "lang": language_code(lang) if lang else lang,  # a code or a name: español
            "url": url,
            "source": source,
            "private": private,
            "truncated": truncated,
        },
        countries=country,
        add_countries=add_country or (),
        remove_countries=remove_country or (),
        tags=tag,
        add_tags=add_tag or (),
        remove_tags=remove_tag or (),
        today=common.today(),
    )
    if asked.is_empty:
        from ..entryform import form_changes, render_form
        from .editor import edit_until_valid

        form = render_form(archive.get(bulletin_id).bulletin)
        folder, prefix = _draft_folder_and_prefix(archive)
        entry = edit_until_valid(
            form,
            lambda text: archive.update(bulletin_id, form_changes(form, text), force=force),
            folder=folder,
            prefix=prefix,
            interactive=common.stdin_is_terminal(),
        )
        missing: list[str] = []
    else:  # worked out inside the store's lock, on the bulletin as it is then
        missing = not_there(archive.get(bulletin_id).bulletin, asked, remove_tag, remove_country)
        entry = archive.update(bulletin_id, asked.changes, force=force)
    if entry is None:
        if missing:
            note(
                _("Bulletin {id} has no {missing}; nothing changed.").format(
                    id=bulletin_id, missing=_(" and no ").join(missing)
                )
            )
        else:
            note(_("Bulletin {id} was already so; nothing changed.").format(id=bulletin_id))
        return
    if "date" in asked.fields:
        common.warn_far_future(asked.fields["date"])
    common.note_regions([*(country or ()), *(add_country or ())], entry.bulletin.countries)
    if lang is not None and not lang.strip() and (said := language_note(entry.bulletin)):
        note(said)  # --lang "" asked for detection, and the text did not tell
    for what in missing:
        note(_("Bulletin {id} had no {what}.").format(id=bulletin_id, what=what))
    if common.is_terminal():
        note(_recorded(_("Updated"), entry))
    else:
        note(_("Updated bulletin {id}.").format(id=bulletin_id))


@app.command(cls=LocalizedCommand)
def delete(
    ctx: typer.Context,
    bulletin_ids: Annotated[
        list[int], typer.Argument(metavar="ID...", help="Ids to delete.", autocompletion=complete.ids)
    ],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    purge: Annotated[
        bool,
        typer.Option(
            "--purge",
            help="Also remove every earlier version, from the archive, its backups and the search "
            "index (a deleted bulletin too). Cannot be undone.",
        ),
    ] = False,
) -> None:
    """Delete bulletins (all or none). Asks first on a terminal; a backup is kept (ARCHIVE.bak).

    Deleted bulletins keep their history ('whrd undo' brings them back); --purge removes it.

    Example: whrd delete 12 14 --yes
    """
    archive = common.archive_with(ctx, bulletin_ids[0])
    if purge:
        from .history import purge_bulletins

        purge_bulletins(archive, bulletin_ids, yes=yes)
        return
    entries = [archive.get(i) for i in dict.fromkeys(bulletin_ids)]
    if not yes:
        if not common.stdin_is_terminal():
            fail(_("Refusing to delete without confirmation: add --yes."))
        from ..render import entry_line

        for entry in entries:
            note(f"  {entry_line(entry)}")
        from .prompts import confirm

        count = len(entries)
        if not confirm(
            ngettext("Delete {n} bulletin?", "Delete {n} bulletins?", count).format(n=number(count)),
            default=False,
        ):
            note(_("Nothing was deleted."))
            raise typer.Exit(1)
    deleted = archive.delete([e.id for e in entries])
    note(
        ngettext(
            "Deleted {n} bulletin; backup: {backup}", "Deleted {n} bulletins; backup: {backup}", len(deleted)
        ).format(n=number(len(deleted)), backup=archive.backup_path)
    )
