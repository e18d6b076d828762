"""Whether the search index beside the archive is exactly the archive as it is now (`is_fresh`),
and if not, why: missing, of another index version, not a database, or stale; and whether the
counts it keeps for `stats` are those of its rows. A warning only: search rebuilds it by
itself, but a stale index makes the next search pay for the rebuild."""

from __future__ import annotations

from pathlib import Path

from ..i18n import _
from ..search import index
from .report import WARNING, Finding
from .subject import Subject


def search_index(subject: Subject) -> list[Finding]:
    if not subject.readable:
        return []
    path = index.index_path(subject.path)
    if index.is_fresh(subject.path):
        if counts_agree(subject.path) is not False:
            return []
        message = _(
            "{path} counts the bulletins by day, country, category or language wrongly; it will be rebuilt."
        )
        return [Finding("index-counts", WARNING, message.format(path=path), path=path, fixable=subject.sound)]
    if not path.exists():
        return []  # not a finding: the index is built on demand, by the first search or write
    else:
        version = _version(path)
        if version is None:
            kind, message = "index-damaged", _("{path} is not a search index whrd can read.")
        elif version != index.VERSION:
            kind, message = (
                "index-version",
                _("{path} was written by another version of whrd ({version}); it will be rebuilt."),
            )
        else:
            kind, message = "index-stale", _("{path} is stale: the archive changed after it was written.")
        message = message.format(path=path, version=version)
    return [Finding(kind, WARNING, message, path=path, value=index.VERSION, fixable=subject.sound)]


def counts_agree(archive: Path) -> bool | None:
    """Whether the fresh index's counts (`stats` of the whole archive reads them) are those of its
    rows; None when there is no fresh index to ask."""
    import sqlite3

    from ..search.tallies import agree

    try:
        with index.open_fresh(archive) as conn:
            return agree(conn)
    except (index.IndexUnusable, sqlite3.Error):
        return None


def _version(path: object) -> str | None:
    """The index's recorded version, read-only; None when it is not a database whrd wrote."""
    import sqlite3
    from urllib.parse import quote

    try:
        conn = sqlite3.connect(f"file:{quote(str(path))}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute("SELECT value FROM meta WHERE key = 'version'").fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return None
    return str(row[0]) if row else None
