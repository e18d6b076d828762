"""Text as whrd compares and keeps it: the one fold, and the one set of spaces and control characters.

Every module that folds text for comparison (dedupe keys, tags, countries, categories, filters,
dates, search) and every single-line check (titles, sources, tags, prompts, export titles, listing
lines) comes here, so two parts of whrd never disagree about what a space or a control character is.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from .errors import ValidationError
from .i18n import N_, _, translate

# Horizontal spaces: tab and Unicode's space separators (category Zs). Squeezed to one " ".
SPACE_CHARS = "\t \u00a0\u1680\u2000-\u200a\u202f\u205f\u3000"
# Invisible characters editors and web pages leave in text (BOM, zero-width space and word
# joiner, soft hyphen): removed wherever whrd reads a line.
INVISIBLE = dict.fromkeys(map(ord, "\ufeff\u200b\u2060\u00ad"), None)
_INVISIBLE_RE = re.compile("[\ufeff\u200b\u2060\u00ad]")
# Control characters, line and paragraph separators and bidirectional overrides (which can make a
# title display as something else): refused. `_CONTROL` allows line breaks and tabs (multi-line
# text); `_CONTROL_LINE` does not (one-line text).
# Lone surrogates (JSON's "\\ud800") are not text at all: they cannot be written out as UTF-8.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
_CONTROL_LINE = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069\ud800-\udfff]")
SPACES = re.compile(f"[{SPACE_CHARS}]+")
# Where `SPACES.sub(" ", text)` would change anything: a space other than " ", or two in a row.
# Most text has neither, and one search is much cheaper than rebuilding it word by word.
_ODD_SPACES = re.compile("[\t\u00a0\u1680\u2000-\u200a\u202f\u205f\u3000\ufeff\u200b\u2060\u00ad]")


def fold(text: str) -> str:
    """Lower-case and strip accents, so `Miércoles` and `miercoles` read alike.

    Exactly: the NFKD decomposition of `text.casefold()` without its combining characters (every
    character whose canonical combining class is not 0). The one fold of whrd: dedupe keys, tags,
    countries, categories, filters and dates all compare through it. Fast paths, same result:
    ASCII text only needs `lower()` (its casefold, and already decomposed); after NFKD, the
    accents of Latin text are removed by one C-speed regex; only text still not ASCII after that
    is checked character by character (a 100,000-bulletin import folds every title and tag).
    """
    if text.isascii():
        return text.lower()
    decomposed = _ACCENTS.sub("", unicodedata.normalize("NFKD", text.casefold()))
    if decomposed.isascii():
        return decomposed
    return _NON_ASCII.sub(_without_marks, decomposed)


# The Combining Diacritical Marks block, less U+034F (the grapheme joiner, combining class 0):
# every one of them has a non-zero combining class, which Unicode never changes once assigned.
_ACCENTS = re.compile("[\u0300-\u034e\u0350-\u036f]+")
_NON_ASCII = re.compile(r"[^\x00-\x7f]+")


def _without_marks(run: re.Match[str]) -> str:
    return _strip_marks(run.group())


@lru_cache(maxsize=4096)
def _strip_marks(run: str) -> str:
    """A run of non-ASCII characters without its combining marks (runs repeat: `“`, `—`, `¿`)."""
    return "".join(ch for ch in run if not unicodedata.combining(ch))


def squeeze(value: str) -> str:
    """Invisible characters removed, every run of spaces made one " "."""
    if "  " in value or _ODD_SPACES.search(value):
        return SPACES.sub(" ", _INVISIBLE_RE.sub("", value))
    return value


# The names callers give the text they check, as messages name them in the interface's language;
# a name not here (an option such as --title) is shown as it is.
_NAMES: dict[str, str] = {
    "title": N_("title"),
    "tag": N_("tag"),
    "summary": N_("summary"),
    "source": N_("source"),
    "private note": N_("private note"),
}
_CONTROL_OR_BREAK = N_("a control character or line break")
_CONTROL_ONLY = N_("a control character")


def _named(name: str) -> str:
    return translate(_NAMES[name]) if name in _NAMES else name


def clean_line(value: str, name: str, *, required: bool = False, field: str | None = None) -> str:
    """One line of user text as the model keeps it (NFC, spaces squeezed), or a ValidationError:
    the one place single-line text is checked (titles, sources, tags, export titles, prompts)."""
    value = squeeze(unicodedata.normalize("NFC", value)).strip()
    found = _CONTROL_LINE.search(value)
    if found:
        _refuse(found.group(), name, field or name, _CONTROL_OR_BREAK, value)
    if required and not any(ch.isalnum() for ch in value):  # "", or only marks and punctuation
        raise ValidationError(
            _("The {name} is empty: give a {name} with letters or digits.").format(name=_named(name)),
            field=field or name,
            value=value,
        )
    return value


def clean_text(value: str, name: str, *, field: str | None = None) -> str:
    """Multi-line user text (summaries, private notes): NFC, spaces squeezed per line, or a
    ValidationError naming the field."""
    value = unicodedata.normalize("NFC", value.replace("\r\n", "\n").replace("\r", "\n"))
    found = _CONTROL.search(value)
    if found:
        _refuse(found.group(), name, field or name, _CONTROL_ONLY, value)
    if "\n" not in value:
        return squeeze(value).strip()
    lines = [squeeze(line).strip() for line in value.split("\n")]
    return "\n".join(lines).strip()


def _refuse(char: str, name: str, field: str, kind: str, value: str) -> None:
    """The error for a refused character (`kind` is marked with N_); a lone surrogate is named as
    what it is."""
    if "\ud800" <= char <= "\udfff":
        raise ValidationError(
            _("The {name} is not valid Unicode text (a lone surrogate, U+{code}); remove it.").format(
                name=_named(name), code=f"{ord(char):04X}"
            ),
            field=field,
            value=value,
        )
    raise ValidationError(
        _("The {name} contains {kind}; remove it.").format(name=_named(name), kind=translate(kind)),
        field=field,
        value=value,
    )


# What `printable` shows instead of a character that must not reach a terminal: C0 controls as
# their Control Pictures (ESC as "␛"), DEL as "␡", everything else (C1, bidi overrides, line
# separators, lone surrogates) as "�". One character for one, so highlight offsets still hold.
_PICTURES = {code: chr(0x2400 + code) for code in range(0x20)}
_PICTURES[0x7F] = "\u2421"


def _picture(match: re.Match[str]) -> str:
    return _PICTURES.get(ord(match.group()), "\ufffd")


def printable(text: str, *, multiline: bool = True) -> str:
    """`text` safe to print on a terminal: every control character, bidirectional override, line
    separator and lone surrogate replaced by a visible stand-in, one for one (tabs and line breaks
    kept when `multiline`).

    The model refuses these characters, but an archive edited by hand (or written by an older whrd)
    may hold them, and an ESC sequence printed raw would drive the terminal."""
    pattern = _CONTROL if multiline else _CONTROL_LINE
    if not pattern.search(text):
        return text
    return pattern.sub(_picture, text)


# URLs: ASCII space and controls, or, in a URL with other characters, any Unicode space, control,
# format character (bidi marks and overrides, zero-width characters, BOM) or lone surrogate.
_URL_ASCII_UNSAFE = re.compile(r"[\x00-\x20\x7f]")
_URL_UNSAFE_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zs", "Zl", "Zp"})


def unsafe_in_url(value: str) -> str | None:
    """The first character a URL must not hold (whitespace, control or invisible format
    character), or None."""
    if value.isascii():
        found = _URL_ASCII_UNSAFE.search(value)
        return found.group() if found else None
    for char in value:
        if char.isspace() or unicodedata.category(char) in _URL_UNSAFE_CATEGORIES:
            return char
    return None


_MULTILINE_FIELDS = frozenset({"summary", "private"})


def printable_raw(raw: Mapping[str, Any], *, multiline: bool = True) -> Mapping[str, Any]:
    """A stored bulletin with every text field (list items too) made `printable`; the same dict
    when nothing needs it (the common case: one regex search per field, nothing copied). Summaries
    and private notes keep their line breaks when `multiline`."""
    changed: dict[str, Any] = {}
    for name, value in raw.items():
        if isinstance(value, str):
            safe: Any = printable(value, multiline=multiline and name in _MULTILINE_FIELDS)
        elif isinstance(value, (list, tuple)):
            safe = type(value)(printable(v, multiline=False) if isinstance(v, str) else v for v in value)
        else:
            continue
        if safe != value:
            changed[name] = safe
    return {**raw, **changed} if changed else raw


def json_escaped(text: str) -> str:
    """JSON text with every character that drives a terminal \\u-escaped, as JSON allows, so the
    data stay exact (json.dumps escapes C0 controls itself; C1 controls, line separators and
    bidirectional overrides it writes as they are)."""
    return _CONTROL.sub(_json_escape, text)


def _json_escape(found: re.Match[str]) -> str:
    return f"\\u{ord(found.group()):04x}"
