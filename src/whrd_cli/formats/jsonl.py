"""JSON Lines: one bulletin object per line, the same fields as `whrd list --json`.

Every line is read and checked before anything is reported, so one run lists every bad line.
Blank lines are skipped; line numbers count from 1 as an editor shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..i18n import _
from . import Location, RecordError, WriteContext
from .json import check_record, decoder_says, json_value, record_dicts
from .reading import Progress, Record, bulletins_reader, raise_if_any, validate

if TYPE_CHECKING:
    from ..records import Entry

_LINES = re.compile(r"\r\n|[\r\n]")
# One line and its end: what `_LINES.split` gives, one at a time (the last line may be empty).
_LINE = re.compile(r"([^\r\n]*)(?:\r\n|[\r\n]|\Z)")


def sniff(text: str) -> float:
    """How surely a text is JSONL: its first line is a whole JSON object by itself."""
    head = text.lstrip("\ufeff \t\r\n")
    if not head.startswith("{"):
        return 0.0
    try:
        return 0.9 if isinstance(json.loads(_LINES.split(head, 1)[0]), dict) else 0.0
    except (ValueError, RecursionError):
        return 0.0


def _lines(text: str) -> Iterator[tuple[int, str]]:
    """(number, line) for each line, split like `_LINES`, without a list of every line."""
    number = 0
    for number, match in enumerate(_LINE.finditer(text), start=1):
        yield number, match[1]


def read_records(
    text: str, *, source: str, lang: str | None = None, progress: Progress | None = None
) -> list[Record]:
    """Every bulletin of a JSONL text, located by line.

    Lines are decoded and validated one at a time: a decoded record is dropped as soon as its
    bulletin is built (a 100,000-line file no longer holds every line, every record and every
    bulletin at once). Progress counts towards the number of non-blank lines.
    """
    text = text.lstrip("\ufeff")
    errors: list[RecordError] = []

    def located() -> Iterator[tuple[Location, Any]]:
        for number, line in _lines(text):
            if not line.strip():
                continue
            location = Location("line", number)
            try:
                value = json_value(line)
            except json.JSONDecodeError as exc:
                reason = _("not valid JSON ({reason}, column {column})").format(
                    reason=decoder_says(exc), column=exc.colno
                )
                errors.append(RecordError(source, location, None, reason))
                continue
            except RecursionError:
                errors.append(RecordError(source, location, None, _("JSON nested too deeply")))
                continue
            problem = check_record(value, source, location)
            if problem:
                errors.append(problem)
            else:
                yield location, value

    total = 0
    if progress is not None:
        total = sum(1 for _number, line in _lines(text) if line.strip())
    records = validate(located(), source=source, lang=lang, progress=progress, errors=errors, total=total)
    raise_if_any(errors)
    return records


read = bulletins_reader(read_records)


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    """One compact JSON object per line (non-ASCII kept as is), in the given order."""
    for data in record_dicts(entries, context):
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
