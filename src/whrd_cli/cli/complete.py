"""Shell completion for option values: countries, categories, formats, tags, bulletin ids, the
values of the choice options (`--sort`, `--by`, `--group-by`, `--locale`), `config` keys and the
commands `help` explains.

Without these, the shell offers file names for `--country`, `--category` and `--format`. Each
function is a Typer `autocompletion=` callback: it gets what was typed so far and returns
(value, help) pairs. Countries, categories and formats come from whrd's own tables; tags and
ids from the archive in use (read only, and only when the archive exists). A completion never
fails: any error yields no suggestions, as the shell has no place to show one. The help beside a
value is in the interface's language; the values themselves are what the options take.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from pathlib import Path
from typing import Any

import typer

from ..i18n import LOCALES, _, language, ngettext

DB_AFTER_COMMAND = "whrd.db_after_command"  # set in ctx.meta by the --db given after a command
_MAX = 200  # a shell lists at most this many; more would only scroll


def _matching(pairs: Iterable[tuple[str, str]], incomplete: str) -> list[tuple[str, str]]:
    """The pairs whose value starts with what was typed, once each (Typer keeps only those)."""
    seen: set[str] = set()
    found: list[tuple[str, str]] = []
    for value, help_text in pairs:
        if value not in seen and value.startswith(incomplete):
            seen.add(value)
            found.append((value, help_text))
            if len(found) >= _MAX:
                break
    return found


def countries(incomplete: str) -> list[tuple[str, str]]:
    """ISO codes and English and Spanish names, and the regions a filter takes."""
    from ..countries import _data

    def pairs() -> Iterator[tuple[str, str]]:
        region = _("region")
        yield from (("Mesoamerica", region), ("Central America", region), ("Centroamérica", region))
        for country in _data().countries.values():
            yield country.code, country.name
            yield country.name, country.code
            yield country.name_es, country.code

    with contextlib.suppress(Exception):
        return _matching(pairs(), incomplete)
    return []


def categories(incomplete: str) -> list[tuple[str, str]]:
    """The category keys, with their names in the interface's language."""
    from ..categories import CATEGORIES, category_name

    return _matching(((c.key, category_name(c.key, language())) for c in CATEGORIES), incomplete)


def export_formats(incomplete: str) -> list[tuple[str, str]]:
    from ..formats import BY_NAME, WRITERS

    return _matching(((name, BY_NAME[name].description) for name in WRITERS), incomplete)


def import_formats(incomplete: str) -> list[tuple[str, str]]:
    from ..formats import BY_NAME, READERS

    return _matching(
        [("auto", _("by the extension, then the content"))]
        + [(name, BY_NAME[name].description) for name in READERS],
        incomplete,
    )


def _choice(table: str) -> Callable[[str], list[tuple[str, str]]]:
    """The completion of a choice option whose values are `choices.<table>`: its keys, and in a
    Spanish interface the Spanish name each is shown by (the option takes both)."""

    def choice(incomplete: str) -> list[tuple[str, str]]:
        from .. import choices  # (here: it compiles the text module's patterns, ~2 ms)

        names: Mapping[str, tuple[str, ...]] = getattr(choices, table)
        if language() != "es":
            return _matching(((key, "") for key in names), incomplete)
        return _matching(
            [(key, said[0]) for key, said in names.items()] + [(said[0], key) for key, said in names.items()],
            incomplete,
        )

    return choice


sorts = _choice("SORT")
dimensions = _choice("BY")
groupings = _choice("GROUP_BY")


def locales(incomplete: str) -> list[tuple[str, str]]:
    from ..lang import language_name

    return _matching(((code, language_name(code, language())) for code in LOCALES), incomplete)


def config_keys(incomplete: str) -> list[tuple[str, str]]:
    from ..config import KEYS

    return _matching(((key, "") for key in KEYS), incomplete)


def commands(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The commands of whrd (`help COMMAND`), by name only: their help would load every one."""
    with contextlib.suppress(Exception):
        root = ctx.find_root()
        group: Any = root.command
        return _matching(((name, "") for name in group.list_commands(root)), incomplete)
    return []


def _archive(ctx: typer.Context) -> Any:
    """The archive the command line names (its --db, before or after the command), if it exists."""
    from .common import open_archive, state

    db = (ctx.find_root().params or {}).get("db")
    if db is not None and not ctx.meta.get(DB_AFTER_COMMAND):  # a --db after the command wins
        state(ctx).db = Path(db).expanduser()
    archive = open_archive(ctx)
    return archive if archive.exists else None


def tags(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The archive's tags, most used first."""
    with contextlib.suppress(Exception):
        archive = _archive(ctx)
        if archive is None:
            return []
        from ..render import quantity
        from ..stats import count_by, scan

        rows = count_by(scan(archive, None, ("tag",)), "tag")
        return _matching(
            (
                (
                    row.label,
                    ngettext("{n} bulletin", "{n} bulletins", row.count).format(n=quantity(row.count)),
                )
                for row in rows
            ),
            incomplete,
        )
    return []


def ids(ctx: typer.Context, incomplete: str) -> list[tuple[str, str]]:
    """The archive's ids, newest first, each with its date and title."""
    with contextlib.suppress(Exception):
        archive = _archive(ctx)
        if archive is None:
            return []
        items = sorted(archive.raw_items(), key=lambda item: item[1].get("date") or "", reverse=True)
        return _matching(
            ((str(doc_id), f"{raw.get('date')} {raw.get('title')}") for doc_id, raw in items), incomplete
        )
    return []
