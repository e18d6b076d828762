"""Countries: canonical ISO 3166-1 alpha-2 codes, English and Spanish names, and finding them in text.

The names come from pycountry's ISO 3166 database and its Spanish translation. Importing the
`pycountry` package costs ~40 ms (it loads `importlib.metadata` for its version), paid by every
command that shows a country; so this module reads the same database file and catalogue that
pycountry ships, located without executing the package.
"""

from __future__ import annotations

import contextlib
import difflib
import gettext
import importlib.util
import json
import re
from collections.abc import Callable, Iterable
from functools import cache
from pathlib import Path

from msgspec import Struct

from .errors import CountryError
from .i18n import _, language
from .text import fold

# Regions a coordinator filters by; each stands for its member countries.
_MESOAMERICA = ("MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA")
REGIONS: dict[str, tuple[str, ...]] = {
    "mesoamerica": _MESOAMERICA,
    "mesoamerique": _MESOAMERICA,
    "central america": ("GT", "BZ", "SV", "HN", "NI", "CR", "PA"),
    "centroamerica": ("GT", "BZ", "SV", "HN", "NI", "CR", "PA"),
    "america central": ("GT", "BZ", "SV", "HN", "NI", "CR", "PA"),
}
# How a suggestion names each region, in English and in Spanish.
_REGION_NAMES: dict[str, tuple[str, str]] = {
    "mesoamerica": ("Mesoamerica", "Mesoamérica"),
    "mesoamerique": ("Mesoamerica", "Mesoamérica"),
    "central america": ("Central America", "Centroamérica"),
    "centroamerica": ("Central America", "Centroamérica"),
    "america central": ("Central America", "América Central"),
}

# Capitals and other unambiguous places that name their country in a summary. pycountry has no
# capitals. Ambiguous names (San José, La Paz, Santiago) are left out on purpose.
PLACES: dict[str, str] = {
    "tegucigalpa": "HN",
    "san pedro sula": "HN",
    "san salvador": "SV",
    "guatemala city": "GT",
    "ciudad de guatemala": "GT",
    "managua": "NI",
    "panama city": "PA",
    "ciudad de panama": "PA",
    "mexico city": "MX",
    "ciudad de mexico": "MX",
    "cdmx": "MX",
    "belmopan": "BZ",
    "belize city": "BZ",
    "havana": "CU",
    "la habana": "CU",
    "santo domingo": "DO",
    "port-au-prince": "HT",
    "bogota": "CO",
    "quito": "EC",
    "caracas": "VE",
    "asuncion": "PY",
    "montevideo": "UY",
    "buenos aires": "AR",
}

# Common extra names that the ISO data does not carry.
_ALIASES: dict[str, str] = {
    "usa": "US",
    "united states of america": "US",
    "eeuu": "US",
    "ee uu": "US",
    "ee.uu": "US",  # keys are looked up without a final dot: "EE.UU.", "EE. UU." (as the RAE writes it)
    "ee. uu": "US",
    "estados unidos de america": "US",
    "uk": "GB",
    "great britain": "GB",
    "reino unido": "GB",
    "mejico": "MX",
    "holland": "NL",
    # ISO writes these only as "Congo, The Democratic Republic of the"; people write them this way.
    "democratic republic of the congo": "CD",
    "dr congo": "CD",
    "republica democratica del congo": "CD",
    "rd congo": "CD",
}

# The Spanish name people write and read, where pycountry's Spanish catalogue gives none
# ("Algeria"), a long form ("Federación Rusa", "República árabe de Siria"), an inverted one
# ("Palestina, Estado de") or one shared by two countries ("Corea"). pycountry's names still resolve.
_SPANISH_NAMES: dict[str, str] = {
    "DZ": "Argelia",
    "RU": "Rusia",
    "SA": "Arabia Saudita",
    "KR": "Corea del Sur",
    "KP": "Corea del Norte",
    "SY": "Siria",
    "LA": "Laos",
    "PS": "Palestina",
    "FM": "Micronesia",
    "CD": "República Democrática del Congo",
    "CI": "Costa de Marfil",
    "BN": "Brunéi",
    "NE": "Níger",
    "KM": "Comoras",
    "FK": "Islas Malvinas",
    "VA": "Ciudad del Vaticano",
    "VG": "Islas Vírgenes Británicas",
    "VI": "Islas Vírgenes de los Estados Unidos",
}

# Text that contains a country name but is not about that country.
_BLOCKERS = ("new mexico", "nuevo mexico", "new guinea", "new jersey")

# Names that are common words or given names before they are countries; found in a summary
# they are not taken as a country (as an explicit --country they still are).
_AMBIGUOUS_IN_TEXT = frozenset(
    {
        "chad",
        "jordan",
        "georgia",
        "turkey",
        "guinea",
        "niger",
        "india",
        # English and Spanish words, places and given names common in Latin American bulletins:
        # "reunion"/"reunión" (a meeting), Granada (Nicaragua), Santa Lucía and Santa Elena
        # (towns in Honduras, Guatemala, Ecuador), Guadalupe and Libia (given names), jersey.
        "reunion",
        "granada",
        "santa lucia",
        "santa elena",
        "guadalupe",
        "libia",
        "jersey",
    }
)


class Country(Struct, frozen=True):
    """One country as whrd shows it."""

    code: str
    name: str
    name_es: str


def pycountry_dir() -> Path:
    """pycountry's folder, whose data files are read directly: importing pycountry costs ~15 ms."""
    spec = importlib.util.find_spec("pycountry")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pycountry is not installed")
    return Path(next(iter(spec.submodule_search_locations)))


class _Data(Struct, frozen=True):
    countries: dict[str, Country]
    index: dict[str, str]  # folded name, alias or code -> alpha-2
    alpha3: frozenset[str]


@cache
def _data() -> _Data:
    base = pycountry_dir()
    with open(base / "databases" / "iso3166-1.json", encoding="utf-8") as fh:
        entries = json.load(fh)["3166-1"]
    es: Callable[[str], str] = str  # a trimmed install without locales: English names only
    with contextlib.suppress(OSError):
        es = gettext.translation("iso3166-1", base / "locales", languages=["es"]).gettext

    countries: dict[str, Country] = {}
    index: dict[str, str] = {}
    # "Congo, The Democratic Republic of the" -> "Congo" is only a fragment; it must not take the
    # name that ISO gives Congo (CG), and a fragment shared by two countries (Korea, Virgin
    # Islands) names neither. Full names are indexed first; unambiguous fragments after.
    fragments: dict[str, set[str]] = {}
    for entry in entries:
        code = entry["alpha_2"]
        name = entry.get("common_name") or entry["name"]
        name_es = es(entry["name"])
        if entry.get("common_name") and "," in name_es:  # "Bolivia, Estado plurinacional de"
            name_es = name_es.split(",")[0]
        name_es = _SPANISH_NAMES.get(code, name_es)
        countries[code] = Country(code, name, name_es)
        names = {entry["name"], entry.get("common_name", ""), entry.get("official_name", "")}
        names |= {es(n) for n in names if n} | {name_es}
        for found in filter(None, names):
            index.setdefault(fold(found), code)
            if "," in found:
                fragments.setdefault(fold(found.split(",")[0]), set()).add(code)
        index[fold(entry["alpha_3"])] = code
        index[code.casefold()] = code
    for fragment, codes in fragments.items():
        if len(codes) == 1:
            index.setdefault(fragment, next(iter(codes)))
    for alias, code in _ALIASES.items():
        index.setdefault(alias, code)
    alpha3 = frozenset(fold(entry["alpha_3"]) for entry in entries)
    return _Data(countries, index, alpha3)


def country(code: str) -> Country:
    """The country for a stored code; an unknown stored code is shown as itself."""
    return _NETWORK.get(code) or _data().countries.get(code) or Country(code, code, code)


def country_name(code: str, locale: str = "en") -> str:
    """The display name of a stored code in the given locale."""
    found = country(code)
    return found.name_es if locale == "es" else found.name


# The network's own countries by their folded names and codes, as the full index (`_data`) gives
# them: `--country Honduras` then needs no reading of ISO 3166 and its Spanish names (~6 ms of an
# `add` or a `list`). A test checks every entry against the full index.
_COMMON = {
    **{code.lower(): code for code in _MESOAMERICA},
    **{"mexico": "MX", "guatemala": "GT", "belize": "BZ", "belice": "BZ", "el salvador": "SV"},
    **{"honduras": "HN", "nicaragua": "NI", "costa rica": "CR", "panama": "PA"},
}
# Their names as `_data` gives them, so that a chart or a bulletin of the network's own
# countries is drawn without reading ISO 3166 either (~4 ms of `stats` and `show`). Tested
# against the full table, as `_COMMON` is.
_NETWORK: dict[str, Country] = {
    code: Country(code, name, name_es)
    for code, name, name_es in (
        ("MX", "Mexico", "México"),
        ("GT", "Guatemala", "Guatemala"),
        ("BZ", "Belize", "Belice"),
        ("SV", "El Salvador", "El Salvador"),
        ("HN", "Honduras", "Honduras"),
        ("NI", "Nicaragua", "Nicaragua"),
        ("CR", "Costa Rica", "Costa Rica"),
        ("PA", "Panama", "Panamá"),
    )
}


def resolve_country(text: str) -> str:
    """Turn a name (English or Spanish, any case or accents) or an ISO code into an alpha-2 code."""
    key = fold(" ".join(text.split())).strip(" .")
    if not key:
        raise CountryError(_("The country is empty: give a name such as Honduras or a code such as HN."))
    code = _COMMON.get(key) or _data().index.get(key)
    if code:
        return code
    if key in REGIONS:
        raise CountryError(
            _(
                "{name!r} is a region, not a country: name its countries one by one "
                "(a region works as a filter: whrd list --country Mesoamerica)."
            ).format(name=text.strip()),
            value=text,
        )
    close = _suggest(key)
    if close:
        raise CountryError(
            _("Unknown country {name!r}. Did you mean: {names}?").format(name=text.strip(), names=close),
            value=text,
        )
    raise CountryError(
        _("Unknown country {name!r}. Give an English or Spanish name, or an ISO code such as HN.").format(
            name=text.strip()
        ),
        value=text,
    )


def lookup_country(text: str) -> str | None:
    """The alpha-2 code of a name or code, or None: `resolve_country` without the costly suggestions,
    for parsers that try many words that are not countries."""
    key = fold(" ".join(text.split())).strip(" .")
    return _COMMON.get(key) or _data().index.get(key) or None


def spellings(code: str) -> tuple[str, ...]:
    """Every folded name, alias and code that resolves to `code`, for writers that must name it."""
    return tuple(name for name, found in _data().index.items() if found == code)


_LIST_SEPARATORS = re.compile(r"[,;]")


def split_country_list(text: str) -> list[str]:
    """The names in a list such as `Honduras, Guatemala` or `HN;SV` (what the form and CSV cells
    hold). A name that itself holds a comma (`Korea, Republic of`) stays whole: at each place the
    longest run of parts that names a country is taken."""
    parts = [part.strip() for part in _LIST_SEPARATORS.split(text)]
    if len(parts) == 1:
        return [text]
    names: list[str] = []
    i = 0
    while i < len(parts):
        if not parts[i]:
            i += 1
            continue
        end = next((j for j in range(len(parts), i + 1, -1) if lookup_country(", ".join(parts[i:j]))), i + 1)
        names.append(", ".join(parts[i:end]))
        i = end
    return names


def region_of(text: str) -> tuple[str, ...] | None:
    """The countries of a region name (`Centroamérica`, `Mesoamerica`), or None."""
    return REGIONS.get(fold(" ".join(text.split())).strip(" ."))


def resolve_countries(text: str) -> tuple[str, ...]:
    """Every country a user's text names: a country, a region standing for its countries, or a
    comma- or semicolon-separated list of them; in order, without repeats."""
    codes: list[str] = []
    for name in split_country_list(text):
        region = region_of(name)
        codes.extend(region if region is not None else (resolve_country(name),))
    return tuple(dict.fromkeys(codes))


def regions_named(texts: Iterable[str]) -> list[tuple[str, tuple[str, ...]]]:
    """The regions among a user's country texts, each with the countries it stands for: `add`
    records those countries and says so."""
    found: list[tuple[str, tuple[str, ...]]] = []
    for text in texts:
        for name in split_country_list(text):
            region = region_of(name)
            if region is not None:
                found.append((name.strip(), region))
    return found


def _suggest(key: str) -> str:
    """The closest countries and regions to an unknown name, named in the interface's language
    ("Honduras, Belice"), or "" when none is close."""
    candidates = list(_data().index) + list(REGIONS)
    close = difflib.get_close_matches(key, candidates, n=3, cutoff=0.7)
    names: list[str] = []
    for match in close:
        if match in REGIONS:
            label = _REGION_NAMES[match][language() == "es"]
        else:
            label = country_name(_data().index[match], language())
        if label not in names:
            names.append(label)
    return ", ".join(names)


@cache
def _text_pattern() -> tuple[re.Pattern[str], dict[str, str | None]]:
    targets: dict[str, str | None] = {}
    for name, code in _data().index.items():
        if len(name) < 4 or name in _AMBIGUOUS_IN_TEXT:
            continue
        targets[name] = code
    for code3 in _data().alpha3:  # alpha-3 codes are not words in prose
        targets.pop(code3, None)
    for alias in ("eeuu", "ee uu", "ee.uu", "ee. uu", "usa", "uk"):
        targets.pop(alias, None)
    targets.update(PLACES)
    for blocker in _BLOCKERS:
        targets[blocker] = None
    alternatives = sorted(targets, key=len, reverse=True)
    pattern = re.compile(r"(?<![\w-])(?:" + "|".join(map(re.escape, alternatives)) + r")(?![\w-])")
    return pattern, targets


# Country names that are also given names in Latin America, followed by a capitalised word: a
# person (Francia Márquez, Israel Gómez, Grecia Ramírez), not the country. Matched on the text as
# written (case counts), and so is "chile" in lower case: the pepper, while the country is Chile.
_PERSON_OR_WORD = re.compile(
    r"\b(?:Francia|Israel|Grecia|Italia|Argentina|Irlanda|Holanda)(?=\s+[A-ZÁÉÍÓÚÑ][a-záéíóúñ])|\bchile\b"
)


def find_countries(text: str) -> list[str]:
    """Codes of the countries a text names (names, Spanish names, capitals), in order of mention."""
    if not text:
        return []
    text = _PERSON_OR_WORD.sub(" ", text)
    pattern, targets = _text_pattern()
    found: list[str] = []
    for match in pattern.finditer(fold(text)):
        code = targets[match.group(0)]
        if code is not None and code not in found:
            found.append(code)
    return found
