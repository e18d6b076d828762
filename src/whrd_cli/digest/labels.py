"""The fixed words of a digest in one locale, as templates read them (`labels.period`, …).

The words themselves live in the one table of `i18n`; this module gives templates a plain,
sandbox-safe object with one attribute per word, which the README documents by name.
"""

from __future__ import annotations

from functools import cache

from msgspec import Struct

from ..i18n import DEFAULT_LOCALE, LOCALES, word


class Labels(Struct, frozen=True):
    """The fixed words of a digest, in one locale."""

    period: str
    filters: str
    no_filters: str
    bulletins: str
    generated: str
    tags: str
    link: str
    private: str
    empty: str
    no_country: str
    no_category: str
    countries: str
    categories: str
    languages: str
    since: str
    until: str
    contents: str


def digest_locale(locale: str) -> str:
    """The locale a digest is written in: `locale` if whrd writes it, else English."""
    return locale if locale in LOCALES else DEFAULT_LOCALE


@cache
def labels(locale: str) -> Labels:
    """Every label in `locale`, each from the `digest.<name>` word of `i18n`."""
    return Labels(**{name: word(f"digest.{name}", locale) for name in Labels.__struct_fields__})


def default_title(locale: str) -> str:
    """The title of a digest or feed given no --title."""
    return word("digest.title", locale)
