"""The floor: the least a Typer + Rich + TinyDB command like `whrd list` can cost as a fresh process.

    python bench/floor_app.py DB_FILE --limit 1 [--table NAME] [the other options of whrd list]

One real command: Typer parses the options `whrd list` has (the same names, types and checks:
Typer builds a Click parameter from each annotation at every start, so the floor pays for as many
as whrd does), the app opens a TinyDB file with its stock storage and prints its first bulletins
(`--limit`) as a Rich table: id, date, category, countries, title. It filters nothing: whatever
whrd adds on top of this (its own modules, checking the archive, filtering, sorting, rendering)
is what the benchmark's "x floor" column shows. Imports are at the top, as a plain Typer app has
them.
"""

from __future__ import annotations

from itertools import islice
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
    country: Annotated[list[str] | None, typer.Option("--country", "-c", help="Country.")] = None,
    category: Annotated[list[str] | None, typer.Option("--category", "-k", help="Category.")] = None,
    tag: Annotated[list[str] | None, typer.Option("--tag", "-t", help="Tag.")] = None,
    since: Annotated[str | None, typer.Option("--since", help="From this date.")] = None,
    until: Annotated[str | None, typer.Option("--until", help="Up to this date.")] = None,
    lang: Annotated[list[str] | None, typer.Option("--lang", "-l", help="Language code.")] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Show at most N bulletins.")] = 50,
    all_: Annotated[bool, typer.Option("--all", "-a", help="Show every bulletin.")] = False,
    sort: Annotated[str, typer.Option("--sort", help="date, added or title.")] = "date",
    reverse: Annotated[bool, typer.Option("--reverse", "-r", help="Reverse the order.")] = False,
    json_: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
    private: Annotated[bool, typer.Option("--private", help="Include the private note.")] = False,
    table: Annotated[str, typer.Option("--table", help="Table to read.")] = "bulletins",
) -> None:
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
    app()
