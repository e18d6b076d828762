"""The `whrd` command line: the root group, its global options, and the table of commands.

Each command lives in a module beside this one with its own `typer.Typer()`; the root group
imports that module only when the command runs (or for --help and completion), so `whrd list`
does not pay for the import, export and search code. Errors end in `boundary`, the root
group's base class.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any, ClassVar

import typer
from typer._click.exceptions import UsageError

from .. import __version__
from ..i18n import N_, _
from . import complete
from .boundary import ErrorBoundary, text_checked
from .common import RICH_HELP, State, configured_db, default_db_path, state
from .complete import DB_AFTER_COMMAND
from .localize import LocalizedCommand, localize

HELP = N_(
    "Keep and work the archive of a network's bulletins: news, #WHRDAlert alerts, open letters, "
    "statements.\n\n"
    "\b\nExamples:\n"
    "  whrd add                         # on a terminal: asks every field\n"
    "  whrd import listing.txt          # the network's published listing\n"
    "  whrd list --country Honduras --since 2020\n"
    "  whrd search 'mining OR minería'\n"
    "  whrd export --since 7d -f html\n"
    "  whrd help list                   # the help of one command"
)
EXIT_CODES = N_(
    "Exit codes: 0 success; 1 bad input or not found; 2 usage error; 3 archive problem (corrupt, "
    "foreign, newer schema, locked too long, unwritable); 4 encrypted archive locked (run 'whrd "
    "unlock') or wrong passphrase; 5 sync server unreachable or refusing (network, TLS, login, "
    "database, server error); 70 internal error (a bug); "
    "130 interrupted (Ctrl-C)."
)


def _built(app: typer.Typer, cmd_name: str) -> Any:
    """Click's command (or sub-group) `cmd_name` of a command module's Typer `app`, made from its
    own registration alone, as Typer's group of the whole module would make it; None when the
    module has no such command (the lazy table names each command's module: tested)."""
    from typer.main import get_command_from_info, get_command_name, get_group_from_info

    short, markup = app.pretty_exceptions_short, app.rich_markup_mode
    for info in app.registered_commands:
        if info.callback is not None and (info.name or get_command_name(info.callback.__name__)) == cmd_name:
            return get_command_from_info(info, pretty_exceptions_short=short, rich_markup_mode=markup)
    for group in app.registered_groups:
        if group.name == cmd_name:
            return get_group_from_info(
                group,
                pretty_exceptions_short=short,
                rich_markup_mode=markup,
                suggest_commands=app.suggest_commands,
            )
    return None


class WhrdGroup(ErrorBoundary):
    """The root command: loads command modules on demand, inside the one error boundary."""

    # Command name -> its module in whrd_cli.cli. Order here is the order of `whrd --help`.
    lazy_commands: ClassVar[dict[str, str]] = {
        "add": "edit",
        "list": "browse",
        "show": "browse",
        "edit": "edit",
        "delete": "edit",
        "import": "importing",
        "search": "searching",
        "export": "exporting",
        "stats": "stats",
        "countries": "browse",
        "tags": "browse",
        "reindex": "searching",
        "doctor": "doctor",
        "where": "browse",
        "config": "config_cmd",
        "history": "history",
        "restore": "history",
        "undo": "history",
        "purge": "history",
        "conflicts": "conflicts",
        "resolve": "conflicts",
        "merge": "merge_cmd",
        "link": "links",
        "unlink": "links",
        "thread": "links",
        "encrypt": "crypto_cmd",
        "decrypt": "crypto_cmd",
        "unlock": "crypto_cmd",
        "lock": "crypto_cmd",
        "passphrase": "crypto_cmd",
        "recipients": "crypto_cmd",
        "wipe": "crypto_cmd",
        "remote": "sync_cmd",
        "sync": "sync_cmd",
    }

    def list_commands(self, ctx: Any) -> list[str]:
        """The commands in the table's order, without importing a single command module."""
        return [*self.lazy_commands, *(n for n in super().list_commands(ctx) if n not in self.lazy_commands)]

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        """Import the command's module now; a mistyped name gets the close ones as a suggestion."""
        module_name = self.lazy_commands.get(cmd_name)
        if module_name is None:
            found = super().get_command(ctx, cmd_name)
            if found is not None:
                return localize(found)
            if cmd_name not in ("--help", "-h"):
                import difflib

                close = difflib.get_close_matches(cmd_name, list(self.lazy_commands), n=3, cutoff=0.6)
                if close:
                    raise UsageError(
                        _("No such command {name!r}. Did you mean: {close}?").format(
                            name=cmd_name, close=", ".join(close)
                        ),
                        ctx,
                    )
            return None
        import importlib

        # Each command built once per run (`whrd --help` asks for every one), and alone: several
        # share a module, and Typer's group of a module converts all of its commands (~1.2 ms each).
        built = ctx.meta.setdefault("whrd.commands", {}) if ctx is not None else {}
        if cmd_name not in built:
            built[cmd_name] = _built(importlib.import_module(f"{__package__}.{module_name}").app, cmd_name)
        command = built[cmd_name]
        if getattr(command, "_whrd_ready", False):  # asked twice in one run: already prepared
            return command
        if command is not None and command.callback is not None:
            # A fresh command object each time, so wrapping its callback touches nothing shared.
            command.callback = text_checked(command.callback, command.params)
            command.params.append(_db_after_command())
        if command is None:
            return None
        command = localize(command)
        command._whrd_ready = True  # type: ignore[attr-defined]
        return command


def _db_after_command() -> Any:
    """`--db` accepted after the command too (`whrd list --db X`), as people type it."""
    from typer.core import TyperOption

    def use(ctx: Any, _param: Any, value: str | None) -> None:
        if value is not None:  # also while completing: the completions then come from that archive
            state(ctx).db = Path(value).expanduser()
            ctx.meta[DB_AFTER_COMMAND] = True

    return TyperOption(
        param_decls=["--db"],
        metavar="<path>",
        expose_value=False,
        callback=use,
        help="Archive file (the same as 'whrd --db PATH COMMAND').",
    )


app = typer.Typer(
    name="whrd",
    cls=WhrdGroup,
    rich_markup_mode=RICH_HELP,
    help=HELP,
    epilog=EXIT_CODES,
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"whrd {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    db: Annotated[
        Path | None,
        typer.Option(
            "--db",
            help="Archive file. Default: $WHRD_DB, else the user data folder (see 'whrd where').",
            show_default=False,
            # No dir_okay=False, readable=False: a folder or an unreadable file is the store's to
            # refuse (exit 3), as with $WHRD_DB, like any other path that is not an archive.
            readable=False,
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
    passphrase_fd: Annotated[
        int | None,
        typer.Option(
            "--passphrase-fd",
            metavar="N",
            help="Read the passphrase of an encrypted archive from file descriptor N (for scripts).",
            show_default=False,
        ),
    ] = None,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Keep and work the archive of a network's bulletins."""
    if db is not None:
        configured_db()  # the config file is checked with --db too (it holds more than `db`)
    ctx.obj = State(db=db.expanduser() if db else default_db_path(), debug=debug)
    if passphrase_fd is not None:
        from ..crypto.keys import use_passphrase_fd

        use_passphrase_fd(passphrase_fd)


@app.command("help", cls=LocalizedCommand)
def help_(
    ctx: typer.Context,
    command: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="COMMAND...", help="The command to explain.", autocompletion=complete.commands
        ),
    ] = None,
) -> None:
    """Show the help of whrd, or of one command (the same as 'whrd COMMAND --help').

    Example: whrd help list
    """
    root = ctx.find_root()
    target: Any = root.command
    target_ctx: Any = root
    for name in command or ():
        found = target.get_command(target_ctx, name) if hasattr(target, "get_command") else None
        if found is None:
            raise UsageError(_("No such command {name!r}.").format(name=name), target_ctx)
        target_ctx = found.make_context(name, ["--help"], parent=target_ctx, resilient_parsing=True)
        target = found
    text = target.get_help(target_ctx)
    if text:  # Rich help (on a terminal) prints itself and returns nothing
        typer.echo(text)


__all__ = ["WhrdGroup", "app"]
