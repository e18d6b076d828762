"""The heading grammar of a listing block: labels (a category, countries), the title, hashtags.

    #WHRDAlert HONDURAS / Threats against a land defender in Tegucigalpa #WHRDs

A prefix of upper-case labels, each followed by " / ", gives the category (`NEWS`, `OPEN LETTER`,
`PRONUNCIAMIENTO`, `#WHRDAlert`, `#AlertaDefensoras`; a new upper-case label such as `INTERVIEW`
is kept as a new category) and countries (`ECUADOR`, `MÉXICO`, `HONDURAS, GUATEMALA`); hashtags
at the end are tags; the rest is the title, which may itself contain " / " (`NEWS / Land / water`
has the title `Land / water`). Both the reader and the writer use this grammar: the writer names
a country in a heading only in a form that reads back as that country.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from msgspec import Struct

from ...categories import BY_KEY, known_category, normalise_category
from ...countries import find_countries, lookup_country, region_of
from ...text import fold

# " / " between labels and the title; a slash with no space on either side ("24/7") is not one.
_SEPARATOR = re.compile(r"\s+/\s*|\s*/\s+")
# Hashtags at the end of a heading; a hashtag needs a letter ("#1" is not one).
_TRAILING_TAGS = re.compile(r"(?:\s+#(?=\S*[^\W\d_])\S+)+$")
# A leading hashtag, after any emoji or bullet pasted from social media (`🚨 #AlertaDefensoras`).
_LEADING_HASHTAG = re.compile(r"[^\w\s#]*\s*(#\S+)(?:[\s:/–—-]+|$)")
# Emoji, flags and bullets around a label (`🇭🇳 HONDURAS`): not part of a country's name.
_AROUND_LABEL = re.compile(r"^[^\w#(]+|[^\w.)]+$")
_COMMAS = re.compile(r"\s*,\s*")
_CONJUNCTIONS = re.compile(r"\s+(?:and|y|e|&)\s+", re.IGNORECASE)
# A new category label: one to three upper-case words of three or more letters (hyphens inside
# words allowed): `INTERVIEW`, `ACCIÓN URGENTE`; not `TV`, `UN WOMEN`, `COVID-19`.
_NEW_LABEL = re.compile(r"[^\W\d_]{3,}(?:-[^\W\d_]+)*(?: [^\W\d_]{3,}(?:-[^\W\d_]+)*){0,2}")
_SHORT_NAMES = frozenset({"usa", "uk", "eeuu"})


def label_countries(text: str, *, any_case: bool = False) -> list[str] | None:
    """The countries a heading label names (`HONDURAS`, `HONDURAS, GUATEMALA`, `HONDURAS Y EL
    SALVADOR`, `TRINIDAD AND TOBAGO`, a region: `MESOAMÉRICA`), or None when it is not only
    country and region names."""
    text = _AROUND_LABEL.sub("", text)
    if not text or not any(ch.isalpha() for ch in text) or (not any_case and text != text.upper()):
        return None
    codes: list[str] = []
    for listed in _COMMAS.split(text):
        names = [listed] if _heading_country(listed) or region_of(listed) else _CONJUNCTIONS.split(listed)
        for name in names:
            # A region (`MESOAMÉRICA`, `CENTROAMÉRICA`) stands for its countries, as in `whrd add`.
            found = region_of(name) or (_heading_country(name),)
            if None in found:
                return None
            codes += [code for code in found if code is not None and code not in codes]
    return codes


def _heading_country(text: str) -> str | None:
    # A bare ISO code is not a heading label: "TV / …", "AI / …", "PR / …" are not countries.
    key = fold(text).replace(" ", "").strip(".")
    if len(key) <= 3 and key not in _SHORT_NAMES:
        return None
    return lookup_country(text)


class _Label(Struct, frozen=True):
    category: str | None
    countries: tuple[str, ...]
    lang: str | None  # the language of a category label (NOTICIAS is Spanish), if it tells


def _category_lang(key: str | None, text: str) -> str | None:
    found = BY_KEY.get(key or "")
    if found is None:
        return None
    folded = fold(text)
    if folded == fold(found.label_es):
        return "es"
    if folded == fold(found.label_en):
        return "en"
    return None


def _label(segment: str, *, first: bool) -> _Label | None:
    """Read one " / "-separated heading segment as a label, or None when it is title text."""
    if segment != segment.upper() or not any(ch.isalpha() for ch in segment):
        return None
    countries = label_countries(segment)
    if countries:
        return _Label(None, tuple(countries), None)
    words = segment.split()
    for cut in range(len(words), 0, -1):
        head = " ".join(words[:cut])
        key = known_category(head)
        if key is None:
            continue
        rest = " ".join(words[cut:])
        named = label_countries(rest) if rest else []
        if named is not None:
            return _Label(key, tuple(named), _category_lang(key, head))
    if first and _NEW_LABEL.fullmatch(segment):
        return _Label(normalise_category(segment), (), None)
    return None


@lru_cache(maxsize=256)
def label_category(label: str) -> str | None:
    """The category a heading's first label gives (`NOTICIAS`, `INTERVIEW`), if it reads as one:
    the writer leaves out a category whose label would read back as title text (`COVID 19`)."""
    found = _label(label, first=True)
    return found.category if found is not None and not found.countries else None


def _hashtag_category(word: str) -> str | None:
    """The category a leading hashtag names (`#WHRDAlert`, `#AlertaDefensoras`); not `#News`."""
    key = known_category(word)
    found = BY_KEY.get(key or "")
    if found is None or not (found.label_en.startswith("#") or found.label_es.startswith("#")):
        return None
    return key


def has_label_prefix(text: str) -> bool:
    """Whether a line starts like a heading (`NEWS / …`, `#WHRDAlert HONDURAS / …`): a new block."""
    leading = _LEADING_HASHTAG.match(text)
    if leading and _hashtag_category(leading[1]):
        return True
    split = _SEPARATOR.search(text)
    if split is None or split.start() == 0:
        return False
    label = _label(text[: split.start()].strip(), first=False)
    return label is not None


class Heading(Struct, frozen=True):
    """What a heading line says."""

    title: str
    category: str | None
    countries: tuple[str, ...]
    tags: tuple[str, ...]
    lang: str | None


def parse_heading(text: str) -> Heading:
    """Split a heading into its labels (category, countries), title and trailing hashtags."""
    tags: list[str] = []
    trailing = _TRAILING_TAGS.search(text)
    rest = text
    if trailing:
        tags = [tag.lstrip("#").rstrip(".,;:") for tag in trailing[0].split()]
        rest = text[: trailing.start()]
    category: str | None = None
    label_lang: str | None = None
    countries: list[str] = []
    first = True
    leading = _LEADING_HASHTAG.match(rest)
    if leading and _hashtag_category(leading[1]):
        category = _hashtag_category(leading[1])
        label_lang = _category_lang(category, leading[1])
        rest = rest[leading.end() :]
        first = False
        split = _SEPARATOR.search(rest)
        if split is not None:
            named = label_countries(rest[: split.start()], any_case=True)
            if named:
                countries.extend(named)
                rest = rest[split.end() :]
    while True:
        split = _SEPARATOR.search(rest)
        if split is None or split.start() == 0:
            break
        label = _label(rest[: split.start()].strip(), first=first)
        if label is None or (label.category and category):
            break
        if label.category:
            category, label_lang = label.category, label.lang
        countries.extend(c for c in label.countries if c not in countries)
        rest = rest[split.end() :]
        first = False
    title = rest.strip()
    if not title and tags:  # a heading that is only hashtags: they are its title
        title, tags = " ".join(f"#{tag}" for tag in tags), []
    return Heading(title, category, tuple(countries), tuple(tags), label_lang)


def text_countries(title: str, tags: Sequence[str], summary: str) -> list[str]:
    """Countries named in a bulletin's words, in reading order: title, tags, summary."""
    found: list[str] = []
    for text in (title, " ".join(f"#{t}" for t in tags), summary):
        for code in find_countries(text):
            if code not in found:
                found.append(code)
    return found
