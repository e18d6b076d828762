"""Conflicts (issue 18): `whrd conflicts` lists the bulletins two coordinators edited offline,
`whrd resolve ID` shows their versions side by side and keeps one, or a merge written in $EDITOR.

Side by side is a Rich table on a terminal (one column a version, the fields that differ, words
the winner lacks in green and words it has struck in red); to a pipe each other version's
differences from the winner as `[-…-]{+…+}`, as `history` writes them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..i18n import _, ngettext, number
from . import common
from .common import RICH_HELP, fail, note, open_archive, print_json
from .localize import LocalizedCommand
from .options import IdArg, JsonOpt

if TYPE_CHECKING:
    from ..store import Archive
    from ..sync.conflicts import Conflict

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand


@app.command(cls=LocalizedCommand)
def conflicts(ctx: typer.Context, json_: JsonOpt = False) -> None:
    """List the bulletins in conflict: edited in two archives before they synced.

    The winner shows everywhere; nothing is lost. Close one with 'whrd resolve ID'.

    Example: whrd conflicts
    """
    archive = open_archive(ctx)
    found = archive.conflicts() if archive.exists else []
    if json_:
        print_json([c.to_dict() for c in found])
        return
    if not found:
        note(_("No bulletin is in conflict."))
        return
    from ..render import local_time, make_console
    from ..text import printable

    plain = not common.is_terminal()
    if plain:
        for c in found:
            at = local_time(max((s.at or "" for s in c.sides), default="") or None)
            title = printable(c.title, multiline=False)
            print(f"{c.id}\t{title}\t{len(c.sides)}\t{at}")
    else:
        from rich.table import Table

        table = Table(box=None, header_style="bold")
        for name in (_("Id"), _("Title"), _("Versions"), _("Last written")):
            table.add_column(name)
        for c in found:
            at = local_time(max((s.at or "" for s in c.sides), default="") or None)
            table.add_row(str(c.id), printable(c.title, multiline=False), str(len(c.sides)), at)
        make_console().print(table)
    note(
        ngettext(
            "{n} bulletin in conflict; see one with 'whrd resolve ID'.",
            "{n} bulletins in conflict; see one with 'whrd resolve ID'.",
            len(found),
        ).format(n=number(len(found)))
    )


def _side_by_side(conflict: Conflict) -> None:
    """The versions of a conflict, the winner first."""
    from ..changes import field_changes
    from ..render import local_time, make_console
    from ..text import printable
    from .history import FIELD_LABELS, change_lines, short_rev, words

    winner = conflict.sides[0]
    console = make_console()
    heads = [
        f"{n}. {short_rev(s.rev)}{'  ' + _('(shows now)') if s.winner else ''}  {local_time(s.at)}"
        for n, s in enumerate(conflict.sides, 1)
    ]
    console.print(f"#{conflict.id}  {printable(conflict.title, multiline=False)}", markup=False)
    if not common.is_terminal():
        for head, side in zip(heads, conflict.sides, strict=True):
            console.print(head, markup=False)
            if side.winner:
                continue
            for line in change_lines(field_changes(winner.body, side.body, private=True), True):
                console.print(line, markup=False)
        return
    from rich.table import Table
    from rich.text import Text

    from ..i18n import translate

    table = Table(show_lines=True, header_style="bold")
    table.add_column(_("Field"))
    for head in heads:
        table.add_column(head)
    changed: dict[str, list[Any]] = {}
    for n, side in enumerate(conflict.sides[1:], 1):
        for change in field_changes(winner.body, side.body, private=True):
            changed.setdefault(change.field, [None] * (len(conflict.sides) - 1))[n - 1] = change
    for field, changes in changed.items():
        base = (winner.body or {}).get(field)
        cells: list[Any] = [_cell(base)]
        for change, side in zip(changes, conflict.sides[1:], strict=True):
            cells.append(
                words(change, False) if change is not None else Text(_cell((side.body or {}).get(field)))
            )
        table.add_row(translate(FIELD_LABELS[field]), *cells)
    console.print(table)


def _cell(value: Any) -> str:
    from ..text import printable

    if isinstance(value, list):
        value = ", ".join(map(str, value))
    return printable("—" if value in (None, "") else str(value), multiline=False)


def _choose(conflict: Conflict) -> str:
    """Ask which version to keep: its number, or `e` to write a merge."""
    count = len(conflict.sides)
    while True:
        answer = typer.prompt(
            _("Keep which version (1-{n}), or e to write a merge in your editor?").format(n=count), err=True
        ).strip()
        if answer.lower() == "e":
            return "edit"
        if answer.isdigit() and 1 <= int(answer) <= count:
            return conflict.sides[int(answer) - 1].rev
        note(_("Answer a number from 1 to {n}, or e.").format(n=count))


def _pick(conflict: Conflict, keep: str) -> str:
    """A version named by any unique start of its rev (as the table prints them short)."""
    matches = [
        s.rev
        for s in conflict.sides
        if keep.strip() and (s.rev.startswith(keep) or s.rev.partition("-")[2].startswith(keep))
    ]
    if len(matches) != 1:
        fail(
            _("{rev} is not one of the versions in conflict; 'whrd resolve {id}' lists them.").format(
                rev=keep, id=conflict.id
            )
        )
    return matches[0]


def _edited(archive: Archive, conflict: Conflict) -> dict[str, Any]:
    """A merge of the versions written in $EDITOR, starting from the winner; the others' fields
    that differ are in the form's comment lines."""
    from ..entryform import parse_new_form, render_form
    from ..model import Bulletin
    from ..records import to_bulletin
    from .editor import edit_until_valid
    from .history import short_rev

    winner = conflict.sides[0]
    notes = []
    for side in conflict.sides[1:]:
        for field, value in (side.body or {}).items():
            if field in ("uid", "added", "updated") or (winner.body or {}).get(field) == value:
                continue
            shown = _cell(value).replace("\n", " ")
            notes.append(f"# {short_rev(side.rev)} {field}: {shown}")
    form = "\n".join(notes) + "\n" + render_form(to_bulletin(winner.body or {}))
    today = common.today()
    links = (winner.body or {}).get("links")  # the form has no links: the winner's stay

    def parse(text: str) -> dict[str, Any]:
        merged = Bulletin.create(**parse_new_form(text), today=today).to_dict()
        return {**merged, "links": links} if links else merged

    return edit_until_valid(
        form,
        parse,
        folder=archive.path.parent,
        prefix=f"{archive.path.name}.draft-",
        interactive=common.stdin_is_terminal(),
    )


@app.command(cls=LocalizedCommand)
def resolve(
    ctx: typer.Context,
    bulletin_id: IdArg,
    keep: Annotated[
        str | None, typer.Option("--keep", metavar="REV", help="Keep this version (as listed).")
    ] = None,
    edit: Annotated[bool, typer.Option("--edit", help="Write a merge of the versions in $EDITOR.")] = False,
    json_: JsonOpt = False,
) -> None:
    """Show the versions of a bulletin in conflict side by side, and keep one (or a merge).

    The kept text becomes the new version and the others are closed, so every archive sees the
    conflict resolved after its next sync. Undo with 'whrd undo'.

    Example: whrd resolve 12 --keep 3-9a1b2c3d
    """
    archive = open_archive(ctx)
    found = archive.conflicts([bulletin_id]) if archive.exists else []
    if not found:
        if archive.exists:
            archive.versions(bulletin_id)  # an id the archive never had: says so
        fail(_("Bulletin {id} is not in conflict.").format(id=bulletin_id))
    conflict = found[0]
    if json_ and keep is None and not edit:
        print_json(
            {**conflict.to_dict(), "versions": [_version_json(bulletin_id, s) for s in conflict.sides]}
        )
        return
    choice: str | None = _pick(conflict, keep) if keep is not None else None  # a bad one: one line
    if not json_:
        _side_by_side(conflict)
    if choice is None and not edit:
        if not common.stdin_is_terminal():
            fail(_("Say which version to keep: --keep REV, or --edit to write a merge."))
        choice = _choose(conflict)
    edited = _edited(archive, conflict) if edit or choice == "edit" else None
    seen = [side.rev for side in conflict.sides]
    done = archive.resolve(bulletin_id, None if edited is not None else choice, edited, seen=seen)
    if json_:
        print_json({"id": done.id, "before": done.before, "after": done.after, "closed": done.closed})
        return
    from .history import short_rev

    note(
        ngettext(
            "Resolved bulletin {id}: version {rev} shows; {n} other version closed. Undo with 'whrd undo'.",
            "Resolved bulletin {id}: version {rev} shows; {n} other versions closed. Undo with 'whrd undo'.",
            len(done.closed),
        ).format(id=done.id, rev=short_rev(done.after), n=number(len(done.closed)))
    )


def _version_json(doc_id: int, side: Any) -> dict[str, Any]:
    from ..records import record_dict

    return {
        "rev": side.rev,
        "winner": side.winner,
        "at": side.at,
        "bulletin": record_dict(doc_id, side.body, private=True) if side.body else None,
    }
