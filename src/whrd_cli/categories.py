"""Bulletin categories: canonical keys, their English and Spanish labels, and every alias a listing uses.

An unknown category is kept, as a lower-case slug, because networks invent new kinds of bulletin
and refusing them would lose data.
"""

from __future__ import annotations

import re
from collections.abc import Collection

from msgspec import Struct

from .i18n import _, language
from .text import fold


class Category(Struct, frozen=True):
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
        (
            "alert",
            "alerta",
            "alerts",
            "alertas",
            "whrd alert",
            "urgent alert",
            "urgent alerts",
            "alerta urgente",
            "alertas urgentes",
            "alerta defensoras",
        ),
    ),
    Category(
        "open-letter",
        "OPEN LETTER",
        "CARTA ABIERTA",
        ("letter", "letters", "open letters", "carta", "cartas", "cartas abiertas"),
    ),
    Category(
        "statement",
        "STATEMENT",
        "PRONUNCIAMIENTO",
        (
            "statements",
            "pronunciamientos",
            "comunicado",
            "comunicados",
            "declaracion",
            "declaraciones",
            "press release",
            "comunicado de prensa",
        ),
    ),
    Category("report", "REPORT", "INFORME", ("reports", "informes", "reporte", "reportes")),
    Category("campaign", "CAMPAIGN", "CAMPAÑA", ("campaigns", "campañas")),
    Category("event", "EVENT", "EVENTO", ("events", "eventos")),
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


def unknown_category(text: str, in_use: Collection[str] = ()) -> str | None:
    """Why `text` cannot name a category here, or None when it can: a known category (any key,
    label, alias or plural), one of the archive's own (`in_use`, stored keys), or blank.

    A typo must not select nothing in silence, nor start a new category: the message names the
    closest categories ("Unknown category 'statment'. Did you mean: statement?"), else lists them.
    """
    key = normalise_category(text)
    if key is None or key in BY_KEY or key in in_use:
        return None
    import difflib

    candidates: dict[str, str] = dict(_ALIASES)  # alias key -> category key
    for used in in_use:
        candidates.setdefault(_alias_key(used), used)
    close = difflib.get_close_matches(_alias_key(text), list(candidates), n=3, cutoff=0.75)
    names = list(dict.fromkeys(_spoken(candidates[match]) for match in close))
    if names:
        return _("Unknown category {name!r}. Did you mean: {names}?").format(
            name=text.strip(), names=", ".join(names)
        )
    known = ", ".join(map(_spoken, BY_KEY))
    own = sorted(set(in_use) - BY_KEY.keys())
    if own:
        return _("Unknown category {name!r}. Categories: {known}; in this archive also: {own}.").format(
            name=text.strip(), known=known, own=", ".join(own)
        )
    return _("Unknown category {name!r}. Categories: {known}.").format(name=text.strip(), known=known)


def _spoken(key: str) -> str:
    """A category as a user of the interface's language types it: the key in English (`open-letter`),
    the Spanish name in Spanish (`carta abierta`); an archive's own category as it is stored."""
    found = BY_KEY.get(key)
    if found is None or language() != "es":
        return key
    return "alerta" if key == "alert" else found.label_es.lower()


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
