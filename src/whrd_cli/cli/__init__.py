"""The `whrd` command line: global options here, one module per command group beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from .. import __version__
from .common import RICH_HELP, State, WhrdGroup, default_db_path

HELP = (
    "Keep and work the archive of a network's bulletins: news, #WHRDAlert alerts, open letters, "
    "statements.\n\n"
    "Exit codes: 0 success; 1 bad input or not found; 2 usage error; 3 archive problem (corrupt, "
    "foreign, newer schema, locked too long, unwritable); 70 internal error (a bug)."
)

app = typer.Typer(
    name="whrd",
    cls=WhrdGroup,
    rich_markup_mode=RICH_HELP,
    help=HELP,
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
            # No dir_okay=False: a folder is the store's to refuse (exit 3, "is a folder, not a
            # whrd archive"), like any other path that is not an archive.
        ),
    ] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Show the traceback of an error.")] = False,
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Keep and work the archive of a network's bulletins."""
    ctx.obj = State(db=db.expanduser() if db else default_db_path(), debug=debug)


# Each command lives in a module with its own `typer.Typer()`; the root group imports the module
# only when that command runs (or for --help and completion), so `whrd list` does not pay for
# the import, export and search code. Order here is the order of `whrd --help`.
WhrdGroup.lazy_commands = {
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
    "where": "browse",
}

__all__ = ["app"]
