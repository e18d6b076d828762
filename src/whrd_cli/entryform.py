"""The plain-text form a bulletin takes in $EDITOR (`Field: value` lines, a blank line, the summary),
read back into fields, or into the fields a person changed.

Comment lines (starting with `# `) are allowed only above the first field, so a summary or a tag
that starts with `#` is never mistaken for one. A line that starts with a space continues the
field above it, so a private note (or a long title) may take several lines; blank lines inside
a field's continuation are kept when an indented line follows them, so an editor that strips
trailing spaces never turns the rest of a private note into the (public) summary.

No error message of this module quotes what a line holds: the line may be part of a private note.

The form speaks the interface's language: its instructions, and its labels (`Title:` or
`Título:`). Labels are read in both languages whatever the language of the run, accents and case
ignored, so a form filled in under one language is read under the other.
"""

from __future__ import annotations

from typing import Any, NamedTuple

from .errors import InputError
from .i18n import N_, _, language, translate
from .model import Bulletin
from .text import fold

# The instructions on top of the form, each line a comment. Translated as one text, so a
# translation keeps every line a comment (`# `) and may take as many lines as it needs.
_HEADER = N_(
    "# Fill in the fields, then the summary after the blank line. Save and close to finish.\n"
    "# {title} and {date} are required. Date: 2017-01-26, 26 January 2017 or 4 de marzo de 2018.\n"
    "# {countries} and {tags} are separated by commas. A line starting with a space continues the\n"
    "# field above (a private note may take several lines). Lines starting with '# ' up here are\n"
    "# ignored. To give up, empty the file."
)


class _Field(NamedTuple):
    """A field of the form: its model name and its label in each language (read in both)."""

    name: str
    en: str
    es: str


# In the order the form shows them. Private is last: a summary that starts with an indented line
# would continue it, and so stays private rather than the other way round. Labels are grammar of
# the form (what is read back), so they are a table here rather than catalog entries.
_FIELDS = (
    _Field("title", "Title", "Título"),
    _Field("date", "Date", "Fecha"),
    _Field("category", "Category", "Categoría"),
    _Field("countries", "Countries", "Países"),
    _Field("tags", "Tags", "Etiquetas"),
    _Field("lang", "Lang", "Idioma"),
    _Field("url", "URL", "URL"),
    _Field("source", "Source", "Fuente"),
    _Field("truncated", "Truncated", "Recortado"),
    _Field("private", "Private", "Nota privada"),
)
_BY_LABEL = {fold(label): field.name for field in _FIELDS for label in (field.en, field.es)}
_INDENT = "  "
# What `Truncated:` takes, folded (`sí` is `si`); the form writes the language's yes.
_YES = ("yes", "true", "1", "si")
_NO = ("no", "false", "0", "")


def _label(field: _Field) -> str:
    """The field's label in the interface's language."""
    return field.es if language() == "es" else field.en


def _spanish_category(key: str) -> str:
    """A known category as a Spanish form writes it (`pronunciamiento`), read back to its key; an
    archive's own category as it is stored."""
    from .categories import BY_KEY, category_name

    return category_name(key, "es").lower() if key in BY_KEY else key


def _header() -> str:
    """The instructions, every line a comment even if a translation forgot its `# `."""
    labels = {field.name: _label(field) for field in _FIELDS}
    text = translate(_HEADER).format(
        title=labels["title"], date=labels["date"], countries=labels["countries"], tags=labels["tags"]
    )
    return "\n".join(line if line.startswith("# ") else f"# {line}" for line in text.strip().split("\n"))


class FormError(InputError):
    """A line of the form that cannot be read; `line` is its number in the text that was read."""

    def __init__(self, line: int, detail: str) -> None:
        self.line = line
        self.detail = detail
        super().__init__(self.message_at(0))

    def message_at(self, offset: int) -> str:
        """The message for the same text shown with `offset` more lines above it."""
        return _("Line {line} of the form: {detail}").format(line=self.line + offset, detail=self.detail)


class FormEmpty(InputError):
    """The person emptied the form: how an editor session is abandoned."""


def render_form(bulletin: Bulletin | None = None, **prefill: Any) -> str:
    """The editor text for a new bulletin (optionally prefilled) or an existing one."""
    values: dict[str, Any] = bulletin.to_dict() if bulletin else {}
    values.update({k: v for k, v in prefill.items() if v not in (None, (), [])})
    lines = [_header()]
    for field in _FIELDS:
        value = values.get(field.name)
        if isinstance(value, list | tuple):
            value = ", ".join(value)
        elif isinstance(value, bool):
            value = ("sí" if language() == "es" else "yes") if value else ""
        elif field.name == "category" and value and language() == "es":
            value = _spanish_category(value)
        first, *rest = str(value or "").split("\n")
        lines.append(f"{_label(field)}: {first}".rstrip() + (" " if not first else ""))
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
    # A byte-order mark (Notepad, an editor set for Windows) is not part of the first label.
    lines = text.removeprefix("\ufeff").replace("\r\n", "\n").split("\n")
    values: dict[str, Any] = {}
    index = 0
    while index < len(lines) and (lines[index].startswith("# ") or lines[index] == "#"):
        index += 1
    while index < len(lines) and lines[index].strip():
        label, sep, first = lines[index].partition(":")
        name = _BY_LABEL.get(fold(label.strip()))
        if not sep or name is None or lines[index][:1] in (" ", "\t"):
            raise FormError(
                index + 1,
                _(
                    "not a field. A field is 'Label: value', and its further lines start with a "
                    "space. Fields: {fields}."
                ).format(fields=", ".join(_label(field) for field in _FIELDS)),
            )
        if name in values:  # neither copy is silently dropped: the person says which one
            label = next(_label(field) for field in _FIELDS if field.name == name)
            raise FormError(index + 1, _("{label} is given twice; keep one of them.").format(label=label))
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
    if name == "category" and value:
        from .categories import known_category

        return known_category(value) or value  # `pronunciamiento` is `statement`, in either language
    if name == "truncated":
        answer = fold(value)
        if answer not in (*_YES, *_NO):
            raise FormError(index + 1, _("Truncated is yes or no."))
        return answer in _YES
    return value or None


def parse_new_form(text: str) -> dict[str, Any]:
    """The fields of a form filled in for a new bulletin; InputError when it was left empty."""
    values = parse_form(text)
    if not values.get("title") and not values.get("date") and not values.get("summary"):
        raise FormEmpty(_("The form was left empty; nothing was added."))
    return values


def form_changes(form: str, edited: str) -> dict[str, Any]:
    """The fields the user changed from `form` to `edited`, and only those: a field someone else
    changed meanwhile, and the user did not touch, keeps that other change.

    Emptying the file is how an editor session is abandoned: FormEmpty, nothing saved.
    """
    if not edited.strip():
        raise FormEmpty(_("The form was left empty; nothing was saved."))
    before = parse_form(form)
    after = parse_form(edited)
    return {name: value for name, value in after.items() if before.get(name) != value}
