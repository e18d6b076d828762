"""What every command shares: the archive path, the clock, the filter options, output helpers,
and the one error boundary that turns a `WhrdError` into one stderr line and its exit code."""

from __future__ import annotations

import functools
import json
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal, NoReturn

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError
from typer.core import TyperGroup

from ..errors import EXIT_ARCHIVE, InputError, WhrdError
from ..filters import Filter
from ..store import Archive

# Rich's boxed help on a terminal; plain help in a pipe, where boxes are noise for `grep` and
# `less`, and where Typer's Rich help would cost ~50 ms of imports for text nobody sees styled.
RICH_HELP: Literal["rich"] | None = "rich" if sys.stdout.isatty() else None


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
        fail(f"WHRD_LOCK_TIMEOUT must be a number of seconds, 0 or more, not {raw!r}.")
    return value


def open_archive(ctx: typer.Context) -> Archive:
    """The archive of this run, with its search index kept up to date by every write."""
    from ..search_index import SearchIndex

    return Archive(state(ctx).db, lock_timeout=lock_timeout(), followers=(SearchIndex(),))


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


class _Returned:
    """What the command returned. With `standalone_mode=False` Click returns either that or, for
    a `typer.Exit`, its exit code; the wrapper tells the two apart."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class WhrdGroup(TyperGroup):
    """The root command: loads command modules on demand, and is the single error boundary.

    `invoke` turns a WhrdError into one stderr line and its exit code (anything else is a bug,
    exit 70); `main` does the same for what Click itself raises, which it would otherwise print
    as usage, hint and message (or a Rich box): a usage error is one line, exit 2; an abort at a
    prompt is one line, exit 1."""

    lazy_commands: ClassVar[dict[str, str]] = {}  # command name -> module in whrd_cli.cli

    def list_commands(self, ctx: Any) -> list[str]:
        return [*self.lazy_commands, *(n for n in super().list_commands(ctx) if n not in self.lazy_commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        module_name = self.lazy_commands.get(cmd_name)
        if module_name is None:
            found = super().get_command(ctx, cmd_name)
            if found is None and cmd_name not in ("--help", "-h"):
                import difflib

                close = difflib.get_close_matches(cmd_name, list(self.lazy_commands), n=3, cutoff=0.6)
                if close:
                    raise UsageError(f"No such command {cmd_name!r}. Did you mean: {', '.join(close)}?", ctx)
            return found
        import importlib

        from typer.main import get_group

        module = importlib.import_module(f"{__package__}.{module_name}")
        command = get_group(module.app).commands.get(cmd_name)
        if command is not None and command.callback is not None:
            # A fresh command object each time, so wrapping its callback touches nothing shared.
            command.callback = _text_checked(command.callback, command.params)
        return command

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        # Shell completion, --help and --version still run inside Click's main (they end in
        # SystemExit or typer.Exit, which come back here as an exit code).
        try:
            rv = super().main(
                args,
                prog_name,
                complete_var,
                standalone_mode=False,
                windows_expand_args=windows_expand_args,
                **extra,
            )
        except NoArgsIsHelpError as exc:  # bare `whrd`: the help, on stderr, exit 2, as before
            if not standalone_mode:
                raise
            exc.show()
            code = exc.exit_code
        except UsageError as exc:
            if not standalone_mode:
                raise
            sys.stderr.write(_usage_line(exc, prog_name))
            code = exc.exit_code
        except ClickException as exc:
            if not standalone_mode:
                raise
            sys.stderr.write(f"Error: {_one_line(exc.format_message())}\n")
            code = exc.exit_code
        except typer.Abort:  # Ctrl-C or Ctrl-D at a prompt
            if not standalone_mode:
                raise
            if sys.stdin.isatty() and sys.stderr.isatty():
                sys.stderr.write("\n")  # end the prompt's line first
            sys.stderr.write("Error: aborted.\n")
            code = 1
        else:
            if isinstance(rv, _Returned):  # the command returned
                if not standalone_mode:
                    return rv.value
                code = 0
            else:  # a typer.Exit (--help, --version, or a command's own exit code)
                if not standalone_mode:
                    return rv
                code = rv
        sys.exit(code)

    def invoke(self, ctx: Any) -> Any:
        try:
            return _Returned(super().invoke(ctx))
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
            damage = _archive_damage(ctx)
            if damage:  # a hand-edited archive, not a bug: say what to fix
                sys.stderr.write(f"Error: {damage} Fix it by hand, or restore a backup (ARCHIVE.bak).\n")
                raise typer.Exit(EXIT_ARCHIVE) from None
            root = ctx.find_root()
            again = " ".join(filter(None, (root.command_path, "--debug", ctx.invoked_subcommand, "…")))
            sys.stderr.write(
                f"Error: internal error ({type(exc).__name__}); this is a bug in whrd. "
                f"Run again as '{again}' (or with WHRD_DEBUG=1) to see the details.\n"
            )
            raise typer.Exit(70) from None


def _archive_damage(ctx: Any) -> str | None:
    """After an unexpected failure: is the cause a bulletin in the archive that breaks its rules?"""
    obj = ctx.find_root().obj
    path = getattr(obj, "db", None)
    if path is None:
        return None
    try:
        return Archive(Path(path).expanduser()).damage()
    except Exception:  # the diagnosis must never hide the original failure
        return None


def _debug(ctx: Any) -> bool:
    obj = ctx.find_root().obj
    return bool(getattr(obj, "debug", False)) or os.environ.get("WHRD_DEBUG") == "1"


def _one_line(message: str) -> str:
    return " ".join(line.strip() for line in message.splitlines() if line.strip())


def _usage_line(exc: UsageError, prog_name: str | None) -> str:
    """`Error: <Click's message> (see 'whrd list --help').`"""
    ctx = exc.ctx
    path = ctx.command_path if ctx is not None else (prog_name or "whrd")
    names = ctx.help_option_names if ctx is not None else []
    help_option = next((name for name in names if name.startswith("--")), "--help")
    message = _one_line(exc.format_message()).rstrip(".")
    return f"Error: {message} (see '{path} {help_option}').\n"


def _text_checked(callback: Callable[..., Any], params: Sequence[Any]) -> Callable[..., Any]:
    """Refuse, before the command runs, a text argument that is not valid UTF-8.

    Python hands undecodable bytes of argv over as lone surrogates ('\\udc85'); such a str cannot
    be written to the archive, the index or any output, and would fail deep inside the command.
    Paths are left alone: a file name in any bytes is still a file name.
    """
    by_name = {param.name: param for param in params}

    @functools.wraps(callback)
    def checked(*args: Any, **kwargs: Any) -> Any:
        for name, value in kwargs.items():
            texts = value if isinstance(value, (list, tuple)) else (value,)
            if any(isinstance(text, str) and not _is_utf8(text) for text in texts):
                raise InputError(f"{_describe(by_name.get(name), name)} is not valid UTF-8 text.")
        return callback(*args, **kwargs)

    return checked


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _describe(param: Any, name: str) -> str:
    """'The title (--title)' for an option, 'The query' for an argument."""
    words = name.strip("_").replace("_", " ")
    opts = [opt for opt in getattr(param, "opts", ()) if opt.startswith("--")]
    if getattr(param, "param_type_name", "") == "option" and opts:
        return f"The {words} ({opts[0]})"
    return f"The {words}"


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
