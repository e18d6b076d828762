"""whrd export: write a digest or data file in any registered format (issue 6).

Options become a `Filter` and a `WriteContext`; `export.render` and `export.save` do the work.
Format choices, extensions and what each format accepts come from the registry in `formats`.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer

from ..digest import GROUPINGS, LOCALES
from ..formats import BY_NAME, WRITERS
from .common import (
    RICH_HELP,
    build_filter,
    fail,
    missing_archive_note,
    note,
    open_archive,
    today,
)
from .options import CategoryOpt, CountryOpt, LangOpt, SinceOpt, TagOpt, UntilOpt

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

_FORMATS_HELP = "; ".join(f"{name}: {BY_NAME[name].description}" for name in WRITERS)
_TEMPLATED = ", ".join(name for name in WRITERS if BY_NAME[name].template)
_FIELDED = ", ".join(name for name in WRITERS if BY_NAME[name].selects_fields)

FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help=f"{', '.join(WRITERS)}. Default: from the --output extension, else md. ({_FORMATS_HELP}.)",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    str | None,
    typer.Option(
        "--output",
        "-o",
        help="File to write, or - for stdout. Default: digest-YYYY-MM-DD.<ext> in the current folder.",
        show_default=False,
    ),
]
GroupOpt = Annotated[
    str,
    typer.Option("--group-by", "-g", help=f"Group a {_TEMPLATED} digest: {', '.join(GROUPINGS)}."),
]
TitleOpt = Annotated[
    str | None,
    typer.Option("--title", help="Title of the digest or feed. Default: 'WHRD bulletins' in the locale."),
]
TemplateOpt = Annotated[
    Path | None,
    typer.Option(
        "--template",
        help=f"Your own Jinja2 template for {_TEMPLATED}; the README lists its context.",
        dir_okay=False,
        show_default=False,
    ),
]
LocaleOpt = Annotated[
    str,
    typer.Option("--locale", help=f"Language the digest is written in: {', '.join(LOCALES)}."),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields", help=f"Comma-separated fields for {_FIELDED} (default: all).", show_default=False
    ),
]
IncludePrivateOpt = Annotated[
    bool, typer.Option("--include-private", help="Include private notes (left out by default).")
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]


@app.command()
def export(
    ctx: typer.Context,
    country: CountryOpt = None,
    category: CategoryOpt = None,
    tag: TagOpt = None,
    since: SinceOpt = None,
    until: UntilOpt = None,
    lang: LangOpt = None,
    format_: FormatOpt = None,
    output: OutputOpt = None,
    group_by: GroupOpt = "none",
    title: TitleOpt = None,
    template: TemplateOpt = None,
    locale: LocaleOpt = "en",
    fields: FieldsOpt = None,
    include_private: IncludePrivateOpt = False,
    force: ForceOpt = False,
) -> None:
    """Write the bulletins that match the filters as a digest (Markdown, HTML), a feed or data.

    The file goes to digest-YYYY-MM-DD.<ext> unless --output names another (or - for stdout);
    an existing file is kept unless --force. Private notes leave only with --include-private.

    Example: whrd export --since 7d --format html --locale es --group-by country
    """
    from .. import export as exporting
    from ..digest import default_title, generated_moment
    from ..formats import WriteContext

    fmt = exporting.writable_format(format_ or exporting.format_for_output(output) or "md")
    if locale not in LOCALES:
        fail(f"Unknown locale {locale!r}. Valid locales: {', '.join(LOCALES)}.")
    if group_by not in GROUPINGS:
        fail(f"Unknown grouping {group_by!r}. Valid groupings: {', '.join(GROUPINGS)}.")
    if not fmt.template:
        if template is not None:
            fail(f"--template works with the {_TEMPLATED} formats, not {fmt.name}.")
        if group_by != "none":
            fail(f"--group-by works with the {_TEMPLATED} formats, not {fmt.name}.")
    chosen_fields = None
    if fields is not None:
        if not fmt.selects_fields:
            fail(f"--fields works with the {_FIELDED} formats, not {fmt.name}.")
        chosen_fields = exporting.parse_fields(fields, include_private=include_private)
    heading = exporting.clean_title(title) if title is not None else default_title(locale)
    flt = build_filter(country=country, category=category, tag=tag, since=since, until=until, lang=lang)

    archive = open_archive(ctx)
    to_stdout = output == "-"
    path = None
    if not to_stdout:
        path = Path(output).expanduser() if output else exporting.default_output(fmt, today(), template)
        exporting.check_output(path, force=force, archive_path=archive.path)
    missing = missing_archive_note(archive)
    entries = [] if missing else exporting.select(archive, flt)
    context = WriteContext(
        title=heading,
        locale=locale,
        group_by=group_by,
        include_private=include_private,
        fields=chosen_fields,
        filters=flt.describe(),
        generated=generated_moment(today()),
        template=template,
        archive_id=archive.stable_id(),
    )
    if path is None:
        text = exporting.render(fmt, entries, context)
        sys.stdout.flush()
        stream = getattr(sys.stdout, "buffer", None)
        if stream is not None:
            stream.write(text.encode("utf-8"))
            stream.flush()
        else:
            sys.stdout.write(text)
            sys.stdout.flush()
    else:  # rendered straight into the file (atomically): the output is never all in memory
        exporting.write_file(
            fmt, entries, context, path, force=force, private=include_private, archive_path=archive.path
        )
    where = "stdout" if path is None else str(path)
    kind = f"{fmt.name}, template {template.name}" if template else fmt.name
    if not entries:
        why = "No bulletins match the filters" if not flt.is_empty else "The archive is empty"
        note(f"{why}; wrote an empty export ({kind}) to {where}.")
    else:
        note(f"Wrote {len(entries)} bulletin{'s' if len(entries) != 1 else ''} ({kind}) to {where}.")
