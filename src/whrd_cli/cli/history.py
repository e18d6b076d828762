"""History commands (issue 15): history, restore, undo, purge.

What changed is shown field by field and word by word (`changes`): on a terminal dropped words
in red and struck through, added ones in green; to a pipe as `[-dropped-]{+added+}`, as
`git diff --word-diff=plain` writes them. `--json` is data, in English keys.
"""

from __future__ import annotations

import shlex
import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import N_, _, ngettext, number
from ..i18n import translate as t
from . import common
from .common import RICH_HELP, archive_with, fail, note, open_archive, print_json
from .localize import LocalizedCommand
from .options import IdArg, JsonOpt, PrivateOpt

if TYPE_CHECKING:
    from rich.text import Text

    from ..changes import FieldChange
    from ..history import PurgeReport, Step, Version
    from ..store import Archive

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
SHOWN_STEPS = 20  # an undo of a big import lists this many bulletins, then a count

FIELD_LABELS = {
    "title": N_("title"),
    "date": N_("date"),
    "category": N_("category"),
    "countries": N_("countries"),
    "lang": N_("language"),
    "summary": N_("summary"),
    "truncated": N_("truncated"),
    "tags": N_("tags"),
    "url": N_("url"),
    "source": N_("source"),
    "private": N_("private note"),
}


def short_rev(rev: str) -> str:
    """`3-9a1b2c3d`: enough of a rev to name it (`restore` takes any unique start)."""
    depth, _, digest = rev.partition("-")
    return f"{depth}-{digest[:8]}"


def words(change: FieldChange, plain: bool) -> str | Text:
    """One changed field's value: words for text, items added/removed for lists, old → new."""
    from ..changes import LISTS, plain_words
    from ..text import printable

    if change.words:
        if plain:
            return printable(plain_words(change.words), multiline=False)
        from rich.text import Text

        styles = {"=": "", "-": "red strike", "+": "green"}
        out = Text()
        for kind, text in change.words:
            out.append(printable(text, multiline=False), styles[kind])
        return out
    if change.field in LISTS:
        data = change.to_dict()
        parts = [f"-{v}" for v in data["removed"]] + [f"+{v}" for v in data["added"]]
        return printable(" ".join(parts), multiline=False)
    before = "—" if change.before in (None, "") else str(change.before)
    after = "—" if change.after in (None, "") else str(change.after)
    return printable(f"{before} → {after}", multiline=False)


def change_lines(changes: Sequence[FieldChange], plain: bool) -> list[Any]:
    from rich.text import Text

    lines: list[Any] = []
    for change in changes:
        label = f"    {t(FIELD_LABELS[change.field])}: "
        value = words(change, plain)
        lines.append(label + value if isinstance(value, str) else Text(label) + value)
    return lines


def _version_head(version: Version) -> str:
    from ..render import local_time

    state = [_("current")] if version.current else []
    if version.deleted:
        state.append(_("deleted"))
    elif version.body is None:
        state.append(_("text purged"))
    return "  ".join([short_rev(version.rev), local_time(version.at), *state])


def _versions(ctx: typer.Context, bulletin_id: int) -> tuple[Archive, list[Version]]:
    """The archive of this run and every version of one bulletin (one clear error if none)."""
    archive = archive_with(ctx, bulletin_id)
    return archive, archive.versions(bulletin_id)


@app.command(cls=LocalizedCommand)
def history(
    ctx: typer.Context, bulletin_id: IdArg, json_: JsonOpt = False, private: PrivateOpt = False
) -> None:
    """Show every version of one bulletin, newest first, with what changed in each.

    Deleted bulletins keep their history (under their id) until purged. --private also compares
    the private notes.

    Example: whrd history 12
    """
    from ..changes import field_changes

    archive, versions = _versions(ctx, bulletin_id)
    older: list[dict[str, Any] | None] = [v.body for v in versions[1:]] + [None]
    if json_:
        from ..records import record_dict

        print_json(
            {
                "id": bulletin_id,
                "uid": archive.uid_of(bulletin_id),
                "versions": [
                    {
                        "rev": v.rev,
                        "current": v.current,
                        "deleted": v.deleted,
                        "purged": v.body is None and not v.deleted,
                        "at": v.at,
                        "bulletin": record_dict(bulletin_id, v.body, private=private) if v.body else None,
                        "changes": [c.to_dict() for c in field_changes(before, v.body, private=private)]
                        if v.body is not None
                        else [],
                    }
                    for v, before in zip(versions, older, strict=True)
                ],
            }
        )
        return
    plain = not common.is_terminal()
    from ..render import make_console
    from ..text import printable

    console = make_console()
    title = next((v.body["title"] for v in versions if v.body), _("(text purged)"))
    console.print(
        f"#{bulletin_id}  {printable(title, multiline=False)}",
        style=None if plain else "whrd.heading",
        markup=False,
    )
    for version, before in zip(versions, older, strict=True):
        console.print(_version_head(version), style=None if plain else "whrd.id", markup=False)
        if version.body is None:
            continue
        if before is None and version is versions[-1]:
            console.print("    " + _("first version"), markup=False)
            continue
        for line in change_lines(field_changes(before, version.body, private=private), plain):
            console.print(line, markup=False)


@app.command(cls=LocalizedCommand)
def restore(
    ctx: typer.Context,
    bulletin_id: IdArg,
    rev: Annotated[str, typer.Argument(metavar="REV", help="The version, as 'whrd history ID' names it.")],
    yes: YesOpt = False,
) -> None:
    """Make an old version of a bulletin current again, as a new version (nothing is lost).

    A deleted bulletin comes back under its id. Undo it with 'whrd undo'.

    Example: whrd restore 12 2-9a1b2c3d
    """
    from ..changes import field_changes
    from ..store_history import by_prefix

    archive, versions = _versions(ctx, bulletin_id)
    chosen = by_prefix({v.rev: v for v in versions}, rev)
    if not yes:
        current = versions[0].body if versions[0].current and not versions[0].deleted else None
        _note_lines(change_lines(field_changes(current, chosen.body), plain=not common.is_terminal()))
        _confirm(
            _("Restore bulletin {id} to version {rev}?").format(id=bulletin_id, rev=short_rev(chosen.rev))
        )
    entry = archive.restore(bulletin_id, chosen.rev)
    note(
        _("Restored bulletin {id} to version {rev}; undo with 'whrd undo'.").format(
            id=entry.id, rev=short_rev(chosen.rev)
        )
    )


def _note_lines(lines: Sequence[Any]) -> None:
    from ..render import make_console

    console = make_console(stderr=True)
    for line in lines:
        console.print(line, markup=False)


def _confirm(question: str, *, purge: bool = False) -> None:
    if not common.stdin_is_terminal():
        if purge:
            fail(_("Refusing to purge without confirmation: add --yes."))
        fail(_("Refusing to change the archive without confirmation: add --yes."))
    from .prompts import confirm

    if not confirm(question, default=False):
        note(_("Nothing was deleted.") if purge else _("Nothing was changed."))
        raise typer.Exit(1)


STEP_WORDS = {
    "remove": N_("#{id} removed (it was added by that operation)"),
    "revert": N_("#{id} back to its version before"),
    "revive": N_("#{id} brought back (it was deleted by that operation)"),
    "skip": N_("#{id} left alone: changed since, or its old version was purged"),
}


def _step_lines(steps: Sequence[Step]) -> list[str]:
    lines = [t(STEP_WORDS[step.kind]).format(id=step.id) for step in steps[:SHOWN_STEPS]]
    if len(steps) > SHOWN_STEPS:
        rest = len(steps) - SHOWN_STEPS
        lines.append(
            ngettext("… and {n} more bulletin", "… and {n} more bulletins", rest).format(n=number(rest))
        )
    return lines


def _operation_line(number_: int, op: Mapping[str, Any]) -> str:
    from ..render import local_time
    from ..text import printable

    count = len(op.get("changes", ())) + len(op.get("added", ()))
    what = ngettext("{n} bulletin", "{n} bulletins", count).format(n=number(count))
    line = printable(shlex.join(["whrd", *map(str, op.get("argv", []))]), multiline=False)
    return f"#{number_}  {local_time(op.get('at'))}  {line}  ({what})"


@app.command(cls=LocalizedCommand)
def undo(
    ctx: typer.Context,
    list_: Annotated[bool, typer.Option("--list", help="List the recent operations instead.")] = False,
    yes: YesOpt = False,
    json_: JsonOpt = False,
) -> None:
    """Undo the last add, edit, delete, import or restore, as a new change.

    Shows what it will do and asks first on a terminal. A second undo undoes the operation before
    (it never redoes). A bulletin changed since is left alone and named.

    Example: whrd undo --list
    """
    archive = open_archive(ctx)
    if not archive.exists:
        note(_("Nothing to undo: the archive {path} does not exist yet.").format(path=archive.path))
        if json_:
            print_json([] if list_ else None)
        return
    if list_:
        ops = archive.operations()
        if json_:
            print_json([{"number": n, **op} for n, op in ops])
            return
        if not ops:
            note(_("No operation recorded yet."))
        undone = {op.get("undoes"): n for n, op in ops if op.get("undoes")}
        for n, op in ops:
            extra = ""
            if op.get("undoes"):
                extra = "  " + _("(undid #{n})").format(n=op["undoes"])
            elif n in undone:
                extra = "  " + _("(undone by #{n})").format(n=undone[n])
            sys.stdout.write(_operation_line(n, op) + extra + "\n")
        return
    preview = archive.undo_preview()
    if preview is None:
        fail(_("Nothing to undo: the journal holds no operation that can be undone."))
    if not yes:
        note(_("Undo operation {line}:").format(line=_operation_line(preview.number, preview.operation)))
        for line in _step_lines(preview.steps):
            note("  " + line)
        _confirm(_("Undo it?"))
    done = archive.undo(preview.number if not yes else None)
    if json_:
        print_json(
            {
                "undid": done.number,
                "operation": dict(done.operation),
                "steps": [{"kind": s.kind, "id": s.id, "uid": s.uid} for s in done.steps],
            }
        )
        return
    counts = {kind: sum(1 for s in done.steps if s.kind == kind) for kind in STEP_WORDS}
    note(
        _(
            "Undid operation #{n}: {revert} reverted, {remove} removed, {revive} brought back, "
            "{skip} left alone."
        ).format(n=done.number, **{k: number(v) for k, v in counts.items()})
    )


def purge_note(report: PurgeReport, archive: Archive | None = None) -> None:
    """Say what a purge did beyond the archive: which backups were rewritten or removed, and,
    for an archive that syncs or has merged others' revisions, that the purge is local."""
    if archive is not None and archive.is_replicated():
        note(_("This purge is local: archives this one synced or merged with keep their copies."))
    if report.rewritten:
        note(_("Backups rewritten without it: {paths}").format(paths=", ".join(map(str, report.rewritten))))
    if removed := ", ".join(map(str, report.removed)):
        note(_("Backups removed (they could not be rewritten): {paths}").format(paths=removed))
    note(_("The search index was rebuilt without it."))
    kept = sorted(archive.path.parent.glob(f"{archive.path.name}.draft-*")) if archive is not None else []
    if kept:  # whose unsaved work each is, whrd cannot tell: named, never removed
        message = _("Editor drafts beside the archive may still hold the text; read and remove them: {paths}")
        note(message.format(paths=", ".join(map(str, kept))))


@app.command(cls=LocalizedCommand)
def purge(
    ctx: typer.Context,
    history_: Annotated[
        bool, typer.Option("--history", help="Drop old versions (never current ones).")
    ] = False,
    before: Annotated[
        str | None, typer.Option("--before", metavar="DATE", help="Only versions written before this date.")
    ] = None,
    yes: YesOpt = False,
) -> None:
    """Drop old versions archive-wide, from the archive, its backups and its search index.

    For one bulletin's every version use 'whrd delete ID --purge'. Cannot be undone.

    Example: whrd purge --history --before 2024-01-01
    """
    if not history_ or before is None:
        fail(_("Say what to purge: --history --before DATE (old versions written before DATE)."))
    from ..dates import parse_range

    day = parse_range(before, today=common.today()).start.isoformat()
    archive = open_archive(ctx)
    if not archive.exists:
        fail(_("Nothing to purge: the archive {path} does not exist yet.").format(path=archive.path))
    if not yes:
        _confirm(_("Drop every old version written before {day}? This cannot be undone.").format(day=day))
    report = archive.purge_history(day)
    note(
        ngettext(
            "Dropped {n} old version written before {day}.",
            "Dropped {n} old versions written before {day}.",
            report.purged,
        ).format(n=number(report.purged), day=day)
    )
    if report.purged:
        purge_note(report, archive)


def purge_bulletins(archive: Archive, bulletin_ids: list[int], *, yes: bool) -> None:
    """`delete --purge`: every version gone, here and in the backups; no backup kept of it."""
    ids = []
    for doc_id in dict.fromkeys(bulletin_ids):
        # an id the archive never had: the not-found error, before asking
        if all(version.body is None for version in archive.versions(doc_id)):
            note(_("Bulletin {id} is already purged; nothing to do.").format(id=doc_id))
        else:
            ids.append(doc_id)
    if not ids:
        return
    if not yes:
        question = ngettext(
            "Remove bulletin {ids} and every version of it, for good (no undo)?",
            "Remove bulletins {ids} and every version of them, for good (no undo)?",
            len(ids),
        ).format(ids=", ".join(map(str, ids)))
        _confirm(question, purge=True)
    report = archive.purge(ids)
    note(
        ngettext(
            "Purged {n} bulletin: only its id, uid and revision ids remain (a sync cannot bring it back).",
            "Purged {n} bulletins: only their ids, uids and revision ids remain (a sync cannot bring "
            "them back).",
            len(ids),
        ).format(n=number(len(ids)))
    )
    purge_note(report, archive)
