"""`whrd stats` (issue 7): counts against a hand-built archive, periods with gaps, --top, JSON,
narrow terminals, and `whrd countries` / `whrd tags` against counts of `whrd list --json`."""

from __future__ import annotations

import io
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from rich.cells import cell_len
from rich.console import Console

from whrd_cli import stats
from whrd_cli.charts import CountBar, CountChart
from whrd_cli.model import Bulletin
from whrd_cli.render import theme
from whrd_cli.store import Archive

# id, date, category, countries, tags, lang — counted by hand below.
ROWS: tuple[tuple[str, str, tuple[str, ...], tuple[str, ...], str], ...] = (
    ("2023-01-10", "alert", ("HN", "GT"), ("WHRDAlert", "Territorio"), "en"),  # 1
    ("2023-01-20", "news", ("HN",), ("Radio",), "en"),  # 2
    ("2023-03-05", "statement", ("SV",), ("whrdalert",), "es"),  # 3: same tag, other spelling
    ("2023-04-01", "alert", ("MX",), ("AlertaDefensoras",), "es"),  # 4
    ("2023-06-30", "open-letter", ("GT", "NI"), (), "en"),  # 5
    ("2024-02-14", "report", (), ("Informe",), "es"),  # 6: no country
    ("2024-02-15", "alert", ("HN",), ("AlertaDefensoras", "Territorio"), "es"),  # 7
    ("2021-11-03", "news", ("CR",), (), "es"),  # 8
)


def _fill(db: Path, rows: Any = ROWS) -> None:
    Archive(db).add_many(
        Bulletin.create(
            title=f"Bulletin {n}", date=day, category=cat, countries=countries, tags=tags, lang=lang
        )
        for n, (day, cat, countries, tags, lang) in enumerate(rows, 1)
    )


@pytest.fixture
def archive(db: Path) -> Path:
    _fill(db)
    return db


def _counts(rows: list[dict[str, Any]]) -> list[tuple[Any, int]]:
    return [(row["value"], row["count"]) for row in rows]


def _months(start: str, end: str, counts: dict[str, int]) -> list[tuple[str, int]]:
    return [(m, counts.get(m, 0)) for m in stats.periods_between(start, end, "month")]


# -- counts for every --by, with and without filters -----------------------------------------------

EXPECTED: dict[str, list[tuple[Any, int]]] = {
    "country": [("HN", 3), ("GT", 2), ("CR", 1), ("MX", 1), ("NI", 1), ("SV", 1)],
    "category": [("alert", 3), ("news", 2), ("open-letter", 1), ("report", 1), ("statement", 1)],
    "lang": [("es", 5), ("en", 3)],
    "tag": [("AlertaDefensoras", 2), ("Territorio", 2), ("WHRDAlert", 2), ("Informe", 1), ("Radio", 1)],
    "year": [("2021", 1), ("2022", 0), ("2023", 5), ("2024", 2)],
    "month": _months(
        "2021-11-03",
        "2024-02-15",
        {"2021-11": 1, "2023-01": 2, "2023-03": 1, "2023-04": 1, "2023-06": 1, "2024-02": 2},
    ),
}


@pytest.mark.parametrize("by", stats.DIMENSIONS)
def test_counts_by_every_dimension(run: Any, archive: Path, by: str) -> None:
    rows = run.json("stats", "--by", by)
    assert _counts(rows) == EXPECTED[by]
    for row in rows:
        assert row["share"] == round(row["count"] / 8, 4)


def test_month_table_has_every_month_of_the_span(run: Any, archive: Path) -> None:
    rows = run.json("stats", "--by", "month")
    assert len(rows) == 28  # November 2021 to February 2024
    assert rows[1] == {"value": "2021-12", "label": "2021-12", "count": 0, "share": 0.0}
    assert sum(row["count"] for row in rows) == 8


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (
            ("--since", "2023", "--until", "2023", "--by", "month"),
            _months("2023-01-01", "2023-12-31", {"2023-01": 2, "2023-03": 1, "2023-04": 1, "2023-06": 1}),
        ),
        (("--country", "Honduras", "--by", "category"), [("alert", 2), ("news", 1)]),
        (("--lang", "es", "--by", "country"), [("CR", 1), ("HN", 1), ("MX", 1), ("SV", 1)]),
        (("--tag", "#territorio", "--by", "lang"), [("en", 1), ("es", 1)]),
        # No dates in the filter: the periods span the whole archive, so both series line up.
        (("-k", "alert", "--by", "year"), [("2021", 0), ("2022", 0), ("2023", 2), ("2024", 1)]),
        (("-c", "GT", "--by", "tag"), [("Territorio", 1), ("WHRDAlert", 1)]),
        (("--until", "2022", "--by", "country"), [("CR", 1)]),
    ],
)
def test_counts_with_filters(run: Any, archive: Path, args: tuple[str, ...], expected: list[Any]) -> None:
    assert _counts(run.json("stats", *args)) == expected


def test_shares_are_of_the_selected_bulletins(run: Any, archive: Path) -> None:
    rows = run.json("stats", "--lang", "es", "--by", "country")
    assert {row["share"] for row in rows} == {0.2}  # 1 of the 5 Spanish bulletins each


def test_a_future_until_stops_at_today(run: Any, archive: Path) -> None:
    # today is 2024-06-15 (conftest): no months charted beyond June 2024.
    rows = run.json("stats", "--since", "2024", "--until", "2030", "--by", "month")
    assert [row["value"] for row in rows] == [f"2024-{m:02d}" for m in range(1, 7)]


# -- --top ---------------------------------------------------------------------------------------


def test_top_sums_the_rest_as_other(run: Any, archive: Path) -> None:
    rows = run.json("stats", "--by", "country", "--top", "2")
    assert rows == [
        {"value": "HN", "label": "Honduras", "count": 3, "share": 0.375},
        {"value": "GT", "label": "Guatemala", "count": 2, "share": 0.25},
        {"value": None, "label": "other", "count": 4, "share": 0.5},
    ]
    everything = run.json("stats", "--by", "country")
    assert sum(r["count"] for r in rows) == sum(r["count"] for r in everything)


def test_top_keeps_periods_in_time_order(run: Any, archive: Path) -> None:
    rows = run.json("stats", "--by", "year", "--top", "2")
    assert _counts(rows) == [("2023", 5), ("2024", 2), (None, 1)]


def test_top_larger_than_the_table_adds_no_other(run: Any, archive: Path) -> None:
    assert _counts(run.json("stats", "--by", "lang", "--top", "5")) == EXPECTED["lang"]


def test_top_in_spanish_is_otros(run: Any, archive: Path) -> None:
    rows = run.json("stats", "--by", "category", "--top", "1", "--locale", "es")
    assert rows[-1] == {"value": None, "label": "otros", "count": 5, "share": 0.625}


# -- the overview --------------------------------------------------------------------------------


def test_overview_json(run: Any, archive: Path) -> None:
    data = run.json("stats")
    assert list(data) == ["total", "first", "last", "by_country", "by_category", "by_lang", "by_period"]
    assert (data["total"], data["first"], data["last"]) == (8, "2021-11-03", "2024-02-15")
    # The overview adds a "(none)" row (value "") for the one bulletin about no country (issue 12).
    assert _counts(data["by_country"]) == [("HN", 3), ("GT", 2), ("", 1), *EXPECTED["country"][2:]]
    assert [r["label"] for r in data["by_country"] if r["value"] == ""] == ["(none)"]
    assert _counts(data["by_category"]) == EXPECTED["category"]
    assert _counts(data["by_lang"]) == EXPECTED["lang"]
    assert _counts(data["by_period"]) == EXPECTED["month"]  # 28 months: charted by month
    for rows in (data["by_country"], data["by_category"], data["by_lang"], data["by_period"]):
        for row in rows:
            assert list(row) == ["value", "label", "count", "share"]


def test_overview_top_cuts_the_tables_not_the_time_line(run: Any, archive: Path) -> None:
    data = run.json("stats", "--top", "1")
    assert _counts(data["by_country"]) == [("HN", 3), (None, 7)]  # "other" holds the "(none)" row too
    assert _counts(data["by_lang"]) == [("es", 5), (None, 3)]
    assert len(data["by_period"]) == 28


def test_overview_of_a_long_span_is_by_year(run: Any, db: Path) -> None:
    _fill(db, [("2015-05-01", "news", ("HN",), (), "en"), ("2024-01-01", "news", ("HN",), (), "en")])
    periods = run.json("stats")["by_period"]
    assert _counts(periods) == [(str(y), int(y in (2015, 2024))) for y in range(2015, 2025)]


def test_overview_with_filters(run: Any, archive: Path) -> None:
    data = run.json("stats", "--country", "GT", "--since", "2023-01", "--until", "2023-06")
    assert (data["total"], data["first"], data["last"]) == (2, "2023-01-10", "2023-06-30")
    assert _counts(data["by_country"]) == [("GT", 2), ("HN", 1), ("NI", 1)]
    assert _counts(data["by_period"]) == _months("2023-01-01", "2023-06-30", {"2023-01": 1, "2023-06": 1})


def test_overview_on_a_terminal(run: Any, archive: Path) -> None:
    out = run.ok("stats").stdout
    assert out.startswith("8 bulletins, 2021-11-03 to 2024-02-15\n")
    for title in ("By country", "By category", "By language", "Bulletins per month"):
        assert title in out
    assert _line(out, "HN  Honduras").split()[2:4] == ["3", "37.5%"]
    assert "█" in _line(out, "HN  Honduras")
    assert _line(out, "2022-05").split()[1:] == ["0", "0.0%"]  # an empty month, shown, no bar


def test_spanish_names(run: Any, archive: Path) -> None:
    out = run.ok("stats", "--locale", "es").stdout
    assert out.startswith("8 boletines, del 2021-11-03 al 2024-02-15\n")
    assert "MX  México" in out
    assert "Alerta" in out and "Carta abierta" in out and "Español" in out
    labels = {r["value"]: r["label"] for r in run.json("stats", "--by", "country", "--locale", "es")}
    assert labels["MX"] == "México"


def test_labels_carry_name_and_code(run: Any, archive: Path) -> None:
    out = run.ok("stats", "--by", "country").stdout
    assert _line(out, "Mexico").split()[:2] == ["MX", "Mexico"]
    out = run.ok("stats", "--by", "lang").stdout
    assert _line(out, "Spanish").split()[:4] == ["es", "Spanish", "5", "62.5%"]


def test_filters_in_force_are_named(run: Any, archive: Path) -> None:
    out = run.ok("stats", "--country", "HN", "--by", "tag").stdout
    assert out.splitlines()[0] == "Filters: countries HN"


# -- narrow terminals ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        (),
        ("--locale", "es"),
        ("--by", "category"),
        ("--by", "country", "--top", "2"),
        ("--by", "month"),
        ("--by", "tag", "--country", "HN"),
    ],
)
def test_forty_columns_do_not_break_the_layout(run: Any, archive: Path, args: tuple[str, ...]) -> None:
    result = run("stats", *args, env={"COLUMNS": "40"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert lines and all(cell_len(line) <= 40 for line in lines)
    if "--by" not in args or "country" in args:
        # Every count survives whole, next to its bar, one row per line.
        row = _line(result.stdout, "Honduras")
        assert row.split()[2] == "3" and "█" in row


def test_chart_keeps_numbers_and_bars_at_forty_columns() -> None:
    rows = [
        stats.Count("BO", "Bolivia, Plurinational State of", 12_345, 0.5),
        stats.Count("open-letter", "Open letter", 7, 0.0003),
        stats.Count(None, "other", 99, 0.0041),
    ]
    out = io.StringIO()
    console = Console(file=out, width=40, theme=theme(), color_system=None, legacy_windows=False)
    console.print(CountChart(rows, headers=("Country", "Count", "Share")))
    lines = out.getvalue().splitlines()
    assert all(cell_len(line) <= 40 for line in lines)
    assert "12,345" in lines[1] and "50.0%" in lines[1] and "█" in lines[1]
    assert lines[2].split()[-3:] == ["7", "0.0%", "▏"]  # small but not zero: a sliver
    assert "…" in lines[1]  # the long name is cut, not wrapped


@pytest.mark.parametrize(("count", "maximum", "bar"), [(0, 10, ""), (10, 10, "█" * 10), (5, 10, "█" * 5)])
def test_bar_length(count: int, maximum: int, bar: str) -> None:
    out = io.StringIO()
    Console(file=out, width=10, color_system=None, theme=theme()).print(CountBar(count, maximum))
    assert out.getvalue().rstrip("\n") == bar


# -- empty and missing archives, bad input -------------------------------------------------------


def test_missing_archive_creates_nothing(run: Any, db: Path) -> None:
    result = run("stats")
    assert result.exit_code == 0
    assert result.stdout == ""
    assert "does not exist yet" in result.stderr
    assert run.json("stats")["total"] == 0
    assert run.json("stats", "--by", "tag") == []
    assert not db.exists() and list(db.parent.iterdir()) == []


def test_empty_archive(run: Any, db: Path) -> None:
    _fill(db, ROWS[:1])
    Archive(db).delete([1])
    result = run("stats")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "The archive is empty.\n")


def test_empty_selection(run: Any, archive: Path) -> None:
    result = run("stats", "--country", "Chile", "--by", "month")
    assert (result.exit_code, result.stdout, result.stderr) == (0, "", "No bulletins match the filters.\n")
    result = run("stats", "--country", "Chile", "--json")
    assert result.exit_code == 0
    assert (result.stderr, result.stdout.count('"total": 0')) == ("No bulletins match the filters.\n", 1)


@pytest.mark.parametrize(
    ("args", "code", "message"),
    [
        (
            ("--by", "region"),
            1,
            "Error: Unknown --by 'region'. Valid values: country, category, lang, tag, year, month.\n",
        ),
        (("--locale", "fr"), 1, "Error: Unknown locale 'fr'. Valid locales: en, es.\n"),
        (("--since", "2017-02-30"), 1, "Error: '2017-02-30' is not a real calendar date.\n"),
        (("--country", "Hondura"), 1, "Error: Unknown country 'Hondura'. Did you mean: Honduras?\n"),
    ],
)
def test_bad_input(run: Any, archive: Path, args: tuple[str, ...], code: int, message: str) -> None:
    result = run("stats", *args)
    assert (result.exit_code, result.stdout, result.stderr) == (code, "", message)


def test_top_must_be_positive(run: Any, archive: Path) -> None:
    result = run("stats", "--top", "0")
    assert result.exit_code == 2 and "0 is not in the range x>=1" in result.stderr


def test_by_is_case_insensitive(run: Any, archive: Path) -> None:
    assert _counts(run.json("stats", "--by", "Country")) == EXPECTED["country"]


# -- one counting code ---------------------------------------------------------------------------


def _oracle(items: list[dict[str, Any]], by: str) -> list[tuple[str, int]]:
    """Counts of `whrd list --json` items in plain Python: by count, then value; tags merged
    case- and accent-insensitively under the first spelling in id order."""
    if by == "country":
        counts = Counter(code for item in items for code in item["countries"])
    else:
        counts = Counter()
        first: dict[str, str] = {}
        for item in sorted(items, key=lambda item: item["id"]):
            for tag in item["tags"]:
                bare = "".join(
                    c for c in unicodedata.normalize("NFKD", tag.casefold()) if not unicodedata.combining(c)
                )
                counts[first.setdefault(bare, tag)] += 1
    return sorted(counts.items(), key=lambda pair: (-pair[1], pair[0]))


COUNTRY_NAMES = {
    "HN": "Honduras",
    "GT": "Guatemala",
    "SV": "El Salvador",
    "MX": "Mexico",
    "NI": "Nicaragua",
    "CR": "Costa Rica",
}


@pytest.mark.parametrize(("command", "by"), [("countries", "country"), ("tags", "tag")])
def test_countries_tags_and_stats_count_as_the_list_says(
    run: Any, archive: Path, command: str, by: str
) -> None:
    items = run.json("list")
    expected = _oracle(items, by)
    assert expected == EXPECTED[by]  # the oracle agrees with the counts made by hand
    for rows in (run.json(command), run.json("stats", "--by", by)):
        assert _counts(rows) == expected
        for row in rows:
            assert row["share"] == round(row["count"] / len(items), 4)
            assert row["label"] == (COUNTRY_NAMES[row["value"]] if by == "country" else row["value"])


def test_tags_merge_accented_spellings_under_the_first(run: Any, db: Path) -> None:
    rows = [("2024-01-01", "news", (), ("Água",), "es"), ("2024-01-02", "news", (), ("agua", "Otra"), "es")]
    _fill(db, rows)
    items = run.json("list")
    assert _oracle(items, "tag") == [("Água", 2), ("Otra", 1)]
    assert (
        _counts(run.json("tags")) == _counts(run.json("stats", "--by", "tag")) == [("Água", 2), ("Otra", 1)]
    )


def test_tags_merge_spellings_under_the_first() -> None:
    raws = [{"date": "2024-01-01", "tags": ["Água"]}, {"date": "2024-01-02", "tags": ["agua"]}]
    assert [(c.value, c.count) for c in stats.count_by(raws, "tag")] == [("Água", 2)]


def test_stats_does_not_load_rich_tables_for_help() -> None:
    code = (
        "import sys, whrd_cli.cli.stats; "
        "sys.exit(any(m.startswith(('rich', 'pycountry')) for m in sys.modules))"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0


def _line(text: str, needle: str) -> str:
    return next(line for line in text.splitlines() if needle in line)
