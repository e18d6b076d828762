"""Counts of the index's docs table by day, country list, category and language (`tallies`), which
`stats` and `countries` of the whole archive read instead of every row (`tally.tally_indexed`).

They are kept by triggers on `docs`, so in the very transaction of every change made in place:
a writer killed mid-change rolls them back with the rows they count. A bulk build counts once
at its end (`count_all`), and a change of many rows in place counts again after it
(`counted_after`): per row, the triggers run ~8 statements (measured for 100,000 rows: a bulk
insert 136 -> 805 ms, a delete 77 -> 844 ms; counted again, ~0.12 s). A count that falls to 0
is removed. Plain INSERT OR IGNORE and UPDATE, not an upsert: any SQLite with FTS5 runs them.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3

_TABLE = (
    "CREATE TABLE tallies(dim TEXT NOT NULL, key TEXT NOT NULL, n INTEGER NOT NULL, PRIMARY KEY(dim, key))"
    " WITHOUT ROWID"
)
# Each dimension and its value in a row of docs (`{r}`: the row, `new` or `old` in a trigger).
_TALLIED = (
    ("day", "{r}.date"),
    ("countries", "{r}.countries"),
    ("category", "coalesce({r}.category, '')"),
    ("lang", "coalesce({r}.lang, '')"),
)
_COUNT = "INSERT OR IGNORE INTO tallies(dim, key, n) VALUES {}; {}".format(
    ", ".join(f"('{dim}', {key.format(r='new')}, 0)" for dim, key in _TALLIED),
    " ".join(
        f"UPDATE tallies SET n = n + 1 WHERE dim = '{dim}' AND key = {key.format(r='new')};"
        for dim, key in _TALLIED
    ),
)
_UNCOUNT = " ".join(
    f"UPDATE tallies SET n = n - 1 WHERE dim = '{dim}' AND key = {key.format(r='old')}; "
    f"DELETE FROM tallies WHERE dim = '{dim}' AND key = {key.format(r='old')} AND n <= 0;"
    for dim, key in _TALLIED
)
_TRIGGERS = {
    "docs_counted": f"AFTER INSERT ON docs BEGIN {_COUNT} END",
    "docs_uncounted": f"AFTER DELETE ON docs BEGIN {_UNCOUNT} END",
    "docs_recounted": f"AFTER UPDATE ON docs BEGIN {_UNCOUNT} {_COUNT} END",
}


def count_all(conn: sqlite3.Connection) -> None:
    """`tallies` made and counted from the docs table, then kept so; in a bulk build's transaction."""
    conn.execute(_TABLE)
    _count(conn)


@contextmanager
def counted_after(conn: sqlite3.Connection) -> Iterator[None]:
    """For a change of many rows in place, inside its transaction: no trigger meanwhile, then
    every count made again. An error inside leaves them as they were (the transaction, rolled
    back by its caller, takes the dropped triggers back too)."""
    for name in _TRIGGERS:
        conn.execute(f"DROP TRIGGER IF EXISTS {name}")
    yield
    conn.execute("DELETE FROM tallies")
    _count(conn)


def agree(conn: sqlite3.Connection) -> bool:
    """Whether the kept counts are those of the docs table as it is (`whrd doctor` asks)."""
    kept = sorted(conn.execute("SELECT dim, key, n FROM tallies"))
    counted = sorted(row for dim, key in _TALLIED for row in conn.execute(_recount(dim, key)))
    return kept == counted


def _recount(dim: str, key: str) -> str:
    return f"SELECT '{dim}', {key.format(r='d')}, count(*) FROM docs d GROUP BY 2"


def _count(conn: sqlite3.Connection) -> None:
    for dim, key in _TALLIED:
        conn.execute(f"INSERT INTO tallies {_recount(dim, key)}")
    for name, body in _TRIGGERS.items():
        conn.execute(f"CREATE TRIGGER {name} {body}")
