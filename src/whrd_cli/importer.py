"""Importing files into the archive: read each input, tell its format, validate every record, write once.

All or nothing: every input is decoded and every record validated before the archive is touched.
A bad record in any file means nothing is written, and every bad record of every file is reported
together (up to `RecordErrors.CAP`), each with its file, line or record number, and field. The
write is one `Archive.add_many`: one atomic rewrite of the archive, whatever the number of records.
"""

from __future__ import annotations

import codecs
import importlib
import os
import re
import stat
from collections.abc import Callable, Iterable, Iterator, MutableSequence, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

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
from .formats.reading import Progress, Record
from .i18n import _, ngettext, number
from .import_report import FileSummary, ImportReport, Outcome
from .storage.plan import AddOutcome, OnDuplicate
from .storage.reasons import os_reason

if TYPE_CHECKING:
    from .model import Bulletin
    from .store import Archive

STDIN = "-"
STDIN_NAME = "<stdin>"
# What `--on-duplicate` offers: every policy but adding a second copy.
ON_DUPLICATE: tuple[str, ...] = tuple(p.value for p in OnDuplicate if p is not OnDuplicate.ADD)
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")
_NOT_BLANK = re.compile("[^ \t\r\n\ufeff\u00a0]")


@dataclass
class Input:
    """One input as given on the command line: the name shown in messages, and its bytes."""

    name: str
    data: bytes
    path: str | None = None  # None for standard input: no extension to go by

    def take(self) -> bytes:
        """Its bytes, no longer held here: once decoded they are freed (a 79 MB input decodes to
        a text of up to twice that; both at once were the peak of a large import's memory)."""
        data, self.data = self.data, b""
        return data


# The largest input `whrd import` reads (each file, and standard input): a 100,000-bulletin JSON
# export is about 90 MB, and reading takes several times its size in memory. Larger inputs are
# refused before they are read in full, so `import /dev/zero` or an endless pipe cannot exhaust
# memory. The README states it; split a larger export into several files.
MAX_INPUT_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024
_SAMPLE = 8192  # the bytes `_binary` looks at
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _size_text(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{number(round(mib))} MiB" if mib >= 1 else _("{size} bytes").format(size=number(limit))


def _read_bounded(stream: BinaryIO, name: str, limit: int) -> bytes:
    """At most `limit` bytes of a stream (a file, a pipe, a FIFO, a device), or an InputError as
    soon as there is more; a start that is plainly binary is refused at once (`/dev/zero`)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        if (
            not chunks
            and not chunk.startswith(_UTF16_BOMS)
            and b"\x00" in chunk[:_SAMPLE]
            and _utf16_order(chunk) is None
        ):
            raise _binary_error(name)  # as `decode` would say, without reading the rest first
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)
    return b"".join(chunks)


def _too_large(name: str, limit: int) -> InputError:
    return InputError(
        _(
            "{name} is larger than {size}, the most whrd imports from one input; "
            "split it into smaller files. Nothing was imported."
        ).format(name=name, size=_size_text(limit))
    )


def load_input(arg: str, *, stdin: BinaryIO | None = None, limit: int | None = None) -> Input:
    """Read a file (or standard input for `-`) as bytes, at most `limit` (`MAX_INPUT_BYTES`);
    a missing, unreadable or too large input is an InputError."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    if arg == STDIN:
        if stdin is None:
            raise InputError(_("Standard input is not available; give a file name instead of -."))
        return Input(STDIN_NAME, _read_bounded(stdin, STDIN_NAME, limit))
    path = Path(arg).expanduser()
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise _too_large(arg, limit)
            return Input(arg, _read_bounded(fh, arg, limit), arg)
    except FileNotFoundError:
        raise InputError(_("No such file: {name}. Nothing was imported.").format(name=arg)) from None
    except IsADirectoryError:
        raise InputError(
            _("{name} is a folder, not a file. Nothing was imported.").format(name=arg)
        ) from None
    except OSError as exc:
        raise InputError(
            _("Cannot read {name}: {reason}. Nothing was imported.").format(name=arg, reason=os_reason(exc))
        ) from None


def _binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return b"\x00" in sample or controls > len(sample) // 50


def _utf16_order(data: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when bytes without a BOM plainly are UTF-16 text (Windows tools
    write it so): in the sample, NUL bytes at one parity only, and there at least three bytes in
    four, as mostly-ASCII (or Latin-1) text gives; else None. Anything less clear stays binary."""
    sample = data[:_SAMPLE]
    if len(sample) < 2:
        return None
    if len(sample) % 2:
        sample = sample[:-1]  # a part of a larger file may end inside a character
    units = len(sample) // 2
    low, high = sample[0::2].count(0), sample[1::2].count(0)  # NULs at even and at odd offsets
    if low == 0 and high * 4 >= units * 3:
        return "utf-16-le"
    if high == 0 and low * 4 >= units * 3:
        return "utf-16-be"
    return None


def _binary_error(name: str) -> ParseError:
    return ParseError(
        _(
            "{name} is not a text file (it holds binary data); whrd imports UTF-8 text: "
            "{formats}. Nothing was imported."
        ).format(name=name, formats=", ".join(READERS))
    )


def decode(data: bytes, name: str) -> str:
    """The text of an input: UTF-8 (with or without a BOM), or UTF-16 with a BOM or plainly UTF-16
    without one (`_utf16_order`); binary refused."""
    binary = _binary_error(name)
    order = None if data.startswith(_UTF16_BOMS) else _utf16_order(data)
    if data.startswith(_UTF16_BOMS) or order is not None:
        if len(data) % 2:  # UTF-16 is whole pairs of bytes: a stray byte is not text
            raise binary
        try:
            text = data.decode(order or "utf-16")
        except UnicodeDecodeError:
            raise binary from None
        head = text[: _SAMPLE // 2]
        if sum(1 for ch in head if ch < "\x20" and ch not in "\t\n\r\x0b\x0c\x1b") > len(head) // 50:
            raise binary  # 16-bit numbers, not characters
    else:
        if _binary(data):
            raise binary
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ParseError(
                _(
                    "{name}, line {line}: not UTF-8 text (byte {byte}); save the file "
                    "as UTF-8 and import it again. Nothing was imported."
                ).format(name=name, line=line, byte=f"0x{data[exc.start]:02x}")
            ) from None
    if not _NOT_BLANK.search(text):  # not `text.strip()`: that would copy a large file's text
        raise ParseError(_("{name} is empty; nothing was imported.").format(name=name))
    if "\x00" in text:
        raise binary
    return text


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


@dataclass(frozen=True)
class ReadFile:
    """An input read and validated: its records, each with its place in the file."""

    name: str
    format: str
    records: tuple[Record, ...]


def read_input(
    item: Input, *, fmt: str = "auto", lang: str | None = None, progress: Progress | None = None
) -> ReadFile:
    """Decode and read one input; raises ParseError (RecordErrors for bad records)."""
    text = decode(item.take(), item.name)
    name = detect_format(text, path=item.path) if fmt == "auto" else get_format(fmt).name
    if not BY_NAME[name].reads:
        raise cannot_import(name)
    module = _module(name)
    read_records = getattr(module, "read_records", None)
    if read_records is not None:
        records = read_records(text, source=item.name, lang=lang, progress=progress)
    else:  # a reader that gives bulletins only: number them
        bulletins = module.read(text, source=item.name, lang=lang)
        records = [Record(Location("record", n), b) for n, b in enumerate(bulletins, start=1)]
    return ReadFile(item.name, name, tuple(records))


def read_inputs(
    items: Iterable[Input],
    *,
    fmt: str = "auto",
    lang: str | None = None,
    progress: Callable[[Input], Progress | None] | None = None,
) -> list[ReadFile]:
    """Read every input; bad records of all inputs are reported together, in one RecordErrors.

    Given an iterator that hands over each input (and keeps no other reference), an input's
    bytes are freed as soon as it has been read.
    """
    files: list[ReadFile] = []
    errors: list[RecordError] = []
    for item in items:
        try:
            files.append(read_input(item, fmt=fmt, lang=lang, progress=progress(item) if progress else None))
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
