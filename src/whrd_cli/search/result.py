"""What a search returns: its hits, best first, and how many matched. Its own module so that the
engine (`index_corpus`) and the in-memory search (`rank`) share it without importing each other."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from msgspec import Struct


class Hit(Struct, frozen=True):
    """One matching bulletin: its id, its relevance and its stored dict."""

    id: int
    score: float
    raw: Mapping[str, Any]


class SearchResult(Struct, frozen=True):
    """The best hits (all, or the first `limit`), how many matched, and how many lacked an index."""

    hits: list[Hit]
    total: int | None  # None when not counted (see `search`)
    unindexed: int = 0
