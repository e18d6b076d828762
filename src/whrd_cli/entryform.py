"""The plain-text form a bulletin takes in $EDITOR (`Field: value` lines, a blank line, the summary),
read back into fields, or into the fields a person changed.

Comment lines (starting with `# `) are allowed only above the first field, so a summary or a tag
that starts with `#` is never mistaken for one. A line that starts with a space continues the
field above it, so a private note (or a long title) may take several lines; blank lines inside
a field's continuation are kept when an indented line follows them, so an editor that strips
trailing spaces never turns the rest of a private note into the (public) summary.

No error message of this module quotes what a line holds: the line may be part of a private note.
"""

from __future__ import annotations

from typing import Any

from .errors import InputError
from .model import Bulletin

_HEADER = """\
# Fill in the fields, then the summary after the blank line. Save and close to finish.
# Title and Date are required. Date: 2017-01-26, 26 January 2017 or 4 de marzo de 2018.
# Countries and Tags are separated by commas. A line starting with a space continues the
# field above (a private note may take several lines). Lines starting with '# ' up here are
# ignored. To give up, empty the file.
"""

# Form label -> model field, in the order the form shows them. Private is last: a summary
# that starts with an indented line would continue it, and so stays private rather than the
# other way round.
_FIELDS = (
    ("Title", "title"),
    ("Date", "date"),
    ("Category", "category"),
    ("Countries", "countries"),
    ("Tags", "tags"),
    ("Lang", "lang"),
    ("URL", "url"),
    ("Source", "source"),
    ("Truncated", "truncated"),
    ("Private", "private"),
)
_BY_LABEL = {label.casefold(): name for label, name in _FIELDS}
_INDENT = "  "


class FormError(InputError):
    """A line of the form that cannot be read; `line` is its number in the text that was read."""

    def __init__(self, line: int, detail: str) -> None:
        self.line = line
        self.detail = detail
        super().__init__(self.message_at(0))

    def message_at(self, offset: int) -> str:
        """The message for the same text shown with `offset` more lines above it."""
        return f"Line {self.line + offset} of the form: {self.detail}"


class FormEmpty(InputError):
    """The person emptied the form: how an editor session is abandoned."""


def render_form(bulletin: Bulletin | None = None, **prefill: Any) -> str:
    """The editor text for a new bulletin (optionally prefilled) or an existing one."""
    values: dict[str, Any] = bulletin.to_dict() if bulletin else {}
    values.update({k: v for k, v in prefill.items() if v not in (None, (), [])})
    lines = [_HEADER.rstrip("\n")]
    for label, name in _FIELDS:
        value = values.get(name)
        if isinstance(value, list | tuple):
            value = ", ".join(value)
        elif isinstance(value, bool):
            value = "yes" if value else ""
        first, *rest = str(value or "").split("\n")
        lines.append(f"{label}: {first}".rstrip() + (" " if not first else ""))
        # Every further line indented, empty ones too: the field goes on until an unindented line.
        lines.extend(_INDENT + line.rstrip() for line in rest)
    lines.append("")
    lines.append(values.get("summary") or "")
    return "\n".join(lines).rstrip(" ") + "\n"


def _continues(lines: list[str], index: int) -> bool:
    """Whether line `index` continues the field above: indented, or blank with an indented line
    after the blank run (an editor may have stripped the indent of an empty line)."""
    line = lines[index]
    if line[:1] in (" ", "\t"):
        return bool(line.strip()) or _continues_after_blank(lines, index)
    return not line and _continues_after_blank(lines, index)


def _continues_after_blank(lines: list[str], index: int) -> bool:
    while index < len(lines) and not lines[index].strip():
        index += 1
    return index < len(lines) and lines[index][:1] in (" ", "\t") and bool(lines[index].strip())


def _unindent(line: str) -> str:
    return line[len(_INDENT) :] if line.startswith(_INDENT) else line.lstrip(" \t")


def parse_form(text: str) -> dict[str, Any]:
    """Fields from the editor text; raises FormError naming the line (never quoting it)."""
    lines = text.replace("\r\n", "\n").split("\n")
    values: dict[str, Any] = {}
    index = 0
    while index < len(lines) and (lines[index].startswith("# ") or lines[index] == "#"):
        index += 1
    while index < len(lines) and lines[index].strip():
        label, sep, first = lines[index].partition(":")
        name = _BY_LABEL.get(label.strip().casefold())
        if not sep or name is None or lines[index][:1] in (" ", "\t"):
            raise FormError(
                index + 1,
                "not a field. A field is 'Label: value', and its further lines start with a "
                f"space. Fields: {', '.join(label for label, _ in _FIELDS)}.",
            )
        start = index
        parts = [first.strip()]
        index += 1
        while index < len(lines) and _continues(lines, index):
            parts.append(_unindent(lines[index]).rstrip())
            index += 1
        values[name] = _value(name, parts, start)
    values["summary"] = "\n".join(lines[index:]).strip()
    return values


def _value(name: str, parts: list[str], index: int) -> Any:
    """One field's value from its first line and its continuation lines."""
    if name in ("countries", "tags"):
        return [v.strip() for part in parts for v in part.split(",") if v.strip()]
    if name == "private":
        return "\n".join(parts).strip() or None
    value = " ".join(part.strip() for part in parts if part.strip())
    if name == "truncated":
        answer = value.lower()
        if answer not in ("yes", "true", "1", "si", "sí", "no", "false", "0", ""):
            raise FormError(index + 1, "Truncated is yes or no.")
        return answer in ("yes", "true", "1", "si", "sí")
    return value or None


def parse_new_form(text: str) -> dict[str, Any]:
    """The fields of a form filled in for a new bulletin; InputError when it was left empty."""
    values = parse_form(text)
    if not values.get("title") and not values.get("date") and not values.get("summary"):
        raise FormEmpty("The form was left empty; nothing was added.")
    return values


def form_changes(form: str, edited: str) -> dict[str, Any]:
    """The fields the user changed from `form` to `edited`, and only those: a field someone else
    changed meanwhile, and the user did not touch, keeps that other change.

    Emptying the file is how an editor session is abandoned: FormEmpty, nothing saved.
    """
    if not edited.strip():
        raise FormEmpty("The form was left empty; nothing was saved.")
    before = parse_form(form)
    after = parse_form(edited)
    return {name: value for name, value in after.items() if before.get(name) != value}
