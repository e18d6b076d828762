"""The floor: the least any Typer + Rich + TinyDB command can cost as a fresh process.

    python bench/floor_app.py DB_FILE [--table NAME]

One command: open a TinyDB file with its stock storage, count a table, print a one-row Rich table.
Whatever whrd adds on top of this (its own modules, the archive's size, filtering, rendering) is
what the benchmark's "x floor" column shows. Imports are at the top, as a plain Typer app has them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from tinydb import TinyDB

app = typer.Typer(add_completion=False)


@app.command()
def main(
    db: Annotated[Path, typer.Argument(help="A TinyDB JSON file.")],
    table: Annotated[str, typer.Option("--table", help="Table to count.")] = "bulletins",
) -> None:
    """Open a TinyDB file and print its size as a one-row table."""
    with TinyDB(db, access_mode="r") as database:
        count = len(database.table(table))
    grid = Table("file", "table", "documents")
    grid.add_row(db.name, table, str(count))
    Console().print(grid)


if __name__ == "__main__":
    app()
