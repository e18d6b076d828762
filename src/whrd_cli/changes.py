"""What changed between two versions of a bulletin: field by field, and word by word inside text.

`whrd history` shows these; `undo` and `restore` show them before they write. Pure functions of
two stored dicts (absent fields read as empty), so the same comparison serves a live bulletin, an
old version kept in history and a tombstone. Never prints.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from difflib import SequenceMatcher
from typing import Any

from msgspec import Struct

# The fields a user wrote, in the order `show` gives them; `added`/`updated` are the store's.
COMPARED: tuple[str, ...] = (
    "title",
    "date",
    "category",
    "countries",
    "lang",
    "summary",
    "truncated",
    "tags",
    "url",
    "source",
    "private",
)
TEXTS = frozenset({"title", "summary", "private"})
LISTS = frozenset({"countries", "tags"})

# Words, runs of spaces and single signs: a change of one comma is not a change of the word.
_TOKEN = re.compile(r"\s+|\w+|[^\w\s]")

Segment = tuple[str, str]  # ("=", "-" or "+", text)


class FieldChange(Struct, frozen=True):
    """One field that differs: its value before and after, and for text the words that changed
    (`words`: segments to keep "=", drop "-" and add "+", in reading order)."""

    field: str
    before: Any
    after: Any
    words: tuple[Segment, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"field": self.field, "before": self.before, "after": self.after}
        if self.field in LISTS:
            data["removed"] = [v for v in self.before or () if v not in (self.after or ())]
            data["added"] = [v for v in self.after or () if v not in (self.before or ())]
        if self.words:
            data["words"] = [list(segment) for segment in self.words]
        return data


def _value(raw: Mapping[str, Any] | None, name: str) -> Any:
    value = (raw or {}).get(name)
    if name in LISTS:
        return list(value or ())
    if name == "truncated":
        return bool(value)
    return value if value not in ("",) else None


def word_diff(before: str, after: str) -> tuple[Segment, ...]:
    """The words of `before` kept, dropped and added to make `after`; adjacent segments of one
    kind are joined, so a changed phrase reads as one change."""
    old, new = _TOKEN.findall(before), _TOKEN.findall(after)
    segments: list[Segment] = []

    def put(kind: str, tokens: Sequence[str]) -> None:
        text = "".join(tokens)
        if not text:
            return
        if segments and segments[-1][0] == kind:
            segments[-1] = (kind, segments[-1][1] + text)
        else:
            segments.append((kind, text))

    for op, i1, i2, j1, j2 in SequenceMatcher(None, old, new, autojunk=False).get_opcodes():
        if op == "equal":
            put("=", old[i1:i2])
        else:
            put("-", old[i1:i2])
            put("+", new[j1:j2])
    return tuple(segments)


def field_changes(
    before: Mapping[str, Any] | None, after: Mapping[str, Any] | None, *, private: bool = False
) -> list[FieldChange]:
    """The fields that differ between two stored dicts (None: no such version, e.g. before an
    add or after a delete), in `COMPARED` order; the private note only when `private`."""
    found = []
    for name in COMPARED:
        if name == "private" and not private:
            continue
        old, new = _value(before, name), _value(after, name)
        if old == new:
            continue
        words = word_diff(old or "", new or "") if name in TEXTS and old and new else ()
        found.append(FieldChange(name, old, new, words))
    return found


def plain_words(segments: Sequence[Segment]) -> str:
    """Segments for a pipe or a log, as `git diff --word-diff=plain` writes them."""
    marks = {"=": ("", ""), "-": ("[-", "-]"), "+": ("{+", "+}")}
    return "".join(f"{marks[kind][0]}{text}{marks[kind][1]}" for kind, text in segments)
