"""The command line in the interface's language: help, usage lines, and Click's own messages.

whrd's own strings are English in the source and pass through gettext where they are used. Three
kinds are written by the libraries instead, and are put into the user's language here:

- the help of every command and option (docstrings and `help=` texts, English in the source and
  collected into the catalog by `tools/i18n.py`), translated on the Click objects by `localize`
  just before they are used, so one process can speak either language;
- the words Typer draws help with (`Usage:`, `Options`, `[default: …]`, `Show this message and
  exit.`), through the command classes below (`cls=LocalizedCommand` on every command) and by
  pointing Typer's own gettext hook at whrd's catalog;
- the messages of the Click that Typer vendors, which has no gettext at all: `click_message`
  matches them against their English templates (`CLICK_TEMPLATES`) and fills the Spanish one.
"""

from __future__ import annotations

import copy
import inspect
import re
import sys
from collections.abc import Callable
from functools import cache
from typing import Any

from typer.core import TyperCommand, TyperGroup

from ..i18n import N_, _
from ..i18n import translate as t

USAGE = N_("Usage: ")
OPTIONS_METAVAR = N_("[OPTIONS]")
COMMAND_METAVAR = N_("COMMAND [ARGS]...")
HELP_OPTION = N_("Show this message and exit.")

# Typer's words, looked up through its gettext hook (`typer.core._`) or set on `typer.rich_utils`.
TYPER_WORDS = (
    N_("default: {default}"),
    N_("required"),
    N_("env var: {var}"),
    N_("(dynamic)"),
    N_("Arguments"),
    N_("Options"),
    N_("Commands"),
    N_("Missing command."),
    N_("No such command {name!r}."),
    N_("Aborted!"),
    # the help of the completion options Typer adds to the root
    N_("Install completion for the current shell."),
    N_("Show completion for the current shell, to copy it or customize the installation."),
    N_("Install completion for the specified shell."),
)
RICH_WORDS = {
    "DEFAULT_STRING": N_("[default: {}]"),
    "REQUIRED_LONG_STRING": N_("[required]"),
    "ARGUMENTS_PANEL_TITLE": N_("Arguments"),
    "OPTIONS_PANEL_TITLE": N_("Options"),
    "COMMANDS_PANEL_TITLE": N_("Commands"),
    "ERRORS_PANEL_TITLE": N_("Error"),
    "ABORTED_TEXT": N_("Aborted."),
    "DEPRECATED_STRING": N_("(deprecated) "),
    "ENVVAR_STRING": N_("[env var: {}]"),
}

# What Click shows for an option's value when the option names no metavar (`<str>`), by type.
TYPE_METAVARS = {
    "str": N_("<str>"),
    "int": N_("<int>"),
    "int range": N_("<int range>"),
    "float": N_("<float>"),
    "float range": N_("<float range>"),
    "path": N_("<path>"),
    "file": N_("<file>"),
    "directory": N_("<directory>"),
    "datetime": N_("<datetime>"),
    "filename": N_("<filename>"),
}

# The messages of Typer's vendored Click, as it formats them. A {field} matches any text; a field
# named `message` is itself a message, translated in turn.
CLICK_TEMPLATES = (
    N_("Got unexpected extra argument ({args})"),
    N_("Got unexpected extra arguments ({args})"),
    N_("Got unexpected extra argument(s) ({args})"),
    N_("Invalid value for {hint}: {message}"),
    N_("Invalid value: {message}"),
    N_("Missing argument {hint}."),
    N_("Missing option {hint}."),
    N_("Missing parameter {hint}."),
    N_("Missing argument."),
    N_("Missing option."),
    N_("Missing parameter: {name}"),
    N_("No such option: {name} (Possible options: {options})"),
    N_("No such option: {name}"),
    N_("Option {name} does not take a value."),
    N_("Option {name} requires an argument."),
    N_("Option {name} requires {count} arguments."),
    N_("Argument {name} takes {count} values."),
    N_("{value} is not a valid int."),
    N_("{value} is not a valid int range."),
    N_("{value} is not a valid float."),
    N_("{value} is not a valid float range."),
    N_("{value} is not a valid uuid."),
    N_("{value} is not a valid boolean. Recognized values: {values}"),
    N_("{value} is not in the range {range}."),
    N_("{value} is not one of {choices}."),  # Typer's choices (typer/_types.py)
    N_("{value} does not match the formats {formats}."),
    N_("Missing command."),
    N_("No such command {name}."),
    N_("Aborted!"),
    N_("The value you entered was invalid."),
    N_("invalid input"),
)


Field = Callable[[Callable[[str], str]], str]
# Help texts filled in from a table: the English text -> its template and fields (see `composed`).
_COMPOSED: dict[str, tuple[str, dict[str, Field]]] = {}


def composed(template: str, **fields: Field) -> str:
    """A help text filled in from a table (the formats' registry), so it cannot be a literal:
    the English text, remembered with its template (marked with `N_`) and fields so that
    `localize` composes it again in the interface's language. A field is a function of the
    look-up (`str` → `str`) to apply to the words it takes from the table."""
    text = inspect.cleandoc(template.format(**{name: field(str) for name, field in fields.items()}))
    _COMPOSED[text] = (template, fields)
    return text


def localize(command: Any) -> Any:
    """Put `command`'s own help, its options' help and their panels into the interface's language.

    Click keeps help texts cleaned (`inspect.cleandoc`), as the catalog has them. Idempotent: a
    Spanish text is not an English msgid, so it stays as it is.
    """
    for name in ("help", "short_help", "epilog"):
        text = getattr(command, name, None)
        if text:
            setattr(command, name, _text(text))
    panel = getattr(command, "rich_help_panel", None)
    if panel:
        command.rich_help_panel = t(panel)
    for param in getattr(command, "params", ()):
        if getattr(param, "help", None):
            param.help = _text(param.help)
        _localize_metavar(param)
        if getattr(param, "rich_help_panel", None):
            param.rich_help_panel = t(param.rich_help_panel)
    return command


def _localize_metavar(param: Any) -> None:
    """`<texto>` for `<str>`: an explicit metavar through the catalog, else the type's word."""
    if getattr(param, "is_flag", False) or getattr(param, "count", False):
        return
    english = TYPE_METAVARS.get(getattr(param.type, "name", ""))
    if english is not None and t(english) != english and getattr(param, "param_type_name", "") == "argument":
        # Rich help shows an argument's type beside its name as `<{type.name}>`; the type may be
        # one of Click's shared instances, so the word goes on a copy.
        param.type = shown = copy.copy(param.type)
        name, shown.name = shown.name, t(english).strip("<>")
        convert = shown.convert

        def english_convert(value: Any, p: Any, ctx: Any) -> Any:
            """Click words its errors with `type.name` (`'x' is not a valid integer.`): English
            there, so the catalog's message translates whole, not `not a valid entero`."""
            word, shown.name = shown.name, name
            try:
                return convert(value, p, ctx)
            finally:
                shown.name = word

        shown.convert = english_convert
    if param.metavar is not None:
        param.metavar = t(param.metavar)
    elif english is not None and t(english) != english:
        param.metavar = t(english) + ("..." if param.nargs != 1 else "")


def _text(text: str) -> str:
    if text in _COMPOSED:
        template, fields = _COMPOSED[text]
        return t(template).format(**{name: field(t) for name, field in fields.items()})
    translated = t(text)
    if translated is text:
        translated = t(inspect.cleandoc(text))
    return unwrap(translated)


def unwrap(text: str) -> str:
    """Each paragraph of a help text on one line, so that Rich wraps it at the terminal's width
    instead of breaking where the source's lines ended (a translation's lines are longer).
    Paragraphs marked `\\b` and indented lines (examples, lists) keep their lines; Click's plain
    help rewraps paragraphs itself, so its output is the same either way."""
    paragraphs = text.split("\n\n")
    for index, paragraph in enumerate(paragraphs):
        lines = paragraph.split("\n")
        if paragraph.startswith("\b") or any(line[:1].isspace() for line in lines):
            continue
        paragraphs[index] = " ".join(line.strip() for line in lines)
    return "\n\n".join(paragraphs)


def click_message(message: str) -> str:
    """A message of Click's in the interface's language (unchanged if it is not one of Click's)."""
    for template, pattern in _patterns():
        found = pattern.fullmatch(message)
        if found is None:
            continue
        fields = found.groupdict()
        if "message" in fields:
            fields["message"] = click_message(fields["message"])
        return t(template).replace("{name!r}", "{name}").format(**fields)
    return message


@cache
def _patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    """Each template as a regex: its literal parts escaped, each field any text."""
    compiled = []
    for template in CLICK_TEMPLATES:
        parts = re.split(r"\{(\w+)(?:![rs])?\}", template.replace("{name!r}", "{name}"))
        regex = "".join(
            re.escape(part) if index % 2 == 0 else f"(?P<{part}>.+?)" for index, part in enumerate(parts)
        )
        compiled.append((template, re.compile(regex, re.DOTALL)))
    return tuple(compiled)


def patch_typer() -> None:
    """Point Typer's gettext hook and its Rich help words at whrd's catalog, in the language now
    in force. Typer reads both at run time; Rich's module is patched only once it is loaded."""
    import typer.core

    typer.core._ = _  # type: ignore[attr-defined]
    rich_utils = sys.modules.get("typer.rich_utils")
    if rich_utils is not None:
        rich_utils._ = _  # type: ignore[attr-defined]
        for name, english in RICH_WORDS.items():
            setattr(rich_utils, name, t(english))
        highlighter = getattr(rich_utils, "OptionHighlighter", None)
        if highlighter is not None:
            usage = re.escape(t(USAGE))
            highlighter.highlights = [
                *(h for h in highlighter.highlights if "?P<usage>" not in h),
                rf"(?P<usage>{usage})",
            ]


class _Localized:
    """What every whrd command and group does in the interface's language."""

    def format_usage(self, ctx: Any, formatter: Any) -> None:
        pieces = self.collect_usage_pieces(ctx)  # type: ignore[attr-defined]
        formatter.write_usage(ctx.command_path, " ".join(pieces), prefix=t(USAGE))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces: list[str] = super().collect_usage_pieces(ctx)  # type: ignore[misc]
        return [t(piece) if piece in (OPTIONS_METAVAR, COMMAND_METAVAR) else piece for piece in pieces]

    def get_help_option(self, ctx: Any) -> Any:
        option = super().get_help_option(ctx)  # type: ignore[misc]
        if option is not None and option.help:
            option.help = t(option.help)
        return option

    def format_help(self, ctx: Any, formatter: Any) -> None:
        if getattr(self, "rich_markup_mode", None):
            import typer.rich_utils  # noqa: F401 - loaded now so that its words are patched too
        patch_typer()
        localize(self)
        super().format_help(ctx, formatter)  # type: ignore[misc]


class LocalizedCommand(_Localized, TyperCommand):
    """A command whose help and usage speak the interface's language (`cls=` of every command)."""


class LocalizedGroup(_Localized, TyperGroup):
    """The same for a group (the root group's base), its subcommands' help in its listing too."""

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        command = super().get_command(ctx, cmd_name)
        return localize(command) if command is not None else None


__all__ = [
    "CLICK_TEMPLATES",
    "LocalizedCommand",
    "LocalizedGroup",
    "click_message",
    "composed",
    "localize",
    "patch_typer",
]
