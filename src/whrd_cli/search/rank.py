"""Ranking: which bulletins match a query, and in what order.

Guarantees:
- every word of a query is matched in each bulletin's own language: the query is stemmed in
  every language searched, and a bulletin is compared with the stems of its own, so
  `defensora` finds `defensoras` and `mining` finds `mines`;
- a quoted phrase is checked word for word against the bulletin's own text (the index holds
  only stems);
- the order is FTS5's `bm25()` with column weights (a title match weighs more than a tag match,
  which weighs more than a summary match), ties newest first, then highest id;
- one engine (`index_corpus.run`) answers over an SQLite index: the file beside the archive
  (`service.search_archive`), or one built in memory from stored dicts (`search`, here), so both
  give the same hits and the same scores.

Never prints.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .result import Hit, SearchResult

__all__ = ["Hit", "SearchResult", "search"]

if TYPE_CHECKING:
    from ..filters import Filter
    from .query import Query


def search(
    rows: Sequence[tuple[int, Mapping[str, Any]]],
    query: Query,
    flt: Filter | None = None,
    *,
    limit: int | None = None,
    count: bool = True,
    fold: str | None = None,
) -> SearchResult:
    """Rank the stored bulletins (id, dict) that match the query and the filter; the best
    `limit`, or all.

    `rows` is the whole collection: bm25()'s statistics come from it, and `flt` narrows the hits
    as the index beside the archive does. With a `limit` and `count=False` the total is not
    needed (`total` may then be None), so a quoted phrase is checked against the text of the
    best candidates only until `limit` of them hold it. The stored dicts are indexed in memory
    first (`unindexed` says how many); `service.search_archive` answers from the SQLite index
    beside the archive when it is fresh.
    """
    from . import index
    from .index_corpus import run

    conn = index.in_memory(rows)
    try:
        return run(
            conn, query, flt, limit=limit, count=count, unindexed=len(rows), records=dict(rows), fold=fold
        )
    finally:
        conn.close()
