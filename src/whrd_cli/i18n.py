"""The one table of localised words: every fixed word that digests, feeds and `whrd stats` write in
the reader's language, in English and Spanish, looked up by key with `word(key, locale)`.

Names that have their own source stay there: countries (pycountry, `countries.py`), categories
(`categories.py`), languages (`lang.py`) and months (`dates.py`). Keys are namespaced by the output
that uses them (`digest.*`, `stats.*`); a value may hold `{placeholders}` its caller fills in. A
locale whrd does not know reads English. Error messages are English for now; the gettext catalogs
of the Spanish interface are to be built on this table.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

from .errors import InputError

LOCALES: Final[tuple[str, ...]] = ("en", "es")
DEFAULT_LOCALE: Final = "en"


class Word(NamedTuple):
    """One word (or phrase) in every locale whrd writes (a named tuple: cheap to define at start-up)."""

    en: str
    es: str


WORDS: Final[Mapping[str, Word]] = {
    # -- digests (Markdown, HTML, user templates as `labels.*`) and the Atom feed -----------------
    "digest.title": Word("WHRD bulletins", "Boletines de defensoras de derechos humanos"),
    "digest.period": Word("Period", "Periodo"),
    "digest.filters": Word("Filters", "Filtros"),
    "digest.no_filters": Word("none (every bulletin)", "ninguno (todos los boletines)"),
    "digest.bulletins": Word("Bulletins", "Boletines"),
    "digest.generated": Word("Generated", "Generado"),
    "digest.tags": Word("Tags", "Etiquetas"),
    "digest.link": Word("Read more", "Leer más"),
    "digest.private": Word("Private note", "Nota privada"),
    "digest.empty": Word("No bulletins match these filters.", "Ningún boletín coincide con estos filtros."),
    "digest.no_country": Word("No country", "Sin país"),
    "digest.no_category": Word("No category", "Sin categoría"),
    "digest.countries": Word("Countries", "Países"),
    "digest.categories": Word("Categories", "Categorías"),
    "digest.languages": Word("Languages", "Idiomas"),
    "digest.since": Word("Since", "Desde"),
    "digest.until": Word("Until", "Hasta"),
    "digest.contents": Word("Contents", "Índice"),
    # -- stats: row labels of the counts, and the words of the charts ---------------------------
    "stats.other": Word("other", "otros"),
    "stats.none": Word("(none)", "(sin dato)"),
    "stats.country": Word("Country", "País"),
    "stats.category": Word("Category", "Categoría"),
    "stats.lang": Word("Language", "Idioma"),
    "stats.tag": Word("Tag", "Etiqueta"),
    "stats.year": Word("Year", "Año"),
    "stats.month": Word("Month", "Mes"),
    "stats.count": Word("Count", "Total"),
    "stats.share": Word("Share", "%"),
    "stats.by": Word("By {name}", "Por {name}"),
    "stats.per": Word("Bulletins per {name}", "Boletines por {name}"),
    "stats.summary": Word("{total} bulletins, {first} to {last}", "{total} boletines, del {first} al {last}"),
    "stats.one": Word("1 bulletin, {first}", "1 boletín, {first}"),
    "stats.filters": Word("Filters: {filters}", "Filtros: {filters}"),
    "stats.several": Word(
        "A bulletin with {plural} counts in each of their rows; shares are of the {total} bulletins.",
        "Un boletín con {plural} cuenta en cada una de sus filas; los % son de los {total} boletines.",
    ),
    # The quantifier agrees with the noun: varios países, varias etiquetas.
    "stats.plural_country": Word("several countries", "varios países"),
    "stats.plural_tag": Word("several tags", "varias etiquetas"),
}


def word(key: str, locale: str) -> str:
    """The word `key` in `locale` (English for a locale whrd does not write); an unknown key is a bug."""
    entry = WORDS[key]
    return entry.es if locale == "es" else entry.en


def check_locale(locale: str) -> str:
    """The locale if whrd writes it, else an InputError listing the ones it does."""
    if locale not in LOCALES:
        raise InputError(f"Unknown locale {locale!r}. Valid locales: {', '.join(LOCALES)}.")
    return locale
