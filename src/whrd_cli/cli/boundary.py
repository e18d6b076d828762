"""The one error boundary of the command line.

Everything a command raises ends here: a `WhrdError` becomes one stderr line and its exit code,
a usage error one line and exit 2, an abort at a prompt one line and exit 1, and anything else
a one-line bug report (exit 70) that never shows the traceback's locals: bulletin text is
sensitive, so the traceback itself only appears with --debug or WHRD_DEBUG=1.
Text arguments that are not valid UTF-8 are refused here too, before a command runs.
"""

from __future__ import annotations

import functools
import os
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import typer
from typer._click.exceptions import ClickException, NoArgsIsHelpError, UsageError

from ..errors import EXIT_ARCHIVE, EXIT_INPUT, InputError, WhrdError
from ..i18n import _
from .localize import LocalizedGroup, click_message, localize

EXIT_BUG = 70  # an unexpected exception: a bug in whrd (the README lists it with the others)
EXIT_INTERRUPTED = 130  # Ctrl-C during a command, as a shell reports SIGINT


class _Returned:
    """What the command returned. With `standalone_mode=False` Click returns either that or, for
    a `typer.Exit`, its exit code; the wrapper tells the two apart."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value


class ErrorBoundary(LocalizedGroup):
    """A root group that is the single error boundary.

    `invoke` turns a WhrdError into one stderr line and its exit code (anything else is a bug,
    exit 70); `main` does the same for what Click itself raises, which it would otherwise print
    as usage, hint and message (or a Rich box): a usage error is one line, exit 2; Ctrl-C at a
    prompt is `Aborted.`, exit 130; bare `whrd` is the help, exit 0."""

    def main(
        self,
        args: Sequence[str] | None = None,
        prog_name: str | None = None,
        complete_var: str | None = None,
        standalone_mode: bool = True,
        windows_expand_args: bool = True,
        **extra: Any,
    ) -> Any:
        try:
            speak_the_users_language()
        except WhrdError as exc:
            if not standalone_mode:
                raise
            sys.stderr.write(f"Error: {exc.message}\n")
            sys.exit(exc.exit_code)
        localize(self)
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
        except NoArgsIsHelpError as exc:  # bare `whrd`: the help, as `whrd --help` prints it, exit 0
            if not standalone_mode:
                raise
            text = exc.format_message()  # the help (Rich help printed itself when it was made)
            if text:
                typer.echo(text)
            code = 0
        except UsageError as exc:
            if not standalone_mode:
                raise
            sys.stderr.write(_usage_line(exc, prog_name))
            code = exc.exit_code
        except ClickException as exc:
            if not standalone_mode:
                raise
            sys.stderr.write(
                _("Error: {message}").format(message=_one_line(click_message(exc.format_message()))) + "\n"
            )
            code = exc.exit_code
        except typer.Abort as exc:  # Ctrl-C or Ctrl-D at a prompt
            if not standalone_mode:
                raise
            if sys.stdin.isatty() and sys.stderr.isatty():
                sys.stderr.write("\n")  # end the prompt's line first
            if isinstance(exc.__context__, KeyboardInterrupt):  # Ctrl-C: the person stopped it
                sys.stderr.write(_("Aborted.") + "\n")
                code = EXIT_INTERRUPTED
            else:  # Ctrl-D: the question went unanswered
                sys.stderr.write(_("Error: aborted.") + "\n")
                code = EXIT_INPUT
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
            sys.stderr.write(_("Error: {message}").format(message=exc.message) + "\n")
            raise typer.Exit(exc.exit_code) from None
        except KeyboardInterrupt:
            sys.stderr.write(_("Interrupted; the archive is unchanged unless a write had finished.") + "\n")
            raise typer.Exit(EXIT_INTERRUPTED) from None
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
                sys.stderr.write(
                    _("Error: {problem} Fix it by hand, or restore a backup (ARCHIVE.bak).").format(
                        problem=damage
                    )
                    + "\n"
                )
                raise typer.Exit(EXIT_ARCHIVE) from None
            root = ctx.find_root()
            again = " ".join(filter(None, (root.command_path, "--debug", ctx.invoked_subcommand, "…")))
            sys.stderr.write(
                _(
                    "Error: internal error ({kind}); this is a bug in whrd. "
                    "Run again as '{again}' (or with WHRD_DEBUG=1) to see the details."
                ).format(kind=type(exc).__name__, again=again)
                + "\n"
            )
            raise typer.Exit(EXIT_BUG) from None


def speak_the_users_language() -> None:
    """Choose the interface's language for this run (see `i18n.choose`) and speak it.

    A config file that cannot be read does not stop the choice (the command that reads the file
    says what is wrong with it); a `locale` it names is used once the file reads."""
    from ..config import read_locale
    from ..i18n import activate, choose

    activate(choose(os.environ, _configured_locale(), by_name=read_locale))


def _configured_locale() -> str | None:
    from ..config import config_path, configured_locale

    return configured_locale(config_path())


def _archive_damage(ctx: Any) -> str | None:
    """After an unexpected failure: is the cause a bulletin in the archive that breaks its rules?"""
    obj = ctx.find_root().obj
    path = getattr(obj, "db", None)
    if path is None:
        return None
    from ..store import Archive

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
    message = _one_line(click_message(exc.format_message())).rstrip(".")
    option = getattr(exc, "option_name", None)
    root = ctx.find_root() if ctx is not None else None
    if (
        option
        and ctx is not None
        and root is not None
        and ctx is not root
        and any(option in param.opts for param in root.command.params)
    ):  # a global option after the command (`whrd list --debug`): say where it goes
        name = ctx.info_name or "COMMAND"
        return (
            _("Error: {option} goes before the command: '{example}'.").format(
                option=option, example=f"{root.info_name} {option} {name} …"
            )
            + "\n"
        )
    return _("Error: {message} (see '{help}').").format(message=message, help=f"{path} {help_option}") + "\n"


def text_checked(callback: Callable[..., Any], params: Sequence[Any]) -> Callable[..., Any]:
    """`callback`, refusing before it runs a text argument that is not valid UTF-8.

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
                raise InputError(
                    _("{what} is not valid UTF-8 text.").format(what=_describe(by_name.get(name), name))
                )
        return callback(*args, **kwargs)

    return checked


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _describe(param: Any, name: str) -> str:
    """'The value of --title' for an option, 'The query' for an argument."""
    opts = [opt for opt in getattr(param, "opts", ()) if opt.startswith("--")]
    if getattr(param, "param_type_name", "") == "option" and opts:
        return _("The value of {option}").format(option=opts[0])
    return _("The argument {name}").format(name=name.strip("_").upper())
