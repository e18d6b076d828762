"""Revision ids with the meaning of CouchDB's: `N-<32 hex>`, N the edit's depth from the first
version, the hex a digest of the content and the parent revision.

This module owns the *identity* of a revision; `revisions_tree` owns how revisions relate (the
revision tree, its merge, its winner). Neither stores, prints or translates anything: errors carry
data (`RevisionError.kind`, `.rev`) and the store turns them into the user's language.

The digest (issue 15; the sync of issue 18 and any other implementation must reproduce it)::

    payload = json.dumps([parent, deleted, body], sort_keys=True, separators=(",", ":"),
                         ensure_ascii=False, allow_nan=False).encode("utf-8")
    rev     = f"{N}-{hashlib.md5(payload).hexdigest()}"

- `parent` is the parent's full rev string (`"3-ab…"`) or JSON `null` for a first version;
- `deleted` is JSON `true` for a tombstone, `false` otherwise;
- `body` is the document as the archive stores it, *without* `_rev`/`_revisions` (a rev cannot
  hash itself): object keys sorted by code point at every depth, no whitespace, non-ASCII written
  as UTF-8 (not `\\u` escapes), floats as Python's `repr` (the shortest round-trip form), NaN and
  infinities refused;
- N is the parent's N + 1, or 1 without a parent.

md5 because CouchDB's own revs are 32 hex digits (it hashes its term encoding, which no other
implementation can reproduce, so revs are compared, never recomputed, across replicas: only this
implementation's own revs must be deterministic, and they are). A receiver never re-derives a
rev: two replicas making the same edit from the same parent get the same rev, and CouchDB treats
that as one revision, which is what "deterministic" buys.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

__all__ = [
    "RevisionError",
    "canonical_json",
    "format_rev",
    "new_rev",
    "parse_rev",
]


class RevisionError(ValueError):
    """A revision id or tree that cannot be accepted; `kind` says why, `rev` names it.

    Kinds: "malformed" (not `N-hash`), "unknown" (not in this tree), "not_leaf" (an edit based on
    a revision that already has children), "exists" (the new revision is already there),
    "bad_tree" (a stored tree that is not the documented shape), "bad_body" (a body the canonical
    JSON cannot encode).
    """

    def __init__(self, kind: str, rev: object = None) -> None:
        super().__init__(f"{kind}: {rev!r}")
        self.kind = kind
        self.rev = rev


def parse_rev(rev: object) -> tuple[int, str]:
    """`"3-abc"` -> `(3, "abc")`; anything else raises RevisionError("malformed").

    The position is a positive decimal integer without sign or leading zero (CouchDB writes it so);
    the hash is any non-empty text without whitespace, since revs made by other implementations
    (PouchDB, Cloudant) are stored and compared as given, never recomputed.
    """
    if not isinstance(rev, str):
        raise RevisionError("malformed", rev)
    head, sep, tail = rev.partition("-")
    if (
        not sep
        or not head.isascii()
        or not head.isdigit()
        or head.startswith("0")
        or not tail
        or any(ch.isspace() for ch in tail)
    ):
        raise RevisionError("malformed", rev)
    return int(head), tail


def format_rev(pos: int, rev_hash: str) -> str:
    """The rev string for a position and hash: `format_rev(3, "abc") == "3-abc"`."""
    return f"{pos}-{rev_hash}"


_PLAIN = frozenset({str, bool, type(None)})


def _plain(value: Any) -> bool:
    """JSON without floats or huge integers: what orjson writes exactly as `json.dumps` above
    does (the same escapes, keys sorted by code point), ten times faster (0.4 µs a bulletin)."""
    kind = type(value)
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(map(_plain, value))
    return kind in _PLAIN or (kind is int and -(2**63) <= value < 2**63)


def _orjson_plain(value: Any) -> bytes:
    import orjson

    try:
        return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
    except orjson.JSONEncodeError:
        return canonical_json(value)  # a lone surrogate: refused there, with json's reason


def canonical_json(value: Any) -> bytes:
    """The exact bytes the digest of `new_rev` covers (see the module docstring)."""
    if _plain(value):
        import orjson

        try:
            return orjson.dumps(value, option=orjson.OPT_SORT_KEYS)
        except orjson.JSONEncodeError:
            pass  # a lone surrogate: refused below, with the reason json gives
    try:
        text = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
        return text.encode("utf-8")
    except (TypeError, ValueError) as exc:  # not JSON, NaN, a lone surrogate
        raise RevisionError("bad_body", type(exc).__name__) from exc


def new_rev(parent: str | None, body: Mapping[str, Any], deleted: bool, *, plain: bool = False) -> str:
    """The revision an edit of `parent` (None: a new document) to `body` makes.

    Deterministic: the same parent, body and deleted flag always give the same rev, on any machine
    (the encoding is documented above). `body` must not hold `_rev` or `_revisions`. `plain`: the
    caller knows `body` holds only text, booleans, null, whole numbers and lists and objects of
    them (the store's bulletins, checked by the model), so the check of that is skipped.
    """
    depth = 1 if parent is None else parse_rev(parent)[0] + 1
    if "_rev" in body or "_revisions" in body:
        raise RevisionError("bad_body", "_rev")
    value = [parent, bool(deleted), dict(body)]
    payload = _orjson_plain(value) if plain else canonical_json(value)
    import hashlib  # loads OpenSSL: only once a revision is made

    return format_rev(depth, hashlib.md5(payload, usedforsecurity=False).hexdigest())
