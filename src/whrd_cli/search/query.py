"""The query language: words, "phrases", -exclusions, OR, and the title:, tag: and country: scopes
(also título:, etiqueta:, país:).

Guarantees:
- `parse_query` either returns a `Query` or raises `QueryError` (or `CountryError` for an unknown
  `country:`) with one line that says how to fix the query; nothing else;
- words are folded as the index folds them (`text.words`); the very common words are dropped
  from a query as they are from the index, except inside a quoted phrase;
- `Query` says what must match; how matching and ranking work is `rank`'s.
"""

from __future__ import annotations

import re
import unicodedata

from msgspec import Struct

from ..errors import QueryError
from ..i18n import _
from ..text import fold
from .text import STOP_WORDS, words

SCOPES = ("title", "tag", "country")
# Each scope in English and Spanish (folded): `título:`, `etiqueta:`, `país:` work as well.
_SCOPE_NAMES = {
    "title": "title",
    "titulo": "title",
    "tag": "tag",
    "etiqueta": "tag",
    "country": "country",
    "pais": "country",
}
_SCOPE = re.compile("(title|t[ií]tulo|tag|etiqueta|country|pa[ií]s):", re.IGNORECASE)
_QUOTES = str.maketrans(dict.fromkeys("“”„«»＂", '"'))


class Words(Struct, frozen=True):
    """Words that must stand next to each other, in order (most often just one word)."""

    words: tuple[str, ...]  # folded, common words included
    exact: bool = False  # quoted: these very words (folded), not any form of them
    field: str | None = None  # None: title, summary or tags; "title": the title only

    @property
    def content(self) -> tuple[str, ...]:
        """The words the index holds (common words left out)."""
        return tuple(word for word in self.words if word not in STOP_WORDS)


class Tag(Struct, frozen=True):
    """`tag:name`: the bulletin carries this tag (compared folded, as `--tag` does)."""

    name: str


class Countries(Struct, frozen=True):
    """`country:name`: the bulletin is about one of these countries (resolved as `--country`)."""

    codes: frozenset[str]


Atom = Words | Tag | Countries


class Query(Struct, frozen=True):
    """Every clause must match (a clause matches when any of its atoms does); no excluded atom may."""

    text: str
    clauses: tuple[tuple[Atom, ...], ...]
    excluded: tuple[Atom, ...] = ()

    @property
    def positive_words(self) -> tuple[Words, ...]:
        """The word atoms that rank and highlight, each once."""
        seen: dict[Words, None] = {}
        for clause in self.clauses:
            for atom in clause:
                if isinstance(atom, Words):
                    seen.setdefault(atom)
        return tuple(seen)


class _Lexeme(Struct, frozen=True):
    text: str
    raw: str
    quoted: bool = False
    negated: bool = False
    scope: str | None = None  # the canonical scope (`title`)
    written: str = ""  # the scope as the query wrote it (`Título`), for messages

    @property
    def is_or(self) -> bool:
        # `OR`, `or`, `Or` alike: `or` is a stop word, so it could never mean the word itself.
        return self.text.casefold() == "or" and not (self.quoted or self.negated or self.scope)


def _lex(text: str) -> list[_Lexeme]:
    """Split a query into terms: `[-][scope:]word` or `[-][scope:]"a phrase"`."""
    lexemes: list[_Lexeme] = []
    i, n = 0, len(text)
    while i < n:
        if text[i].isspace():
            i += 1
            continue
        start = i
        negated = text[i] == "-" and i + 1 < n and not text[i + 1].isspace()
        if negated:
            i += 1
        scope, written = None, ""
        found = _SCOPE.match(text, i)
        if found:
            written = found.group(1).lower()
            scope = _SCOPE_NAMES[fold(written)]
            i = found.end()
        if i < n and text[i] == '"':
            close = text.find('"', i + 1)
            if close < 0:
                raise QueryError(
                    _('Unbalanced quote in the query {query!r}: close the phrase with a second ".').format(
                        query=text.strip()
                    )
                )
            lexemes.append(
                _Lexeme(text[i + 1 : close], text[start : close + 1], True, negated, scope, written)
            )
            i = close + 1
            continue
        end = i
        while end < n and not text[end].isspace() and text[end] != '"':
            end += 1
        lexemes.append(_Lexeme(text[i:end], text[start:end], False, negated, scope, written))
        i = end
    return lexemes


_SCOPE_EXAMPLE = {"title": "mining", "tag": "WHRDAlert", "country": "honduras"}


def _atom(lexeme: _Lexeme) -> Atom | None:
    """The atom a term stands for; None for a term with nothing searchable (punctuation, `the`)."""
    if lexeme.quoted and not lexeme.text.strip():
        raise QueryError(
            _("The phrase {phrase!r} is empty: put words between the quotes.").format(phrase=lexeme.raw)
        )
    if lexeme.scope and not lexeme.text.strip():
        example = _SCOPE_EXAMPLE[lexeme.scope]
        raise QueryError(
            _("{scope}: needs a word after it, as in {scope}:{example}.").format(
                scope=lexeme.written, example=example
            )
        )
    if lexeme.scope == "country":
        from ..countries import resolve_countries

        return Countries(frozenset(resolve_countries(lexeme.text)))
    if lexeme.scope == "tag":
        name = fold(lexeme.text.strip().lstrip("#"))  # as `--tag` folds it
        if not name:
            raise QueryError(
                _("{scope}: needs a tag after it, as in {scope}:{example}.").format(
                    scope=lexeme.written, example=_SCOPE_EXAMPLE["tag"]
                )
            )
        return Tag(name)
    found = Words(tuple(words(lexeme.text)), exact=lexeme.quoted, field=lexeme.scope)
    if not found.words:
        if lexeme.scope or lexeme.quoted:
            raise QueryError(_("{term!r} has no words to search for.").format(term=lexeme.raw))
        return None
    if not found.exact and not found.content:
        return None  # `the`, `de la`: ignored, as they are not indexed; quoted they count
    return found


def parse_query(text: str) -> Query:
    """Parse the query language; raises QueryError with a message that says how to fix it.

    Words must all match; `"a phrase"` matches those words next to each other, as written
    (case and accents aside); `-word` excludes; `a OR b` matches either; `title:`, `tag:` and
    `country:` restrict a word (or phrase) to the title, the tags, or the bulletin's countries.
    """
    cleaned = unicodedata.normalize("NFC", text.translate(_QUOTES))
    lexemes = _lex(cleaned)
    if not lexemes:
        raise QueryError(_("The query is empty: give words to search for, e.g. whrd search mining."))
    groups: list[list[_Lexeme]] = []
    joining = False
    for lexeme in lexemes:
        if lexeme.is_or:
            if not groups or joining:
                raise QueryError(_('OR needs a word on each side, as in "mining OR minería".'))
            joining = True
        elif joining:
            groups[-1].append(lexeme)
            joining = False
        else:
            groups.append([lexeme])
    if joining:
        raise QueryError(_('OR needs a word on each side, as in "mining OR minería".'))

    clauses: list[tuple[Atom, ...]] = []
    excluded: list[Atom] = []
    ignored = False
    for group in groups:
        if len(group) > 1 and any(lexeme.negated for lexeme in group):
            shown = " OR ".join(lexeme.raw for lexeme in group)
            raise QueryError(
                _(
                    "An excluded word cannot be part of an OR ({terms!r}); exclude it on its own, "
                    'as in "mining -coal".'
                ).format(terms=shown)
            )
        atoms = [atom for atom in map(_atom, group) if atom is not None]
        ignored = ignored or len(atoms) < len(group)
        if not atoms:
            continue
        if group[0].negated:
            excluded.extend(atoms)
        else:
            clauses.append(tuple(dict.fromkeys(atoms)))
    shown = text.strip()
    if not clauses:
        if excluded:
            raise QueryError(
                _(
                    "The query {query!r} only excludes words; add a word to search for, "
                    'as in "mothers -disappeared".'
                ).format(query=shown)
            )
        if ignored and any(words(lexeme.text) for lexeme in lexemes):
            raise QueryError(
                _(
                    "The query {query!r} has only very common words, which are not indexed; "
                    "quote them to find them as written: '\"{query}\"'."
                ).format(query=shown)
            )
        raise QueryError(_("The query {query!r} has no words to search for.").format(query=shown))
    return Query(text=shown, clauses=tuple(clauses), excluded=tuple(excluded))
