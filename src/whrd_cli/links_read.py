"""Reading links (issue 17): an alert's thread as a timeline, the alerts still open, and the
version of a translation group a reader of one language sees. Pure functions of the stored
bulletins (id -> stored dict), plus `thread_of`/`open_alerts` that read an archive."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from msgspec import Struct, field

from .errors import NotFoundError
from .i18n import _
from .links import ALERT, by_uid, thread_root
from .links_model import Links as LinkData
from .links_model import links_of

if TYPE_CHECKING:
    from .store import Archive

Raw = dict[str, Any]


def pick_version(bulletins: Mapping[str, Raw], ids: Iterable[int], lang: str) -> int:
    """The version of a group a reader of `lang` sees: hers when there is one, else the first
    written (lowest id)."""
    ordered = sorted(ids)
    for doc_id in ordered:
        if (bulletins[str(doc_id)].get("lang") or "en") == lang:
            return doc_id
    return ordered[0]


class Links:
    """The link structure of an archive, worked out once: uids, groups, follow-ups."""

    def __init__(self, bulletins: Mapping[str, Raw]) -> None:
        self.bulletins = bulletins
        self.uids = by_uid(bulletins) if any("links" in raw for raw in bulletins.values()) else {}
        self.children: dict[int, list[int]] = {}
        self.groups: dict[int, tuple[int, ...]] = {}
        for key, raw in bulletins.items():
            links = links_of(raw)
            if not links:
                continue
            doc_id = int(key)
            if links.follows in self.uids:
                self.children.setdefault(self.uids[links.follows], []).append(doc_id)  # type: ignore[index]
            present = [self.uids[u] for u in links.translations if u in self.uids]
            if present:
                self.groups[doc_id] = tuple(sorted({doc_id, *present}))

    def group(self, doc_id: int) -> tuple[int, ...]:
        return self.groups.get(doc_id, (doc_id,))

    def case(self, doc_id: int) -> list[int]:
        """Every bulletin of the thread `doc_id` is in (all language versions), by id."""
        roots = {thread_root(self.bulletins, self.uids, m) for m in self.group(doc_id)}
        todo = [m for r in sorted(roots) for m in self.group(r)]
        seen: set[int] = set()
        while todo:
            current = todo.pop()
            if current in seen:
                continue
            seen.add(current)
            todo.extend(self.group(current))
            todo.extend(self.children.get(current, ()))
        return sorted(seen)


class Step(Struct, frozen=True):
    """One bulletin of a thread (its version in the reader's language), and the other versions."""

    id: int
    date: str
    title: str
    lang: str
    kind: str  # "alert" for the first, else the follow-up's kind
    closes: bool
    versions: tuple[int, ...]  # the other language versions' ids

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "title": self.title,
            "lang": self.lang,
            "kind": self.kind,
            "closes": self.closes,
            "versions": list(self.versions),
        }


class Thread(Struct, frozen=True):
    steps: list[Step] = field(default_factory=list)

    @property
    def closed(self) -> bool:
        return any(step.closes for step in self.steps)

    def to_dict(self) -> dict[str, Any]:
        return {"closed": self.closed, "steps": [step.to_dict() for step in self.steps]}


def _of(raw: Mapping[str, Any]) -> LinkData:
    return links_of(raw) or LinkData()


def thread_steps(structure: Links, doc_id: int, lang: str) -> Thread:
    """The thread of `doc_id`, one step per translation group, oldest first (date, then id)."""
    bulletins = structure.bulletins
    steps: list[Step] = []
    done: set[int] = set()
    for member in structure.case(doc_id):
        if member in done:
            continue
        group = structure.group(member)
        done.update(group)
        shown = pick_version(bulletins, group, lang)
        raw = bulletins[str(shown)]
        found = [_of(bulletins[str(m)]) for m in group]
        follow = next((links for links in found if links.follows), None)
        steps.append(
            Step(
                id=shown,
                date=raw["date"],
                title=raw["title"],
                lang=raw.get("lang") or "en",
                kind=(follow.followup or "update") if follow else (raw.get("category") or "-"),
                closes=any(links.closes for links in found),
                versions=tuple(m for m in group if m != shown),
            )
        )
    steps.sort(key=lambda step: (step.date, step.id))
    return Thread(steps)


def thread_of(archive: Archive, doc_id: int, lang: str) -> Thread:
    """`whrd thread ID`: the thread of any of its bulletins."""
    bulletins = {str(key): raw for key, raw in archive.raw_items()}
    if str(doc_id) not in bulletins:
        raise NotFoundError(_("No bulletin with id {id}. See the ids with 'whrd list'.").format(id=doc_id))
    return thread_steps(Links(bulletins), doc_id, lang)


class OpenAlert(Struct, frozen=True):
    """An alert whose thread has no closing follow-up."""

    id: int
    date: str
    title: str
    countries: tuple[str, ...]
    last_news: str  # the date of the thread's newest bulletin
    days: int  # since the last news
    followups: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "date": self.date,
            "title": self.title,
            "countries": list(self.countries),
            "last_news": self.last_news,
            "days_since_last_news": self.days,
            "followups": self.followups,
        }


def alert_cases(bulletins: Mapping[str, Raw], lang: str) -> list[tuple[int, Thread]]:
    """Every alert that follows nothing, with its thread, once per translation group (the
    version in `lang` when there is one)."""
    structure = Links(bulletins)
    seen: set[int] = set()
    cases: list[tuple[int, Thread]] = []
    for key, raw in bulletins.items():
        if raw.get("category") != ALERT:
            continue
        doc_id = int(key)
        if doc_id in seen:
            continue
        if not structure.uids:  # no link in the archive: each alert is its own thread
            step = Step(doc_id, raw["date"], raw["title"], raw.get("lang") or "en", ALERT, False, ())
            cases.append((doc_id, Thread([step])))
            continue
        if _of(raw).follows in structure.uids:
            continue  # a follow-up filed as an alert: part of another thread
        group = structure.group(doc_id)
        seen.update(group)
        cases.append((pick_version(bulletins, group, lang), thread_steps(structure, doc_id, lang)))
    return cases


def open_alerts(bulletins: Mapping[str, Raw], lang: str, today: datetime.date) -> list[OpenAlert]:
    """`whrd list --open-alerts`: alerts with no closing follow-up, oldest first."""
    found = []
    for alert_id, thread in alert_cases(bulletins, lang):
        if thread.closed:
            continue
        raw = bulletins[str(alert_id)]
        last = max(step.date for step in thread.steps)
        found.append(
            OpenAlert(
                id=alert_id,
                date=raw["date"],
                title=raw["title"],
                countries=tuple(raw.get("countries") or ()),
                last_news=last,
                days=(today - datetime.date.fromisoformat(last)).days,
                followups=len(thread.steps) - 1,
            )
        )
    found.sort(key=lambda alert: (alert.date, alert.id))
    return found


class Related(Struct, frozen=True):
    """A bulletin's links as `show` lists them: (id, lang, date, title) of each other version,
    of the bulletin it follows (with the kind), and of the follow-ups of it; uids not in the
    archive listed as such."""

    versions: list[tuple[int, str, str, str]]
    follows: tuple[int, str, str, str] | None
    kind: str | None
    closes: bool
    followups: list[tuple[int, str, str, str]]
    missing: list[str]


def related(raw: Mapping[str, Any], rows: Iterable[tuple[int, Mapping[str, Any]]]) -> Related:
    """`raw`'s links resolved against `rows` (the bulletins of the archive, or just the ones
    `search.reads.linked` found: the same answer)."""
    links = _of(raw)
    uid = raw.get("uid")
    by = {}
    followups = []
    for doc_id, other in rows:
        by[other.get("uid")] = (doc_id, other.get("lang") or "en", other["date"], other["title"])
        if uid and (links_of(other) or LinkData()).follows == uid:
            followups.append(by[other.get("uid")])
    versions = [by[u] for u in links.translations if u in by]
    missing = [u for u in links.uids() if u not in by]
    follows = by.get(links.follows) if links.follows else None
    return Related(sorted(versions), follows, links.followup, links.closes, sorted(followups), missing)


def related_of(archive: Archive, doc_id: int, raw: Mapping[str, Any]) -> Related:
    """`related` from the fresh search index when it can answer, else from the archive."""
    from .search.reads import linked

    links = _of(raw)
    uid = str(raw.get("uid") or "")
    rows = linked(archive.path, list(links.uids()), uid)
    if rows is None:
        wanted = set(links.uids())
        rows = [
            (key, other)
            for key, other in archive.raw_items()
            if other.get("uid") in wanted or (uid and _of(other).follows == uid)
        ]
    return related(raw, [(key, other) for key, other in rows if key != doc_id])
