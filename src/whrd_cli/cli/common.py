"""What every command shares: the archive path, the clock, the filter options, output helpers,
and the one error boundary that turns a `WhrdError` into one stderr line and its exit code."""

from __future__ import annotations

import json
import os
import sys
import traceback
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar, NoReturn

import typer
from typer.core import TyperGroup

from ..errors import InputError, WhrdError
from ..filters import Filter
from ..store import Archive


@dataclass
class State:
    """Global options, kept on the Typer context object."""

    db: Path
    debug: bool = False


def default_db_path() -> Path:
    """`WHRD_DB`, else the platform's user data folder (e.g. ~/.local/share/whrd/archive.json)."""
    env = os.environ.get("WHRD_DB")
    if env:
        return Path(env).expanduser()
    from platformdirs import user_data_path

    return user_data_path("whrd", appauthor=False) / "archive.json"


def today() -> date:
    """Today's local date; `WHRD_TODAY` (YYYY-MM-DD) fixes it for tests and reproducible runs."""
    fixed = os.environ.get("WHRD_TODAY")
    if fixed:
        return date.fromisoformat(fixed)
    return date.today()


def state(ctx: typer.Context) -> State:
    root = ctx.find_root()
    if not isinstance(root.obj, State):
        root.obj = State(db=default_db_path())
    return root.obj


def open_archive(ctx: typer.Context) -> Archive:
    timeout = float(os.environ.get("WHRD_LOCK_TIMEOUT", "10"))
    return Archive(state(ctx).db, lock_timeout=timeout)


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
    note(f"The archive {archive.path} does not exist yet; add bulletins with 'whrd add' or 'whrd import'.")
    return True


def print_json(data: Any) -> None:
    sys.stdout.write(json.dumps(data, ensure_ascii=False, indent=2) + "\n")


def is_terminal() -> bool:
    return sys.stdout.isatty()


def stdin_is_terminal() -> bool:
    return sys.stdin.isatty()


class WhrdGroup(TyperGroup):
    """The root command: loads command modules on demand, and is the single error boundary
    (a WhrdError becomes one stderr line; anything else is a bug)."""

    lazy_commands: ClassVar[dict[str, str]] = {}  # command name -> module in whrd_cli.cli

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.lazy_commands, *(n for n in super().list_commands(ctx) if n not in self.lazy_commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        module_name = self.lazy_commands.get(cmd_name)
        if module_name is None:
            return super().get_command(ctx, cmd_name)
        import importlib

        from typer.main import get_group

        module = importlib.import_module(f"{__package__}.{module_name}")
        return get_group(module.app).commands.get(cmd_name)

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except WhrdError as exc:
            if _debug(ctx):
                traceback.print_exc()
            sys.stderr.write(f"Error: {exc.message}\n")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            sys.stderr.write("Interrupted; the archive is unchanged unless a write had finished.\n")
            raise typer.Exit(130) from None
        except BrokenPipeError:
            # The reader went away (`whrd list | head`): not an error worth a message.
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, sys.stdout.fileno())
            raise typer.Exit(0) from None
        except (typer.Exit, typer.Abort, SystemExit):
            raise
        except Exception as exc:
            if getattr(exc, "exit_code", None) is not None and type(exc).__module__.startswith(
                ("click", "typer")
            ):
                raise
            if _debug(ctx):
                traceback.print_exc()
            sys.stderr.write(
                f"Error: internal error ({type(exc).__name__}); this is a bug in whrd. "
                "Run again with --debug to see the details.\n"
            )
            raise typer.Exit(70) from None


def _debug(ctx: Any) -> bool:
    obj = ctx.find_root().obj
    return bool(getattr(obj, "debug", False)) or os.environ.get("WHRD_DEBUG") == "1"


# -- the filter options shared by list, search, export and stats --------------------------------

CountryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--country",
        "-c",
        help="Country name (English or Spanish), ISO code, or region (Mesoamerica). Repeatable.",
        rich_help_panel="Filters",
    ),
]
CategoryOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--category",
        "-k",
        help="news, alert, open-letter, statement, report (or a label such as PRONUNCIAMIENTO). Repeatable.",
        rich_help_panel="Filters",
    ),
]
TagOpt = Annotated[
    list[str] | None,
    typer.Option("--tag", "-t", help="Tag, with or without #. Repeatable.", rich_help_panel="Filters"),
]
SinceOpt = Annotated[
    str | None,
    typer.Option(
        "--since",
        help="From this date: 2017-01-26, 2017, 2017-03, 'marzo 2017', 30d, 6m, 'last month', hoy.",
        rich_help_panel="Filters",
    ),
]
UntilOpt = Annotated[
    str | None,
    typer.Option("--until", help="Up to this date (same forms as --since).", rich_help_panel="Filters"),
]
LangOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--lang", "-l", help="Language code of the bulletin (en, es). Repeatable.", rich_help_panel="Filters"
    ),
]


def build_filter(
    *,
    country: list[str] | None,
    category: list[str] | None,
    tag: list[str] | None,
    since: str | None,
    until: str | None,
    lang: list[str] | None,
) -> Filter:
    return Filter.build(
        countries=country or (),
        categories=category or (),
        tags=tag or (),
        since=since,
        until=until,
        langs=lang or (),
        today=today(),
    )
