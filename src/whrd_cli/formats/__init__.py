"""The one table of file formats. The CLI's choices, help, extensions and errors derive from it.

A format module is imported only when used. Its interface:

- reader: ``read(text: str, *, source: str, lang: str | None) -> list[Bulletin]``; raises
  ``RecordErrors`` naming every bad record (file, line or record number, field);
- writer: ``write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None``.

Optional, used by `whrd import` (see `importer.py`) when a reader has them:
``read_records(...)`` takes the same arguments as ``read`` plus ``progress`` and returns
``formats.reading.Record``s (each bulletin with its `Location`, "line N"/"record N");
``sniff(text) -> float`` says how surely a text without a telling extension is this format
(0 = not at all). `formats.reading` holds what those readers share.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from ..errors import InputError, ParseError
from ..i18n import N_, _, ngettext, translate

if TYPE_CHECKING:
    from ..model import Bulletin


class Format(Struct, frozen=True):
    """A registered format: its CLI name, default extension, and what it can do."""

    name: str
    extension: str
    module: str
    description: str  # marked for the catalog (`N_`): show it through `i18n.translate`
    reads: bool
    writes: bool
    # The shipped Jinja2 template of a digest format; only these take --template and --group-by.
    template: str | None = None
    # Whether the writer honours `WriteContext.fields` (--fields).
    selects_fields: bool = False
    # Whether the writer builds links from `WriteContext.base_url` (--base-url).
    links: bool = False
    # Whether a record may start a category whrd and the archive do not know: a listing's heading
    # label is a publication's word (INTERVIEW is kept); a CSV, JSON or JSONL record's category is
    # checked as `whrd add` checks it, and a new one needs `import --new-category`.
    new_categories: bool = False


FORMATS: tuple[Format, ...] = (
    Format(
        "md",
        ".md",
        "markdown",
        N_("Markdown digest (Jinja2 template)"),
        reads=False,
        writes=True,
        template="digest.md.j2",
    ),
    Format(
        "html",
        ".html",
        "html",
        N_("self-contained printable HTML digest"),
        reads=False,
        writes=True,
        template="digest.html.j2",
    ),
    Format(
        "listing",
        ".txt",
        "listing",
        N_("the network's published listing format"),
        reads=True,
        writes=True,
        new_categories=True,
    ),
    Format(
        "json",
        ".json",
        "json",
        N_("JSON array, as 'whrd list --json'"),
        reads=True,
        writes=True,
        selects_fields=True,
    ),
    Format(
        "jsonl",
        ".jsonl",
        "jsonl",
        N_("one JSON object per line"),
        reads=True,
        writes=True,
        selects_fields=True,
    ),
    Format(
        "csv",
        ".csv",
        "csv",
        N_("CSV with a header row; lists as ';'-separated cells"),
        reads=True,
        writes=True,
        selects_fields=True,
    ),
    Format("atom", ".atom", "atom", N_("Atom 1.0 feed"), reads=False, writes=True, links=True),
)
BY_NAME: dict[str, Format] = {f.name: f for f in FORMATS}
READERS: tuple[str, ...] = tuple(f.name for f in FORMATS if f.reads)
WRITERS: tuple[str, ...] = tuple(f.name for f in FORMATS if f.writes)
# Extensions a reader recognises, including common spellings not used when writing.
READ_EXTENSIONS: dict[str, str] = {
    **{f.extension: f.name for f in FORMATS if f.reads},
    ".ndjson": "jsonl",
    ".text": "listing",
}


class Location(str):
    """Where a record is in its input ("line 12", "record 3"), with its unit and number read back
    from that text when wanted (errors are put in input order by number).

    The string itself is the machine form (`import --json`, the pipe output); messages and tables
    show `shown()`, in the interface's language. No instance dict (`__slots__`): an import keeps
    one per bulletin for its report, and a dict each was ~35 MB of a 100,000-line import's peak."""

    __slots__ = ()

    def __new__(cls, unit: str, number: int) -> Location:
        return super().__new__(cls, f"{unit} {number}")

    @property
    def unit(self) -> str:
        return self.rpartition(" ")[0]

    @property
    def number(self) -> int:
        return int(self.rpartition(" ")[2])

    def __getnewargs__(self) -> tuple[str, int]:  # type: ignore[override]  # copy and pickle
        return self.unit, self.number

    def shown(self) -> str:
        """The place as a person reads it: `line 12`, `línea 12`."""
        words = _UNITS.get(self.unit)
        return translate(words).format(number=self.number) if words else str(self)


_UNITS = {"line": N_("line {number}"), "record": N_("record {number}")}


def or_list(items: Sequence[str]) -> str:
    """`a or b` (`a o b`): alternatives, each already written as it should show."""
    text = items[0] if items else ""
    for item in items[1:]:
        text = _("{first} or {second}").format(first=text, second=item)
    return text


def and_more(shown: str, more: int) -> str:
    """A list cut at a cap, with how many more there were: `…; and 3 more`."""
    return _("{shown}; and {more} more").format(shown=shown, more=more) if more > 0 else shown


class RecordError(Struct, frozen=True):
    """One bad record: where it is and what is wrong."""

    source: str  # file name, or "<stdin>"
    location: Location
    field: str | None
    message: str

    def __str__(self) -> str:
        where = f"{self.source}, {self.location.shown()}"
        return f"{where}, {self.field}: {self.message}" if self.field else f"{where}: {self.message}"


class RecordErrors(ParseError):
    """Every bad record of an input (up to a cap), reported together so one pass fixes them all."""

    CAP = 20

    def __init__(self, errors: Sequence[RecordError], records: Sequence[Any] = ()) -> None:
        self.errors = list(errors)
        self.records = records  # the input's valid records, for checks made after reading
        shown = and_more("; ".join(str(e) for e in self.errors[: self.CAP]), len(self.errors) - self.CAP)
        count = len(self.errors)
        super().__init__(
            ngettext(
                "{count} invalid record, nothing was imported: {shown}",
                "{count} invalid records, nothing was imported: {shown}",
                count,
            ).format(count=count, shown=shown)
        )


class WriteContext(Struct, frozen=True, kw_only=True):
    """Everything a writer or a user template may use besides the entries themselves."""

    title: str = "WHRD bulletins"
    locale: str = "en"
    group_by: str = "none"
    include_private: bool = False
    fields: tuple[str, ...] | None = None
    filters: dict[str, Any] = field(default_factory=dict)
    generated: datetime | None = None
    template: Path | None = None
    # The archive's stable UUID (`Archive.stable_id`), so feed ids survive re-exports.
    archive_id: str = ""
    # Where the output is published (--base-url): a feed's own address, checked http(s).
    base_url: str | None = None
    # id -> its other language versions (id, lang, url) in the archive (issue 17; Atom links them).
    versions: Mapping[int, tuple[tuple[int, str, str | None], ...]] = field(default_factory=dict)


def get_format(name: str) -> Format:
    try:
        return BY_NAME[name]
    except KeyError:
        raise InputError(
            _("Unknown format {name!r}. Valid formats: {valid}.").format(name=name, valid=", ".join(BY_NAME))
        ) from None


def _module(fmt: Format) -> ModuleType:
    return importlib.import_module(f"{__name__}.{fmt.module}")


def reader(name: str) -> Callable[..., list[Bulletin]]:
    fmt = get_format(name)
    if not fmt.reads:
        raise cannot_import(name)
    return _module(fmt).read  # type: ignore[no-any-return]


def writer(name: str) -> Callable[..., None]:
    fmt = get_format(name)
    if not fmt.writes:
        raise InputError(
            _("The {name} format cannot be written. Formats: {valid}.").format(
                name=name, valid=", ".join(WRITERS)
            )
        )
    return _module(fmt).write  # type: ignore[no-any-return]


def cannot_import(name: str) -> InputError:
    """A format that has no reader."""
    return InputError(
        _("The {name} format cannot be imported. Importable: {valid}.").format(
            name=name, valid=", ".join(READERS)
        )
    )
