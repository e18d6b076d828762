"""The values of whrd's choice options in English and in Spanish: `--sort fecha`, `--by país`.

A choice option (`list --sort`, `stats --by`, `export --group-by`, `import --on-duplicate`,
`--locale`) takes a canonical English key, which the code and every machine output use; a
person may also write the value's Spanish name, in any case and with or without accents. The
tables below hold those names; the modules that own the keys (`filters.SORTS`, `stats.DIMENSIONS`,
`digest.context.GROUPINGS`, `importer.ON_DUPLICATE`) keep them, and a test holds both together.
Error messages list the values in the interface's language (`valid_values`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Final

from .errors import InputError, ValidationError
from .i18n import LOCALES, _, language
from .text import fold

# key -> (the Spanish name shown in messages, other Spanish names accepted)
SORT: Final[Mapping[str, tuple[str, ...]]] = {
    "date": ("fecha",),
    "added": ("agregado", "añadido"),
    "title": ("título",),
}
BY: Final[Mapping[str, tuple[str, ...]]] = {
    "country": ("país",),
    "category": ("categoría",),
    "lang": ("idioma", "language"),
    "tag": ("etiqueta",),
    "year": ("año",),
    "month": ("mes",),
}
GROUP_BY: Final[Mapping[str, tuple[str, ...]]] = {
    "none": ("ninguno", "ninguna"),
    "country": ("país",),
    "month": ("mes",),
    "category": ("categoría",),
    "thread": ("hilo",),
}
ON_DUPLICATE: Final[Mapping[str, tuple[str, ...]]] = {
    "skip": ("omitir",),
    "update": ("actualizar",),
    "error": ("error",),
}


def resolve(value: str, table: Mapping[str, tuple[str, ...]]) -> str | None:
    """The key `value` names (a key or a Spanish name, any case, accents optional), else None."""
    folded = fold(value.strip())
    for key, names in table.items():
        if folded == key or any(folded == fold(name) for name in names):
            return key
    return None


def valid_values(keys: Iterable[str], table: Mapping[str, tuple[str, ...]]) -> str:
    """The valid values, comma-separated, as the interface's language names them."""
    spanish = language() == "es"
    return ", ".join(table[key][0] if spanish and key in table else key for key in keys)


def locale_code(value: str) -> str:
    """The document locale `--locale` names: `en`/`es`, or a name `--lang` takes (`español`,
    `castellano`, `inglés`, `english`); anything else is an InputError listing the locales."""
    from .lang import language_code

    try:
        code = language_code(value)
    except ValidationError:
        code = ""
    if code not in LOCALES:
        raise InputError(
            _("Unknown locale {locale!r}. Valid locales: {valid}.").format(
                locale=value, valid=", ".join(LOCALES)
            ),
            field="locale",
            value=value,
        )
    return code
