"""`whrd doctor`: check the archive and the files beside it, report in the interface's words
(Rich on a terminal, plain lines to a pipe, `--json` with stable English keys), and with `--fix`
make the safe repairs. Options in, one library call (`whrd_cli.doctor`), rendering out."""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Annotated

import typer

from ..i18n import N_, _, ngettext, translate
from . import common
from .common import RICH_HELP, print_json, state
from .localize import LocalizedCommand
from .options import JsonOpt

if TYPE_CHECKING:
    from ..doctor.report import Report

app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

# Findings shown per check on a terminal; the rest are counted (a pipe and --json give them all).
TERMINAL_FINDINGS = 30
STATUS_WORDS = {"ok": N_("ok"), "warning": N_("warning"), "problem": N_("problem"), "skipped": N_("skipped")}
_MARKS = {
    "ok": ("✓", "green"),
    "warning": ("!", "yellow"),
    "problem": ("✗", "bold red"),
    "skipped": ("-", "dim"),
}

FixOpt = Annotated[
    bool,
    typer.Option(
        "--fix",
        help="Make the safe repairs (stale temp files, an orphan lock, modes, the index) and say each; "
        "on a terminal, offer to merge similar tags.",
    ),
]


@app.command(cls=LocalizedCommand)
def doctor(ctx: typer.Context, fix: FixOpt = False, json_: JsonOpt = False) -> None:
    """Check the archive and the files beside it, and report what is wrong or worth a look.

    Checks the archive's shape and schema, every bulletin damaged by hand (with the field), ids and
    uids, the search index, the backups, file modes (0600), stale temp and lock files, likely
    duplicates (same date and countries, near-identical titles), and tags or categories that differ
    only by case, accents or a letter. Never writes unless --fix, which changes a bulletin only to
    merge similar tags, each asked on a terminal (undo with 'whrd undo').
    Exit 0 when healthy, 1 with findings (problems or warnings), 3 when the archive cannot be read
    or holds a damaged bulletin.

    Example: whrd doctor --fix
    """
    from ..config import config_path
    from ..doctor import examine, repair

    path = state(ctx).db
    if path.is_symlink():
        path = path.resolve()
    config = config_path()
    report = repair(path, config=config) if fix else examine(path, config=config)[1]
    if fix and not json_ and _merge_similar_tags(ctx, report):
        report = examine(path, config=config)[1]
    if json_:
        print_json(report.to_dict())
    elif common.is_terminal():
        _print_rich(report)
    else:
        _print_plain(report)
    if report.exit_code:
        raise typer.Exit(report.exit_code)


def _merge_similar_tags(ctx: typer.Context, report: Report) -> bool:
    """`--fix` on a terminal: offer to merge each group of similar tags into its most used one,
    each asked; one write, undoable with `whrd undo`. Whether anything was merged."""
    groups = [f.value for c in report.checks if c.name == "tags" for f in c.findings if f.value]
    if not groups:
        return False
    if not common.stdin_is_terminal():
        common.note(
            _("Similar tags are merged only on a terminal, each one asked: run 'whrd doctor --fix' there.")
        )
        return False
    from .prompts import confirm

    merges: dict[str, str] = {}
    for labels in groups:
        # Groups can overlap (`whrds`/`WHRDs` by case, `WHRD` by a letter): ask only what is left.
        keep = merges.get(labels[0], labels[0])
        others = [label for label in labels if label != keep and label not in merges]
        if not others:
            continue
        question = _("Merge {others} into #{keep}?").format(
            others=", ".join(f"#{t}" for t in others), keep=keep
        )
        if confirm(question, default=False):
            merges.update(dict.fromkeys(others, keep))
    if not merges:
        return False
    changed = common.open_archive(ctx).replace_tags(merges)
    common.note(
        ngettext(
            "Merged the tags of {n} bulletin; undo with 'whrd undo'.",
            "Merged the tags of {n} bulletins; undo with 'whrd undo'.",
            len(changed),
        ).format(n=len(changed))
    )
    return True


def _summary(report: Report) -> str:
    problems, warnings = report.count("problem"), report.count("warning")
    if not problems and not warnings:
        return _("No problems found in {path}.").format(path=report.path)
    return (
        ngettext("{n} problem", "{n} problems", problems).format(n=problems)
        + ", "
        + ngettext("{n} warning", "{n} warnings", warnings).format(n=warnings)
        + "."
    )


def _missing(report: Report) -> str:
    return _("The archive {path} does not exist yet; add bulletins with 'whrd add' or 'whrd import'.").format(
        path=report.path
    )


def _print_plain(report: Report) -> None:
    """One line per finding (and per clean check): `status: check: message`, all of them."""
    out = []
    if not report.exists:
        common.note(_missing(report))
    for fixed in report.fixed:
        out.append(f"{_('fixed')}: {fixed.message}")
    for check in report.checks:
        status = translate(STATUS_WORDS[check.status])
        if not check.findings:
            out.append(f"{status}: {check.title}")
        for finding in check.findings:
            out.append(f"{translate(STATUS_WORDS[finding.severity])}: {check.title}: {finding.message}")
    out.append(_summary(report))
    sys.stdout.write("\n".join(out) + "\n")


def _print_rich(report: Report) -> None:
    from rich.text import Text

    from ..render import make_console

    console = make_console()
    if not report.exists:
        console.print(Text(_missing(report), "whrd.muted"))
    for fixed in report.fixed:
        console.print(Text.assemble(("✓ ", "green"), (fixed.message, "")), overflow="fold")
    for check in report.checks:
        mark, style = _MARKS[check.status]
        line = Text.assemble((mark + " ", style), (check.title, "bold"))
        if check.status == "skipped":
            line.append(" (" + translate(STATUS_WORDS["skipped"]) + ")", "dim")
        console.print(line)
        for finding in check.findings[:TERMINAL_FINDINGS]:
            mark, style = _MARKS[finding.severity]
            console.print(Text.assemble("    ", (mark + " ", style), finding.message), overflow="fold")
        hidden = len(check.findings) - TERMINAL_FINDINGS
        if hidden > 0:
            more = "    " + _("… and {n} more (see --json).")
            console.print(Text(more.format(n=hidden), "whrd.muted"))
    console.print(Text(_summary(report), "bold"))
