"""Write commands for single bulletins: add, edit, delete.

Options become a `Bulletin` (add) or a `BulletinEdit` (edit), one archive call writes it; what
cannot come from options (prompts, $EDITOR, a confirmation) is asked here.
"""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..errors import InputError
from . import common
from .common import RICH_HELP, fail, note, open_archive

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
    ),
]
CategoryOpt = Annotated[
    str | None,
    typer.Option("--category", "-k", help="news, alert, open-letter, statement, report, or a new one."),
]
TagOpt = Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag, with or without #. Repeatable.")]
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


def _prompt_until_valid(prompt: str, name: str) -> str:
    """Ask again after a value that cannot be used, so a typo in the date does not lose the title."""
    from ..errors import WhrdError
    from ..model import check_required

    while True:
        value: str = typer.prompt(prompt)
        try:
            check_required(name, value, today=common.today())
        except WhrdError as exc:
            typer.echo(f"Error: {exc.message}", err=True)
            continue
        return value


def _edit_text(text: str) -> str:
    """Open $VISUAL or $EDITOR on `text` in a private temp file; the saved text, or an error.

    (Typer's bundled Click has no `edit`.) The file is 0600 and removed afterwards: it holds
    bulletin text, which may be sensitive.
    """
    import os
    import shlex
    import subprocess
    import tempfile

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR")
    if not command:
        if not common.stdin_is_terminal():
            raise InputError("No editor: set $EDITOR, or give the fields as options (--title, --date, …).")
        command = "vi"
    fd, name = tempfile.mkstemp(prefix="whrd-", suffix=".txt")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        try:
            status = subprocess.call([*shlex.split(command), name])
        except OSError as exc:
            raise InputError(f"Cannot run the editor {command!r}: {exc.strerror or exc}.") from exc
        if status != 0:
            raise InputError(f"The editor {command!r} exited with status {status}; nothing was changed.")
        with open(name, encoding="utf-8") as fh:
            edited = fh.read()
    finally:
        os.unlink(name)
    if edited == text:
        raise InputError("The form was not changed; nothing was saved.")
    return edited


@app.command()
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
        "lang": lang,
        "url": url,
        "source": source,
        "private": private,
        "truncated": bool(truncated),
    }
    if editor:
        from ..entryform import parse_new_form, render_form

        fields = parse_new_form(_edit_text(render_form(None, **fields)))
    else:
        for name, prompt in (("title", "Title"), ("date", "Date")):
            if fields[name] is None:
                if not common.stdin_is_terminal():
                    fail(f"--{name} is required (or run on a terminal to be asked, or use --editor).")
                fields[name] = _prompt_until_valid(prompt, name)
    from ..model import Bulletin

    common.check_category(ctx, fields["category"], new=new_category)
    bulletin = Bulletin.create(**fields, today=common.today())
    new_id = open_archive(ctx).add(bulletin, force=force)
    common.warn_far_future(bulletin.date)
    common.note_regions(fields["countries"])
    typer.echo(str(new_id))


@app.command()
def edit(
    ctx: typer.Context,
    bulletin_id: Annotated[int, typer.Argument(metavar="ID", help="The bulletin's id.")],
    title: TitleOpt = None,
    date: DateOpt = None,
    country: Annotated[
        list[str] | None, typer.Option("--country", "-c", help="Replace the countries. Repeatable.")
    ] = None,
    add_country: Annotated[list[str] | None, typer.Option("--add-country", help="Add a country.")] = None,
    remove_country: Annotated[
        list[str] | None, typer.Option("--remove-country", help="Remove a country.")
    ] = None,
    category: CategoryOpt = None,
    tag: Annotated[
        list[str] | None, typer.Option("--tag", "-t", help="Replace the tags. Repeatable.")
    ] = None,
    add_tag: Annotated[list[str] | None, typer.Option("--add-tag", help="Add a tag.")] = None,
    remove_tag: Annotated[list[str] | None, typer.Option("--remove-tag", help="Remove a tag.")] = None,
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

    archive = open_archive(ctx)
    if not archive.exists:
        fail(f"No bulletin with id {bulletin_id}: the archive {archive.path} does not exist yet.")
    common.check_category(ctx, category, new=new_category)
    asked = BulletinEdit.build(
        {
            "title": title,
            "date": date,
            "category": category,
            "summary": summary,
            "lang": lang,
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

        form = render_form(archive.get(bulletin_id).bulletin)
        entry = archive.update(bulletin_id, form_changes(form, _edit_text(form)), force=force)
    else:  # worked out inside the store's lock, on the bulletin as it is then
        entry = archive.update(bulletin_id, asked.changes, force=force)
    if entry and "date" in asked.fields:
        common.warn_far_future(asked.fields["date"])
    common.note_regions([*(country or ()), *(add_country or ())])
    note(
        f"Updated bulletin {bulletin_id}."
        if entry
        else f"Bulletin {bulletin_id} was already so; nothing changed."
    )


@app.command()
def delete(
    ctx: typer.Context,
    bulletin_ids: Annotated[list[int], typer.Argument(metavar="ID...", help="Ids to delete.")],
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
) -> None:
    """Delete bulletins (all or none). Asks first on a terminal; a backup is kept (ARCHIVE.bak).

    Example: whrd delete 12 14 --yes
    """
    archive = open_archive(ctx)
    if not archive.exists:
        fail(f"No bulletin with id {bulletin_ids[0]}: the archive {archive.path} does not exist yet.")
    entries = [archive.get(i) for i in dict.fromkeys(bulletin_ids)]
    if not yes:
        if not common.stdin_is_terminal():
            fail("Refusing to delete without confirmation: add --yes.")
        from ..render import entry_line

        for entry in entries:
            note(f"  {entry_line(entry)}")
        if not typer.confirm(f"Delete {len(entries)} bulletin{'s' if len(entries) > 1 else ''}?"):
            note("Nothing was deleted.")
            raise typer.Exit(1)
    deleted = archive.delete([e.id for e in entries])
    note(f"Deleted {len(deleted)} bulletin{'s' if len(deleted) > 1 else ''}; backup: {archive.backup_path}")
