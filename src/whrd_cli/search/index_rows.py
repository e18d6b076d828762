"""The rows of the search index (`index`): what each stored bulletin gives its docs, records,
links and fts tables, and their bulk insert, with the rows worked out in a second process while
this one writes them (`workers.fork_shared`)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..links_fold import link_row
from ..records import lang_of, record_dict
from ..text import fold
from .text import raw_parts

if TYPE_CHECKING:
    import sqlite3


def _row(doc_id: int, raw: Mapping[str, Any]) -> tuple[tuple[Any, ...], tuple[Any, ...]]:
    """The docs and fts rows of one stored bulletin (its record is `record_dict`, never with
    its private note)."""
    import orjson

    parts = raw_parts(raw)
    tags = list(raw.get("tags") or ())
    return (
        (
            doc_id,
            raw["date"],
            raw.get("lang"),
            raw.get("category"),
            orjson.dumps(list(raw.get("countries") or ())).decode(),
            orjson.dumps(tags).decode(),
            orjson.dumps([fold(tag) for tag in tags]).decode(),
        ),
        (doc_id, *parts, lang_of(raw)),
    )


def insert(
    conn: sqlite3.Connection, rows: Iterable[tuple[int, Mapping[str, Any]]], *, records: bool = True
) -> None:
    # In chunks: the rows of 100,000 bulletins at once would cost ~4x the archive's size in memory.
    # Many chunks: a second process works out chunks' rows (stems, records) while this one writes
    # them into SQLite, and works out the last ones itself whenever the other has none ready.
    pairs = list(rows)
    if len(pairs) <= _CHUNK:  # (an add's row: no second process, nor its modules to import)
        _write_chunk(conn, *_chunk_rows(pairs, records))
        return
    from .. import workers

    chunks = [pairs[start : start + _CHUNK] for start in range(0, len(pairs), _CHUNK)]
    for made in workers.fork_shared(lambda chunk: _chunk_rows(chunk, records), chunks):
        _write_chunk(conn, *made)


_CHUNK = 1000

ChunkRows = tuple[list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]], list[tuple[Any, ...]]]


def _chunk_rows(rows: Sequence[tuple[int, Mapping[str, Any]]], records: bool) -> ChunkRows:
    """The links, docs, records and fts rows of some stored bulletins."""
    import orjson

    docs, texts = [], []
    kept: list[tuple[Any, ...]] = []
    for doc_id, raw in rows:
        doc, text = _row(doc_id, raw)
        docs.append(doc)
        texts.append(text)
        if records:
            kept.append((doc_id, orjson.dumps(record_dict(doc_id, raw, private=False)).decode()))
    linked = [link_row(doc_id, raw) for doc_id, raw in rows if "links" in raw]  # issue 17
    return linked, docs, kept, texts


def _write_chunk(
    conn: sqlite3.Connection,
    linked: list[tuple[Any, ...]],
    docs: list[tuple[Any, ...]],
    kept: list[tuple[Any, ...]],
    texts: list[tuple[Any, ...]],
) -> None:
    conn.executemany("INSERT INTO links VALUES (?, ?, ?, ?, ?)", linked)
    conn.executemany("INSERT INTO docs VALUES (?, ?, ?, ?, ?, ?, ?)", docs)
    conn.executemany("INSERT INTO records VALUES (?, ?)", kept)
    conn.executemany("INSERT INTO fts(rowid, title, summary, tags, lang) VALUES (?, ?, ?, ?, ?)", texts)
