"""Showing a translation group once (issue 17): which version of a group a reader sees, as the
archive's readers (`list`, `search`, `export --locale`) and the search index agree on it.

A group's key is the smallest uid among its members (each lists every other, so all agree); the
version shown is the one in the reader's language, else the first (the lowest id for a list,
the best-ranked for a search). Cheap to import: every write's index update reads `link_row`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .links_model import links_of


def group_key(raw: Mapping[str, Any]) -> str | None:
    """The key a translation group's members share; None for a bulletin in no group."""
    links = raw.get("links")
    translations = links.get("translations") if isinstance(links, Mapping) else None
    if not translations:
        return None
    return min(raw.get("uid") or "", *translations) or None


def link_row(doc_id: int, raw: Mapping[str, Any]) -> tuple[int, str, str | None, str | None, int]:
    """The search index's `links` row of a linked bulletin: id, uid, group, followed, closes."""
    links = links_of(raw)
    return (
        doc_id,
        str(raw.get("uid") or ""),
        group_key(raw),
        links.follows if links else None,
        int(bool(links and links.closes)),
    )


def hidden(members: Iterable[tuple[int, str | None, str]], lang: str) -> set[int]:
    """Of the grouped bulletins a reader would see, as (id, group key, language) in the order
    they are shown, the ids not to show: all but one per group, hers when there is one, else
    the first."""
    chosen: dict[str, tuple[int, bool]] = {}
    seen: list[tuple[int, str]] = []
    for doc_id, key, member_lang in members:
        if key is None:
            continue
        seen.append((doc_id, key))
        mine = (member_lang or "en") == lang
        best = chosen.get(key)
        if best is None or (mine and not best[1]):
            chosen[key] = (doc_id, mine)
    return {doc_id for doc_id, key in seen if chosen[key][0] != doc_id}


def hidden_rows(rows: Iterable[tuple[int, Mapping[str, Any]]], lang: str) -> set[int]:
    """`hidden` for stored dicts (or records) in the order they are shown."""
    return hidden(
        ((doc_id, group_key(raw), raw.get("lang") or "en") for doc_id, raw in rows if "links" in raw), lang
    )
