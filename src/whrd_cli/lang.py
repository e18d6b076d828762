"""Telling English from Spanish in a bulletin, honestly: by counting each language's stop words.

Bulletins are short and formulaic, so function words decide reliably; when neither language
clearly wins the answer is None and the caller decides (a `--lang` option, or a default).
"""

from __future__ import annotations

import re
from functools import cache

from .text import fold

_WORD = re.compile(r"[a-zñ]+")

_EN = frozenset(
    [
        "the",
        "of",
        "and",
        "to",
        "in",
        "is",
        "are",
        "was",
        "were",
        "for",
        "on",
        "with",
        "that",
        "this",
        "by",
        "from",
        "as",
        "at",
        "an",
        "be",
        "has",
        "have",
        "their",
        "its",
        "it",
        "we",
        "our",
        "they",
        "who",
        "which",
        "not",
        "or",
        "will",
        "would",
        "been",
        "against",
        "women",
        "defenders",
    ]
)
_ES = frozenset(
    [
        "el",
        "la",
        "los",
        "las",
        "de",
        "del",
        "y",
        "en",
        "que",
        "por",
        "para",
        "con",
        "una",
        "un",
        "es",
        "son",
        "fue",
        "su",
        "sus",
        "al",
        "se",
        "lo",
        "como",
        "contra",
        "mujeres",
        "defensoras",
        "nuestra",
        "nuestro",
        "ha",
        "han",
        "las",
        "desde",
        "sobre",
        "entre",
    ]
)


def detect_language(text: str) -> str | None:
    """`en`, `es`, or None when the text gives too little evidence either way."""
    words = _WORD.findall(fold(text))
    en = sum(word in _EN for word in words)
    es = sum(word in _ES for word in words)
    if en == es or (max(en, es) < 2 and abs(en - es) < 2):
        return None
    return "en" if en > es else "es"


# The names of whrd's own two languages, as pycountry's data gives them (a test holds them to it):
# nearly every archive holds only these, and reading pycountry's 0.9 MB language file costs
# `whrd stats` ~9 ms.
_OWN_NAMES: dict[str, tuple[str, str]] = {"en": ("English", "Inglés"), "es": ("Spanish", "Español")}


def is_language(code: str) -> bool:
    """Whether `code` is an ISO 639-1 code (pycountry's data; read only for codes other than en/es)."""
    return code in _OWN_NAMES or code in _language_names()


def language_name(code: str, locale: str = "en") -> str:
    """The name of an ISO 639-1 code in English or Spanish (pycountry's data); unknown codes as given."""
    names = _OWN_NAMES.get(code) or _language_names().get(code)
    if names is None:
        return code
    return names[1] if locale == "es" else names[0]


@cache
def _language_names() -> dict[str, tuple[str, str]]:
    """alpha-2 code -> (English, Spanish), read from pycountry's files without importing it (~40 ms)."""
    import gettext
    import json

    from .countries import pycountry_dir  # one place that finds the data files

    base = pycountry_dir()
    with open(base / "databases" / "iso639-3.json", encoding="utf-8") as fh:
        entries = json.load(fh)["639-3"]
    try:
        catalogue: gettext.NullTranslations = gettext.translation(
            "iso639-3", base / "locales", languages=["es"]
        )
    except OSError:  # a trimmed install without locales: English names only
        catalogue = gettext.NullTranslations()
    es = catalogue.gettext
    return {e["alpha_2"]: (e["name"], es(e["name"])) for e in entries if "alpha_2" in e}
