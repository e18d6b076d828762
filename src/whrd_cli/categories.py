"""Bulletin categories: canonical keys, their English and Spanish labels, and every alias a listing uses.

An unknown category is kept, as a lower-case slug, because networks invent new kinds of bulletin
and refusing them would lose data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .text import fold


@dataclass(frozen=True)
class Category:
    """A known category: its key, labels in both languages (as listing headings write them)."""

    key: str
    label_en: str
    label_es: str
    aliases: tuple[str, ...] = ()


CATEGORIES: tuple[Category, ...] = (
    Category("news", "NEWS", "NOTICIAS", ("noticia", "novedades")),
    Category(
        "alert",
        "#WHRDAlert",
        "#AlertaDefensoras",
        ("alert", "alerta", "whrd alert", "urgent alert", "alerta urgente", "alerta defensoras"),
    ),
    Category("open-letter", "OPEN LETTER", "CARTA ABIERTA", ("letter", "carta")),
    Category(
        "statement",
        "STATEMENT",
        "PRONUNCIAMIENTO",
        ("comunicado", "declaracion", "press release", "comunicado de prensa"),
    ),
    Category("report", "REPORT", "INFORME", ("reporte",)),
    Category("campaign", "CAMPAIGN", "CAMPAÑA", ()),
    Category("event", "EVENT", "EVENTO", ()),
)

BY_KEY: dict[str, Category] = {c.key: c for c in CATEGORIES}

_NON_WORD = re.compile(r"[^a-z0-9]+")


def _alias_key(text: str) -> str:
    return _NON_WORD.sub(" ", fold(text)).strip()


_ALIASES: dict[str, str] = {}
for _cat in CATEGORIES:
    for _name in (_cat.key, _cat.label_en, _cat.label_es, *_cat.aliases):
        _ALIASES[_alias_key(_name)] = _cat.key
_ALIASES["whrdalert"] = "alert"
_ALIASES["alertadefensoras"] = "alert"


def known_category(text: str) -> str | None:
    """The canonical key of a known category name or alias, else None."""
    return _ALIASES.get(_alias_key(text))


def normalise_category(text: str) -> str | None:
    """The canonical key for a known name, or a lower-case slug for a new one; None when blank."""
    key = _alias_key(text)
    if not key:
        return None
    return _ALIASES.get(key) or key.replace(" ", "-")


def category_label(key: str | None, locale: str = "en") -> str:
    """The heading label of a category (`NEWS`, `PRONUNCIAMIENTO`); a new category's slug upper-cased."""
    if key is None:
        return ""
    found = BY_KEY.get(key)
    if found is None:
        return key.replace("-", " ").upper()
    return found.label_es if locale == "es" else found.label_en


def category_name(key: str | None, locale: str = "en") -> str:
    """A category as readable prose (`Open letter`, `Alerta`), for tables and digests."""
    if key is None:
        return ""
    found = BY_KEY.get(key)
    if found and found.key == "alert":
        return "Alerta" if locale == "es" else "Alert"
    return category_label(key, locale).capitalize()
