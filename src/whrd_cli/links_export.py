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

    # A thread recorded on one version holds for the group: the version shown follows what it follows.
    thread: dict[str, dict[str, Any]] = {}
    for _doc_id, raw in pairs:
        key, links = group_key(raw), raw.get("links") or {}
        if key is not None and links.get("follows") and key not in thread:
            thread[key] = {name: links[name] for name in ("follows", "followup", "closes") if name in links}
    kept = []
    for doc_id, raw in pairs:
        if doc_id in hide:
            continue
        lang, key = raw.get("lang") or "en", group_key(raw)
        if lang != locale and key is not None:
            raw = {**raw, "title": f"{raw['title']} ({language_name(lang, locale, in_text=True)})"}
        if key in thread and not raw["links"].get("follows"):
            raw = {**raw, "links": {**raw["links"], **thread[key]}}
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


def thread_keys(pairs: list[tuple[int, Mapping[str, Any]]]) -> list[tuple[str | None, str | None]]:
    """For a digest grouped by thread: each bulletin's (group key, heading), in the given order.
    A thread is headed by its first alert (following `follows` up while the one followed is in
    the digest, and its version in the digest when it is a group's); a bulletin in no thread has
    (None, None): the digest lists those after the threads, without a heading."""
    by_uid: dict[str, int] = {}
    for position, (_doc_id, raw) in enumerate(pairs):
        by_uid[str(raw.get("uid"))] = position
        for uid in (raw.get("links") or {}).get("translations", ()):
            by_uid.setdefault(uid, position)  # a version not in the digest: its shown one stands in
    follows = [(raw.get("links") or {}).get("follows") for _id, raw in pairs]
    followed = {by_uid[uid] for uid in follows if uid in by_uid}
    keys: list[tuple[str | None, str | None]] = []
    for position in range(len(pairs)):
        root, seen = position, {position}
        while follows[root] in by_uid and by_uid[follows[root]] not in seen:  # type: ignore[index]
            root = by_uid[follows[root]]  # type: ignore[index]
            seen.add(root)
        if root == position and position not in followed:
            keys.append((None, None))
        else:
            keys.append((f"thread-{pairs[root][0]}", str(pairs[root][1]["title"])))
    return keys
