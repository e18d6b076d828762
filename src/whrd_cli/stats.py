"""Counting bulletins by a field: the one counting code behind `stats`, `countries` and `tags`."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from .dates import fold


@dataclass(frozen=True)
class Count:
    """One row of a count: the stored value, how it reads, how many bulletins, their share."""

    value: str
    label: str
    count: int
    share: float

    def to_dict(self) -> dict[str, Any]:
        return {"value": self.value, "label": self.label, "count": self.count, "share": self.share}


def _values(raw: Mapping[str, Any], by: str) -> Iterable[str]:
    if by == "country":
        return raw.get("countries") or ()
    if by == "tag":
        return raw.get("tags") or ()
    if by == "category":
        return (raw.get("category") or "",)
    if by == "lang":
        return (raw.get("lang") or "",)
    if by == "year":
        return (raw["date"][:4],)
    if by == "month":
        return (raw["date"][:7],)
    raise ValueError(f"cannot count by {by!r}")


def _label(value: str, by: str, locale: str) -> str:
    if by == "country":
        from .countries import country_name

        return country_name(value, locale)
    if by == "category":
        from .categories import category_name

        return category_name(value or None, locale) or ("(sin categoría)" if locale == "es" else "(none)")
    return value


def count_by(raws: Iterable[Mapping[str, Any]], by: str, *, locale: str = "en") -> list[Count]:
    """Counts sorted by count (then value); tags count case-insensitively under their first spelling.

    A bulletin with two countries counts once for each, so shares are of bulletins, not of rows.
    """
    counter: Counter[str] = Counter()
    spelling: dict[str, str] = {}
    total = 0
    for raw in raws:
        total += 1
        for value in _values(raw, by):
            if by == "tag":
                value = spelling.setdefault(fold(value), value)
            counter[value] += 1
    rows = sorted(counter.items(), key=lambda item: (-item[1], item[0]))
    return [
        Count(value, _label(value, by, locale), count, round(count / total, 4) if total else 0.0)
        for value, count in rows
    ]
