"""Telling English from Spanish in a bulletin, honestly: by counting each language's stop words.

Bulletins are short and formulaic, so function words decide reliably; when neither language
clearly wins the answer is None and the caller decides (a `--lang` option, or a default).
"""

from __future__ import annotations

import re

from .dates import fold

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
