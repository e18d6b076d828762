"""Exports of linked bulletins (issue 17): a reading export (a digest, a feed) gives each
translation group once, in the export's language, or, when the group has no version in it,
the first version with its language named after the title; a feed links each entry to its
other versions (`hreflang`). Data exports (JSON, JSONL, CSV) keep every version and its links."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .links_fold import group_key, hidden_rows

Raw = dict[str, Any]
Versions = dict[int, tuple[tuple[int, str, str | None], ...]]


def one_per_group(pairs: list[tuple[int, Raw]], locale: str) -> list[tuple[int, Raw]]:
    """The selected bulletins (id order) with one version per group; a version in another
    language than `locale` is a copy whose title says which ("… (English)")."""
    if not any("links" in raw for _id, raw in pairs):
        return pairs
    hide = hidden_rows(pairs, locale)
    from .lang import language_name

    kept = []
    for doc_id, raw in pairs:
        if doc_id in hide:
            continue
        lang = raw.get("lang") or "en"
        if lang != locale and group_key(raw) is not None:
            raw = {**raw, "title": f"{raw['title']} ({language_name(lang, locale, in_text=True)})"}
        kept.append((doc_id, raw))
    return kept


def versions_of(rows: Iterable[tuple[int, Mapping[str, Any]]]) -> Versions:
    """Each linked bulletin's other versions in the archive: (id, lang, url), by id."""
    linked = [(doc_id, raw) for doc_id, raw in rows if "links" in raw]
    if not linked:
        return {}
    by_uid = {raw.get("uid"): (doc_id, raw.get("lang") or "en", raw.get("url")) for doc_id, raw in linked}
    found: Versions = {}
    for doc_id, raw in linked:
        others = [by_uid[uid] for uid in raw["links"].get("translations", ()) if uid in by_uid]
        if others:
            found[doc_id] = tuple(sorted(others))
    return found
