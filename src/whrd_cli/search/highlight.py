"""Highlights: where a query matched in a bulletin's title and summary, and the snippet shown.

Guarantees:
- a span covers a whole written word (accents included) and is a character offset into the
  original text, so a renderer can mark it without knowing how search folds or stems;
- words match here exactly as search matched them: stems for plain words (common words
  skipped, as in the index), the folded words themselves for a quoted phrase;
- a snippet is cut on word boundaries, marked `…` where cut, with its spans moved to match.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from msgspec import Struct

from ..records import lang_of
from .query import Query, Words
from .text import STOP_WORDS, stemmer, words_with_spans

SNIPPET_WIDTH = 160


class Highlighted(Struct, frozen=True):
    """A piece of text and the (start, end) character spans of the matches in it."""

    text: str
    spans: tuple[tuple[int, int], ...] = ()


class Highlights(Struct, frozen=True):
    """What a result shows: the title, and the part of the summary around the best match."""

    title: Highlighted
    snippet: Highlighted


def match_spans(text: str, atoms: Iterable[Words], lang: str) -> tuple[tuple[int, int], ...]:
    """Spans of `text` (original, accented) covering each match of the atoms, merged and sorted.

    Matched as search matches: stems for plain words (common words skipped, as in the index),
    the folded words themselves for a quoted phrase.
    """
    tokens = words_with_spans(text)
    stem = stemmer(lang)
    content = [(start, end, stem(word)) for start, end, word in tokens if word not in STOP_WORDS]
    spans: list[tuple[int, int]] = []
    for atom in atoms:
        if atom.exact:
            seq, wanted = tokens, list(atom.words)
        else:
            seq, wanted = content, [stem(word) for word in atom.content]
        have = [word for _s, _e, word in seq]
        size = len(wanted)
        for j in range(len(seq) - size + 1) if size else ():
            if have[j : j + size] == wanted:
                spans.append((seq[j][0], seq[j + size - 1][1]))
    return _merge(spans)


def _merge(spans: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[tuple[int, int]] = []
    for start, end in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(end, merged[-1][1]))
        else:
            merged.append((start, end))
    return tuple(merged)


def highlight(query: Query, raw: Mapping[str, Any], *, width: int = SNIPPET_WIDTH) -> Highlights:
    """The title and a snippet of the summary around its best match, with the matches' spans."""
    atoms = query.positive_words
    lang = lang_of(raw)
    title = raw.get("title") or ""
    summary = raw.get("summary") or ""
    title_spans = match_spans(title, atoms, lang)
    summary_spans = match_spans(summary, [a for a in atoms if a.field is None], lang)
    return Highlights(Highlighted(title, title_spans), snippet(summary, summary_spans, width=width))


def snippet(text: str, spans: Sequence[tuple[int, int]], *, width: int = SNIPPET_WIDTH) -> Highlighted:
    """About `width` characters of `text` around its densest run of matches, cut on word
    boundaries and marked `…` where cut; the spans are moved to the snippet's own offsets."""
    flat = text.replace("\r", " ").replace("\n", " ")  # same length: spans stay valid
    if len(flat) <= width:
        return Highlighted(flat, tuple(spans))
    start = max(0, _densest(spans, width) - width // 5) if spans else 0
    if start:
        space = flat.rfind(" ", 0, start + 1)
        start = space + 1 if space >= 0 else 0
    end = min(len(flat), start + width)
    if end < len(flat):
        space = flat.rfind(" ", start + 1, end + 1)
        if space > start:
            end = space
    body = flat[start:end]
    stripped = body.lstrip()
    start += len(body) - len(stripped)
    body = stripped.rstrip()
    end = start + len(body)
    prefix = "… " if start > 0 else ""
    suffix = " …" if end < len(flat) else ""
    shift = len(prefix) - start
    inside = tuple((s + shift, e + shift) for s, e in spans if s >= start and e <= end)
    return Highlighted(prefix + body + suffix, inside)


def _densest(spans: Sequence[tuple[int, int]], width: int) -> int:
    """Start of the match whose window (a fifth before it, the rest after) holds most matches."""
    lead = width // 5

    def inside(anchor: int) -> int:
        low = anchor - lead
        return sum(1 for start, end in spans if low <= start and end <= low + width)

    best = max(range(len(spans)), key=lambda k: (inside(spans[k][0]), -k))
    return spans[best][0]
