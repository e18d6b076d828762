"""Interactive `add` on a terminal: every field asked in turn, each checked as it is answered.

A person at a terminal who runs `whrd add` without a title or date is asked for every field the
command line did not give: title and date (required: asked again until they can be used), then
category (with the known ones as choices), countries, tags, summary and language, where Enter
skips. A mistake is said at once and the same question asked again, so no answer is lost.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import typer

from ..errors import WhrdError

_DEFAULT_PROBE = {"title": "x", "date": "2000-01-01", "lang": "en"}


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
            typer.echo(f"Error: {exc.message}", err=True)
            continue
        return value


def _split(answer: str) -> list[str]:
    return [part.strip() for part in answer.split(",") if part.strip()]


def ask_fields(fields: dict[str, Any], *, today: date) -> dict[str, Any]:
    """`fields` with every field the command line left out asked of the person."""
    from ..categories import CATEGORIES

    asked = dict(fields)
    if asked["title"] is None:
        asked["title"] = _ask("Title", "title", required=True, today=today)
    if asked["date"] is None:
        asked["date"] = _ask(
            "Date (2017-01-26, 26 January 2017, 4 de marzo de 2018)", "date", required=True, today=today
        )
    if asked["category"] is None:
        choices = ", ".join(c.key for c in CATEGORIES)
        asked["category"] = _ask(
            f"Category ({choices}; Enter: none)", "category", required=False, today=today
        )
    if not asked["countries"]:
        asked["countries"] = (
            _ask(
                "Countries (names or codes, commas between; Enter: none)",
                "countries",
                required=False,
                today=today,
                convert=_split,
            )
            or ()
        )
    if not asked["tags"]:
        asked["tags"] = (
            _ask("Tags (commas between; Enter: none)", "tags", required=False, today=today, convert=_split)
            or ()
        )
    if not asked["summary"]:
        asked["summary"] = _ask("Summary (Enter: none)", "summary", required=False, today=today) or ""
    if asked["lang"] is None:
        asked["lang"] = _ask(
            "Language (en, es; Enter: detect from the text)", "lang", required=False, today=today
        )
    return asked
