"""The JSON forms of a revision tree: the compact one the archive stores, and PouchDB's.

A tree is handled here as rows `(pos, hash, parent rev or None, deleted, has_body)`, so this
module knows nothing of `RevTree` (which builds on it).

**Compact form** (stored in the archive, one per document; flat, so no JSON nesting grows with
history, and canonical, so equal trees write equal JSON): a list of *segments*::

    [[start, parent, [hash, hash, ...], flags?], ...]

A segment is a chain of revisions, oldest first, the first at position `start`; `parent` is the
hash of the revision at `start - 1` it continues (given in an earlier segment), or null for a
root. Segments are written leaf by leaf, leaves in (position, hash) order, each walking up to a
root or to a revision already written. `flags`, omitted when every digit would be 0, is a string
with one digit per hash: +1 deleted (a tombstone), +2 no body kept (known by id only, or purged).
A document edited three times, without conflicts, is `[[1, null, ["a…", "b…", "c…"]]]`.

**Forest form** (PouchDB's `rev_tree`, CouchDB's key tree; nested, for interoperation and
tests): `[{"pos": N, "ids": [hash, opts, [[hash, opts, [...]], ...]]}, ...]`, siblings ordered
by hash, roots by (pos, hash); `opts` holds `"deleted": true` and `"status": "missing"` when they
apply, else is `{}`.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from whrd_cli.revisions import RevisionError, format_rev, parse_rev

__all__ = ["NodeRow", "rows_from_forest", "rows_from_json", "rows_to_forest", "rows_to_json"]

NodeRow = tuple[int, str, str | None, bool, bool]  # pos, hash, parent rev, deleted, has_body

_DELETED = 1
_NO_BODY = 2


def _flag(deleted: bool, has_body: bool) -> str:
    return str((_DELETED if deleted else 0) + (0 if has_body else _NO_BODY))


def _index(rows: Iterable[NodeRow]) -> tuple[dict[str, NodeRow], dict[str | None, list[str]]]:
    """Rows by rev, and children revs by parent rev (None: the roots), each list in (position,
    hash) order."""
    by_rev = {f"{r[0]}-{r[1]}": r for r in rows}
    kids: dict[str | None, list[str]] = {}
    for rev, row in by_rev.items():
        kids.setdefault(row[2], []).append(rev)
    for revs in kids.values():
        if len(revs) > 1:
            revs.sort(key=lambda rev: by_rev[rev][:2])
    return by_rev, kids


def rows_to_json(rows: Iterable[NodeRow]) -> list[list[Any]]:
    """The compact form of a tree (see the module docstring)."""
    by_rev, kids = _index(rows)
    leaves = sorted((rev for rev in by_rev if rev not in kids), key=lambda rev: by_rev[rev][:2])
    written: set[str] = set()
    out: list[list[Any]] = []
    for leaf in leaves:
        chain: list[NodeRow] = []
        current: str | None = leaf
        while current is not None and current not in written:
            written.add(current)
            chain.append(by_rev[current])
            current = by_rev[current][2]
        chain.reverse()
        parent_hash = None if current is None else by_rev[current][1]
        segment: list[Any] = [chain[0][0], parent_hash, [row[1] for row in chain]]
        flags = "".join(_flag(row[3], row[4]) for row in chain)
        if flags.strip("0"):
            segment.append(flags)
        out.append(segment)
    return out


def rows_from_json(data: object) -> list[NodeRow]:
    """The rows of a compact form; RevisionError("bad_tree") for anything `rows_to_json` could
    not have written (a damaged archive must be reported, not half-read)."""
    if not isinstance(data, list):
        raise RevisionError("bad_tree", type(data).__name__)
    rows: list[NodeRow] = []
    seen: set[str] = set()
    for segment in data:
        if not isinstance(segment, list) or len(segment) not in (3, 4):
            raise RevisionError("bad_tree", segment)
        start, parent_hash, ids, *rest = segment
        flags = rest[0] if rest else None
        if (
            not isinstance(start, int)
            or isinstance(start, bool)
            or start < 1
            or not (parent_hash is None or isinstance(parent_hash, str))
            or (parent_hash is not None and start < 2)
            or not isinstance(ids, list)
            or not ids
            or not all(isinstance(h, str) for h in ids)
            or not (flags is None or _valid_flags(flags, len(ids)))
        ):
            raise RevisionError("bad_tree", segment)
        parent = None if parent_hash is None else format_rev(start - 1, parent_hash)
        if parent is not None and parent not in seen:
            raise RevisionError("bad_tree", parent)
        for offset, rev_hash in enumerate(ids):
            pos = start + offset
            rev = format_rev(pos, rev_hash)
            try:
                parse_rev(rev)
            except RevisionError:
                raise RevisionError("bad_tree", rev) from None
            if rev in seen:
                raise RevisionError("bad_tree", rev)
            seen.add(rev)
            digit = int(flags[offset]) if flags is not None else 0
            rows.append((pos, rev_hash, parent, bool(digit & _DELETED), not digit & _NO_BODY))
            parent = rev
    return rows


def _valid_flags(flags: object, length: int) -> bool:
    return isinstance(flags, str) and len(flags) == length and all(c in "0123" for c in flags)


def rows_to_forest(rows: Iterable[NodeRow]) -> list[dict[str, Any]]:
    """PouchDB's nested shape, built without recursion (a history may be 1000 deep)."""
    by_rev, kids = _index(rows)
    built: dict[str, list[Any]] = {}
    for rev, row in by_rev.items():
        opts: dict[str, Any] = {}
        if row[3]:
            opts["deleted"] = True
        if not row[4]:
            opts["status"] = "missing"
        built[rev] = [row[1], opts, []]
    for rev in by_rev:
        built[rev][2] = [built[child] for child in kids.get(rev, [])]
    return [{"pos": by_rev[root][0], "ids": built[root]} for root in kids.get(None, [])]


def rows_from_forest(forest: object) -> list[NodeRow]:
    """The rows of a forest in PouchDB's shape (a rev may appear in two of its paths, as
    PouchDB's merge can leave it; the caller combines them)."""
    if not isinstance(forest, list):
        raise RevisionError("bad_tree", type(forest).__name__)
    rows: list[NodeRow] = []
    for path in forest:
        if not isinstance(path, dict):
            raise RevisionError("bad_tree", path)
        start = path.get("pos")
        if not isinstance(start, int) or isinstance(start, bool) or start < 1:
            raise RevisionError("bad_tree", path)
        todo: list[tuple[int, Any, str | None]] = [(start, path.get("ids"), None)]
        while todo:
            pos, node, parent = todo.pop()
            if not (isinstance(node, list) and len(node) == 3 and isinstance(node[1], dict)):
                raise RevisionError("bad_tree", node)
            rev_hash, opts, children = node
            if not isinstance(rev_hash, str) or not isinstance(children, list):
                raise RevisionError("bad_tree", node)
            rev = format_rev(pos, rev_hash)
            try:
                parse_rev(rev)
            except RevisionError:
                raise RevisionError("bad_tree", rev) from None
            has_body = opts.get("status") != "missing"
            rows.append((pos, rev_hash, parent, bool(opts.get("deleted")), has_body))
            todo.extend((pos + 1, child, rev) for child in children)
    return rows
