"""JSON: an array of bulletins exactly as `whrd list --json` prints them, read and written.

Reading accepts that array (or one object, as `whrd show --json` prints) and validates every
record like `whrd add`; `id` is ignored (ids belong to an archive), `added`/`updated` are kept,
an unknown or repeated field is an error that names it. What the writer writes reads back equal.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..errors import ParseError
from ..i18n import N_, _, number, translate
from ..records import entry_dict
from . import Location, RecordError, WriteContext
from .reading import Part, Progress, Record, Tick, bulletins_reader, read_in_parts, spans, validate_span

if TYPE_CHECKING:
    from ..records import Entry


class _Object(dict[str, Any]):
    """A decoded JSON object that remembers keys it saw twice (the stdlib keeps only the last)."""

    repeated: tuple[str, ...] = ()


def decode_object(pairs: list[tuple[str, Any]]) -> _Object:
    obj = _Object(pairs)
    if len(obj) != len(pairs):
        seen: set[str] = set()
        repeated: list[str] = []
        for key, _value in pairs:
            if key in seen and key not in repeated:
                repeated.append(key)
            seen.add(key)
        obj.repeated = tuple(repeated)
    return obj


class HugeNumber:
    """A JSON integer too long for Python to read (over `sys.get_int_max_str_digits()` digits, 4,300
    by default), standing in for it so that the record holding it is reported, not the decoder's
    ValueError. No bulletin field is a number, so such a record is always refused."""

    made = 0  # how many this process made: none (the rule), and no record needs searching for one

    def __init__(self, digits: int) -> None:
        self.digits = digits
        HugeNumber.made += 1


def parse_int(text: str) -> int | HugeNumber:
    """`json.loads`'s `parse_int`: an int, or a `HugeNumber` when Python would refuse to read it."""
    try:
        return int(text)
    except ValueError:  # "Exceeds the limit (4300 digits) for integer string conversion"
        return HugeNumber(len(text.lstrip("-")))


def json_value(text: str) -> Any:
    """Decode one JSON text as whrd reads inputs: repeated keys remembered, huge integers kept
    as `HugeNumber`. Raises JSONDecodeError and RecursionError as `json.loads` does."""
    return json.loads(text, object_pairs_hook=decode_object, parse_int=parse_int)


# What Python's JSON decoder says (`JSONDecodeError.msg`), marked so that it can be translated.
_DECODER_SAYS = frozenset(
    (
        N_("Expecting value"),
        N_("Expecting property name enclosed in double quotes"),
        N_("Expecting ':' delimiter"),
        N_("Expecting ',' delimiter"),
        N_("Extra data"),
        N_("Unterminated string starting at"),
        N_("Invalid control character at"),
        N_("Invalid \\escape"),
        N_("Invalid \\uXXXX escape"),
        N_("Illegal trailing comma before end of object"),
        N_("Illegal trailing comma before end of array"),
    )
)


def decoder_says(exc: json.JSONDecodeError) -> str:
    """The decoder's reason, in the interface's language when it is one whrd knows."""
    return translate(exc.msg) if exc.msg in _DECODER_SAYS else exc.msg


def loads(text: str, *, source: str) -> Any:
    """Decode JSON text, or raise a ParseError naming the line and column."""
    try:
        return json_value(text.lstrip("\ufeff"))
    except json.JSONDecodeError as exc:
        if exc.msg == "Extra data" and exc.doc[exc.pos : exc.pos + 1] in ("{", "["):  # as `jq '.[]'` prints
            raise ParseError(
                _(
                    "{source}, line {line}, column {column}: one JSON value after another; whrd reads "
                    "one array of bulletins (jq -s makes one) or one object per line (jq -c, then "
                    "--format jsonl); nothing was imported."
                ).format(source=source, line=exc.lineno, column=exc.colno)
            ) from None
        raise ParseError(
            _(
                "{source}, line {line}, column {column}: not valid JSON ({reason}); nothing was imported."
            ).format(source=source, line=exc.lineno, column=exc.colno, reason=decoder_says(exc))
        ) from None
    except RecursionError:
        raise ParseError(
            _("{source}: JSON nested too deeply; nothing was imported.").format(source=source)
        ) from None


def accepted(value: Any, source: str, location: Location, errors: list[RecordError]) -> bool:
    """Whether a decoded JSON value can be a bulletin record; if not, why is added to `errors`."""
    problem = check_record(value, source, location)
    if problem:
        errors.append(problem)
    return problem is None


def json_kind(value: Any) -> str:
    """What a decoded JSON value is, in JSON's words (`null`, `a number`), never Python's (`NoneType`)."""
    if value is None or isinstance(value, bool):
        return json.dumps(value)  # null, true, false: JSON's own words, the same in every language
    if isinstance(value, int | float | HugeNumber):
        return _("a number")
    if isinstance(value, str):
        return _("a string")
    return _("an array") if isinstance(value, list) else _("an object")


def check_record(value: Any, source: str, location: Location) -> RecordError | None:
    """Why a decoded JSON value cannot be a bulletin record, if it cannot."""
    if not isinstance(value, dict):
        kind = json_kind(value)
        return RecordError(
            source, location, None, _("expected a JSON object (a bulletin), found {kind}").format(kind=kind)
        )
    repeated = getattr(value, "repeated", ())
    if repeated:
        names = ", ".join(repeated)
        return RecordError(
            source, location, repeated[0], _("the field {names} is given twice").format(names=names)
        )
    for name, item in value.items() if HugeNumber.made else ():
        items = item if isinstance(item, list) else (item,)
        huge = next((x for x in items if isinstance(x, HugeNumber)), None)
        if huge is not None:
            return RecordError(
                source,
                location,
                name,
                _("a number of {digits} digits, not a bulletin field").format(digits=number(huge.digits)),
            )
    return None


def sniff(text: str) -> float:
    """How surely a text without a telling extension is this format: an array of objects, or one object."""
    head = text.lstrip("\ufeff \t\r\n")
    if re.match(r"\[\s*(?:\{|\]|$)", head):
        return 1.0
    return 0.8 if head.startswith("{") else 0.0


def read_records(
    text: str, *, source: str, lang: str | None = None, progress: Progress | None = None
) -> list[Record]:
    """Every bulletin of a JSON array (or single object), with its record number."""
    data = loads(text, source=source)
    if isinstance(data, dict) and {"meta", "bulletins"} <= data.keys():
        raise ParseError(
            _(
                "{source} is a whrd archive, not an export; export it first "
                "(whrd --db {source} list --json --private > bulletins.json) and import that. "
                "Nothing was imported."
            ).format(source=source)
        )
    if isinstance(data, dict):
        data = [data]
    if not isinstance(data, list):
        raise ParseError(
            _(
                "{source}: expected a JSON array of bulletins (as 'whrd list --json' prints), "
                "found {kind}; nothing was imported."
            ).format(source=source, kind=json_kind(data))
        )
    items: list[Any] = data

    def read_span(span: tuple[int, int], tick: Tick) -> Part:
        errors: list[RecordError] = []

        def located() -> Iterator[tuple[Location, Any]]:
            for index in range(*span):
                value, items[index] = items[index], None  # each decoded record is dropped once read
                location = Location("record", index + 1)
                if accepted(value, source, location, errors):
                    yield location, value

        return validate_span(located(), source=source, lang=lang, tick=tick, errors=errors)

    return read_in_parts(spans(len(items), least=_LEAST_SPAN), read_span, progress=progress, total=len(items))


_LEAST_SPAN = 1000  # records: fewer are read in one process


read = bulletins_reader(read_records)


def record_dicts(entries: Sequence[Entry], context: WriteContext) -> list[dict[str, Any]]:
    """The dicts JSON and JSONL write: `whrd list --json`'s, with the chosen fields."""
    fields = context.fields
    if fields and not context.include_private:
        fields = tuple(name for name in fields if name != "private")
    return [entry_dict(e, private=context.include_private, fields=fields) for e in entries]


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    """Write the entries as one JSON array, indented like `whrd list --json`."""
    out.write(json.dumps(record_dicts(entries, context), ensure_ascii=False, indent=2) + "\n")
