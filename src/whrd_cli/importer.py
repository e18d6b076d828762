"""Importing files into the archive: read each input, tell its format, validate every record, write once.

All or nothing: every input is decoded and every record validated before the archive is touched.
A bad record in any file means nothing is written, and every bad record of every file is reported
together (up to `RecordErrors.CAP`), each with its file, line or record number, and field. The
write is one `Archive.add_many`: one atomic rewrite of the archive, whatever the number of records.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from msgspec import Struct

from .errors import DuplicateError, InputError, ParseError
from .formats import (
    BY_NAME,
    READ_EXTENSIONS,
    READERS,
    Location,
    RecordError,
    RecordErrors,
    and_more,
    cannot_import,
    get_format,
)
from .formats.reading import Progress, Record, raise_if_any
from .i18n import _, ngettext
from .import_input import MAX_INPUT_BYTES, STDIN, STDIN_NAME, Input, decode, load_input
from .import_report import FileSummary, ImportReport, Outcome
from .storage.plan import AddOutcome, OnDuplicate

if TYPE_CHECKING:
    from .model import Bulletin
    from .store import Archive

__all__ = [  # what callers take from here, though `import_input` holds it
    "MAX_INPUT_BYTES",
    "STDIN",
    "STDIN_NAME",
    "Input",
    "decode",
    "load_input",
]

# What `--on-duplicate` offers: every policy but adding a second copy.
ON_DUPLICATE: tuple[str, ...] = tuple(p.value for p in OnDuplicate if p is not OnDuplicate.ADD)


def _module(name: str) -> Any:
    return importlib.import_module(f"{__package__}.formats.{get_format(name).module}")


def detect_format(text: str, *, path: str | None) -> str:
    """The format of an input: by its extension, else by asking each reader how sure it is."""
    if path is not None:
        found = READ_EXTENSIONS.get(Path(path).suffix.lower())
        if found:
            return found
    best, best_score = None, 0.0
    for name in READERS:
        sniff = getattr(_module(name), "sniff", None)
        score = float(sniff(text)) if sniff is not None else 0.0
        if score > best_score:
            best, best_score = name, score
    if best is None:
        raise ParseError(
            _(
                "{name}: cannot tell its format (not JSON, JSONL, CSV with a header row, "
                "or a listing with date lines); give --format ({formats}). Nothing was imported."
            ).format(name=path or STDIN_NAME, formats=", ".join(READERS))
        )
    return best


class ReadFile(Struct, frozen=True):
    """An input read and validated: its records, each with its place in the file."""

    name: str
    format: str
    records: tuple[Record, ...]


# Why a category (a stored key that whrd does not know) cannot be imported, or None when it can:
# `categories.unknown_category` with the archive's own categories, as `whrd add` asks it.
CategoryCheck = Callable[[str], "str | None"]


def read_input(
    item: Input,
    *,
    fmt: str = "auto",
    lang: str | None = None,
    progress: Progress | None = None,
    categories: CategoryCheck | None = None,
) -> ReadFile:
    """Decode and read one input; raises ParseError (RecordErrors for bad records).

    With `categories`, a record of a format that does not start categories (see
    `Format.new_categories`) whose category whrd does not know is a bad record too, at its place,
    listed with the input's other bad records."""
    text = decode(item.take(), item.name)
    name = detect_format(text, path=item.path) if fmt == "auto" else get_format(fmt).name
    if not BY_NAME[name].reads:
        raise cannot_import(name)
    module = _module(name)
    check = None if BY_NAME[name].new_categories else categories
    read_records = getattr(module, "read_records", None)
    try:
        if read_records is not None:
            records = read_records(text, source=item.name, lang=lang, progress=progress)
        else:  # a reader that gives bulletins only: number them
            bulletins = module.read(text, source=item.name, lang=lang)
            records = [Record(Location("record", n), b) for n, b in enumerate(bulletins, start=1)]
    except RecordErrors as exc:
        if check is not None:
            raise_if_any([*exc.errors, *_category_errors(exc.records, item.name, check)])
        raise
    if check is not None:
        raise_if_any(_category_errors(records, item.name, check), records)
    return ReadFile(item.name, name, tuple(records))


def _category_errors(records: Sequence[Record], source: str, check: CategoryCheck) -> list[RecordError]:
    """A RecordError for each record whose category `check` refuses (one look at each distinct
    category: an import of 100,000 records holds a handful). A record that carries a `uid` was
    written by whrd (an export of an archive, `list --json`): its category was accepted where it
    was recorded, and the copy keeps it, so an export always imports back, into any archive."""
    from .categories import BY_KEY

    unknown = {r.bulletin.category for r in records if r.bulletin.uid is None} - BY_KEY.keys()
    problems = {key: problem for key in unknown if key is not None and (problem := check(key))}
    return [
        RecordError(source, r.location, "category", problems[r.bulletin.category].rstrip("."))
        for r in records
        if r.bulletin.uid is None and r.bulletin.category in problems
    ]


def read_inputs(
    items: Iterable[Input],
    *,
    fmt: str = "auto",
    lang: str | None = None,
    progress: Callable[[Input], Progress | None] | None = None,
    categories: CategoryCheck | None = None,
) -> list[ReadFile]:
    """Read every input; bad records of all inputs are reported together, in one RecordErrors.

    Given an iterator that hands over each input (and keeps no other reference), an input's
    bytes are freed as soon as it has been read.
    """
    files: list[ReadFile] = []
    errors: list[RecordError] = []
    for item in items:
        try:
            files.append(
                read_input(
                    item,
                    fmt=fmt,
                    lang=lang,
                    progress=progress(item) if progress else None,
                    categories=categories,
                )
            )
        except RecordErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise RecordErrors(errors)
    return files


def _duplicates_error(outcomes: Sequence[Outcome], archive: Archive, inputs: Sequence[int]) -> DuplicateError:
    """Every duplicate that stops an `--on-duplicate error` import, each named so it can be found:
    the bulletin it repeats (id and title, as the archive holds it), or the earlier record it
    repeats (its line or record, and its file when that is another input). `inputs` gives the
    input of each outcome (two inputs may have the same name)."""
    problems = [(o, n) for o, n in zip(outcomes, inputs, strict=True) if o.action == "skipped"]
    first: dict[str, tuple[int, Location]] = {}
    for o, n in zip(outcomes, inputs, strict=True):
        if o.bulletin is not None and o.action != "skipped":
            first.setdefault(o.bulletin.key, (n, o.location))
    said: list[str] = []
    for o, n in problems[: RecordErrors.CAP]:
        if o.id is not None:
            title = archive.get(o.id).bulletin.title
            said.append(
                _("{file}, {location}: already in the archive as bulletin {id}, {title!r}").format(
                    file=o.file, location=o.location.shown(), id=o.id, title=title
                )
            )
            continue
        earlier = first.get(o.bulletin.key) if o.bulletin is not None else None
        if earlier is None:
            said.append(
                _("{file}, {location}: repeats an earlier record").format(
                    file=o.file, location=o.location.shown()
                )
            )
        else:
            said.append(
                _("{file}, {location}: repeats an earlier record ({earlier})").format(
                    file=o.file,
                    location=o.location.shown(),
                    earlier=earlier[1].shown()
                    if earlier[0] == n
                    else f"{outcomes[inputs.index(earlier[0])].file}, {earlier[1].shown()}",
                )
            )
    count = len(problems)
    return DuplicateError(
        ngettext(
            "{count} duplicate (same date, title and language), nothing was imported: {shown}. "
            "Use --on-duplicate skip or update to import the rest.",
            "{count} duplicates (same date, title and language), nothing was imported: {shown}. "
            "Use --on-duplicate skip or update to import the rest.",
            count,
        ).format(count=count, shown=and_more("; ".join(said), count - RecordErrors.CAP)),
        next((o.id for o, _n in problems if o.id is not None), 0),
    )


def import_files(
    archive: Archive,
    files: MutableSequence[ReadFile],
    *,
    on_duplicate: OnDuplicate | str = OnDuplicate.SKIP,
    dry_run: bool = False,
    hand_over: bool = False,
) -> ImportReport:
    """Add every record of every file in one write (or none in a dry run); duplicates per `on_duplicate`.

    `hand_over`: the caller keeps no other reference to the files' records, so `files` is emptied
    and, but in a dry run, each bulletin is freed once its stored form is made (100,000 bulletins
    are ~60 MB; the report of a write does not show them)."""
    if on_duplicate not in ON_DUPLICATE:
        raise InputError(
            _("Unknown --on-duplicate {value!r}. Choose: {valid}.").format(
                value=on_duplicate, valid=", ".join(ON_DUPLICATE)
            )
        )
    policy = OnDuplicate(on_duplicate)
    shapes = [(f.name, f.format, len(f.records)) for f in files]
    where = [(f.name, r.location) for f in files for r in f.records]
    bulletins = [r.bulletin for f in files for r in f.records]
    if policy is OnDuplicate.ERROR:
        preview = archive.add_many(bulletins, on_duplicate=OnDuplicate.SKIP, dry_run=True)
        outcomes = _outcomes(where, preview.outcomes, bulletins)
        if any(o.action == "skipped" for o in outcomes):
            inputs = [n for n, (_name, _fmt, count) in enumerate(shapes) for _ in range(count)]
            raise _duplicates_error(outcomes, archive, inputs)
    kept: list[Bulletin] | None = bulletins
    feed: Iterable[Bulletin] = bulletins
    if hand_over:
        files.clear()
        if not dry_run:
            kept, feed = None, _Drain(bulletins)
    del bulletins
    try:
        result = archive.add_many(feed, on_duplicate=policy, dry_run=dry_run)
    except DuplicateError as exc:  # another process added it since the check above
        raise DuplicateError(
            _(
                "Bulletin {id} already has this date, title and language "
                "(added meanwhile by another process); nothing was imported."
            ).format(id=exc.existing_id),
            exc.existing_id,
        ) from None
    outcomes = _outcomes(where, result.outcomes, kept)
    summaries: list[FileSummary] = []
    start = 0
    for name, fmt, count in shapes:  # outcomes are in input order, file after file
        summaries.append(FileSummary(name, fmt, tuple(outcomes[start : start + count])))
        start += count
    return ImportReport(tuple(summaries), tuple(outcomes), dry_run, result.writes)


class _Drain(Iterator["Bulletin"]):
    """A list's items, in order, each dropped from the list as it is handed out."""

    def __init__(self, items: list[Bulletin]) -> None:
        items.reverse()
        self._items = items

    def __next__(self) -> Bulletin:
        if not self._items:
            raise StopIteration
        return self._items.pop()

    def __length_hint__(self) -> int:
        return len(self._items)


def _outcomes(
    where: Sequence[tuple[str, Location]], results: Sequence[AddOutcome], bulletins: Sequence[Bulletin] | None
) -> list[Outcome]:
    return [
        Outcome(name, location, result.action, result.id, bulletins[index] if bulletins is not None else None)
        for index, ((name, location), result) in enumerate(zip(where, results, strict=True))
    ]
