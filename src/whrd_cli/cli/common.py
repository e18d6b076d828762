"""What every command shares: the global options (archive path, debug), the clock, the archive
of the run, the `Filter` built from the shared filter options, and the output helpers that keep
stdout for data and stderr for messages.

Importing this module is cheap (`whrd --help` imports it): the store, TinyDB and the filters are
imported when a command opens the archive or builds a filter, not before.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Iterable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, NoReturn

import typer
from msgspec import Struct

from ..errors import InputError
from ..i18n import _, language, ngettext

if TYPE_CHECKING:
    from ..filters import Filter
    from ..store import Archive

# Rich's boxed help on a terminal; plain help in a pipe, where boxes are noise for `grep` and
# `less`, and where Typer's Rich help would cost ~50 ms of imports for text nobody sees styled.
RICH_HELP: Literal["rich"] | None = "rich" if sys.stdout.isatty() else None


class State(Struct):
    """Global options, kept on the Typer context object."""

    db: Path
    debug: bool = False


def configured_db() -> Path | None:
    """The config file's `db`, the file checked whole: a mistake in it stops every command but
    `config` (which is how it is fixed), whether `--db` or `WHRD_DB` wins over its `db` or not and
    whatever stdout is, so a broken file is never used by some runs and ignored by others."""
    from typer._click.globals import get_current_context

    from ..config import config_path, load_config
    from ..errors import WhrdError

    try:
        return load_config(config_path()).db
    except WhrdError:
        ctx = get_current_context(silent=True)
        if ctx is None or ctx.find_root().invoked_subcommand != "config":
            raise
        return None


def default_db_path() -> Path:
    """`WHRD_DB`, else the config file's `db`, else the platform's user data folder (e.g.
    ~/.local/share/whrd/archive.json). The file is checked even when `WHRD_DB` wins
    (`configured_db`)."""
    configured = configured_db()
    env = os.environ.get("WHRD_DB")
    if env:
        return Path(env).expanduser()
    if configured:
        return configured
    from platformdirs import user_data_path

    return user_data_path("whrd", appauthor=False) / "archive.json"


def today() -> date:
    """Today's local date; `WHRD_TODAY` (YYYY-MM-DD) fixes it for tests and reproducible runs."""
    fixed = os.environ.get("WHRD_TODAY", "").strip()
    if fixed:
        try:
            if len(fixed) == 10:
                return date.fromisoformat(fixed)
        except ValueError:
            pass
        fail(
            _("WHRD_TODAY must be a date written as YYYY-MM-DD, such as 2024-06-15, not {value!r}.").format(
                value=fixed
            )
        )
    return date.today()


def state(ctx: typer.Context) -> State:
    """The global options of this run (defaults when a command runs without the root callback)."""
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(db=default_db_path())
    return root.obj


DEFAULT_LOCK_TIMEOUT = 10.0


def lock_timeout() -> float:
    """`WHRD_LOCK_TIMEOUT`: seconds a writer waits for another whrd's lock (default 10)."""
    raw = os.environ.get("WHRD_LOCK_TIMEOUT", "").strip()
    if not raw:
        return DEFAULT_LOCK_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        value = float("nan")
    if not value >= 0:  # also false for NaN
        fail(_("WHRD_LOCK_TIMEOUT must be a number of seconds, 0 or more, not {value!r}.").format(value=raw))
    return value


def open_archive(ctx: typer.Context) -> Archive:
    """The archive of this run, with its search index kept up to date by every write."""
    from ..search.service import SearchIndex
    from ..store import Archive

    archive = Archive(state(ctx).db, lock_timeout=lock_timeout(), followers=(SearchIndex(),))
    archive.operation = (ctx.info_name or "", command_line())
    return archive


def archive_with(ctx: typer.Context, bulletin_id: int) -> Archive:
    """The archive of this run for a command about one bulletin: a missing archive is the
    not-found error for that id (nothing is created)."""
    archive = open_archive(ctx)
    if not archive.exists:
        fail(
            _("No bulletin with id {id}: the archive {path} does not exist yet.").format(
                id=bulletin_id, path=archive.path
            )
        )
    return archive


# Options whose values are private text: never copied into the journal `undo --list` shows.
_PRIVATE_OPTIONS = ("--private",)


def command_line() -> list[str]:
    """This run's arguments for the journal, private notes replaced by `…` (a note typed on the
    command line must not outlive it in the archive's history of operations)."""
    args = sys.argv[1:]
    out: list[str] = []
    hide = False
    for arg in args:
        if hide:
            out.append("…")
            hide = False
        elif arg in _PRIVATE_OPTIONS:
            out.append(arg)
            hide = True
        elif arg.startswith("--private="):
            out.append("--private=…")
        else:
            out.append(arg)
    return out


def fail(message: str) -> NoReturn:
    """A user error found by the CLI itself: one line on stderr, exit 1."""
    raise InputError(message)


def note(message: str) -> None:
    """A message for the person, on stderr, so stdout stays clean for data."""
    sys.stderr.write(message + "\n")


def missing_archive_note(archive: Archive) -> bool:
    """For read commands: an archive that does not exist yet is empty; say so, create nothing."""
    if archive.exists:
        return False
    note(
        _("The archive {path} does not exist yet; add bulletins with 'whrd add' or 'whrd import'.").format(
            path=archive.path
        )
    )
    return True


def print_json(data: Any) -> None:
    """JSON on stdout, UTF-8 as written (not \\u escapes), indented for people and `jq` alike;
    characters that would drive a terminal (a hand-edited archive may hold them) \\u-escaped."""
    from ..text import json_escaped

    sys.stdout.write(json_escaped(json.dumps(data, ensure_ascii=False, indent=2)) + "\n")


def is_terminal() -> bool:
    """Whether stdout is a terminal (tables, a row limit, a footer) or a pipe (plain lines, all rows).

    Commands call it as `common.is_terminal()`: this is the one seam tests patch to act as a person
    at a terminal."""
    return sys.stdout.isatty()


def stdin_is_terminal() -> bool:
    """Whether a person can be asked (prompts, confirmations); the tests' seam, like `is_terminal`."""
    return sys.stdin.isatty()


def build_filter(
    *,
    country: list[str] | None,
    category: list[str] | None,
    tag: list[str] | None,
    since: str | None,
    until: str | None,
    lang: list[str] | None,
) -> Filter:
    """The one `Filter` of the shared filter options (`options.CountryOpt` and the rest)."""
    from ..filters import Filter

    if lang:  # a code or a name: --lang español
        from ..lang import language_code

        lang = [language_code(x) for x in lang]
    return Filter.build(
        countries=country or (),
        categories=category or (),
        tags=tag or (),
        since=since,
        until=until,
        langs=lang or (),
        today=today(),
        categories_in_use=_categories_in_use,
    )


def _categories_in_use() -> frozenset[str]:
    """The categories of this run's archive. Asked only for a category whrd does not know (a
    user-made one, or a typo), so the usual run never reads the archive for it."""
    from typer._click.globals import get_current_context

    from ..filters import categories_of

    ctx = get_current_context(silent=True)
    if ctx is None:
        return frozenset()
    archive = open_archive(ctx)  # type: ignore[arg-type]
    return categories_of(archive.raw_items()) if archive.exists else frozenset()


def note_regions(texts: Iterable[str], recorded: Sequence[str]) -> None:
    """Say which region names `add`/`edit` recorded as their countries (stderr), so nobody is
    surprised to find eight countries where they typed one word. Said of the bulletin as it was
    recorded (`recorded`: its country codes): an edit may also remove some of the region's."""
    from ..countries import country_name, regions_named
    from ..render import quantity

    lang = language()
    for name, codes in regions_named(texts):
        kept = [code for code in codes if code in recorded]
        names = ", ".join(country_name(code, lang) for code in kept)
        if len(kept) == len(codes):
            message = ngettext(
                "{name} is a region: recorded as its {n} country ({names}).",
                "{name} is a region: recorded as its {n} countries ({names}).",
                len(codes),
            )
            note(message.format(name=name, n=quantity(len(codes)), names=names))
        elif kept:
            left = ", ".join(country_name(code, lang) for code in codes if code not in recorded)
            message = _(
                "{name} is a region: recorded as {n} of its {total} countries ({names}), without {left}."
            )
            note(
                message.format(
                    name=name, n=quantity(len(kept)), total=quantity(len(codes)), names=names, left=left
                )
            )
        else:
            message = _(
                "{name} is a region, but none of its {total} countries was recorded: "
                "this edit removes them all."
            )
            note(message.format(name=name, total=quantity(len(codes))))


def warn_far_future(day: str) -> None:
    """After `add`/`edit` recorded a date more than a year ahead: probably a typed year, so say so
    (a warning on stderr; the bulletin is recorded all the same)."""
    from datetime import date as Date

    from ..dates import far_future

    now = today()
    if far_future(Date.fromisoformat(day), now):
        message = _("Warning: the date {day} is more than a year after today ({today}); check its year.")
        note(message.format(day=day, today=now.isoformat()))


def check_category(ctx: typer.Context, category: str | None, *, new: bool) -> None:
    """Before `add` or `edit` records a category whrd does not know and the archive does not use:
    ask at a terminal, else refuse without `--new-category`, so a typo never starts a category."""
    from ..categories import BY_KEY, normalise_category, unknown_category

    key = normalise_category(category) if category else None
    if new or key is None or key in BY_KEY:
        return
    problem = unknown_category(category or "", _categories_in_use())
    if problem is None:
        return
    if stdin_is_terminal():
        note(problem)
        from .prompts import confirm

        if confirm(_("Start a new category {key!r}?").format(key=key), default=False, err=True):
            return
        fail(_("Nothing was recorded."))  # the person said no
    fail(_("{problem} To start a new category, add --new-category.").format(problem=problem))
