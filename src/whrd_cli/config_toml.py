"""Why a config file is not TOML, in the interface's language, with its line and column.

tomllib says it in English (`Illegal character '\\n' (at line 1, column 13)`); English runs keep
that text, other languages get the common problems translated by their text, a few by a pattern.
"""

from __future__ import annotations

import re
from pathlib import Path

from .i18n import N_, _, language
from .i18n import translate as t

# What tomllib says is wrong (in English, with `(at line 1, column 13)` after it), said in the
# interface's language: the common problems by their text, a few by a pattern (`{char}` is data).
_TOML_AT = re.compile(
    r"(?s)(?P<problem>.*) \(at (?:line (?P<line>\d+), column (?P<column>\d+)|end of document)\)"
)
_TOML_PROBLEMS: dict[str, str] = {
    "Invalid statement": N_("a line that is not a key = value, a [section] or a comment"),
    "Expected newline or end of document after a statement": N_("more text after a value on its line"),
    "Cannot overwrite a value": N_("a key given a value twice"),
    "Expected ']' at the end of a table declaration": N_("a [section] without its closing ]"),
    "Expected ']]' at the end of an array declaration": N_("a [[section]] without its closing ]]"),
    "Expected '=' after a key in a key/value pair": N_("a key without = after it"),
    "Invalid initial character for a key part": N_("a key that starts with a character keys cannot"),
    "Unclosed array": N_("a list without its closing ]"),
    "Unclosed inline table": N_("an inline table without its closing brace"),
    "Unterminated string": N_("a text without its closing quote"),
    "Invalid value": N_("a value that is not valid (text goes in quotes)"),
    "Invalid date or datetime": N_("a date or time that is not valid"),
}
_TOML_PATTERNS: tuple[tuple[re.Pattern[str], str], ...] = (
    (
        re.compile(r"(?:Illegal|Found invalid) character (?P<char>.+)"),
        N_("a character not allowed here: {char}"),
    ),
    (re.compile(r"Cannot declare (?P<char>.+) twice"), N_("{char} declared twice")),
)


def toml_problem(path: Path, exc: Exception) -> str:
    """Why the file is not TOML, with the line and column, in the interface's language (in English,
    as tomllib says it)."""
    text = str(exc)
    if language() == "en":
        return _("The config file {path} is not valid TOML: {problem}.").format(path=path, problem=text)
    found = _TOML_AT.fullmatch(text)
    line = getattr(exc, "lineno", None) or (found and found["line"])
    column = getattr(exc, "colno", None) or (found and found["column"])
    where = (
        _("line {line}, column {column}").format(line=line, column=column)
        if line and column
        else _("the end of the file")
    )
    said = found["problem"] if found else getattr(exc, "msg", text)
    problem = t(_TOML_PROBLEMS[said]) if said in _TOML_PROBLEMS else None
    for pattern, template in _TOML_PATTERNS:
        if problem is None and (match := pattern.fullmatch(said)):
            problem = t(template).format(char=match["char"])
    if problem is None:
        return _("The config file {path} is not valid TOML at {where}.").format(path=path, where=where)
    return _("The config file {path} is not valid TOML at {where}: {problem}.").format(
        path=path, where=where, problem=problem
    )
