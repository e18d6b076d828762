"""JSON Lines: one bulletin object per line, the same fields as `whrd list --json`.

Every line is read and checked before anything is reported, so one run lists every bad line.
Blank lines are skipped; line numbers count from 1 as an editor shows them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from .. import workers
from ..errors import ParseError
from ..i18n import _
from . import Location, RecordError, WriteContext
from .json import accepted, decoder_says, json_value, record_dicts
from .reading import (
    FIRST_WEIGHT,
    Part,
    Progress,
    Record,
    Tick,
    bulletins_reader,
    read_in_parts,
    validate_span,
)

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


def _lines(text: str, start: int = 0, end: int | None = None) -> Iterator[tuple[int, str]]:
    """(number, line) for each line of `text[start:end]`, split like `_LINES`, without a list of
    every line (nor a copy of that part of the text)."""
    number = 0
    for number, match in enumerate(_LINE.finditer(text, start, len(text) if end is None else end), start=1):
        yield number, match[1]


def read_records(
    text: str, *, source: str, lang: str | None = None, progress: Progress | None = None
) -> list[Record]:
    """Every bulletin of a JSONL text, located by line.

    Lines are decoded and validated one at a time: a decoded record is dropped as soon as its
    bulletin is built (a 100,000-line file no longer holds every line, every record and every
    bulletin at once). A large text is cut at line ends into one part per core, read at once
    (`workers.fork_map`). Progress counts towards the number of non-blank lines.
    """
    text = text.lstrip("\ufeff")
    if text.lstrip(" \t\r\n").startswith("["):  # `whrd list --json > x.jsonl`: one array, not lines
        raise ParseError(
            _(
                "{source}: a JSON array, not JSON Lines (one object per line); give --format json. "
                "Nothing was imported."
            ).format(source=source)
        )
    total = 0
    if progress is not None:
        total = sum(1 for _number, line in _lines(text) if line.strip())
    parts = _parts(text, workers.shares(len(text), least=_LEAST_PART))

    def read_span(part: tuple[int, int, int], tick: Tick) -> Part:
        return _read_part(text, part, source, lang, tick)

    return read_in_parts(parts, read_span, progress=progress, total=total)


_LEAST_PART = 1 << 20  # characters (~1,000 lines): a smaller text is read in one part


def _parts(text: str, count: int) -> list[tuple[int, int, int]]:
    """The text cut into about `count` parts at line ends: (lines before, start, end) of each.

    The first part, read here, is the larger: a child also packs its records to send them, and
    this process unpacks them (`workers.fork_map`), so the parts take about as long."""
    parts: list[tuple[int, int, int]] = []
    start = before = 0
    first = FIRST_WEIGHT / (FIRST_WEIGHT + count - 1)
    share = (1 - first) / (count - 1) if count > 1 else 0.0
    for k in range(1, count):
        cut = text.find("\n", max(start, int(len(text) * (first + share * (k - 1))))) + 1
        if cut <= 0:  # no line end left (or only lone CRs): the rest is one part
            break
        parts.append((before, start, cut))
        before += text.count("\n", start, cut) + text.count("\r", start, cut) - text.count("\r\n", start, cut)
        start = cut
    parts.append((before, start, len(text)))
    return parts


def _read_part(text: str, part: tuple[int, int, int], source: str, lang: str | None, tick: Tick) -> Part:
    """The records and the bad lines of one part of a JSONL text (its lines numbered after `before`)."""
    before, start, end = part
    errors: list[RecordError] = []

    def located() -> Iterator[tuple[Location, Any]]:
        for number, line in _lines(text, start, end):
            if not line.strip():
                continue
            location = Location("line", before + number)
            try:
                value = json_value(line)
            except json.JSONDecodeError as exc:
                reason = _("not valid JSON ({reason}, column {column})").format(
                    reason=decoder_says(exc), column=exc.colno
                )
                if line.strip() == "{":  # a pretty-printed object, as `jq` prints without -c
                    reason = _(
                        "a JSON object split over several lines; JSON Lines needs one object per line (jq -c)"
                    )
                errors.append(RecordError(source, location, None, reason))
                continue
            except RecursionError:
                errors.append(RecordError(source, location, None, _("JSON nested too deeply")))
                continue
            if accepted(value, source, location, errors):
                yield location, value

    return validate_span(located(), source=source, lang=lang, tick=tick, errors=errors)


read = bulletins_reader(read_records)


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    """One compact JSON object per line (non-ASCII kept as is), in the given order."""
    for data in record_dicts(entries, context):
        out.write(json.dumps(data, ensure_ascii=False) + "\n")
