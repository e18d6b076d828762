"""The stored dict and the `Bulletin`: converting one into the other, and the JSON shape of both.

The archive keeps bulletins as plain dicts (the model's fields, absent optional fields left out,
plus the derived dedupe key `_key`); everything that reads the archive turns them into a
`Bulletin` here, or, on hot paths, into JSON records without building one.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from operator import attrgetter
from typing import Any, overload

from msgspec import Struct

from .links_model import links_of
from .model import DEFAULT_LANG, FIELDS, LIST_FIELDS, Bulletin

Raw = dict[str, Any]
_FIELD_VALUES = attrgetter(*FIELDS)


def lang_of(raw: Mapping[str, Any]) -> str:
    """A stored bulletin's language (bulletins stored without one are English, as written)."""
    return raw.get("lang") or DEFAULT_LANG


def stored_form(bulletin: Bulletin) -> Raw:
    """The dict kept in TinyDB: the model's fields plus the dedupe key. (The search data lives in
    the derived index beside the archive, not in it: every command would pay to load it.)"""
    # Absent optional fields are left out rather than stored as null: a smaller file loads faster.
    # `to_dict()` then filtered, in one pass (an import of 100,000 stores each bulletin once).
    values = zip(FIELDS, _FIELD_VALUES(bulletin), strict=True)
    raw = {name: value for name, value in values if value is not None}
    raw["countries"] = list(bulletin.countries)
    raw["tags"] = list(bulletin.tags)
    if bulletin.links:  # absent when none, so unlinked bulletins keep their bytes and revs
        raw["links"] = bulletin.links.to_raw()
    raw["_key"] = bulletin.key
    return raw


def to_bulletin(raw: Mapping[str, Any]) -> Bulletin:
    """A stored dict back to a bulletin, trusting what the store itself wrote."""
    return Bulletin(
        title=raw["title"],
        date=raw["date"],
        category=raw.get("category"),
        countries=tuple(raw.get("countries") or ()),
        summary=raw.get("summary") or "",
        truncated=bool(raw.get("truncated")),
        tags=tuple(raw.get("tags") or ()),
        lang=lang_of(raw),
        url=raw.get("url"),
        source=raw.get("source"),
        private=raw.get("private"),
        added=raw.get("added"),
        updated=raw.get("updated"),
        uid=raw.get("uid"),
        rev=raw.get("rev"),
        links=links_of(raw),
    )


class Entry(Struct, frozen=True):
    """A bulletin as the archive holds it: its id and the bulletin."""

    id: int
    bulletin: Bulletin


class Selection(Sequence[Entry]):
    """Bulletins in order, as the stored dicts they are (`pairs`), read as `Entry`s.

    Each `Entry` (and its `Bulletin`) is built when it is read and can be dropped once used: an
    export of 100,000 bulletins never holds 100,000 `Bulletin`s. Digests read `pairs` directly.
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[int, Raw]]) -> None:
        self.pairs = pairs

    def __len__(self) -> int:
        return len(self.pairs)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, slice):
            return [Entry(doc_id, to_bulletin(raw)) for doc_id, raw in self.pairs[index]]
        doc_id, raw = self.pairs[index]
        return Entry(doc_id, to_bulletin(raw))

    def __iter__(self) -> Iterator[Entry]:
        for doc_id, raw in self.pairs:
            yield Entry(doc_id, to_bulletin(raw))


def entry_dict(entry: Entry, *, private: bool, fields: Sequence[str] | None = None) -> dict[str, Any]:
    """A bulletin as `whrd list --json` prints it: `id` then every model field (or the chosen ones)."""
    return record_dict(entry.id, entry.bulletin.to_dict(), private=private, fields=fields)


def record_dict(
    doc_id: int, raw: Mapping[str, Any], *, private: bool, fields: Sequence[str] | None = None
) -> dict[str, Any]:
    """The same JSON shape straight from a stored dict, without building a `Bulletin` (derived
    `_` fields never leave; absent optional fields are null)."""
    data: dict[str, Any] = {"id": doc_id}
    for name in FIELDS:
        if name == "private" and not private:
            continue
        value = raw.get(name)
        if name in LIST_FIELDS:
            value = list(value or ())
        elif name == "truncated":
            value = bool(value)
        data[name] = value
    if raw.get("links"):  # only when linked: unlinked bulletins print as before issue 17
        data["links"] = raw["links"]
    if fields:
        return {name: data.get(name) for name in fields}
    return data
