"""Questions asked of a person at a terminal, in the interface's language: the fields of an
interactive `add`, each checked as it is answered, and yes/no confirmations.

A person at a terminal who runs `whrd add` without a title or date is asked for every field the
command line did not give: title and date (required: asked again until they can be used), then
category (with the known ones as choices, named as the interface's language types them),
countries, tags, summary and language, where Enter skips. A mistake is said at once and the same
question asked again, so no answer is lost: a category whrd and the archive do not know is said
at its question, and unless the person starts it, the category is asked again.

A confirmation takes the answers of the language spoken (`s`, `sí`, `n`, `no` in Spanish; `y`,
`yes`, `n`, `no` in English), and anything else is asked again with what to type: Click's own
`confirm` knows only the English answers and says "Error: invalid input" in English.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any, Final

import typer

from ..errors import WhrdError
from ..i18n import _, language

_DEFAULT_PROBE = {"title": "x", "date": "2000-01-01", "lang": "en"}

# The answers to a yes/no question, by language, folded (lower case, no accents): `SÍ` is `si`.
# Grammar, not prose: the catalog cannot change what is accepted, only what is said about it.
YES: Final[dict[str, frozenset[str]]] = {"en": frozenset({"y", "yes"}), "es": frozenset({"s", "si"})}
NO: Final[dict[str, frozenset[str]]] = {"en": frozenset({"n", "no"}), "es": frozenset({"n", "no"})}


def answer_is(answer: str, lang: str) -> bool | None:
    """True for a yes of `lang`, False for a no, None for anything else (accents and case ignored)."""
    from ..text import fold

    word = fold(answer.strip())
    if word in YES.get(lang, YES["en"]):
        return True
    if word in NO.get(lang, NO["en"]):
        return False
    return None


def confirm(question: str, *, default: bool, err: bool = False) -> bool:
    """Ask `question` until it gets a yes or a no of the interface's language; Enter is `default`.

    Shown as Click shows a confirmation (`Delete 2 bulletins? [y/N]: `), on stderr with `err`.
    End of input (Ctrl-D) or Ctrl-C raise `typer.Abort`, which the error boundary reports.
    """
    choices = _("[Y/n]") if default else _("[y/N]")
    while True:
        # A prompt with an empty default returns "" for Enter and raises Abort at end of input.
        answer: str = typer.prompt(f"{question} {choices}", default="", show_default=False, err=err)
        if not answer.strip():
            return default
        verdict = answer_is(answer, language())
        if verdict is not None:
            return verdict
        typer.echo(_("Answer y (yes) or n (no)."), err=err)


def _check(name: str, value: Any, today: date) -> None:
    """Raise the error the model would raise for this one field (the others set to good values)."""
    from ..model import Bulletin, check_required

    if name in ("title", "date"):
        check_required(name, value, today=today)
        return
    Bulletin.create(**{**_DEFAULT_PROBE, name: value}, today=today)


def _ask(prompt: str, name: str, *, required: bool, today: date, convert: Any = None) -> Any:
    """One question, asked again until the answer can be used; Enter skips an optional one."""
    while True:
        answer: str = typer.prompt(prompt, default="" if not required else None, show_default=False)
        answer = answer.strip()
        if not answer and not required:
            return None
        value = convert(answer) if convert else answer
        try:
            _check(name, value, today)
        except WhrdError as exc:
            typer.echo(_("Error: {message}").format(message=exc.message), err=True)
            continue
        return value


def _split(answer: str) -> list[str]:
    return [part.strip() for part in answer.split(",") if part.strip()]


def _category_words() -> str:
    """The known categories as a person of the interface's language types them: the keys in
    English (`open-letter`), the Spanish names in Spanish (`carta abierta`), which read back to them."""
    from ..categories import CATEGORIES, category_name

    if language() == "es":
        return ", ".join(category_name(c.key, "es").lower() for c in CATEGORIES)
    return ", ".join(c.key for c in CATEGORIES)


def _ask_category(*, new: bool, today: date, problem: Callable[[str], str | None]) -> str | None:
    """The category, checked as it is answered: one whrd and the archive do not know (`problem`
    says why, with the closest names) is said at once, and unless the person starts it, the
    question is asked again."""
    from ..categories import BY_KEY, normalise_category

    while True:
        answer = _ask(
            _("Category ({choices}; Enter: none)").format(choices=_category_words()),
            "category",
            required=False,
            today=today,
        )
        key = normalise_category(answer) if answer else None
        if new or key is None or key in BY_KEY:
            return answer
        said = problem(answer or "")
        if said is None:
            return answer
        typer.echo(said, err=True)
        if confirm(_("Start a new category {key!r}?").format(key=key), default=False, err=True):
            return answer


def ask_fields(
    fields: dict[str, Any],
    *,
    today: date,
    new_category: bool = False,
    category_problem: Callable[[str], str | None] = lambda text: None,
) -> dict[str, Any]:
    """`fields` with every field the command line left out asked of the person; a category is
    checked at its question (`category_problem`: why it cannot be used, None when it can;
    `new_category`: any new one is taken, as --new-category says)."""
    asked = dict(fields)
    if asked["title"] is None:
        asked["title"] = _ask(_("Title"), "title", required=True, today=today)
    if asked["date"] is None:
        examples = _("2017-01-26, 26 January 2017, 4 de marzo de 2018")  # the language's own forms
        asked["date"] = _ask(
            _("Date ({examples})").format(examples=examples), "date", required=True, today=today
        )
    if asked["category"] is None:
        asked["category"] = _ask_category(new=new_category, today=today, problem=category_problem)
    if not asked["countries"]:
        asked["countries"] = (
            _ask(
                _("Countries (names or codes, commas between; Enter: none)"),
                "countries",
                required=False,
                today=today,
                convert=_split,
            )
            or ()
        )
    if not asked["tags"]:
        asked["tags"] = (
            _ask(_("Tags (commas between; Enter: none)"), "tags", required=False, today=today, convert=_split)
            or ()
        )
    if not asked["summary"]:
        asked["summary"] = _ask(_("Summary (Enter: none)"), "summary", required=False, today=today) or ""
    if asked["lang"] is None:
        asked["lang"] = _ask(
            _("Language (en, es; Enter: detect from the text)"), "lang", required=False, today=today
        )
    return asked
