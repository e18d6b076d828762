"""CSV for spreadsheets: a header row of `whrd list --json` field names, one bulletin per row.

Writing: UTF-8 with a BOM (Excel reads BOM-less UTF-8 as the local code page and would garble
"México"; LibreOffice, Google Sheets and Python all accept the BOM), "\\n" line ends (a stream
opened without newline="" on Windows would double "\\r\\n"), lists as `;`-separated cells,
true/false, empty cells for missing values. A cell that a spreadsheet would run as a formula
(starting with = + - @, tab or CR) gets a leading `'`; so does one that already starts with
apostrophes before such a character, which makes the escape exactly reversible.

Reading: the same, undoing exactly that escape; the delimiter may be `,`, `;` (Excel in Spanish
and other locales) or tab, told apart by the header, whose names may also be Spanish (`título`,
`fecha`, `países`…). The header needs `title` and `date`;
an unknown column is an error naming it. Every bad row is reported, with its line. A cell may be
as long as the whole text (Python's csv module would stop at 128 KiB, less than the writer can
write: a long summary must import back).
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import ParseError
from ..i18n import _, ngettext
from ..links_model import links_text
from ..model import FIELDS, LIST_FIELDS
from ..records import entry_dict
from ..text import fold
from . import Location, RecordError, RecordErrors, WriteContext, or_list
from .reading import (
    Part,
    Progress,
    Record,
    Tick,
    bulletins_reader,
    raise_if_any,
    read_in_parts,
    spans,
    validate_span,
)

if TYPE_CHECKING:
    from ..records import Entry

COLUMNS: tuple[str, ...] = ("id", *FIELDS, "links")  # links: one JSON cell, when any (issue 17)
REQUIRED: tuple[str, ...] = ("title", "date")
_DELIMITERS = (",", ";", "\t")
# Column names a coordinator's own spreadsheet may give in Spanish (folded) -> whrd's field names.
_SPANISH_COLUMNS = {
    "titulo": "title",
    "fecha": "date",
    "categoria": "category",
    "pais": "countries",
    "paises": "countries",
    "resumen": "summary",
    "truncado": "truncated",
    "etiquetas": "tags",
    "idioma": "lang",
    "enlace": "url",
    "fuente": "source",
    "nota privada": "private",
    "agregado": "added",
    "actualizado": "updated",
}


def _column(cell: str) -> str:
    """A header cell as a field name: `title`; `Título` and `PAÍSES` as their English fields."""
    name = cell.strip().strip('"').lstrip("\ufeff").strip().lower()
    return _SPANISH_COLUMNS.get(fold(name), name)


# Zero or more apostrophes, then a character a spreadsheet treats as the start of a formula.
_NEEDS_ESCAPE = re.compile(r"'*[=+\-@\t\r]")


def defuse(cell: str) -> str:
    """Stop a spreadsheet from running a cell as a formula (OWASP's CSV injection advice)."""
    return "'" + cell if _NEEDS_ESCAPE.match(cell) else cell


def restore(cell: str) -> str:
    """Undo `defuse` exactly: a cell it wrote starts with `'` followed by what needed escaping."""
    return cell[1:] if cell.startswith("'") and _NEEDS_ESCAPE.match(cell, 1) else cell


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return defuse(";".join(str(v) for v in value))
    return defuse(str(value))


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    """A header row and one row per bulletin; writes the BOM itself (open `out` as plain UTF-8)."""
    columns = list(context.fields or COLUMNS)
    if not context.include_private and "private" in columns:
        columns.remove("private")
    if not context.fields and not _any_links(entries):
        columns.remove("links")  # an archive without links exports as before issue 17
    writer = csv.writer(out, lineterminator="\n")
    out.write("\ufeff")
    writer.writerow(columns)
    for entry in entries:
        data = entry_dict(entry, private=context.include_private)
        writer.writerow([_cell(data.get(name)) if name != "links" else links_text(data) for name in columns])


def _any_links(entries: Sequence[Entry]) -> bool:
    pairs = getattr(entries, "pairs", None)  # an export's `Selection`: its stored dicts, unparsed
    if pairs is not None:
        return any("links" in raw for _id, raw in pairs)
    return any(entry.bulletin.links for entry in entries)


def _delimiter(header_line: str) -> str:
    """The delimiter that splits the header into known field names."""
    best, best_known = ",", -1
    for delimiter in _DELIMITERS:
        names = [_column(n) for n in header_line.split(delimiter)]
        known = sum(n in COLUMNS for n in names)
        if known > best_known:
            best, best_known = delimiter, known
    return best


def _header(row: list[str], source: str) -> list[str]:
    names = [_column(cell) for cell in row]
    unknown = [n for n in names if n and n not in COLUMNS]
    if unknown:
        if len(unknown) == len([n for n in names if n]):  # no header at all: the first row is data,
            raise ParseError(  # which may be private; do not echo it
                _(
                    "{source}, line 1: no header row; the first line must name the columns "
                    "(title, date, …). Known columns: {known}. Nothing was imported."
                ).format(source=source, known=", ".join(COLUMNS))
            )
        shown = ", ".join(repr(n[:40]) for n in unknown[:5])
        raise ParseError(
            ngettext(
                "{source}, line 1: unknown column {shown}. Known columns: {known}. Nothing was imported.",
                "{source}, line 1: unknown columns {shown}. Known columns: {known}. Nothing was imported.",
                len(unknown),
            ).format(source=source, shown=shown, known=", ".join(COLUMNS))
        )
    repeated = sorted({n for n in names if n and names.count(n) > 1})
    if repeated:
        raise ParseError(
            _("{source}, line 1: the column {names} appears twice; nothing was imported.").format(
                source=source, names=", ".join(repeated)
            )
        )
    missing = [n for n in REQUIRED if n not in names]
    if missing:
        raise ParseError(
            _(
                "{source}: no {missing} column; the header row needs at least "
                "title and date (found: {found}). Nothing was imported."
            ).format(
                source=source,
                missing=or_list([repr(n) for n in missing]),
                found=", ".join(n for n in names if n) or _("nothing"),
            )
        )
    return names


def _record(names: list[str], row: list[str]) -> tuple[dict[str, Any], str | None]:
    """A record dict from one row, or a problem with the row's shape."""
    if len(row) != len(names):
        return {}, _("the row has {cells} cells but the header has {columns} columns").format(
            cells=len(row), columns=len(names)
        )
    data: dict[str, Any] = {}
    for name, raw in zip(names, row, strict=True):
        cell = restore(raw)
        if not name:
            if cell.strip():
                return {}, _("the row has a value {value!r} in a column with no header").format(
                    value=cell[:30]
                )
            continue
        if name in LIST_FIELDS:
            parts = [part.strip() for part in cell.split(";")]
            data[name] = [part for part in parts if part]
        elif cell != "" or name in ("summary",):
            data[name] = cell
    return data, None


def _first_line(text: str) -> str:
    """The text up to its first "\n" (`split("\n", 1)` would copy all the rest of a large file)."""
    end = text.find("\n")
    return text if end < 0 else text[:end]


def sniff(text: str) -> float:
    """How surely a text is CSV: a first line of field names, title among them."""
    first_line = _first_line(text.lstrip("\ufeff")).strip()
    names = [_column(n) for n in first_line.split(_delimiter(first_line))]
    return 0.9 if len(names) >= 2 and "title" in names and all(n in COLUMNS for n in names if n) else 0.0


def read_records(
    text: str, *, source: str, lang: str | None = None, progress: Progress | None = None
) -> list[Record]:
    """Every bulletin of a CSV text, located by the line its row starts on."""
    text = text.lstrip("\ufeff")
    first_line = _first_line(text)
    if not first_line.strip():
        raise ParseError(
            _("{source}: no header row (title,date,…) on the first line; nothing was imported.").format(
                source=source
            )
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_delimiter(first_line), strict=True)
    errors: list[RecordError] = []
    located: list[tuple[Location, Any]] = []
    # No cell can be longer than the text that holds it (the module's limit is process-wide).
    previous = csv.field_size_limit(max(csv.field_size_limit(), min(len(text) + 1, 2**31 - 1)))
    start = 1  # the line the row being read starts on: where a broken quote is to be found
    try:
        names = _header(next(reader), source)
        start = reader.line_num + 1
        for row in reader:
            location = Location("line", start)
            start = reader.line_num + 1
            if not any(cell.strip() for cell in row):
                continue
            data, problem = _record(names, row)
            if problem:
                errors.append(RecordError(source, location, None, problem))
            else:
                located.append((location, data))
    except csv.Error as exc:
        raise ParseError(
            _("{source}, line {line}: not valid CSV ({reason}); nothing was imported.").format(
                source=source, line=start, reason=_csv_reason(str(exc))
            )
        ) from None
    finally:
        csv.field_size_limit(previous)

    def read_span(span: tuple[int, int], tick: Tick) -> Part:
        return validate_span(located[slice(*span)], source=source, lang=lang, tick=tick, errors=[])

    parts = spans(len(located), least=_LEAST_SPAN)
    try:
        records = read_in_parts(parts, read_span, progress=progress, total=len(located))
    except RecordErrors as exc:  # the rows that are not records, with the records that are not valid
        raise_if_any([*errors, *exc.errors], exc.records)
        raise
    raise_if_any(errors, records)
    return records


_LEAST_SPAN = 1000  # records: fewer are read in one process


def _csv_reason(said: str) -> str:
    """What Python's csv module says (in English), as a person fixing the file needs it."""
    if said == "unexpected end of data":  # the file ended inside a quoted cell
        return _("a quoted cell is never closed")
    if said.endswith("expected after '\"'"):  # `"A" B,…`: text after a cell's closing quote
        return _('text after the closing quote of a cell; write a quote inside a cell as ""')
    return said


read = bulletins_reader(read_records)
