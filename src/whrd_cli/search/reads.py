"""`list`, `countries`, `tags` and `stats` answered from the fresh search index, without parsing
the archive: at 100,000 bulletins a parse costs ~0.5 s and ~5× the file in memory, a query of
the index a few tens of milliseconds.

Guarantees:
- an answer comes only from an index that is exactly the archive as it is now (`index.open_fresh`:
  its stamp, taken after whrd's own atomic write, matches the file); otherwise, or on any SQLite
  or decoding error, the functions return None and the caller reads the archive. Nothing here
  rebuilds an index: a read that can answer from the archive in ~1 s should not pay a rebuild;
- the rows are the ones the archive would give: the same ids, the same order (`filters.sort_items`
  is the oracle: a filter is translated to SQL clause by clause, each with `Filter.matches`'s
  meaning), and for each id its public record, which holds every field the renderers read (the
  private note aside: a read that needs it goes to the archive);
- the rows handed to counting are in id order, the order `stats.scan` gives the archive's.

Never prints; `sqlite3` and `orjson` are imported on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import index

if TYPE_CHECKING:
    import sqlite3
    from pathlib import Path

    from ..filters import Filter

Row = tuple[int, dict[str, Any]]


def _where(flt: Filter | None) -> tuple[str, list[Any]]:
    """`flt` as one SQL condition on `docs d` and its parameters: search's own translation
    (`index_filter.filter_conditions`), "1" for no filter."""
    from .index_filter import filter_conditions

    params: list[Any] = []
    clauses = list(filter_conditions(flt, params)) if flt is not None and not flt.is_empty else []
    return " AND ".join(clauses) or "1", params


def listed(
    archive: Path,
    flt: Filter | None,
    *,
    by: str,
    reverse: bool,
    limit: int | None,
    fold: str | None = None,
    brief: bool = False,
) -> tuple[list[Row], int] | None:
    """The bulletins `flt` selects in `whrd list`'s order (`by`: date, added or title), the first
    `limit` of them as (id, public record), and how many were selected; None when the index cannot
    answer. Date and added orders are sorted and cut by SQLite; titles sort by their folded text
    in Python (`filters.sort_key`), over the titles alone, and only the kept records are read.
    `fold`: a language; each translation group is one row, its version in it when selected
    (`links_fold.hidden`, over the group's selected members by id, as the archive's path does).
    `brief`: each record holds only what a line of `list` to a pipe shows (`render.plain_line`:
    date, category, countries, title), read by SQLite, not decoded whole in Python (a pipe of
    15,000 alerts at 100k: ~70 ms less)."""
    import sqlite3

    import orjson

    where, params = _where(flt)
    try:
        with index.open_fresh(archive) as conn:
            if fold is not None:
                where, params = _folded(conn, where, params, fold)
            total = conn.execute(f"SELECT count(*) FROM docs d WHERE {where}", params).fetchone()[0]
            if by == "title":
                rows = _by_title(conn, where, params, reverse=reverse, limit=limit)
            elif brief:
                return _brief(conn, where, params, by=by, reverse=reverse, limit=limit), total
            else:
                kept, order = _kept(where, by=by, reverse=reverse)
                sql = f"SELECT k.id, r.record FROM ({kept}) AS k JOIN records r ON r.id = k.id {order}"
                rows = conn.execute(sql, [*params, -1 if limit is None else limit]).fetchall()
        decoded = [(doc_id, orjson.loads(record)) for doc_id, record in rows]
    except (index.IndexUnusable, sqlite3.Error, orjson.JSONDecodeError):
        return None
    if any(not isinstance(record, dict) or record.get("id") != doc_id for doc_id, record in decoded):
        return None
    return decoded, total


def _kept(where: str, *, by: str, reverse: bool) -> tuple[str, str]:
    """The query of the selected ids in `list`'s date or added order, cut to a LIMIT (its last
    parameter), and the ORDER BY that keeps that order over `k`: ids and keys are sorted and cut
    first, so that only the kept rows' records are read."""
    key = "d.date" if by == "date" else "coalesce(json_extract(r.record, '$.added'), '')"
    joined = "" if by == "date" else "JOIN records r ON r.id = d.id"
    way = "ASC" if reverse else "DESC"
    kept = (
        f"SELECT d.id AS id, {key} AS key FROM docs d {joined} WHERE {where} ORDER BY key {way}, d.id {way}"
    )
    return f"{kept} LIMIT ?", f"ORDER BY k.key {way}, k.id {way}"


def _brief(
    conn: sqlite3.Connection, where: str, params: list[Any], *, by: str, reverse: bool, limit: int | None
) -> list[Row]:
    import orjson

    kept, order = _kept(where, by=by, reverse=reverse)
    sql = (
        f"SELECT k.id, d.date, d.category, d.countries, json_extract(r.record, '$.title') FROM ({kept}) AS k "
        f"JOIN docs d ON d.id = k.id JOIN records r ON r.id = k.id {order}"
    )
    rows = conn.execute(sql, [*params, -1 if limit is None else limit])
    return [
        (doc_id, {"date": date, "category": category, "countries": orjson.loads(countries), "title": title})
        for doc_id, date, category, countries, title in rows
    ]


def _folded(conn: sqlite3.Connection, where: str, params: list[Any], lang: str) -> tuple[str, list[Any]]:
    """The condition that also leaves out the versions of a group a reader of `lang` does not see."""
    from ..links_fold import hidden

    if conn.execute("SELECT 1 FROM links WHERE grp IS NOT NULL LIMIT 1").fetchone() is None:
        return where, params  # no group: nothing to leave out, and no scan
    # CROSS JOIN: SQLite reads the (few) linked rows first, then their docs by id.
    sql = f"SELECT d.id, l.grp, d.lang FROM links l CROSS JOIN docs d ON d.id = l.id WHERE {where} ORDER BY 1"
    hide = hidden(conn.execute(sql, params).fetchall(), lang)
    if not hide:
        return where, params
    return f"({where}) AND d.id NOT IN (SELECT value FROM json_each(?))", [*params, _ids(sorted(hide))]


def _by_title(
    conn: sqlite3.Connection, where: str, params: list[Any], *, reverse: bool, limit: int | None
) -> list[tuple[int, str]]:
    from ..filters import sort_items

    sql = (
        "SELECT d.id, json_extract(r.record, '$.title') "
        f"FROM docs d JOIN records r ON r.id = d.id WHERE {where}"
    )
    titles = [(doc_id, {"title": title}) for doc_id, title in conn.execute(sql, params)]
    sort_items(titles, by="title", reverse=reverse)
    kept = [doc_id for doc_id, _ in (titles if limit is None else titles[:limit])]
    found = dict(
        conn.execute(
            "SELECT id, record FROM records WHERE id IN (SELECT value FROM json_each(?))", (_ids(kept),)
        )
    )
    return [(doc_id, found[doc_id]) for doc_id in kept]


def _ids(ids: list[int]) -> str:
    import orjson

    return orjson.dumps(ids).decode()


def counted(archive: Path, *, tags: bool = True) -> list[Row] | None:
    """Every bulletin as the fields counting reads (date, category, lang, countries, and tags
    unless `tags` is False), in id order, as stored; None when the index cannot answer."""
    import sqlite3

    import orjson

    columns = "id, date, category, lang, countries" + (", tags" if tags else ", NULL")
    try:
        with index.open_fresh(archive) as conn:
            rows = conn.execute(f"SELECT {columns} FROM docs ORDER BY id").fetchall()
        loads = orjson.loads
        return [
            (
                doc_id,
                {
                    "date": day,
                    "category": category,
                    "lang": lang,
                    "countries": loads(codes),
                    "tags": loads(spellings) if tags else None,
                },
            )
            for doc_id, day, category, lang, codes, spellings in rows
        ]
    except (index.IndexUnusable, sqlite3.Error, orjson.JSONDecodeError):
        return None


def linked(archive: Path, uids: list[str], followed_by: str) -> list[Row] | None:
    """The public records of the bulletins with these uids and of those that follow the uid
    `followed_by` (what `show` lists of a bulletin's links), in id order; None when the index
    cannot answer. A uid is found among the linked bulletins, else among every record."""
    import sqlite3

    import orjson

    try:
        with index.open_fresh(archive) as conn:
            rows = conn.execute(
                "SELECT r.id, r.record FROM links l JOIN records r ON r.id = l.id "
                "WHERE l.uid IN (SELECT value FROM json_each(?)) OR l.follows = ?",
                (orjson.dumps(uids).decode(), followed_by),
            ).fetchall()
            found = {doc_id: orjson.loads(record) for doc_id, record in rows}
            missing = set(uids) - {record.get("uid") for record in found.values()}
            if missing:  # a followed alert in no group has no `links` row
                sql = (
                    "SELECT id, record FROM records "
                    "WHERE json_extract(record, '$.uid') IN (SELECT value FROM json_each(?))"
                )
                found.update(
                    (i, orjson.loads(r)) for i, r in conn.execute(sql, (_ids_text(sorted(missing)),))
                )
    except (index.IndexUnusable, sqlite3.Error, orjson.JSONDecodeError):
        return None
    return sorted(found.items())


def _ids_text(values: list[str]) -> str:
    import orjson

    return orjson.dumps(values).decode()
