"""Write commands for single bulletins: add, edit, delete."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..errors import InputError
from ..model import Bulletin
from .common import (
    RICH_HELP,
    fail,
    note,
    open_archive,
    stdin_is_terminal,
)

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
    typer.Option("--country", "-c", help="Country name (English/Spanish) or ISO code. Repeatable."),
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


def _prompt_until_valid(prompt: str, name: str) -> str:
    """Ask again after a value that cannot be used, so a typo in the date does not lose the title."""
    from ..dates import parse_date
    from ..errors import WhrdError
    from ..text import clean_line

    while True:
        value: str = typer.prompt(prompt)
        try:
            if name == "date":
                parse_date(value)
            else:
                clean_line(value, name, required=True)
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
        if not stdin_is_terminal():
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
        from ..entryform import parse_form, render_form

        fields = parse_form(_edit_text(render_form(None, **fields)))
        if not fields.get("title") and not fields.get("date") and not fields.get("summary"):
            raise InputError("The form was left empty; nothing was added.")
    else:
        for name, prompt in (("title", "Title"), ("date", "Date")):
            if fields[name] is None:
                if not stdin_is_terminal():
                    fail(f"--{name} is required (or run on a terminal to be asked, or use --editor).")
                fields[name] = _prompt_until_valid(prompt, name)
    bulletin = Bulletin.create(**fields)
    new_id = open_archive(ctx).add(bulletin, force=force)
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
) -> None:
    """Change a bulletin's fields; with no field option, edit it in $EDITOR.

    An empty value clears an optional field (--url ""). A backup of the archive is kept first.

    Example: whrd edit 12 --add-tag Honduras --remove-country MX --category statement
    """
    from ..countries import resolve_country
    from ..text import fold

    archive = open_archive(ctx)
    if not archive.exists:
        fail(f"No bulletin with id {bulletin_id}: the archive {archive.path} does not exist yet.")
    fields: dict[str, Any] = {
        name: value
        for name, value in (
            ("title", title),
            ("date", date),
            ("category", category),
            ("summary", summary),
            ("lang", lang),
            ("url", url),
            ("source", source),
            ("private", private),
            ("truncated", truncated),
        )
        if value is not None
    }
    lists = country is not None or add_country or remove_country or tag is not None or add_tag or remove_tag
    if fields or lists:
        dropped = {resolve_country(c) for c in remove_country or ()}
        dropped_tags = {fold(t.lstrip("#")) for t in remove_tag or ()}

        def changes(current: Bulletin) -> dict[str, Any]:
            """Worked out inside the store's lock, on the bulletin as it is now."""
            result = dict(fields)
            if country is not None or add_country or remove_country:
                countries = [*(country if country is not None else current.countries), *(add_country or ())]
                result["countries"] = [c for c in countries if resolve_country(c) not in dropped]
            if tag is not None or add_tag or remove_tag:
                tags = [*(tag if tag is not None else current.tags), *(add_tag or ())]
                result["tags"] = [t for t in tags if fold(t.lstrip("#")) not in dropped_tags]
            return result

        entry = archive.update(bulletin_id, changes, force=force)
    else:
        entry = archive.update(bulletin_id, _edit_in_editor(archive.get(bulletin_id).bulletin), force=force)
    note(
        f"Updated bulletin {bulletin_id}."
        if entry
        else f"Bulletin {bulletin_id} was already so; nothing changed."
    )


def _edit_in_editor(current: Bulletin) -> dict[str, Any]:
    """The fields the user changed in $EDITOR, and only those: a field someone else changed
    meanwhile, and the user did not touch, keeps that other change."""
    from ..entryform import parse_form, render_form

    form = render_form(current)
    before = parse_form(form)
    edited = _edit_text(form)
    if not edited.strip():  # emptying the file is how an editor session is abandoned
        raise InputError("The form was left empty; nothing was saved.")
    after = parse_form(edited)
    return {name: value for name, value in after.items() if before.get(name) != value}


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
        if not stdin_is_terminal():
            fail("Refusing to delete without confirmation: add --yes.")
        for entry in entries:
            note(f"  {entry.id}  {entry.bulletin.date}  {entry.bulletin.title}")
        if not typer.confirm(f"Delete {len(entries)} bulletin{'s' if len(entries) > 1 else ''}?"):
            note("Nothing was deleted.")
            raise typer.Exit(1)
    deleted = archive.delete([e.id for e in entries])
    note(f"Deleted {len(deleted)} bulletin{'s' if len(deleted) > 1 else ''}; backup: {archive.backup_path}")
