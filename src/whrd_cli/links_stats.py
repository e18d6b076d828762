"""Open and closed alerts by country (issue 17), for `whrd stats`: an alert is closed when a
bulletin of its thread (a follow-up, or a follow-up of a follow-up, in any language version)
closes the case. A translated alert counts once (its first version's countries).

Counted from a few columns per bulletin, which the search index gives in SQL (`tally`) and the
archive from its stored dicts (`from_archive`): the same rows, so the same counts. Only an
archive with follow-ups has open and closed alerts to tell apart: without any, None.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from .links_fold import link_row

Alert = tuple[int, str, list[str]]  # id, uid, countries: the selected alerts, in id order
Linked = tuple[int, str, str | None, str | None, int]  # `links_fold.link_row`: every linked bulletin


def status_counts(alerts: Iterable[Alert], linked: Iterable[Linked]) -> dict[str, tuple[int, int]] | None:
    """country -> (open, closed); an alert with no country counts under ""; None with no follow-up."""
    rows = list(linked)
    if not any(follows for _id, _uid, _grp, follows, _closes in rows):
        return None
    uids = {uid: doc_id for doc_id, uid, _grp, _follows, _closes in rows}
    groups: dict[str, list[int]] = {}
    followers: dict[int, list[int]] = {}
    closing: set[int] = set()
    grp_of: dict[int, str] = {}
    alert_list = list(alerts)
    for doc_id, uid, _countries in alert_list:
        uids.setdefault(uid, doc_id)
    for doc_id, _uid, grp, follows, closes in rows:
        if grp:
            groups.setdefault(grp, []).append(doc_id)
            grp_of[doc_id] = grp
        if follows in uids:
            followers.setdefault(uids[follows], []).append(doc_id)  # type: ignore[index]
        if closes:
            closing.add(doc_id)
    follows_of = {doc_id: follows for doc_id, _uid, _grp, follows, _closes in rows}
    counts: Counter[tuple[str, bool]] = Counter()
    seen: set[int] = set()
    for doc_id, _uid, countries in alert_list:
        if doc_id in seen or follows_of.get(doc_id) in uids:
            continue  # counted with its group, or a follow-up filed as an alert
        start = groups.get(grp_of.get(doc_id, ""), [doc_id])
        seen.update(start)
        case, todo = set(), list(start)
        while todo:
            current = todo.pop()
            if current not in case:
                case.add(current)
                todo.extend(followers.get(current, ()))
                todo.extend(groups.get(grp_of.get(current, ""), ()))
        closed = bool(case & closing)
        for country in countries or [""]:
            counts[(country, closed)] += 1
    countries = sorted({country for country, _closed in counts})
    return {country: (counts[(country, False)], counts[(country, True)]) for country in countries}


def from_archive(
    selected: Iterable[tuple[int, Mapping[str, Any]]], every: Iterable[tuple[int, Mapping[str, Any]]]
) -> dict[str, tuple[int, int]] | None:
    """`status_counts` from stored dicts: the selected ones' alerts, and every linked bulletin."""
    linked = [
        link_row(doc_id, raw) for doc_id, raw in sorted(every, key=lambda row: row[0]) if "links" in raw
    ]
    if not linked:
        return None
    alerts = [
        (doc_id, str(raw.get("uid") or ""), list(raw.get("countries") or ()))
        for doc_id, raw in sorted(selected, key=lambda row: row[0])
        if raw.get("category") == "alert"
    ]
    return status_counts(alerts, linked)
