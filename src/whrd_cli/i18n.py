"""The interface's language (gettext) and the one table of localised words of documents.

The interface: every message, prompt, label and help text is written in English in the source and
looked up at run time in the gettext catalog of the language in force (`_`, `ngettext`; `N_` marks
a string that is translated later, where it is used). The language is chosen once per run by
`choose`: `WHRD_LANG`, else the config file's `locale`, else `LANGUAGE`, `LC_ALL`, `LC_MESSAGES`,
`LANG` (any `es_*` is Spanish), else English; `activate` loads its catalog from `locale/`. The
catalogs are made by `tools/i18n.py` (extract, update, compile) and shipped compiled.

Documents: the fixed words that digests, feeds and `whrd stats` write follow `--locale`, not the
interface, so they are looked up by key with `word(key, locale)` in `WORDS`. Names that have their
own source stay there: countries (pycountry, `countries.py`), categories (`categories.py`),
languages (`lang.py`) and months (`dates.py`).
"""

from __future__ import annotations

import gettext as _gettext
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Final, NamedTuple

from .errors import InputError

LOCALES: Final[tuple[str, ...]] = ("en", "es")
DEFAULT_LOCALE: Final = "en"
DOMAIN: Final = "whrd"
LOCALE_DIR: Final = Path(__file__).resolve().parent / "locale"
# The standard variables, in the order gettext reads them.
LOCALE_VARIABLES: Final = ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")
# The language names `WHRD_LANG` and the config file's `locale` take besides a code, as written for a
# person (read, case and accents aside, through `lang.LANGUAGE_NAMES`: see `config.read_locale`).
LOCALE_NAMES: Final = "español, castellano, spanish, inglés, english"

_active: _gettext.NullTranslations = _gettext.NullTranslations()
_language: str = DEFAULT_LOCALE


def _(message: str) -> str:
    """`message` in the interface's language (itself in English, or when the catalog lacks it)."""
    return _active.gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural form for `n`, in the interface's language."""
    return _active.ngettext(singular, plural, n)


def translate(message: str) -> str:
    """`_` for a string marked elsewhere (`N_`, a help text): the extractor only takes literals
    from `_`, so a look-up of a variable says so by its name."""
    return _active.gettext(message)


def N_(message: str) -> str:
    """Mark `message` for the catalog without translating it yet (module-level tables, help)."""
    return message


def language() -> str:
    """The interface's language in force: `en` or `es`."""
    return _language


def activate(lang: str) -> None:
    """Speak `lang` (`en` or `es`) from now on in this process."""
    global _active, _language
    if lang == _language:
        return
    if lang == DEFAULT_LOCALE:
        _active = _gettext.NullTranslations()
    else:
        # The one catalog whrd ships for `lang`, read directly: gettext.translation would first
        # expand the name into every locale variant and look for each (a few ms for nothing).
        try:
            with (LOCALE_DIR / lang / "LC_MESSAGES" / f"{DOMAIN}.mo").open("rb") as catalog:
                _active = _gettext.GNUTranslations(catalog)
        except OSError:  # a broken install: English rather than no interface at all
            _active = _gettext.NullTranslations()
    _language = lang


def number(value: int, lang: str | None = None) -> str:
    """An integer as the language writes it: 1,234 in English, 1.234 in Spanish."""
    text = f"{value:,}"
    return text.replace(",", ".") if (lang or _language) == "es" else text


def percent(value: float, lang: str | None = None, digits: int = 1) -> str:
    """A share as the language writes it: 40.9% in English, 40,9 % in Spanish."""
    text = f"{value:.{digits}f}"
    return f"{text.replace('.', ',')} %" if (lang or _language) == "es" else f"{text}%"


def supported(name: str) -> str | None:
    """`es` for any Spanish locale name (`es`, `es_MX.UTF-8`, `es-419`), `en` for English, else None."""
    base = name.strip().replace("-", "_").split(".")[0].split("@")[0].split("_")[0].lower()
    return base if base in LOCALES else None


def choose(
    environ: Mapping[str, str],
    configured: str | None = None,
    *,
    by_name: Callable[[str], str | None] | None = None,
) -> str:
    """The interface language: `WHRD_LANG`, the config file's `locale`, the standard variables.

    `WHRD_LANG` and `locale` are the user's explicit choice, so a value whrd does not speak is an
    error; the system's variables only pick Spanish when they name it, else English. `by_name`
    reads a language's name (`español`, `English`) as `locale` does: it lives above this module
    (`config.read_locale`, on `lang`'s table), so the CLI passes it in.
    """
    chosen = environ.get("WHRD_LANG", "").strip()
    if chosen:
        return _explicit(chosen, "WHRD_LANG", by_name)
    if configured:
        return configured  # checked when the config file is read
    for variable in LOCALE_VARIABLES:
        value = environ.get(variable, "").strip()
        if not value:
            continue
        if variable == "LANGUAGE":  # a list in order of preference: es_MX:en
            for name in value.split(":"):
                if found := supported(name):
                    return found
            continue
        return supported(value) or DEFAULT_LOCALE
    return DEFAULT_LOCALE


def _explicit(value: str, source: str, by_name: Callable[[str], str | None] | None) -> str:
    found = supported(value) or (by_name(value) if by_name else None)
    if found is None:
        # Said in English and Spanish: the language is what could not be read.
        raise InputError(
            f"{source} must be en or es (or a name: {LOCALE_NAMES}), not {value!r}. / "
            f"{source} debe ser en o es (o un nombre: {LOCALE_NAMES}), no {value!r}.",
            field=source,
            value=value,
        )
    return found


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
