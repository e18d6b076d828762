"""Suggested translation pairs (issue 17): two bulletins that are likely one text in English and
Spanish. Candidates share the category (in either language) and a country (the countries of a
listing are read from its text, and one version may name a neighbour the other does not: fewer
shared countries lower the confidence) and lie within two days of each other, in different
languages, neither already having a version in the other's language; they are scored by what
their titles (and, less, their summaries) say in common across the languages:

- names, places and numbers (`Rosa Elvira Tox`, `Olancho`, `2021`) match as written, folded;
- number words (five, cinco) become numbers; countries and capitals (Mexico/México, Belize/Belice)
  become their ISO code (`countries.find_countries`);
- a small EN/ES glossary of the network's words (threat/amenaza, released/liberada) maps both to
  one concept, and long words that begin alike (criminalisation/criminalización) match as cognates.

The confidence (0-100) is the weighted share of those concepts the two have in common, lowered a
little for each day apart. Each bulletin is paired at most once per language (the best first).
Pure: takes stored dicts, returns `Pair`s; the CLI shows them and `Archive.relink` links them.
"""

from __future__ import annotations

import datetime
import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from collections.abc import Iterable, Mapping
from functools import lru_cache
from typing import Any

from msgspec import Struct

from .links_model import links_of
from .text import fold

Raw = dict[str, Any]
TITLES_AT_LEAST = 0.2  # titles that say less in common are not read further (nor are summaries)
DAYS = 2  # the most days two versions of one bulletin lie apart
SHOWN = 40  # pairs below this confidence are not worth showing
DEFAULT_MIN = 70  # what --yes accepts unless told: no false pair at or above it in the tests' held-out set

_WORD = re.compile(r"[^\W_]+")
_NAME = re.compile(r"(?<![\w'’])[A-ZÁÉÍÓÚÑÜ][\w'’-]+")
_SENTENCE_START = re.compile(r"[\s\"“”«¿¡'‘(#]*")
_AFTER_STOP = re.compile(r"[.:!?][\s\"“”«¿¡'‘(]*$")
_STOP_TEXT = (
    "the of and to in on for with against from by at an a is are was were be has have had its "
    "it because our we they you porque nuestra nuestro nuestras nuestros their who that this "
    "not or after before into about over under new as his her el la los las lo de del al y e "
    "en con contra por para sin sobre desde tras ante que su sus una un es son fue ha han se "
    "le les mas ya otra otro"
)
_STOP = frozenset(_STOP_TEXT.split())
_NUMBERS = {
    **dict.fromkeys(("one", "uno", "una", "un"), "1"),
    **dict.fromkeys(("two", "dos"), "2"),
    **dict.fromkeys(("three", "tres"), "3"),
    **dict.fromkeys(("four", "cuatro"), "4"),
    **dict.fromkeys(("five", "cinco"), "5"),
    **dict.fromkeys(("six", "seis"), "6"),
    **dict.fromkeys(("seven", "siete"), "7"),
    **dict.fromkeys(("eight", "ocho"), "8"),
    **dict.fromkeys(("nine", "nueve"), "9"),
    **dict.fromkeys(("ten", "diez"), "10"),
    **dict.fromkeys(("twelve", "doce"), "12"),
    **dict.fromkeys(("fifteen", "quince"), "15"),
    **dict.fromkeys(("sixteen", "dieciseis"), "16"),
    **dict.fromkeys(("twenty", "veinte"), "20"),
    **dict.fromkeys(("hundred", "cien", "cientos"), "100"),
}
# The network's words, English and Spanish forms of one concept (folded, no accents).
_GLOSSARY_TEXT = """
threat threats threatened threatening amenaza amenazas amenazada amenazadas amenazado amenazan
kill killed killing murder murdered asesinato asesinada asesinadas asesinado asesinan
detain detained detention arrest arrested detenida detenidas detenido detencion arresto
release released freed liberada liberadas liberado liberacion libertad
attack attacks attacked agresion agresiones ataque ataques atacada
defender defenders defensora defensoras defensor defensores
journalist journalists periodista periodistas
women woman mujeres mujer
land tierra tierras territory territorial territorio
water agua aguas
river rivers rio rios
forest forests bosque bosques
mining mine mines mineria minera minero
year years ano anos
day days dia dias
letter carta
report informe
forum foro
radio emisora
community communities comunidad comunidades comunitaria comunitario
disappeared disappearance desaparecida desaparecidas desaparecidos desaparicion
mother mothers madre madres
exile exiled exilio exiliadas
raid raided allanamiento allanada
harassment harassed hostigamiento hostigada acoso
smear campaign campana campaign estigmatizacion
protection protective proteccion medidas
trial court juicio tribunal juzgado
hearing hearings audiencia
charges charged cargos acusada criminalizada
solidarity solidaridad
closed closure cierre cerrado archivado
case caso
indigenous indigena indigenas
organisation organization organizacion
office sede
network red redes
life vida
action actions activism accion acciones activismo
online virtual linea
""".strip()
_GLOSSARY = {word: f"~{row.split()[0]}" for row in _GLOSSARY_TEXT.splitlines() for word in row.split()}
_STEM = 6  # words this long that begin alike are taken for cognates
# Categories the model keeps as written (it knows no Spanish for them): one key for both languages.
_CATEGORY_WORDS = {
    "entrevista": "interview",
    "evento": "event",
    "campana": "campaign",
    "noticia": "news",
    "pronunciamiento": "statement",
    "informe": "report",
}


# The glossary's words in the plural too (networks, redes), looked up in one step.
_GLOSSARY_FORMS = {
    **{f"{word}es": concept for word, concept in _GLOSSARY.items()},
    **{f"{word}s": concept for word, concept in _GLOSSARY.items()},
    **_GLOSSARY,
}


class Pair(Struct, frozen=True):
    """Two bulletins that are likely one text in two languages, and how sure."""

    first: int
    second: int
    confidence: int
    first_lang: str
    second_lang: str
    first_title: str
    second_title: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "ids": [self.first, self.second],
            "confidence": self.confidence,
            "langs": [self.first_lang, self.second_lang],
            "titles": [self.first_title, self.second_title],
        }


@lru_cache(maxsize=4096)
def concepts(text: str, *, places: bool = True) -> dict[str, float]:
    """The concepts a text names, each with its weight: names, places and numbers 3, glossary
    words 1.5, other words 1. Words (names too) are keyed by their first letters, so cognates
    and a name written in lower case in the other language (Xinca, xinca) meet. `places`: look
    for countries and capitals by name (titles; a summary's are its countries' field)."""
    found: dict[str, float] = {}
    if not text:
        return found
    if places:
        from .countries import find_countries

        for code in find_countries(text):
            found[f"@{code}"] = 3.0
    for match in _NAME.finditer(text):
        if _SENTENCE_START.fullmatch(text, 0, match.start()) or _AFTER_STOP.search(text, 0, match.start()):
            continue  # a sentence's first word is capitalised anyway
        word = fold(match.group(0))
        if word not in _STOP and word not in _GLOSSARY_FORMS and word not in _NUMBERS:
            found[word[:_STEM]] = 3.0  # the same key as the word written in lower case
    for word in _WORD.findall(fold(text)):
        if word.isdigit():
            found[f"#{int(word)}"] = 3.0
        elif word in _NUMBERS:
            found[f"#{_NUMBERS[word]}"] = 3.0
        elif (concept := _GLOSSARY_FORMS.get(word)) is not None:
            found.setdefault(concept, 1.5)
        elif word not in _STOP and len(word) > 2:
            found.setdefault(word[:_STEM], 1.0)
    return found


class Scorer:
    """How sure two bulletins are one text, weighing each concept by its rarity in the archive
    (estimated on an even sample): a name or topic that few bulletins share tells much more than
    the words of a template ("Letter to the Congress of …") that many do."""

    SAMPLE = 1500  # enough to tell a template's words from a case's names

    def __init__(self, bulletins: Mapping[str, Raw]) -> None:
        raws = list(bulletins.values())
        step = max(1, len(raws) // self.SAMPLE)
        sample = raws[::step]
        self.size = len(sample)
        self.df: Counter[str] = Counter()
        for raw in sample:
            self.df.update({*concepts(raw["title"]), *concepts(_summary(raw), places=False)})

        self._titles: dict[int, dict[str, float]] = {}
        self._summaries: dict[int, dict[str, float]] = {}

    def _weighted(self, found: Mapping[str, float]) -> dict[str, float]:
        size = self.size + 1
        return {
            key: weight * math.log(size / (min(self.df.get(key, 0), size - 1) + 0.5))
            for key, weight in found.items()
        }

    def _title(self, doc_id: int, raw: Raw) -> dict[str, float]:
        found = self._titles.get(doc_id)
        if found is None:
            found = self._titles[doc_id] = self._weighted(concepts(raw["title"]))
        return found

    def _summary(self, doc_id: int, raw: Raw) -> dict[str, float]:
        found = self._summaries.get(doc_id)
        if found is None:
            found = self._summaries[doc_id] = self._weighted(concepts(_summary(raw), places=False))
        return found

    @staticmethod
    def similarity(a: Mapping[str, float], b: Mapping[str, float], known: frozenset[str]) -> float:
        """Weighted Dice coefficient of two concept sets (0 to 1), the `known` concepts left out."""
        total = sum(w for k, w in a.items() if k not in known) + sum(
            w for k, w in b.items() if k not in known
        )
        if total <= 0:
            return 0.0
        shared = sum(weight + b[key] for key, weight in a.items() if key in b and key not in known)
        return max(0.0, min(1.0, shared / total))

    def confidence(self, one: Raw, other: Raw, first: int, second: int) -> int:
        """How sure (0-100) bulletins `first` and `second` are one text: mostly their titles,
        then their summaries, less for each day apart and each country only one of them names."""
        known = _own_places(tuple(one.get("countries") or ()), tuple(other.get("countries") or ()))
        titles = self.similarity(self._title(first, one), self._title(second, other), known)
        if titles < TITLES_AT_LEAST:
            return 0
        summaries = None
        if one.get("summary") and other.get("summary"):
            summaries = self.similarity(self._summary(first, one), self._summary(second, other), known)
        # Two summaries that name different people and places outweigh titles cut from a template.
        score = titles if summaries is None else 0.4 * titles + 0.6 * summaries
        days = abs(_day(one["date"]) - _day(other["date"]))
        mine, theirs = set(one.get("countries") or ()), set(other.get("countries") or ())
        agree = 1.0 if mine == theirs else 0.85 + 0.15 * len(mine & theirs) / len(mine | theirs)
        return round(100 * min(1.0, score * 1.25) * (1 - 0.05 * days) * agree)


@lru_cache(maxsize=4096)
def _own_places(*codes: tuple[str, ...]) -> frozenset[str]:
    """The concepts of the bulletins' own countries (their codes, English and Spanish names):
    both name them, since candidates share them, so they tell nothing."""
    from .countries import country_name

    found: set[str] = set()
    for code in {c for group in codes for c in group}:
        found.add(f"@{code}")
        for locale in ("en", "es"):
            for word in _WORD.findall(fold(country_name(code, locale))):
                found.add(word[:_STEM])
    return frozenset(found)


def _summary(raw: Raw) -> str:
    return str(raw.get("summary") or "")[:600]


@lru_cache(maxsize=8192)
def _day(date: str) -> int:
    return datetime.date.fromisoformat(date).toordinal()


def _block_key(raw: Raw) -> str:
    """Candidates share a category (in either language)."""
    category = raw.get("category") or ""
    return _CATEGORY_WORDS.get(fold(category), category)


def _countries_meet(one: Raw, other: Raw) -> bool:
    """The same countries, or some in common (a listing's countries are read from its text, and
    one version may name a neighbour the other does not), or none known on one side."""
    mine, theirs = one.get("countries") or (), other.get("countries") or ()
    return not mine or not theirs or not set(mine).isdisjoint(theirs)


def suggest(
    bulletins: Mapping[str, Raw], *, among: Iterable[int] | None = None, floor: int = SHOWN
) -> list[Pair]:
    """Likely translation pairs, most certain first (ties by id); `among`: only pairs with at
    least one of these ids (the bulletins an import just added)."""
    wanted = None if among is None else set(among)
    uids = {raw.get("uid"): int(key) for key, raw in bulletins.items() if raw.get("uid")}
    has_lang: dict[int, set[str]] = {}  # the languages each bulletin already has a version in
    blocks: dict[str, list[tuple[int, int]]] = {}
    for key, raw in bulletins.items():
        doc_id = int(key)
        links = links_of(raw)
        if links and links.translations:
            has_lang[doc_id] = {
                bulletins[str(uids[u])].get("lang") or "en" for u in links.translations if u in uids
            }
        blocks.setdefault(_block_key(raw), []).append((_day(raw["date"]), doc_id))
    candidates: list[tuple[Raw, Raw, int, int]] = []
    for members in blocks.values():
        if len(members) < 2:
            continue
        members.sort()
        days = [day for day, _doc in members]
        anchors = (
            range(len(members)) if wanted is None else [i for i, m in enumerate(members) if m[1] in wanted]
        )
        for i in anchors:
            day, first = members[i]
            one = bulletins[str(first)]
            lang = one.get("lang") or "en"
            # Every other bulletin of the block within DAYS (each pair once: the later one, or an
            # earlier one that is no anchor itself).
            for j in range(bisect_left(days, day - DAYS), bisect_right(days, day + DAYS)):
                second = members[j][1]
                if j == i or (j < i and (wanted is None or second in wanted)):
                    continue
                other = bulletins[str(second)]
                other_lang = other.get("lang") or "en"
                if (
                    other_lang == lang
                    or other_lang in has_lang.get(first, ())
                    or lang in has_lang.get(second, ())
                    or not _countries_meet(one, other)
                ):
                    continue
                candidates.append((one, other, first, second))
    if not candidates:  # no rarity to weigh: an import of one language costs nothing more
        return []
    scorer = Scorer(bulletins)
    scored = [
        (score, min(first, second), max(first, second))
        for one, other, first, second in candidates
        if (score := scorer.confidence(one, other, first, second)) >= floor
    ]
    return _best_first(bulletins, scored)


def _best_first(bulletins: Mapping[str, Raw], scored: list[tuple[int, int, int]]) -> list[Pair]:
    """Each bulletin paired at most once with each other language: the most certain pair wins."""
    taken: set[tuple[int, str]] = set()
    pairs: list[Pair] = []
    for score, first, second in sorted(scored, key=lambda s: (-s[0], s[1], s[2])):
        one, other = bulletins[str(first)], bulletins[str(second)]
        lang, other_lang = one.get("lang") or "en", other.get("lang") or "en"
        if (first, other_lang) in taken or (second, lang) in taken:
            continue
        taken.update({(first, other_lang), (second, lang)})
        pairs.append(Pair(first, second, score, lang, other_lang, one["title"], other["title"]))
    return pairs
