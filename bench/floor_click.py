"""The floor without Typer: the same one command as floor_app.py, written with plain Click.

    python bench/floor_click.py DB_FILE --limit 1 [--table NAME] [the other options of whrd list]

For weighing the framework: Typer builds its Click command from type hints at every start; here
the same options are declared to Click directly.
"""

from __future__ import annotations

from itertools import islice
from pathlib import Path

import click
from rich.console import Console
from rich.table import Table
from tinydb import TinyDB


@click.command()
@click.argument("db", type=click.Path(path_type=Path))
@click.option("--country", "-c", multiple=True, help="Country.")
@click.option("--category", "-k", multiple=True, help="Category.")
@click.option("--tag", "-t", multiple=True, help="Tag.")
@click.option("--since", default=None, help="From this date.")
@click.option("--until", default=None, help="Up to this date.")
@click.option("--lang", "-l", multiple=True, help="Language code.")
@click.option("--limit", "-n", type=click.IntRange(min=1), default=50, help="Show at most N bulletins.")
@click.option("--all", "-a", "all_", is_flag=True, help="Show every bulletin.")
@click.option("--sort", default="date", help="date, added or title.")
@click.option("--reverse", "-r", is_flag=True, help="Reverse the order.")
@click.option("--json", "json_", is_flag=True, help="Print JSON.")
@click.option("--private", is_flag=True, help="Include the private note.")
@click.option("--table", default="bulletins", help="Table to read.")
def main(db: Path, limit: int, all_: bool, table: str, **_unused: object) -> None:
    """Print the first --limit bulletins of a TinyDB file as a Rich table (no filtering)."""
    with TinyDB(db, access_mode="r") as database:
        documents = list(islice(database.table(table), None if all_ else limit))
    grid = Table("ID", "Date", "Category", "Countries", "Title")
    for doc in documents:
        grid.add_row(
            str(doc.doc_id),
            doc.get("date", ""),
            doc.get("category") or "",
            ",".join(doc.get("countries") or ()),
            doc.get("title", ""),
        )
    Console().print(grid)


if __name__ == "__main__":
    main()
