"""`whrd merge FILE` and `whrd export -f bundle` (issue 18): revisions carried by hand between
archives, merged with the same rules as a sync (`Archive.merge_docs`).

`merge` shows what it would add, update, delete and leave in conflict before it writes (and asks
on a terminal; `--yes` otherwise), takes a bundle, another whrd archive file (plain, or encrypted
with a key this archive holds) or a JSON/JSONL export, and refuses anything else in one line.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import _, ngettext, number
from . import common
from .common import RICH_HELP, fail, note, open_archive, print_json
from .localize import LocalizedCommand
from .options import JsonOpt

if TYPE_CHECKING:
    from ..filters import Filter
    from ..store import Archive
    from ..sync.merging import MergeReport

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand
SHOWN = 20  # skipped documents and duplicates named, then a count


def _identities(archive: Archive, source: Path, identity: Path | None) -> list[Any]:
    """The keys tried on an encrypted file, in order, each loaded only when tried: an identity
    file given, the key of an encrypted archive file beside it, this archive's own."""
    from ..crypto import is_encrypted, key_path, keys

    tried: list[Any] = []
    if identity is not None:
        tried.append(lambda: _identity_file(identity))
    if key_path(source).exists():
        tried.append(lambda: keys.identity_for(source))
    if is_encrypted(archive.path):
        tried.append(lambda: keys.identity_for(archive.path))
    return tried


def _identity_file(path: Path) -> Any:
    from pyrage import x25519

    from ..errors import InputError

    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        secret = next(line.strip() for line in lines if line.strip().startswith("AGE-SECRET-KEY-"))
        return x25519.Identity.from_str(secret)
    except (OSError, UnicodeDecodeError, StopIteration, Exception) as exc:
        raise InputError(_("{path} does not hold an age identity.").format(path=path)) from exc


def _summary(report: MergeReport, *, would: bool) -> str:
    counts = {
        "added": number(len(report.added)),
        "updated": number(len(report.updated)),
        "deleted": number(len(report.deleted)),
        "conflicts": number(len(report.conflicts)),
        "unchanged": number(report.unchanged),
    }
    if would:
        text = _(
            "Would add {added}, update {updated}, delete {deleted}, leave {conflicts} in conflict; "
            "{unchanged} already here."
        )
    else:
        text = _(
            "Merged: {added} added, {updated} updated, {deleted} deleted, {conflicts} in conflict; "
            "{unchanged} already here."
        )
    return text.format(**counts)


def _details(report: MergeReport) -> None:
    for uid, reason in report.skipped[:SHOWN]:
        note("  " + _("skipped {uid}: {reason}").format(uid=uid, reason=reason))
    if len(report.skipped) > SHOWN:
        rest = len(report.skipped) - SHOWN
        note("  " + ngettext("… and {n} more skipped", "… and {n} more skipped", rest).format(n=number(rest)))
    for uid, local in list(report.duplicates.items())[:SHOWN]:
        note(
            "  "
            + _(
                "#{new} may be the same bulletin as #{old} (same date, title and language); "
                "keep one with 'whrd delete'."
            ).format(new=report.ids.get(uid, "?"), old=local)
        )
    if report.conflicts:
        ids = ", ".join(str(report.ids[uid]) for uid in report.conflicts[:SHOWN])
        note("  " + _("In conflict: {ids}; see 'whrd conflicts'.").format(ids=ids))
    if report.closed:
        n = len(report.closed)
        ids = ", ".join(str(report.ids[uid]) for uid in report.closed[:SHOWN])
        note(
            "  "
            + ngettext(
                "{n} conflict closed in another archive: {ids}.",
                "{n} conflicts closed in another archive: {ids}.",
                n,
            ).format(n=number(n), ids=ids)
        )
    if report.received:
        n = len(report.received)
        note(
            "  "
            + ngettext(
                "{n} bulletin receives revisions that change nothing shown.",
                "{n} bulletins receive revisions that change nothing shown.",
                n,
            ).format(n=number(n))
        )


@app.command(cls=LocalizedCommand)
def merge(
    ctx: typer.Context,
    file: Annotated[Path, typer.Argument(metavar="FILE", help="A bundle, a whrd archive or a JSON export.")],
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would change; write nothing.")
    ] = False,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    identity: Annotated[
        Path | None,
        typer.Option("--identity", metavar="FILE", help="An age identity file that opens an encrypted FILE."),
    ] = None,
    json_: JsonOpt = False,
) -> None:
    """Merge a bundle, another whrd archive or a JSON export, with the same rules as a sync.

    Every version is kept: two edits of one bulletin leave a conflict (see 'whrd conflicts'), the
    same winner on every archive. Shows what it will add, update and delete first. Undo with
    'whrd undo'.

    Example: whrd merge semana.whrdb
    """
    from ..sync import bundle

    archive = open_archive(ctx)
    source = file.expanduser()
    data = bundle.read_file(source)
    if data.startswith(bundle.AGE_MAGIC):
        data = bundle.decrypt(data, source, _identities(archive, source, identity))
    _kind, docs = bundle.read_docs(data, source)
    if yes and not dry_run:  # nobody to show a preview to: one pass
        _tell(archive.merge_docs(docs, command="merge", whole=str(source)), would=False, json_=json_)
        return
    preview = archive.merge_docs(docs, dry_run=True, command="merge", whole=str(source))
    if dry_run or not preview.changed:
        _tell(preview, would=True, json_=json_)
        return
    if not yes:
        if json_ or not common.stdin_is_terminal():
            fail(_("Refusing to change the archive without confirmation: add --yes."))
        note(_summary(preview, would=True))
        _details(preview)
        from .prompts import confirm

        if not confirm(_("Merge it?"), default=False):
            note(_("Nothing was changed."))
            raise typer.Exit(1)
    _tell(
        archive.merge_docs(docs, command="merge", whole=str(source)), would=False, json_=json_, details=False
    )


def _tell(report: MergeReport, *, would: bool, json_: bool, details: bool = True) -> None:
    """What a merge did (or would do): JSON, or its summary line and, unless it was just
    previewed, the details."""
    if json_:
        print_json(report.to_dict())
        return
    note(
        _summary(report, would=would)
        if report.changed
        else _("Nothing to merge: every version is here already.")
    )
    if details:
        _details(report)


def export_bundle(
    archive: Archive,
    flt: Filter,
    output: str | None,
    *,
    encrypt_to: list[str] | None,
    force: bool,
    private: bool,
) -> None:
    """`whrd export -f bundle`: the bulletins the filters match, every leaf and revision path."""
    import sys

    from ..dates import utc_stamp
    from ..export_target import check_output
    from ..sync import bundle

    keep = None if flt.is_empty else (lambda body: flt.matches(0, body))
    docs = archive.docs(keep=keep, private=private) if archive.exists else iter(())
    from datetime import datetime, timezone

    data, count = bundle.bundle_bytes(docs, created=utc_stamp(datetime.now(timezone.utc)))
    recipients: list[Any] = list(encrypt_to or ()) or archive.bundle_recipients()
    if recipients:
        data = bundle.encrypt(data, recipients)
    if output == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        where = "stdout"
    else:
        path = Path(output or f"bundle-{common.today().isoformat()}{bundle.EXTENSION}").expanduser()
        check_output(path, force=force, archive_path=archive.path)
        bundle.write(path, data, overwrite=force)
        where = str(path)
    kind = _("bundle, encrypted") if recipients else _("bundle")
    note(
        ngettext(
            "Wrote {n} version ({kind}) to {where}.", "Wrote {n} versions ({kind}) to {where}.", count
        ).format(n=number(count), kind=kind, where=where)
    )
