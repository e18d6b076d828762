"""whrd import: read listings, JSON, JSONL and CSV into the archive (issue 4).

Options become inputs for `importer`, which reads and validates everything before one write;
this module only opens the inputs, draws progress, and renders the report (table, lines, JSON).
Format choices come from the registry in `formats`.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Annotated, Any, Literal, TypeAlias

import typer

from ..choices import ON_DUPLICATE  # (its keys are importer.ON_DUPLICATE's: a test holds them)
from ..formats import BY_NAME, READERS
from ..i18n import N_, _, language, number, translate
from . import common
from .common import RICH_HELP, fail, note, open_archive, print_json
from .localize import LocalizedCommand, composed

if TYPE_CHECKING:
    from rich.console import RenderableType

    from ..formats.reading import Progress
    from ..importer import FileSummary, ImportReport, Input, Outcome


app = typer.Typer(rich_markup_mode=RICH_HELP)  # this module's commands, loaded on demand

# A progress bar is worth drawing when reading takes a noticeable time: about 0.1 s per 1,000
# listing blocks, so from roughly 1 MB of input.
PROGRESS_BYTES = 1_000_000
# A dry run on a terminal shows this many rows of its table; --json gives every record.
TABLE_ROWS = 200
# From this console width the dry-run table also shows language, category and countries.
WIDE = 110

# Typer shows and checks the choices of a Literal; they come from the registry and the importer.
if TYPE_CHECKING:
    FormatChoice: TypeAlias = str
    LangChoice: TypeAlias = str
    DuplicateChoice: TypeAlias = str
else:
    FormatChoice = Literal[("auto", *READERS)]
    LangChoice = str  # auto, a code or a name (español): lang.language_code reads it
    DuplicateChoice = Literal[tuple(ON_DUPLICATE)]

# What happens to a record, as the dry-run table says it (`--json` and pipes keep the action's key).
ACTION_WORDS = {"added": N_("add"), "updated": N_("update"), "skipped": N_("skip")}


@app.command("import", cls=LocalizedCommand)
def import_(
    ctx: typer.Context,
    files: Annotated[
        list[str],
        typer.Argument(
            metavar="FILE...", help="Files to import; - reads standard input.", show_default=False
        ),
    ],
    format_: Annotated[
        FormatChoice,
        typer.Option(
            "--format",
            "-f",
            help=composed(
                N_("Input format; auto goes by the extension, then the content. ({formats}.)"),
                formats=lambda say: "; ".join(
                    f"{name}: {say(BY_NAME[name].description)}" for name in READERS
                ),
            ),
        ),
    ] = "auto",
    lang: Annotated[
        LangChoice,
        typer.Option(
            "--lang",
            "-l",
            metavar="<auto|CODE|NAME>",
            help="Language of the bulletins: auto (detected per listing block), a code such as en or "
            "es, or a name such as español. Records that carry their own lang keep it.",
        ),
    ] = "auto",
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Show what would be added, updated and skipped; write nothing.")
    ] = False,
    on_duplicate: Annotated[
        DuplicateChoice,
        typer.Option(
            "--on-duplicate",
            help="A bulletin already in the archive (same date, title and language): skip it, "
            "update it, or stop with an error.",
        ),
    ] = "skip",
    json_: Annotated[bool, typer.Option("--json", help="Print the summary as JSON on stdout.")] = False,
    new_category: Annotated[
        bool,
        typer.Option(
            "--new-category",
            help="Accept a CSV, JSON or JSONL record's category that whrd and the archive do not know "
            "yet (a listing's new heading label is always kept).",
        ),
    ] = False,
) -> None:
    """Import bulletins from published listings (.txt), JSON, JSONL or CSV files.

    Every record of every file is checked first: if any is invalid, nothing is
    imported and each problem is listed with its file, line and field. Then the
    archive is written once. Bulletins already in the archive (same date, title
    and language) are skipped, so importing the same file twice adds nothing.

    Example: whrd import data/listing-en.txt data/listing-es.txt --dry-run
    """
    from ..importer import import_files, load_input, read_inputs
    from ..lang import language_code

    if files.count("-") > 1:
        fail(_("Standard input (-) can be read only once."))
    if "" in files:  # `whrd import "$FILE"` with FILE unset would read the current folder
        fail(_("An empty file name was given (an unset variable?); nothing was imported."))
    inputs = [load_input(name, stdin=sys.stdin.buffer) for name in files]
    with _progress(inputs) as bars, _new_category_hint():
        read = read_inputs(
            _handed_over(inputs),  # each file's bytes are freed once it is read
            fmt=format_,
            lang=None if lang.strip().lower() == "auto" else language_code(lang),  # or a name: español
            progress=bars.reading if bars else None,
            categories=None if new_category else _category_check(),
        )
        if bars is not None and not dry_run:
            bars.writing()
        archive = open_archive(ctx)
        report = import_files(archive, read, on_duplicate=on_duplicate, dry_run=dry_run, hand_over=True)
    if json_:
        print_json(report.to_dict())
        return
    if dry_run:
        _print_plan(report)
    for summary in report.files:
        note(_summary_line(summary, dry_run=dry_run))
    if len(report.files) > 1:
        note(_total_line(report))
    if not dry_run:  # likely translation pairs among what came in (issue 17)
        from .links import offer_pairs

        offer_pairs(archive, [i for summary in report.files for i in summary.ids("added")])


def _category_check() -> Callable[[str], str | None]:
    """Why a record's category cannot be imported, as `whrd add` says it; the archive's own
    categories are read once, and only if a record has a category whrd does not know."""
    from functools import cache

    from ..categories import unknown_category

    in_use = cache(common._categories_in_use)
    return lambda key: unknown_category(key, in_use())


@contextlib.contextmanager
def _new_category_hint() -> Iterator[None]:
    """Bad records among which a category is unknown: the list ends with how to start one."""
    from ..errors import InputError
    from ..formats import RecordErrors

    try:
        yield
    except RecordErrors as exc:
        if not any(error.field == "category" for error in exc.errors):
            raise
        listed = exc.message if exc.message.endswith("?") else exc.message + "."
        raise InputError(
            _("{problem} To start a new category, add --new-category.").format(problem=listed)
        ) from None


class _Bars:
    """The progress display of one import: a bar per file read, then a spinner while writing."""

    def __init__(self, bar: Any) -> None:
        self.bar = bar

    def reading(self, item: Input) -> Progress:
        task = self.bar.add_task(_("Reading {name}").format(name=item.name), total=None)
        return lambda done, total: self.bar.update(task, completed=done, total=total)

    def writing(self) -> None:
        self.bar.add_task(_("Writing the archive"), total=None)


def _handed_over(inputs: list[Input]) -> Iterator[Input]:
    """The inputs one by one, each taken out of the list: nothing else keeps its bytes alive."""
    while inputs:
        yield inputs.pop(0)


@contextlib.contextmanager
def _progress(inputs: Sequence[Input]) -> Iterator[_Bars | None]:
    """A transient Rich display on stderr, only on a terminal and for large inputs."""
    size = sum(len(i.data) for i in inputs)
    del inputs  # this frame lives as long as the display: it must not hold the inputs' bytes
    if size < PROGRESS_BYTES or not sys.stderr.isatty():
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, TextColumn
    from rich.progress import Progress as Bar

    from ..render import make_console

    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn())
    with Bar(*columns, console=make_console(stderr=True), transient=True) as bar:
        yield _Bars(bar)


def _counts(added: int, updated: int, skipped: int, *, dry_run: bool) -> str:
    counts = {"added": number(added), "updated": number(updated), "skipped": number(skipped)}
    if dry_run:
        return _("would add {added}, update {updated}, skip {skipped} as duplicates").format(**counts)
    return _("{added} added, {updated} updated, {skipped} skipped as duplicates").format(**counts)


def _summary_line(summary: FileSummary, *, dry_run: bool) -> str:
    counts = _counts(
        summary.count("added"), summary.count("updated"), summary.count("skipped"), dry_run=dry_run
    )
    if dry_run:
        return _("{file} ({format}): {counts} (dry run: nothing written).").format(
            file=summary.file, format=summary.format, counts=counts
        )
    return f"{summary.file} ({summary.format}): {counts}."


def _total_line(report: ImportReport) -> str:
    counts = _counts(
        report.count("added"), report.count("updated"), report.count("skipped"), dry_run=report.dry_run
    )
    return _("Total: {counts}.").format(counts=counts)


def _print_plan(report: ImportReport) -> None:
    rows = [o for o in report.outcomes if o.bulletin is not None]  # all of them: a dry run keeps them
    if not common.is_terminal():  # to a pipe: one tab-separated line per record, like `list`
        sys.stdout.write(
            "".join(
                "\t".join(
                    (
                        o.file,
                        o.location,
                        o.action,
                        "" if o.id is None else str(o.id),
                        b.date,
                        b.lang,
                        b.category or "",
                        ",".join(b.countries),
                        b.title,
                    )
                )
                + "\n"
                for o in rows
                if (b := o.bulletin) is not None
            )
        )
        return
    from ..render import make_console

    console = make_console()
    shown = rows[:TABLE_ROWS] if console.is_terminal else rows
    several = len(report.files) > 1
    console.print(_plan_table(shown, several_files=several, wide=console.width >= WIDE))
    if len(shown) < len(rows):
        console.print(
            _("Showing {shown} of {total} records; --json lists them all.").format(
                shown=number(len(shown)), total=number(len(rows))
            ),
            style="whrd.muted",
        )


def _plan_table(outcomes: Sequence[Outcome], *, several_files: bool, wide: bool) -> RenderableType:
    """Where each record is, what happens to it, its date and title, and the language, category and
    countries read from it: in columns on a wide console, under the title on a narrow one."""
    from pathlib import Path

    from rich.table import Table
    from rich.text import Text

    from ..categories import category_name

    styles = {"added": "green", "updated": "yellow", "skipped": "whrd.muted"}
    table = Table(box=None, header_style="bold", pad_edge=False)
    if several_files:
        table.add_column(_("File"), no_wrap=True, max_width=24)
    table.add_column(_("Where"), no_wrap=True)
    table.add_column(_("Action"), no_wrap=True)
    table.add_column(_("ID"), style="whrd.id", justify="right", no_wrap=True)
    table.add_column(_("Date"), style="whrd.date", no_wrap=True)
    if wide:
        table.add_column(_("Lang"), no_wrap=True)
        table.add_column(_("Category"), style="whrd.category", no_wrap=True)
        table.add_column(_("Countries"), style="whrd.country", max_width=12)
    table.add_column(_("Title"), style="whrd.title", ratio=1, min_width=20, overflow="fold")
    for outcome in outcomes:
        b = outcome.bulletin
        if b is None:  # (a dry run keeps every bulletin)
            continue
        cells = [Text(Path(outcome.file).name)] if several_files else []
        category = category_name(b.category, language())  # as add and edit say it: Alerta
        details = [Text(b.lang), Text(category), Text(" ".join(b.countries))]
        title = Text(b.title)
        if not wide:  # what was read from the record, under its title: language · category · countries
            read_as = " · ".join(part for part in (b.lang, category, ", ".join(b.countries)) if part)
            title = Text.assemble(title, "\n", Text(read_as, "whrd.muted"))
        table.add_row(
            *cells,
            outcome.location.shown(),  # `línea 1` in Spanish; the pipe and --json keep `line 1`
            Text(translate(ACTION_WORDS[outcome.action]), styles[outcome.action]),
            str(outcome.id) if outcome.id is not None else "",
            b.date,
            *(details if wide else []),
            title,
        )
    return table
