"""Likely duplicates and near-identical labels: what a hand or a second import may have doubled.

Duplicates: bulletins of the same date and the same countries whose folded titles (`text.fold`,
words only, as the store's dedupe key reads them) are near-identical: the same words, or words
that differ by a slip (each changed word at least 80 % alike by difflib's ratio, at most one
short word of three letters or fewer added or dropped, at most two changes). A changed accent,
case, punctuation or typo matches; a different name or place in a templated title ("Defensoras
de México se reúnen en Yucatán / en Guerrero …") does not, though difflib would rate such long
titles above 0.9. Only bulletins of one (date, countries) group are compared, so the cost stays
linear in the archive (groups are small: 12 at most in the 100k benchmark archive; a big one is
compared by neighbours, see `_pairs`).

Labels: tags (or categories) that are one after folding but written differently (`WHRD`/`whrd`,
`Garífuna`/`Garifuna`), or whose folded forms differ by one letter (`WHRDs`/`WHRD`), as jrnl
warns of similar tags. Forms shorter than four letters are left out of the second test
(`HN`/`GT`, `UN`/`EU` would flood it). Near pairs are found by shared one-deletion keys (the
symmetric-delete method), never by comparing every pair.
"""

from __future__ import annotations

import difflib
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from ..i18n import _
from ..text import fold
from .report import WARNING, Finding
from .subject import Subject

WORD_RATIO = 0.8
MAX_CHANGES = 2
SHORT_WORD = 3
_WORDS = re.compile(r"\w+")
MIN_SIMILAR_LENGTH = 4


def likely_duplicates(subject: Subject) -> list[Finding]:
    groups: dict[tuple[str, tuple[str, ...]], list[tuple[str, str]]] = defaultdict(list)
    for key, raw in subject.sound_bulletins.items():
        countries = raw.get("countries") or ()
        groups[raw["date"], tuple(sorted(countries) if len(countries) > 1 else countries)].append(
            (key, raw["title"])
        )
    found = []
    for (day, countries), members in groups.items():
        if len(members) < 2:
            continue  # most bulletins: nothing to compare, not even a title to fold
        words = [(int(key), tuple(_WORDS.findall(fold(title)))) for key, title in members]
        for cluster in _clusters(words):
            found.append(
                Finding(
                    "likely-duplicate",
                    WARNING,
                    _(
                        "Bulletins {ids} may be one bulletin: same date ({date}), same countries, "
                        "near-identical titles."
                    ).format(ids=", ".join(map(str, cluster)), date=day),
                    ids=tuple(cluster),
                    field="title",
                    value=list(countries),
                )
            )
    found.sort(key=lambda f: f.ids)
    return found


def _clusters(members: list[tuple[int, tuple[str, ...]]]) -> list[list[int]]:
    """Groups of ids whose titles are near-identical, joined transitively (union-find)."""
    parent = {doc_id: doc_id for doc_id, _words in members}

    def root(doc_id: int) -> int:
        while parent[doc_id] != doc_id:
            parent[doc_id] = parent[parent[doc_id]]
            doc_id = parent[doc_id]
        return doc_id

    for first, a, second, b in _pairs(members):
        if a == b or _near(a, b):
            parent[root(second)] = root(first)
    clusters: dict[int, list[int]] = defaultdict(list)
    for doc_id, _words in members:
        clusters[root(doc_id)].append(doc_id)
    return [sorted(ids) for ids in clusters.values() if len(ids) > 1]


FEW = 64  # a group this small is compared pair by pair; a bigger one by neighbours
NEIGHBOURS = 8


def _pairs(
    members: list[tuple[int, tuple[str, ...]]],
) -> list[tuple[int, tuple[str, ...], int, tuple[str, ...]]]:
    """The pairs of a group to compare: all of them in a small group; in a big one (hundreds of
    bulletins on one day about one country, a templated series), each title with its nearest
    neighbours in word order and in reversed word order, so the work stays ~linear: a slip
    leaves either the start or the end of a title in place, and keeps the two titles adjacent."""
    if len(members) <= FEW:
        return [(i, a, j, b) for n, (i, a) in enumerate(members) for j, b in members[n + 1 :]]
    found = []
    for key in (lambda m: m[1], lambda m: m[1][::-1]):
        ordered = sorted(members, key=key)
        for n, (i, a) in enumerate(ordered):
            found += [(i, a, j, b) for j, b in ordered[n + 1 : n + 1 + NEIGHBOURS]]
    return found


def _near(a: tuple[str, ...], b: tuple[str, ...]) -> bool:
    """Two titles' words that differ only by slips (see the module's docstring)."""
    if abs(len(a) - len(b)) > 1 or len(set(a) ^ set(b)) > 2 * MAX_CHANGES:
        return False
    changes = added = 0
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            continue
        if tag == "replace" and i2 - i1 == j2 - j1:
            if not all(map(_slip, a[i1:i2], b[j1:j2])):
                return False
            changes += i2 - i1
        elif tag in ("insert", "delete"):
            words = a[i1:i2] + b[j1:j2]
            if len(words) > 1 or len(words[0]) > SHORT_WORD:
                return False
            changes += 1
            added += 1
        else:
            return False
    return changes <= MAX_CHANGES and added <= 1


def _slip(x: str, y: str) -> bool:
    """One word written for another by a slip: at least WORD_RATIO alike. Never a number: `13`
    and `14`, `12345` and `12346` name different things."""
    if any(c.isdigit() for c in x + y):
        return x == y
    return difflib.SequenceMatcher(None, x, y, autojunk=False).ratio() >= WORD_RATIO


def similar_tags(subject: Subject) -> list[Finding]:
    uses = _uses(subject.sound_bulletins.items(), "tags")
    return _similar(uses, "similar-tags", "tags", lambda name: f"#{name}", _langs(subject))


def similar_categories(subject: Subject) -> list[Finding]:
    uses = _uses(subject.sound_bulletins.items(), "category")
    return _similar(uses, "similar-categories", "category", str, _langs(subject))


def _langs(subject: Subject) -> Callable[[list[int]], frozenset[str]]:
    """The languages of these bulletins: `#Protección` on Spanish bulletins and `#Protection` on
    English ones are a translation, not a slip. Asked only of the labels one letter apart."""
    table = subject.sound_bulletins
    return lambda ids: frozenset(table[str(i)].get("lang") or "" for i in ids)


def _uses(items: Iterable[tuple[str, Mapping[str, Any]]], name: str) -> dict[str, list[int]]:
    """Each label as written -> the ids of the bulletins that carry it."""
    uses: dict[str, list[int]] = defaultdict(list)
    for key, raw in items:
        value = raw.get(name)
        for label in value if isinstance(value, list) else [value] if value else []:
            uses[label].append(int(key))
    return uses


def _similar(
    uses: dict[str, list[int]],
    kind: str,
    field: str,
    show: Callable[[str], str],
    langs: Callable[[list[int]], frozenset[str]],
) -> list[Finding]:
    by_fold: dict[str, list[str]] = defaultdict(list)
    for label in uses:
        by_fold[fold(label)].append(label)
    groups = [sorted(labels) for labels in by_fold.values() if len(labels) > 1]

    def used_in(form: str) -> frozenset[str]:
        return langs([doc_id for label in by_fold[form] for doc_id in uses[label]])

    groups += [
        sorted(by_fold[a] + by_fold[b])
        for a, b in _one_edit_apart(list(by_fold))
        if used_in(a) & used_in(b)  # never in one language: one word in two, not a slip
    ]
    found = []
    for labels in sorted(groups):
        # The most used first: the one to keep, most likely; the ids named are the others'.
        labels.sort(key=lambda label: (-len(uses[label]), label))
        counted = ", ".join(
            _("{label} ({n})").format(label=show(label), n=len(uses[label])) for label in labels
        )
        found.append(
            Finding(
                kind,
                WARNING,
                _("{labels} differ only by case, accents or a letter; one of them is likely a slip.").format(
                    labels=counted
                ),
                ids=tuple(sorted(doc_id for label in labels[1:] for doc_id in uses[label])),
                field=field,
                value=labels,
            )
        )
    return found


def _one_edit_apart(forms: list[str]) -> list[tuple[str, str]]:
    """Pairs of forms (each at least MIN_SIMILAR_LENGTH long) one insertion, deletion or
    substitution apart: candidates share a key (the form, or it less one character), then checked."""
    keyed: dict[str, set[str]] = defaultdict(set)
    for form in forms:
        if len(form) < MIN_SIMILAR_LENGTH:
            continue
        keyed[form].add(form)
        for i in range(len(form)):
            keyed[form[:i] + form[i + 1 :]].add(form)
    pairs: set[tuple[str, str]] = set()
    for members in keyed.values():
        if len(members) > 1:
            ordered = sorted(members)
            pairs.update((a, b) for i, a in enumerate(ordered) for b in ordered[i + 1 :] if _one_edit(a, b))
    return sorted(pairs)


def _one_edit(a: str, b: str) -> bool:
    """Exactly one insertion, deletion or substitution turns `a` into `b`."""
    if len(a) > len(b):
        a, b = b, a
    if len(b) - len(a) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    i = next((i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[i:] == b[i + 1 :]
