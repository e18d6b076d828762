"""One `Filter` for list, search, export and stats: built once from user options, tested on raw dicts;
and the one reading order of a selection (`sort_items`), for `list` and `export` alike.

`matches` works on the id and the stored dict rather than a `Bulletin`, because a scan of 100,000 bulletins
must not build 100,000 objects to keep fifty.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from datetime import date
from functools import lru_cache
from typing import Any, TypeVar

from msgspec import Struct

from .text import fold


@lru_cache(maxsize=8192)
def _fold_tag(tag: str) -> str:
    """Tags repeat across bulletins: fold each spelling once, not once per bulletin."""
    return fold(tag)


class Filter(Struct, frozen=True, kw_only=True):
    """Filters combine with AND; the values within one filter combine with OR."""

    countries: frozenset[str] = frozenset()
    categories: frozenset[str] = frozenset()
    tags: frozenset[str] = frozenset()  # folded
    since: str | None = None  # YYYY-MM-DD, inclusive
    until: str | None = None  # YYYY-MM-DD, inclusive
    langs: frozenset[str] = frozenset()
    ids: frozenset[int] = frozenset()

    @classmethod
    def build(
        cls,
        *,
        countries: Sequence[str] = (),
        categories: Sequence[str] = (),
        tags: Sequence[str] = (),
        since: str | None = None,
        until: str | None = None,
        langs: Sequence[str] = (),
        ids: Iterable[int] = (),
        today: date,
        categories_in_use: Callable[[], Collection[str]] | None = None,
    ) -> Filter:
        """Resolve user words (country names, regions, comma lists, category aliases, relative dates).

        `categories_in_use` gives the archive's own categories (stored keys); when given, it is
        asked (once) only for a category whrd does not know, and a category in neither is refused
        with the closest ones named. Without it, an unknown category is taken as written.
        """
        from .categories import BY_KEY, normalise_category, unknown_category
        from .countries import resolve_countries
        from .dates import parse_range
        from .model import normalise_lang

        codes: set[str] = set()
        for name in countries:
            codes.update(resolve_countries(name))
        cats: set[str] = set()
        in_use: Collection[str] | None = None
        for text in categories:
            key = normalise_category(text)
            if key is None:
                continue
            if key not in BY_KEY and categories_in_use is not None:
                in_use = categories_in_use() if in_use is None else in_use
                problem = unknown_category(text, in_use)
                if problem:
                    from .errors import InputError

                    raise InputError(problem, field="category", value=text)
            cats.add(key)
        start = parse_range(since, today=today).start.isoformat() if since else None
        end = parse_range(until, today=today).end.isoformat() if until else None
        if start and end and start > end:
            from .errors import InputError
            from .i18n import _

            raise InputError(
                _("--since {since} is after --until {until}: nothing can match.").format(
                    since=since, until=until
                )
            )
        return cls(
            countries=frozenset(codes),
            categories=frozenset(cats),
            tags=frozenset(fold(t.lstrip("#")) for t in tags if t.strip()),
            since=start,
            until=end,
            langs=frozenset(normalise_lang(x) for x in langs),
            ids=frozenset(ids),
        )

    @property
    def is_empty(self) -> bool:
        return not (
            self.countries
            or self.categories
            or self.tags
            or self.since
            or self.until
            or self.langs
            or self.ids
        )

    def matches(self, doc_id: int, raw: Mapping[str, Any]) -> bool:
        """Whether the bulletin with this id and stored dict passes every filter, ids included."""
        if self.ids and doc_id not in self.ids:
            return False
        if self.since and raw["date"] < self.since:
            return False
        if self.until and raw["date"] > self.until:
            return False
        if self.countries and self.countries.isdisjoint(raw.get("countries") or ()):
            return False
        if self.categories and raw.get("category") not in self.categories:
            return False
        if self.langs and raw.get("lang") not in self.langs:
            return False
        return not (self.tags and self.tags.isdisjoint(map(_fold_tag, raw.get("tags") or ())))

    def describe(self) -> dict[str, Any]:
        """The filters in force, for digests and JSON summaries."""
        described: dict[str, Any] = {}
        for name in ("countries", "categories", "tags", "langs"):
            values = getattr(self, name)
            if values:
                described[name] = sorted(values)
        if self.since:
            described["since"] = self.since
        if self.until:
            described["until"] = self.until
        return described


def categories_of(items: Iterable[tuple[int, Mapping[str, Any]]]) -> frozenset[str]:
    """The categories that stored bulletins (id, stored dict) use: the archive's own words."""
    return frozenset(category for _id, raw in items if isinstance(category := raw.get("category"), str))


# -- the reading order -------------------------------------------------------------------------

SORTS: tuple[str, ...] = ("date", "added", "title")
Item = tuple[int, Mapping[str, Any]]
_Item = TypeVar("_Item", bound=Item)


def sort_key(by: str) -> Callable[[Item], tuple[str, int]]:
    """The key of `(id, stored dict)` items for the order `by` (one of SORTS); ties go by id.

    A title sorts by its folded text from its first word: "¿Quién…?" and "“Quoted”" among the Q's.
    """
    if by == "title":
        import re

        leading = re.compile(r"^\W+")
        return lambda item: (leading.sub("", fold(item[1]["title"])), item[0])
    if by == "added":
        return lambda item: (item[1].get("added") or "", item[0])
    if by == "date":
        return lambda item: (item[1]["date"], item[0])
    raise ValueError(f"cannot sort by {by!r}")  # a bug: the CLI checks the order against SORTS


def sort_items(items: list[_Item], *, by: str = "date", reverse: bool = False) -> None:
    """Sort `(id, stored dict)` items in place as whrd shows them: newest first by date or by
    when added (the higher id first on a tie), titles from A (the lower id first); `reverse`
    turns the order round."""
    descending = by != "title"
    items.sort(key=sort_key(by), reverse=descending != reverse)
