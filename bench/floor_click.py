"""The floor without Typer: the same one command as floor_app.py, written with plain Click.

    python bench/floor_click.py DB_FILE [--table NAME]

For weighing the framework: Typer builds its Click command from type hints at every start.
"""

from __future__ import annotations

from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from tinydb import TinyDB


@click.command()
@click.argument("db", type=click.Path(path_type=Path))
@click.option("--table", default="bulletins", help="Table to count.")
def main(db: Path, table: str) -> None:
    """Open a TinyDB file and print its size as a one-row table."""
    with TinyDB(db, access_mode="r") as database:
        count = len(database.table(table))
    grid = Table("file", "table", "documents")
    grid.add_row(db.name, table, str(count))
    Console().print(grid)


if __name__ == "__main__":
    main()
