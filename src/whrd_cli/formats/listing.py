"""The network's published listing format: blocks of a heading, a summary and a date line.

    #WHRDAlert HONDURAS / Threats against a land defender in Tegucigalpa #WHRDs

    The network warns of repeated threats against a defender who documents evictions […]

    3 August 2021

Reading records what a careful reader would, or reports an error; it never guesses:
- **heading**: a prefix of upper-case labels, each followed by " / ", gives the category
  (`NEWS`, `OPEN LETTER`, `PRONUNCIAMIENTO`, `#WHRDAlert`, `#AlertaDefensoras`; a new upper-case
  label such as `INTERVIEW` is kept as a new category) and countries (`ECUADOR`, `MÉXICO`,
  `HONDURAS, GUATEMALA`); hashtags at the end are tags; the rest is the title, which may itself
  contain " / " (`NEWS / Land / water` has the title `Land / water`).
- **countries**: the heading's, then those the title, tags and summary name (`countries.find_countries`:
  English and Spanish names, capitals; words that only resemble a country are not one).
- **summary**: the lines between heading and date line; wrapped lines are joined with a space,
  paragraphs with a blank line. A final `[…]` or `[...]` is removed and sets `truncated`.
- **date**: from the date line only (`26 January 2017`, `4 de marzo de 2018`, `15 diciembre, 2017`).
  A line shaped like a date that cannot be read exactly (`26 Januray 2017`, `January 2017`,
  `03/04/2017`) is an error for its block, as is a block with no date line.
- **lang**: `--lang` if given; else the block's own words (`lang.detect_language`); when they are
  too few, the language of the date line's month or of the category label; else the file's
  most common language; else English.
Blocks are separated by any number of blank lines, or none (a date line ends a block). Copy-paste
debris is tolerated: CRLF or CR line ends, a BOM, non-breaking and zero-width spaces, soft
hyphens, trailing spaces, curly quotes, a missing `[…]`.

Writing gives the same format, each block in its bulletin's language, and reads back to the same
title, date, category, countries, summary, truncated, tags and lang. (`url`, `source`, `private`
and timestamps have no place in a listing; a summary's single line breaks become spaces.)
"""

from __future__ import annotations

import difflib
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import TYPE_CHECKING, Any, TextIO

from ..categories import BY_KEY, category_label, known_category, normalise_category
from ..countries import country_name, find_countries, lookup_country, spellings
from ..dates import MONTHS_EN, MONTHS_ES, format_date, parse_date
from ..errors import DateError, WhrdError
from ..text import INVISIBLE, SPACES, fold
from . import RecordError, WriteContext
from ._records import Progress, Record, bulletins_reader, raise_if_any, record_error

if TYPE_CHECKING:
    from ..model import Bulletin
    from ..records import Entry

MARKER = "[…]"

_BREAKS = re.compile(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]")
_MARKER = re.compile(r"\s*(?:\[\s*(?:…|\.{2,})\s*\]|\(\s*(?:…|\.{3})\s*\))$")
# " / " between labels and the title; a slash with no space on either side ("24/7") is not one.
_SEPARATOR = re.compile(r"\s+/\s*|\s*/\s+")
# Hashtags at the end of a heading; a hashtag needs a letter ("#1" is not one).
_TRAILING_TAGS = re.compile(r"(?:\s+#(?=\S*[^\W\d_])\S+)+$")
_LEADING_HASHTAG = re.compile(r"(#\S+)(?:[\s:/–—-]+|$)")
_COMMAS = re.compile(r"\s*,\s*")
_CONJUNCTIONS = re.compile(r"\s+(?:and|y|e|&)\s+", re.IGNORECASE)
# A new category label: one to three upper-case words of three or more letters (hyphens inside
# words allowed): `INTERVIEW`, `ACCIÓN URGENTE`; not `TV`, `UN WOMEN`, `COVID-19`.
_NEW_LABEL = re.compile(r"[^\W\d_]{3,}(?:-[^\W\d_]+)*(?: [^\W\d_]{3,}(?:-[^\W\d_]+)*){0,2}")
_SHORT_NAMES = frozenset({"usa", "uk", "eeuu"})

# What a date line is made of, so a mistyped one is recognised as a date line and refused.
_DATE_CHARS = re.compile(r"[\w\s,.\-/º°ª]+")
_DATE_TOKEN = re.compile(r"\d+(?:st|nd|rd|th|o|a|°)?|[^\W\d_]+")
_MONTHS = tuple(fold(m) for m in MONTHS_EN + MONTHS_ES)
_MONTH_WORDS = frozenset(_MONTHS) | {
    *("jan", "ene", "feb", "mar", "apr", "abr", "jun", "jul", "aug", "ago", "sep", "sept", "set"),
    *("setiembre", "oct", "nov", "dec", "dic"),
}
_DATE_WORDS = frozenset(
    {"de", "del", "of", "the", "el", "monday", "tuesday", "wednesday", "thursday", "friday", "saturday"}
    | {"sunday", "lunes", "martes", "miercoles", "jueves", "viernes", "sabado", "domingo"}
)
_MONTH_NUMBERS = {
    **{fold(name): n for n, name in enumerate(MONTHS_EN, start=1)},
    **{fold(name): n for n, name in enumerate(MONTHS_ES, start=1)},
    "setiembre": 9,
}
_DAY_MONTH_YEAR = re.compile(
    r"(\d{1,2})(?:o|st|nd|rd|th)?\s+(?:de\s+)?([a-z]+),?\s+(?:(?:de|del)\s+)?(\d{4})\.?"
)
_MONTH_DAY_YEAR = re.compile(r"([a-z]+)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})\.?")
_NUMERIC_DATE = re.compile(r"(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4})")
_EN_MONTHS = frozenset(fold(m) for m in MONTHS_EN)
_ES_MONTHS = frozenset(fold(m) for m in MONTHS_ES) | {"setiembre"}


# -- lines and blocks ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Line:
    number: int  # 1-based, as an editor counts
    text: str  # normalised: one space between words, no invisible characters


@dataclass
class _Block:
    heading: _Line
    body: list[_Line] = field(default_factory=list)
    paragraph_starts: set[int] = field(default_factory=set)  # body indexes after a blank line
    date: _Line | None = None


def _lines(text: str) -> list[_Line]:
    return [
        _Line(number, SPACES.sub(" ", raw.translate(INVISIBLE)).strip())
        for number, raw in enumerate(_BREAKS.split(text), start=1)
    ]


def _close_to_month(word: str) -> bool:
    return len(word) >= 4 and bool(difflib.get_close_matches(word, _MONTHS, n=1, cutoff=0.75))


def date_shaped(text: str) -> bool:
    """Whether a line is made like a date line (numbers, month names, `de`), readable or not."""
    if len(text) > 40 or not _DATE_CHARS.fullmatch(text):
        return False
    tokens = _DATE_TOKEN.findall(fold(text))
    if not 1 <= len(tokens) <= 7:
        return False
    numbers = months = 0
    for token in tokens:
        if token[0].isdigit():
            if len(token.rstrip("abcdefghijklmnopqrstuvwxyz°")) > 4:
                return False
            numbers += 1
        elif token in _MONTH_WORDS or _close_to_month(token):
            months += 1
        elif token not in _DATE_WORDS:
            return False
    if tokens == [t for t in tokens if t.isdigit()] and len(tokens) == 1:
        return len(tokens[0]) == 4  # a year alone
    return numbers >= 1 and (months >= 1 or numbers >= 2)


def _common_date(text: str) -> str | None:
    """The published forms (`26 January 2017`, `4 de marzo de 2018`, `15 diciembre, 2017`,
    `November 22, 2016`) read directly: dateutil takes ~0.3 ms a line, a 10,000-block listing
    3 s. Anything else, or an impossible day, goes to `dates.parse_date`."""
    folded = fold(text)
    found = _DAY_MONTH_YEAR.fullmatch(folded)
    if found:
        day, month, year = found[1], found[2], found[3]
    else:
        found = _MONTH_DAY_YEAR.fullmatch(folded)
        if not found:
            return None
        month, day, year = found[1], found[2], found[3]
    number = _MONTH_NUMBERS.get(month)
    if number is None:
        return None
    try:
        return date(int(year), number, int(day)).isoformat()
    except ValueError:
        return None


@lru_cache(maxsize=4096)
def read_date_line(text: str) -> tuple[str | None, str | None]:
    """(ISO date, None) for a readable date line, (None, why not) otherwise."""
    numeric = _NUMERIC_DATE.fullmatch(text)
    if numeric and int(numeric[1]) <= 12 and int(numeric[2]) <= 12 and numeric[1] != numeric[2]:
        return None, (
            f"the date line {text!r} could be day/month or month/day; "
            "write the month as a word (4 March 2017) or use 2017-03-04"
        )
    fast = _common_date(text)
    if fast is not None:
        return fast, None
    try:
        return parse_date(text).isoformat(), None
    except DateError as exc:
        missing = re.search(r"has no ([\w ]+):", exc.message)
        what = (
            f"the date line {text!r} has no {missing[1]}"
            if missing
            else f"cannot read the date line {text!r}"
        )
        return None, f"{what}; write a full date such as 26 January 2017, 4 de marzo de 2018 or 2017-01-26"


def _date_language(text: str) -> str | None:
    words = set(_DATE_TOKEN.findall(fold(text)))
    if words & _ES_MONTHS or "de" in words:
        return "es"
    if words & _EN_MONTHS:
        return "en"
    return None


def _segment(lines: list[_Line], source: str, errors: list[RecordError]) -> list[_Block]:
    """Group lines into blocks: a heading, summary lines, and (normally) a date line."""
    blocks: list[_Block] = []
    current: _Block | None = None
    blank_before = True
    for index, line in enumerate(lines):
        if not line.text:
            blank_before = True
            continue
        after_blank, blank_before = blank_before, False
        shaped = date_shaped(line.text)
        if current is None:
            # A readable date where a heading should be is a stray date line; a heading that
            # merely looks like one ("2017 in review") is a heading.
            if shaped and read_date_line(line.text)[0] is not None:
                errors.append(
                    RecordError(
                        source,
                        f"line {line.number}",
                        "date",
                        f"a date line ({line.text!r}) with no heading and summary above it",
                    )
                )
            else:
                current = _Block(line)
            continue
        if shaped and _is_date_line(line, index, lines, current, after_blank):
            current.date = line
            blocks.append(current)
            current = None
            continue
        ended = bool(current.body) and bool(_MARKER.search(current.body[-1].text))
        if ended or _has_label_prefix(line.text):
            blocks.append(current)  # a new heading: the block before it has no date line
            current = _Block(line)
            continue
        if after_blank and current.body:
            current.paragraph_starts.add(len(current.body))
        current.body.append(line)
    if current is not None:
        blocks.append(current)
    return blocks


def _is_date_line(line: _Line, index: int, lines: list[_Line], block: _Block, after_blank: bool) -> bool:
    """A readable date is a date line; an unreadable one only where a date line stands, and not
    when the block's readable date line follows it (then it is summary text, such as `2017`)."""
    if read_date_line(line.text)[0] is not None:
        return True
    following = next((lines[n].text for n in range(index + 1, len(lines)) if lines[n].text), None)
    if following is not None and date_shaped(following) and read_date_line(following)[0] is not None:
        return False
    before_blank = index + 1 == len(lines) or not lines[index + 1].text
    after_marker = bool(block.body) and bool(_MARKER.search(block.body[-1].text))
    return after_blank or before_blank or after_marker or not block.body


# -- headings --------------------------------------------------------------------------------------


def _countries(text: str, *, any_case: bool = False) -> list[str] | None:
    """The countries a heading label names (`HONDURAS`, `HONDURAS, GUATEMALA`, `HONDURAS Y EL
    SALVADOR`, `TRINIDAD AND TOBAGO`), or None when it is not only country names."""
    text = text.strip(" ,")
    if not text or not any(ch.isalpha() for ch in text) or (not any_case and text != text.upper()):
        return None
    codes: list[str] = []
    for listed in _COMMAS.split(text):
        names = [listed] if _heading_country(listed) else _CONJUNCTIONS.split(listed)
        for name in names:
            code = _heading_country(name)
            if code is None:
                return None
            if code not in codes:
                codes.append(code)
    return codes


def _heading_country(text: str) -> str | None:
    # A bare ISO code is not a heading label: "TV / …", "AI / …", "PR / …" are not countries.
    key = fold(text).replace(" ", "").strip(".")
    if len(key) <= 3 and key not in _SHORT_NAMES:
        return None
    return lookup_country(text)


@dataclass(frozen=True)
class _Label:
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
    countries = _countries(segment)
    if countries:
        return _Label(None, tuple(countries), None)
    words = segment.split()
    for cut in range(len(words), 0, -1):
        head = " ".join(words[:cut])
        key = known_category(head)
        if key is None:
            continue
        rest = " ".join(words[cut:])
        named = _countries(rest) if rest else []
        if named is not None:
            return _Label(key, tuple(named), _category_lang(key, head))
    if first and _NEW_LABEL.fullmatch(segment):
        return _Label(normalise_category(segment), (), None)
    return None


def _hashtag_category(word: str) -> str | None:
    """The category a leading hashtag names (`#WHRDAlert`, `#AlertaDefensoras`); not `#News`."""
    key = known_category(word)
    found = BY_KEY.get(key or "")
    if found is None or not (found.label_en.startswith("#") or found.label_es.startswith("#")):
        return None
    return key


def _has_label_prefix(text: str) -> bool:
    """Whether a line starts like a heading (`NEWS / …`, `#WHRDAlert HONDURAS / …`): a new block."""
    leading = _LEADING_HASHTAG.match(text)
    if leading and _hashtag_category(leading[1]):
        return True
    split = _SEPARATOR.search(text)
    if split is None or split.start() == 0:
        return False
    label = _label(text[: split.start()].strip(), first=False)
    return label is not None


@dataclass(frozen=True)
class Heading:
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
            named = _countries(rest[: split.start()], any_case=True)
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


# -- reading ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Parsed:
    location: str
    fields: dict[str, Any]
    detected: str | None
    hint: str | None


def _summary(block: _Block) -> tuple[str, bool]:
    paragraphs: list[list[str]] = []
    for index, line in enumerate(block.body):
        if index == 0 or index in block.paragraph_starts:
            paragraphs.append([])
        paragraphs[-1].append(line.text)
    text = "\n\n".join(" ".join(lines) for lines in paragraphs)
    marker = _MARKER.search(text)
    if marker:
        return text[: marker.start()].rstrip(), True
    return text, False


def _parse_block(block: _Block, source: str, errors: list[RecordError]) -> _Parsed | None:
    from ..lang import detect_language

    location = f"line {block.heading.number}"
    failed = False
    if block.date is None:
        errors.append(
            RecordError(
                source,
                location,
                "date",
                "no date line after this block's summary (expected a line such as 26 January 2017)",
            )
        )
        failed = True
        day = None
    else:
        day, problem = read_date_line(block.date.text)
        if problem:
            errors.append(RecordError(source, f"line {block.date.number}", "date", problem))
            failed = True
    heading = parse_heading(block.heading.text)
    if not heading.title:
        errors.append(
            RecordError(source, location, "title", f"the heading {block.heading.text!r} has no title")
        )
        failed = True
    if failed:
        return None
    summary, truncated = _summary(block)
    countries = list(heading.countries)
    countries += [c for c in text_countries(heading.title, heading.tags, summary) if c not in countries]
    hint = _date_language(block.date.text) if block.date else None
    return _Parsed(
        location,
        {
            "title": heading.title,
            "date": day,
            "category": heading.category,
            "countries": countries,
            "summary": summary,
            "truncated": truncated,
            "tags": heading.tags,
        },
        detect_language(f"{heading.title}\n{summary}"),
        hint or heading.lang,
    )


def sniff(text: str) -> float:
    """How surely a text is a listing: it has at least one date line (checked in its first 2,000 lines)."""
    return 0.5 if any(date_shaped(line.text) for line in _lines(text)[:2000] if line.text) else 0.0


def read_records(
    text: str, *, source: str, lang: str | None = None, progress: Progress | None = None
) -> list[Record]:
    """Every block of a listing as a bulletin, located by its heading's line."""
    from ..model import Bulletin

    errors: list[RecordError] = []
    blocks = _segment(_lines(text), source, errors)
    parsed = [p for p in (_parse_block(b, source, errors) for b in blocks) if p is not None]
    fallback = "en"
    if lang is None:
        known = Counter(found for p in parsed if (found := p.detected or p.hint) is not None)
        if known:
            fallback = known.most_common(1)[0][0]
    records: list[Record] = []
    total = len(parsed)
    for done, item in enumerate(parsed, start=1):
        chosen = lang or item.detected or item.hint or fallback
        try:
            records.append(Record(item.location, Bulletin.create(**item.fields, lang=chosen)))
        except WhrdError as exc:
            errors.append(record_error(source, item.location, exc))
        if progress is not None and (done % 200 == 0 or done == total):
            progress(done, total)
    raise_if_any(errors)
    return records


read = bulletins_reader(read_records)


# -- writing ---------------------------------------------------------------------------------------


@lru_cache(maxsize=512)
def heading_country(code: str, lang: str) -> str | None:
    """The upper-case name a heading gives a country, one that reads back as that country."""
    other = "en" if lang == "es" else "es"
    candidates = [country_name(code, lang), country_name(code, other)]
    candidates += [re.sub(r"\s*\(.*\)", "", name) for name in candidates]
    candidates += [name.split(",")[0] for name in candidates]
    candidates += [name for name in spellings(code) if len(name) > 3]
    for candidate in candidates:
        upper = candidate.upper().strip()
        if "," in upper or "/" in upper or not upper:
            continue
        if _countries(upper) == [code]:
            return upper
    return None  # no name of it can stand in a heading; it is left out


def _heading_countries(bulletin: Bulletin) -> list[str]:
    """The fewest leading countries the heading must carry for a reader to get them all, in order."""
    codes = list(bulletin.countries)
    named = text_countries(bulletin.title, bulletin.tags, bulletin.summary)
    needed = len(codes)
    for cut in range(len(codes) + 1):
        head = codes[:cut]
        if head + [c for c in named if c not in head] == codes:
            needed = cut
            break
    if bulletin.category in (None, "alert") and codes:
        needed = max(needed, 1)  # as published: `#WHRDAlert ECUADOR / …`, `GUATEMALA / …`
    return codes[:needed]


def format_heading(bulletin: Bulletin, lang: str) -> str:
    """`CATEGORY / title`, `#WHRDAlert COUNTRY / title`, `COUNTRY / title`, with hashtags after."""
    names = [n for n in (heading_country(c, lang) for c in _heading_countries(bulletin)) if n]
    segments: list[str] = []
    if bulletin.category == "alert":
        segments.append(" ".join([category_label("alert", lang), ", ".join(names)]).strip())
    elif bulletin.category:
        segments.append(category_label(bulletin.category, lang))
        if names:
            segments.append(", ".join(names))
    elif names:
        segments.append(", ".join(names))
    title = bulletin.title + "".join(f" #{tag}" for tag in bulletin.tags)
    return " / ".join([*segments, title])


def format_summary(bulletin: Bulletin) -> str:
    """The summary as paragraphs, with the truncation marker put back when the source cut it."""
    paragraphs = [" ".join(p.split()) for p in re.split(r"\n\s*\n", bulletin.summary) if p.strip()]
    if bulletin.truncated:
        if paragraphs:
            paragraphs[-1] += f" {MARKER}"
        else:
            paragraphs.append(MARKER)
    return "\n\n".join(paragraphs)


def format_block(bulletin: Bulletin, *, locale: str = "en") -> str:
    """One listing block (heading, summary, date line, blank lines between), in the bulletin's language."""
    lang = bulletin.lang if bulletin.lang in ("en", "es") else locale
    parts = [format_heading(bulletin, lang), format_summary(bulletin), format_date(bulletin.date, lang)]
    return "\n\n".join(part for part in parts if part) + "\n"


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    """The entries as a listing, in the given order, a blank line between blocks."""
    for index, entry in enumerate(entries):
        if index:
            out.write("\n")
        out.write(format_block(entry.bulletin, locale=context.locale))
