"""whrd export: write a digest or data file in any registered format (issue 6).

Options become a `Filter` and an `export.ExportRequest`; `export.run_export` does the work and
this module reports it. Format choices, extensions and what each format accepts come from the
registry in `formats`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer
from msgspec.structs import replace

from ..choices import GROUP_BY, valid_values
from ..formats import BY_NAME, WRITERS
from ..i18n import LOCALES, N_, _, language, ngettext, number
from . import complete
from .common import (
    RICH_HELP,
    build_filter,
    missing_archive_note,
    note,
    open_archive,
    today,
)
from .localize import LocalizedCommand, composed
from .options import MAX_LIMIT, CategoryOpt, CountryOpt, LangOpt, SinceOpt, TagOpt, UntilOpt

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

# The help derives from the registry, as `export` does for its messages (imported only to run).
_TEMPLATED = ", ".join(name for name in WRITERS if BY_NAME[name].template)
_FIELDED = ", ".join(name for name in WRITERS if BY_NAME[name].selects_fields)


def _formats_help(say: Callable[[str], str]) -> str:
    """`md: Markdown digest (…); html: …`, each description looked up by `say`."""
    described = [f"{name}: {say(BY_NAME[name].description)}" for name in WRITERS]
    return "; ".join([*described, f"bundle: {say(BUNDLE)}"])


BUNDLE = N_("every version of the bulletins, for 'whrd merge' in another archive (.whrdb)")


FormatOpt = Annotated[
    str | None,
    typer.Option(
        "--format",
        "-f",
        help=composed(
            N_("{formats}. Default: from the --output extension, else md. ({descriptions}.)"),
            formats=lambda _say: ", ".join([*WRITERS, "bundle"]),
            descriptions=_formats_help,
        ),
        show_default=False,
        autocompletion=complete.export_formats,
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
    typer.Option(
        "--group-by",
        "-g",
        help=composed(
            N_("Group a {formats} digest: {groupings}."),
            formats=lambda _say: _TEMPLATED,
            # English keys in the English text (the msgid); the Spanish names when localized
            groupings=lambda say: ", ".join(GROUP_BY) if say is str else valid_values(GROUP_BY, GROUP_BY),
        ),
        autocompletion=complete.groupings,
    ),
]
TitleOpt = Annotated[
    str | None,
    typer.Option("--title", help="Title of the digest or feed. Default: 'WHRD bulletins' in the locale."),
]
TemplateOpt = Annotated[
    Path | None,
    typer.Option(
        "--template",
        help=composed(
            N_("Your own Jinja2 template for {formats}; the README lists its context."),
            formats=lambda _say: _TEMPLATED,
        ),
        dir_okay=False,
        show_default=False,
    ),
]
LocaleOpt = Annotated[
    str | None,
    typer.Option(
        "--locale",
        help=composed(
            N_("Language the digest is written in: {locales}. Default: the interface's language."),
            locales=lambda _say: ", ".join(LOCALES),
        ),
        show_default=False,
        autocompletion=complete.locales,
    ),
]
FieldsOpt = Annotated[
    str | None,
    typer.Option(
        "--fields",
        help=composed(
            N_("Comma-separated fields for {formats} (default: all)."), formats=lambda _say: _FIELDED
        ),
        show_default=False,
    ),
]
IncludePrivateOpt = Annotated[
    bool, typer.Option("--include-private", help="Include private notes (left out by default).")
]
ExportLimitOpt = Annotated[
    int | None,
    typer.Option(
        "--limit",
        "-n",
        min=1,
        max=MAX_LIMIT,
        help="Export at most N bulletins: the N newest.",
        show_default=False,
    ),
]
BaseUrlOpt = Annotated[
    str | None,
    typer.Option(
        "--base-url",
        help="Where the feed is published (atom): its self link; links bulletins without a url.",
        show_default=False,
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="Overwrite the output file if it exists.")]
EncryptToOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--encrypt-to",
        metavar="RECIPIENT",
        help="Encrypt the export with age to this public key (age1…; repeat for more); adds .age.",
        show_default=False,
    ),
]


@app.command(cls=LocalizedCommand)
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
    locale: LocaleOpt = None,
    fields: FieldsOpt = None,
    include_private: IncludePrivateOpt = False,
    force: ForceOpt = False,
    limit: ExportLimitOpt = None,
    base_url: BaseUrlOpt = None,
    encrypt_to: EncryptToOpt = None,
) -> None:
    """Write the bulletins that match the filters as a digest (Markdown, HTML), a feed or data.

    The file goes to digest-YYYY-MM-DD.<ext> unless --output names another (or - for stdout);
    an existing file is kept unless --force. Private notes leave only with --include-private.

    Example: whrd export --since 7d --format html --locale es --group-by country
    """
    from ..config import config_path, load_config
    from ..export import ExportRequest, format_for_output, run_export

    if format_ == "bundle" or (format_ is None and (output or "").lower().endswith(".whrdb")):
        # Revisions for another archive (issue 18), not a digest: `whrd merge` reads it.
        from .merge_cmd import export_bundle

        flt = build_filter(country=country, category=category, tag=tag, since=since, until=until, lang=lang)
        archive = open_archive(ctx)
        export_bundle(archive, flt, output, encrypt_to=encrypt_to, force=force, private=include_private)
        return
    configured = load_config(config_path())
    # --format, else the --output extension, else the config file's export.format, else md
    format_ = format_ or format_for_output(output) or configured.export_format
    spec = BY_NAME.get(format_ or "md")  # an unknown format is refused by ExportRequest.build
    if base_url is None and spec is not None and spec.links:  # the config's, for a format with links
        base_url = configured.base_url
    request = ExportRequest.build(
        format=format_,
        output=output,
        group_by=group_by,
        title=title,
        template=template,
        locale=language() if locale is None else locale,
        fields=fields,
        include_private=include_private,
        force=force,
        limit=limit,
        base_url=base_url,
        tags=tag or (),
        today=today(),
    )
    flt = build_filter(country=country, category=category, tag=tag, since=since, until=until, lang=lang)
    archive = open_archive(ctx)
    from ..crypto import is_encrypted

    if encrypt_to:  # rendered in memory, written only as ciphertext (issue 16)
        from ..crypto.convert import write_encrypted_export

        result = run_export(archive, flt, replace(request, path=None))
        result = write_encrypted_export(result, request, encrypt_to, archive.path)
    else:
        result = run_export(archive, flt, request)  # (a refusal first: then no warning, one line)
        if is_encrypted(archive.path):
            note(_("Warning: this export is plain text, though the archive is encrypted (see --encrypt-to)."))
    missing_archive_note(archive)
    if result.text is not None:
        sys.stdout.flush()
        stream = getattr(sys.stdout, "buffer", None)
        if stream is not None:
            stream.write(result.text.encode("utf-8"))
            stream.flush()
        else:
            sys.stdout.write(result.text)
            sys.stdout.flush()
    where = "stdout" if result.path is None else str(result.path)
    kind = request.format.name
    if template:
        kind = _("{format}, template {template}").format(format=kind, template=template.name)
    if not result.count:
        if not flt.is_empty:
            message = _("No bulletins match the filters; wrote an empty export ({kind}) to {where}.")
        else:
            message = _("The archive is empty; wrote an empty export ({kind}) to {where}.")
        note(message.format(kind=kind, where=where))
    else:
        note(
            ngettext(
                "Wrote {n} bulletin ({kind}) to {where}.",
                "Wrote {n} bulletins ({kind}) to {where}.",
                result.count,
            ).format(n=number(result.count), kind=kind, where=where)
        )
