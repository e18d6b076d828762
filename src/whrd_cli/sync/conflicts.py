"""Open conflicts (issue 18): bulletins whose revision tree has more than one live leaf, because
two coordinators edited them offline. The winner shows everywhere (CouchDB's rule); the other
versions wait in history until `whrd resolve` closes them. Pure functions of the parsed tables.

`meta.conflicts` (the short ids in conflict, kept by merges and `resolve`) lets `show` say so
without parsing the archive: `hint` reads it from the last bytes of the file, where whrd writes
the meta record (the first, in files written before whrd wrote it last). The trees are the truth
(`find`, `doctor`); the list is only a hint for `show`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct

from ..history import HISTORY
from ..revisions_tree import RevTree

META_KEY = "conflicts"
_HEAD = 256 * 1024


class Side(Struct, frozen=True):
    """One live leaf of a bulletin in conflict: its rev, its text (None once purged), whether it
    is the winner that shows, and when it was written."""

    rev: str
    body: Mapping[str, Any] | None
    winner: bool

    @property
    def at(self) -> str | None:
        return (self.body or {}).get("updated") or (self.body or {}).get("added")


class Conflict(Struct, frozen=True):
    """A bulletin in conflict: its id, uid and the live versions, the winner first."""

    id: int
    uid: str
    sides: tuple[Side, ...]

    @property
    def title(self) -> str:
        body = self.sides[0].body or {}
        return str(body.get("title", ""))

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "uid": self.uid,
            "title": self.title,
            "versions": [{"rev": s.rev, "winner": s.winner, "at": s.at} for s in self.sides],
        }


def _conflict(uid: str, entry: Mapping[str, Any], live: Mapping[str, Any] | None) -> Conflict | None:
    tree = RevTree.from_json(entry["tree"])
    others = tree.conflicts()
    winner = tree.winner()
    if not others or winner is None or tree.is_deleted(winner) or live is None:
        return None
    bodies = entry.get("bodies", {})
    sides = [Side(winner, live if live.get("rev") == winner else bodies.get(winner), True)]
    sides += [Side(rev, bodies.get(rev), False) for rev in others]
    return Conflict(int(entry["id"]), uid, tuple(sides))


def find(tables: Mapping[str, Any], ids: Iterable[int] | None = None) -> list[Conflict]:
    """Every bulletin in conflict (or those of `ids`), in id order."""
    wanted = None if ids is None else set(ids)
    bulletins = tables.get("bulletins", {})
    found = []
    for uid, entry in tables.get(HISTORY, {}).items():
        if len(entry.get("tree") or ()) < 2 or (wanted is not None and entry.get("id") not in wanted):
            continue  # one node: no conflict possible
        live = bulletins.get(str(entry.get("id")))
        conflict = _conflict(uid, entry, live if live is not None and live.get("uid") == uid else None)
        if conflict is not None:
            found.append(conflict)
    return sorted(found, key=lambda c: c.id)


def hint(path: Path) -> list[int]:
    """The ids `meta.conflicts` names, read from the end of a plain archive file (or its head,
    where older whrd wrote the meta record) with no parse of the rest; [] when the file is
    encrypted, or has no such record where it should be, or it names none."""
    import os

    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD)
            size = os.fstat(fh.fileno()).st_size
            if size > _HEAD:
                fh.seek(size - _HEAD)
            tail = fh.read(_HEAD) if size > _HEAD else head
    except OSError:
        return []
    meta = _record(head, b'{"meta":', 0) if head.startswith(b'{"meta":') else None
    at = len(tail)
    while meta is None and (at := tail.rfind(b',"meta":', 0, at)) >= 0:  # the last that ends the
        meta = _record(tail, b',"meta":', at, whole=True)  # file: a key "meta" inside it does not
    found = meta.get("1", {}).get(META_KEY) if isinstance(meta, dict) else None
    return [i for i in found if isinstance(i, int)] if isinstance(found, list) else []


def _record(data: bytes, prefix: bytes, at: int, *, whole: bool = False) -> Any:
    """The JSON value after `prefix` at `at` in `data`; with `whole`, only when it is the last
    thing in the file (the tables' `}` right after it). None when it does not parse."""
    import json

    text = data[at + len(prefix) :].decode("utf-8", "replace")
    try:
        value, end = json.JSONDecoder().raw_decode(text)
    except ValueError:
        return None
    return value if not whole or text[end:] == "}" else None


def update_hint(tables: dict[str, Any], add: Iterable[int], remove: Iterable[int]) -> None:
    """Keep `meta.conflicts` as the merge or resolve left the trees."""
    meta_table = tables.setdefault("meta", {})
    meta = dict(meta_table.get("1") or {})
    current = {i for i in meta.get(META_KEY, []) if isinstance(i, int)}
    current = (current - set(remove)) | set(add)
    if current:
        meta[META_KEY] = sorted(current)
    else:
        meta.pop(META_KEY, None)
    meta_table["1"] = meta
