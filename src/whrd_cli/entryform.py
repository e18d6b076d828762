"""The plain-text form a bulletin takes in $EDITOR (`Field: value` lines, a blank line, the summary),
read back into fields, or into the fields a person changed.

Comment lines (starting with `# `) are allowed only above the first field, so a summary or a tag
that starts with `#` is never mistaken for one.
"""

from __future__ import annotations

from typing import Any

from .errors import InputError
from .model import Bulletin

_HEADER = """\
# Fill in the fields, then the summary after the blank line. Save and close to finish.
# Title and Date are required. Date: 2017-01-26, 26 January 2017 or 4 de marzo de 2018.
# Countries and Tags are separated by commas. Lines starting with '# ' up here are ignored.
"""

# Form label -> model field, in the order the form shows them.
_FIELDS = (
    ("Title", "title"),
    ("Date", "date"),
    ("Category", "category"),
    ("Countries", "countries"),
    ("Tags", "tags"),
    ("Lang", "lang"),
    ("URL", "url"),
    ("Source", "source"),
    ("Private", "private"),
    ("Truncated", "truncated"),
)
_BY_LABEL = {label.casefold(): name for label, name in _FIELDS}


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
        lines.append(f"{label}: {value or ''}".rstrip() + (" " if not value else ""))
    lines.append("")
    lines.append(values.get("summary") or "")
    return "\n".join(lines).rstrip(" ") + "\n"


def parse_form(text: str) -> dict[str, Any]:
    """Fields from the editor text; raises InputError naming an unknown field label."""
    lines = text.replace("\r\n", "\n").split("\n")
    values: dict[str, Any] = {}
    index = 0
    while index < len(lines) and (lines[index].startswith("# ") or lines[index] == "#"):
        index += 1
    while index < len(lines) and lines[index].strip():
        label, sep, value = lines[index].partition(":")
        name = _BY_LABEL.get(label.strip().casefold())
        if not sep or name is None:
            raise InputError(
                f"Line {index + 1} of the form is not a field: {lines[index].strip()!r}. "
                f"Fields: {', '.join(label for label, _ in _FIELDS)}."
            )
        value = value.strip()
        if name in ("countries", "tags"):
            values[name] = [v.strip() for v in value.split(",") if v.strip()]
        elif name == "truncated":
            answer = value.lower()
            if answer not in ("yes", "true", "1", "si", "sí", "no", "false", "0", ""):
                raise InputError(f"Line {index + 1} of the form: Truncated is yes or no, not {value!r}.")
            values[name] = answer in ("yes", "true", "1", "si", "sí")
        else:
            values[name] = value or None
        index += 1
    values["summary"] = "\n".join(lines[index:]).strip()
    return values


def parse_new_form(text: str) -> dict[str, Any]:
    """The fields of a form filled in for a new bulletin; InputError when it was left empty."""
    values = parse_form(text)
    if not values.get("title") and not values.get("date") and not values.get("summary"):
        raise InputError("The form was left empty; nothing was added.")
    return values


def form_changes(form: str, edited: str) -> dict[str, Any]:
    """The fields the user changed from `form` to `edited`, and only those: a field someone else
    changed meanwhile, and the user did not touch, keeps that other change.

    Emptying the file is how an editor session is abandoned: an InputError, nothing saved.
    """
    if not edited.strip():
        raise InputError("The form was left empty; nothing was saved.")
    before = parse_form(form)
    after = parse_form(edited)
    return {name: value for name, value in after.items() if before.get(name) != value}
