"""Tables at real terminal widths (issue 12, item 20): titles get priority, countries turn into ISO
codes when space is short, no word of a title is ever split across lines, and `show` keeps to a
page's width. Drawn on fixed-width colourless Rich consoles and read back as text."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rich.console import Console
from tests.conftest import Run

from whrd_cli.render import bulletin_table, theme

ROWS: list[tuple[int, dict[str, Any]]] = [
    (
        7,
        {
            "date": "2021-05-06",
            "category": "open-letter",
            "countries": ["HN", "GT", "SV"],
            "title": "Open letter to the authorities about the criminalisation of water defenders",
        },
    ),
    (
        12,
        {
            "date": "2020-01-01",
            "category": "alert",
            "countries": ["MX"],
            "title": "Threats against a community radio journalist in Oaxaca",
        },
    ),
    (3, {"date": "2019-02-14", "category": None, "countries": [], "title": "Solidarity"}),
]


def draw(width: int, rows: list[tuple[int, dict[str, Any]]] = ROWS) -> list[str]:
    console = Console(width=width, no_color=True, color_system=None, theme=theme(), record=True)
    console.print(bulletin_table(rows, width=width))
    return console.export_text().splitlines()


def columns(header: str) -> dict[str, tuple[int, int]]:
    """Each header word's column span (start, end) in the header line: headers start their columns."""
    names = header.split()
    starts = [header.index(name) for name in names]
    ends = [*starts[1:], 10_000]
    return {name: (start, end) for name, start, end in zip(names, starts, ends, strict=True)}


@pytest.mark.parametrize("width", [40, 80, 120, 200])
def test_no_title_word_is_split_and_the_title_column_is_the_widest(width: int) -> None:
    lines = draw(width)
    assert max(len(line) for line in lines) <= width
    spans = columns(lines[0])
    start = spans["Title"][0]
    title_text = " ".join(line[start:].strip() for line in lines[1:])
    words_shown = title_text.split()
    for _, raw in ROWS:
        for word in raw["title"].split():
            assert word in words_shown, (width, word, lines)
    title_width = max(len(line[start:].rstrip()) for line in lines)
    others = {name: end - begin - 2 for name, (begin, end) in spans.items() if name != "Title"}
    assert all(title_width > w for w in others.values()), (width, title_width, others)


def test_countries_are_names_when_there_is_room_and_codes_when_not() -> None:
    wide = "\n".join(draw(200))
    assert "Honduras, Guatemala, El Salvador" in wide and "Category" in wide
    at_80 = "\n".join(draw(80))
    assert "HN, GT, SV" in at_80 and "Honduras" not in at_80
    assert "Open letter" in at_80  # the category still fits beside codes
    at_40 = draw(40)
    assert "Category" not in at_40[0] and "Ctry" in at_40[0]


def test_show_keeps_to_a_page_width(
    run: Run, add: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    add("A title", "2020-01-01", "-l", "en", "-s", "word " * 200)
    monkeypatch.setenv("COLUMNS", "200")
    lines = run.ok("show", "1").stdout.splitlines()
    assert max(len(line) for line in lines) == 100
