"""What every reader shares: a bulletin with its place in the input, turning one record (a dict read
from JSON, JSONL or CSV) into a validated bulletin, and reporting every bad record at once.

Named for what it serves, reading inputs (writers do not use it); the dict <-> Bulletin conversion of
the store and of `whrd list --json` is the top-level `records` module, which this one builds on.
Records go through `Bulletin.from_dict`, the same validation as `whrd add`; this module only adds
what an import needs on top: where each record is, which field is at fault (the error's `field`,
never read out of its message), and exact timestamps.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar

from msgspec import Struct

from ..dates import utc_stamp
from ..errors import ValidationError, WhrdError
from ..i18n import _
from . import Location, RecordError, RecordErrors

if TYPE_CHECKING:
    from ..model import Bulletin

# Called as progress(done, total) while a reader validates records; the CLI draws a bar with it.
Progress = Callable[[int, int], None]
Tick = Callable[[int], None]  # `workers.Tick`: how many of a span's records are done
S = TypeVar("S")

_STAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:?\d{2})")


class Record(Struct, frozen=True):
    """One bulletin read from an input, with where it is (for dry-run tables and duplicate errors)."""

    location: Location  # "line 12" or "record 3"
    bulletin: Bulletin


def record_error(source: str, location: Location, error: WhrdError) -> RecordError:
    """A RecordError for a validation error, naming the field at fault (the error's own `field`)."""
    return RecordError(source, location, error.field, error.message.rstrip("."))


def _timestamp(value: Any, name: str) -> str:
    """An `added`/`updated` time as the store writes it (UTC, `2024-06-15T10:00:00Z`), or refused."""
    if not isinstance(value, str) or not _STAMP.fullmatch(value.strip()):
        raise ValidationError(
            _(
                "The {name} time {value!r} is not an ISO date and time with a zone, "
                "such as 2024-06-15T10:00:00Z."
            ).format(name=name, value=value),
            field=name,
            value=value,
        )
    text = value.strip()
    try:
        moment = datetime.fromisoformat(text[:-1] + "+00:00" if text.endswith("Z") else text)
    except ValueError:
        raise ValidationError(
            _("The {name} time {value!r} is not a real date and time.").format(name=name, value=value),
            field=name,
            value=value,
        ) from None
    return utc_stamp(moment)


def bulletin_from_mapping(data: Mapping[str, Any], *, lang: str | None = None) -> Bulletin:
    """Validate one record; `lang` fills a record that has no language of its own.

    Raises a WhrdError subclass whose `field` names the field at fault.
    """
    from ..model import Bulletin

    values = dict(data)
    for name in ("added", "updated"):
        if values.get(name) not in (None, ""):
            values[name] = _timestamp(values[name], name)
        else:
            values.pop(name, None)
    if lang and values.get("lang") in (None, ""):
        values["lang"] = lang
    return Bulletin.from_dict(values)


def validate(
    records: Iterable[tuple[Location, Mapping[str, Any]]],
    *,
    source: str,
    lang: str | None,
    progress: Progress | None,
    errors: list[RecordError],
    total: int | None = None,
) -> list[Record]:
    """Validate located records, appending a RecordError for each bad one to `errors`.

    `records` may be a generator (then give `total`, the number progress counts towards): each
    decoded record can then be dropped as soon as its bulletin is built, instead of every record
    and every bulletin of a 100,000-record file being held at once.
    """
    result: list[Record] = []
    if total is None:
        records = list(records)
        total = len(records)
    done = 0
    for done, (location, data) in enumerate(records, start=1):
        try:
            result.append(Record(location, bulletin_from_mapping(data, lang=lang)))
        except WhrdError as exc:
            errors.append(record_error(source, location, exc))
        if progress is not None and done % 200 == 0:
            progress(done, max(total, done))
    if progress is not None and done and done % 200:
        progress(done, max(total, done))
    return result


# Records read per part: one part per core, the first (read here) the larger, since a child also
# packs what it read and this process unpacks it (measured at 100,000 records on two cores).
FIRST_WEIGHT = 1.2
Part = tuple[list[Record], list[RecordError]]


def read_in_parts(
    spans: Sequence[S], read_span: Callable[[S, Tick], Part], *, progress: Progress | None, total: int
) -> list[Record]:
    """`read_span` over every span of an input, the spans at once (`workers.fork_map`); every bad
    record of every span reported together, in input order."""
    from .. import workers

    shown = workers.Progress(len(spans), report=(lambda done: progress(done, total)) if progress else None)
    records: list[Record] = []
    errors: list[RecordError] = []
    for found, bad in workers.fork_map(read_span, spans, shown, pack=pack, unpack=unpack):
        records += found
        errors += bad
    raise_if_any(errors, records)
    return records


def spans(count: int, *, least: int) -> list[tuple[int, int]]:
    """`range(count)` cut into one span of records per core, the first (read here) the larger."""
    from .. import workers

    return workers.spans(count, least=least, first=FIRST_WEIGHT)


def validate_span(
    located: Iterable[tuple[Location, Mapping[str, Any]]],
    *,
    source: str,
    lang: str | None,
    tick: Tick,
    errors: list[RecordError],
) -> Part:
    """`validate` of one span's located records, its progress to `tick`: the span's records and
    bad ones (`errors`, where the span's reader put those it found first)."""
    records = validate(
        located, source=source, lang=lang, progress=lambda done, _total: tick(done), errors=errors, total=0
    )
    return records, errors


def pack(found: Part) -> tuple[list[tuple[Any, ...]], list[RecordError]]:
    """Records as plain tuples (where, then each field's value), for `workers.fork_map` to send."""
    from msgspec.structs import astuple

    records, errors = found
    # The dedupe key too: worked out there, it is not worked out again here (`Archive.add_many`).
    return [
        (r.location.unit, r.location.number, r.bulletin.key, *astuple(r.bulletin)) for r in records
    ], errors


def unpack(sent: tuple[list[tuple[Any, ...]], list[RecordError]]) -> Part:
    """The records `pack` sent, whole again (their fields were validated where they were read)."""
    from ..model import Bulletin

    rows, errors = sent
    records: list[Record] = []
    for unit, number, key, *values in rows:
        bulletin = Bulletin(*values)  # (a Struct's `__init__` checks nothing)
        bulletin.__dict__["key"] = key  # as `cached_property` keeps it
        records.append(Record(Location(unit, number), bulletin))
    return records, errors


def raise_if_any(errors: list[RecordError], records: Sequence[Record] = ()) -> None:
    """Report every bad record at once, in input order ("line 12", "record 3"); the valid `records`
    go with them, so that a check made after reading (`importer`) reports its own in the same list."""
    if errors:
        raise RecordErrors(sorted(errors, key=lambda e: e.location.number), records)


def bulletins_reader(read_records: Callable[..., list[Record]]) -> Callable[..., list[Bulletin]]:
    """The registry's `read` (the bulletins only) for a format that offers `read_records`."""

    def read(
        text: str, *, source: str, lang: str | None = None, progress: Progress | None = None
    ) -> list[Bulletin]:
        return [r.bulletin for r in read_records(text, source=source, lang=lang, progress=progress)]

    read.__doc__ = "The registry's reader interface: the bulletins only."
    return read
