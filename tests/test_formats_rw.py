"""JSON, JSONL and CSV: readers and writers, field names as `whrd list --json`, exact round trips,
located errors, and a CSV that a spreadsheet cannot turn into a formula."""

from __future__ import annotations

import io
import json
import unicodedata
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import Run

from whrd_cli.errors import ParseError
from whrd_cli.formats import RecordErrors, WriteContext
from whrd_cli.formats import csv as csv_format
from whrd_cli.formats import json as json_format
from whrd_cli.formats import jsonl as jsonl_format
from whrd_cli.formats.csv import defuse, restore
from whrd_cli.model import Bulletin
from whrd_cli.records import Entry

FORMATS = [json_format, jsonl_format, csv_format]


def sample() -> list[Bulletin]:
    return [
        Bulletin.create(
            title='=HYPERLINK("http://evil") and -5 + @SUM',
            date="2021-08-03",
            category="alert",
            countries=["HN", "GT"],
            summary='-starts with a minus,\n\nhas "quotes", commas; semicolons\nand lines',
            truncated=True,
            tags=["WHRDs", "Defensoras"],
            lang="en",
            url="https://example.org/a?b=1,2",
            source="'=quoted already",
            private="Contact through the coordinator only.",
            added="2024-06-15T10:00:00Z",
            updated="2024-06-16T11:30:00Z",
        ),
        Bulletin.create(title="Amenazas en Olancho", date="4 de marzo de 2018", lang="es"),
        Bulletin.create(
            title="'Til the end", date="2019-01-01", summary="+", lang="en", category="interview"
        ),
    ]


def written(module: object, bulletins: list[Bulletin], **context: object) -> str:
    out = io.StringIO()
    entries = [Entry(n, b) for n, b in enumerate(bulletins, start=1)]
    module.write(entries, out, WriteContext(**context))  # type: ignore[attr-defined]
    return out.getvalue()


@pytest.mark.parametrize("module", FORMATS, ids=["json", "jsonl", "csv"])
def test_round_trip_is_exact_with_private(module: object) -> None:
    items = sample()
    text = written(module, items, include_private=True)
    assert module.read(text, source="x") == items  # type: ignore[attr-defined]


@pytest.mark.parametrize("module", FORMATS, ids=["json", "jsonl", "csv"])
def test_private_never_written_unless_asked(module: object) -> None:
    text = written(module, sample())
    assert "coordinator" not in text and "private" not in text
    back = module.read(text, source="x")  # type: ignore[attr-defined]
    assert [b.private for b in back] == [None, None, None]
    assert "private" not in written(module, sample(), fields=("title", "private"))


@pytest.mark.parametrize("module", FORMATS, ids=["json", "jsonl", "csv"])
def test_fields_choose_what_is_written(module: object) -> None:
    text = written(module, sample(), fields=("title", "date", "countries"))
    for name in ("summary", "category", "lang", "added"):
        assert f'"{name}"' not in text and f",{name}" not in text
    back = module.read(text, source="x", lang="es")  # type: ignore[attr-defined]
    assert [b.countries for b in back] == [("HN", "GT"), (), ()]
    assert {b.lang for b in back} == {"es"}  # --lang fills records that carry none


def test_json_is_what_list_json_prints() -> None:
    data = json.loads(written(json_format, sample()[:1]))
    assert list(data[0]) == [
        "id",
        "title",
        "date",
        "category",
        "countries",
        "summary",
        "truncated",
        "tags",
        "lang",
        "url",
        "source",
        "added",
        "updated",
        "uid",
        "rev",
    ]
    assert data[0]["countries"] == ["HN", "GT"] and data[0]["truncated"] is True


def test_csv_layout_bom_lists_and_formula_defusing() -> None:
    text = written(csv_format, sample())
    assert text.startswith("\ufeffid,title,date,category,countries,summary,truncated,tags,lang,url,source")
    assert "\r" not in text
    rows = list(__import__("csv").reader(io.StringIO(text.lstrip("\ufeff"))))
    header, first = rows[0], rows[1]
    row = dict(zip(header, first, strict=True))
    assert row["title"] == '\'=HYPERLINK("http://evil") and -5 + @SUM'
    assert row["summary"].startswith("'-starts with a minus")
    assert row["countries"] == "HN;GT" and row["tags"] == "WHRDs;Defensoras"
    assert row["truncated"] == "true" and row["source"] == "''=quoted already"
    assert dict(zip(header, rows[3], strict=True))["summary"] == "'+"
    assert dict(zip(header, rows[3], strict=True))["title"] == "'Til the end"  # nothing to defuse


@settings(max_examples=500)
@given(st.text())
def test_defuse_is_exactly_undone(cell: str) -> None:
    assert restore(defuse(cell)) == cell
    assert defuse(cell)[:1] not in ("=", "+", "-", "@", "\t", "\r")


def test_csv_reader_keeps_a_plain_leading_apostrophe() -> None:
    text = "title,date\n'Til the end,2019-01-01\n'O'Brien,2019-01-02\n"
    assert [b.title for b in csv_format.read(text, source="x")] == ["'Til the end", "'O'Brien"]


def test_csv_from_a_spanish_spreadsheet() -> None:
    text = (
        '\ufefftitle;date;countries;tags\r\nForo regional;4 de marzo de 2018;"Honduras;El Salvador";"a;b"\r\n'
    )
    (b,) = csv_format.read(text, source="x")
    assert (b.date, b.countries, b.tags) == ("2018-03-04", ("HN", "SV"), ("a", "b"))


@pytest.mark.parametrize(
    ("module", "text", "message"),
    [
        (
            json_format,
            '[{"title": "x", "date": "2020-01-01",}]',
            "x.json, line 1, column 38: not valid JSON (Expecting property name enclosed in double quotes); "
            "nothing was imported.",
        ),
        (
            json_format,
            '"text"',
            "x.json: expected a JSON array of bulletins (as 'whrd list --json' prints), found a string; "
            "nothing was imported.",
        ),
        (
            json_format,
            '{"meta": {}, "bulletins": {}}',
            "x.json is a whrd archive, not an export; export it first (whrd --db x.json list --json "
            "--private > bulletins.json) and import that. Nothing was imported.",
        ),
        (
            csv_format,
            "title,countries\nA,HN\n",
            "x.json: no 'date' column; the header row needs at least title and date (found: title, "
            "countries). Nothing was imported.",
        ),
        (
            csv_format,
            "title,date,colour\nA,2020-01-01,red\n",
            "x.json, line 1: unknown column 'colour'. Known columns: id, title, date, category, countries, "
            "summary, truncated, tags, lang, url, source, private, added, updated, uid, rev, links. "
            "Nothing was imported.",
        ),
        (
            csv_format,
            'title,date\n"A,2020-01-01\n',
            "x.json, line 2: not valid CSV (a quoted cell is never closed); nothing was imported.",
        ),
    ],
)
def test_file_level_errors(module: object, text: str, message: str) -> None:
    with pytest.raises(ParseError) as caught:
        module.read(text, source="x.json")  # type: ignore[attr-defined]
    assert not isinstance(caught.value, RecordErrors)
    assert str(caught.value) == message


def test_every_bad_record_is_named_with_its_field() -> None:
    text = json.dumps(
        [
            {"title": "a\nb", "date": "2020-01-01"},
            {"title": "ok", "date": "2020-13-01"},
            {"title": "ok", "date": "1 May 2020", "countries": ["Hondura"]},
            5,
            {"title": "fine", "date": "2020-01-01"},
            {"title": "x", "date": "2020-01-01", "colour": "red", "size": 3},
            {"title": "x", "date": "2020-01-01", "truncated": "maybe"},
            {"title": "x", "date": "2020-01-01", "added": "yesterday"},
            {"date": "2020-01-01"},
        ]
    ).replace('"fine"', '"fine", "title": "twice"')
    with pytest.raises(RecordErrors) as caught:
        json_format.read(text, source="x.json")
    assert [str(e) for e in caught.value.errors] == [
        "x.json, record 1, title: The title contains a control character or line break; remove it",
        "x.json, record 2, date: '2020-13-01' is not a real calendar date",
        "x.json, record 3, countries: Unknown country 'Hondura'. Did you mean: Honduras?",
        "x.json, record 4: expected a JSON object (a bulletin), found a number",
        "x.json, record 5, title: the field title is given twice",
        "x.json, record 6: Unknown fields: colour, size. Known fields: title, date, category, countries, "
        "summary, truncated, tags, lang, url, source, private, added, updated, uid, rev",
        "x.json, record 7, truncated: The truncated field must be true or false, not 'maybe'",
        "x.json, record 8, added: The added time 'yesterday' is not an ISO date and time with a zone, "
        "such as 2024-06-15T10:00:00Z",
        "x.json, record 9, title: The title is missing",
    ]
    assert str(caught.value).startswith("9 invalid records, nothing was imported: x.json, record 1, title:")


def test_jsonl_reports_every_bad_line() -> None:
    text = '{"title": "a", "date": "2020-01-01"}\n\n{"title": "b",\n[1]\n{"title": "c", "date": "someday"}\n'
    with pytest.raises(RecordErrors) as caught:
        jsonl_format.read(text, source="x.jsonl")
    assert [str(e) for e in caught.value.errors] == [
        "x.jsonl, line 3: not valid JSON (Expecting property name enclosed in double quotes, column 15)",
        "x.jsonl, line 4: expected a JSON object (a bulletin), found an array",
        "x.jsonl, line 5, date: Cannot read the date 'someday'",
    ]


def test_csv_reports_rows_by_the_line_they_start_on() -> None:
    text = 'title,date,summary\nA,2020-01-01,"two\nlines"\nB,2020-01-02\nC,not a date,x\n,,\n'
    with pytest.raises(RecordErrors) as caught:
        csv_format.read(text, source="x.csv")
    assert [str(e) for e in caught.value.errors] == [
        "x.csv, line 4: the row has 2 cells but the header has 3 columns",
        "x.csv, line 5, date: Cannot read the date 'not a date'",
    ]


def test_csv_errors_found_in_different_passes_are_reported_in_line_order() -> None:
    # The short row is found while splitting rows, the bad date later while validating.
    text = "title,date\nA,not a date\nB\n"
    with pytest.raises(RecordErrors) as caught:
        csv_format.read(text, source="x.csv")
    assert [str(e) for e in caught.value.errors] == [
        "x.csv, line 2, date: Cannot read the date 'not a date'",
        "x.csv, line 3: the row has 1 cells but the header has 2 columns",
    ]


def test_timestamps_are_kept_in_utc() -> None:
    (b,) = json_format.read(
        '{"title": "t", "date": "2020-01-01", "added": "2024-06-15T12:00:00+02:00"}', source="x"
    )
    assert (b.added, b.updated) == ("2024-06-15T10:00:00Z", None)


def test_sniffing() -> None:
    assert json_format.sniff(' [\n {"title": 1}]') == 1.0 and json_format.sniff("[]") == 1.0
    assert json_format.sniff("[VIDEO] NEWS / x") == 0.0
    assert jsonl_format.sniff('{"a": 1}\n{"b": 2}') > json_format.sniff('{"a": 1}\n{"b": 2}')
    assert jsonl_format.sniff('{\n"a": 1}') == 0.0 < json_format.sniff('{\n"a": 1}')
    assert csv_format.sniff("\ufeffTitle;Date;Countries\n") > 0 and csv_format.sniff("title is here\n") == 0


def test_csv_without_header_does_not_echo_the_data(tmp_path: Path, run: Run) -> None:
    data = tmp_path / "nohdr.csv"
    data.write_text("Secret title,2020-01-01,private contact details\n", encoding="utf-8")
    result = run("import", str(data))
    assert result.exit_code == 1
    assert "no header row" in result.stderr
    assert "Secret" not in result.stderr and "private contact" not in result.stderr


# -- property-based round trips: whatever a valid bulletin holds comes back, field by field ----------
# Values are generated in the form the model keeps (NFC, one space between words, lines stripped,
# tags unique), so the expected value of every field is simply what was generated.

LETTERS = "abcXYZñÑéÉüçßøłœ中文ёжΩ"
PUNCTUATION = "\"'“”«»,;:.!?¿¡=+-@#/\\()[]{}<>*&%$€…—–"
WORD = st.text(alphabet=LETTERS + "0123456789" + PUNCTUATION, min_size=1, max_size=8)
LINE = st.lists(WORD, min_size=1, max_size=6).map(" ".join)


def fold_key(text: str) -> str:
    """Case and accents ignored, as tags compare (written here, not taken from whrd)."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


@st.composite
def paragraphs(draw: st.DrawFn) -> str:
    """Multi-line text: lines joined by a line break, paragraphs by a blank line."""
    return "\n\n".join(
        "\n".join(draw(st.lists(LINE, min_size=1, max_size=3)))
        for _ in range(draw(st.integers(min_value=1, max_value=3)))
    )


@st.composite
def records(draw: st.DrawFn) -> dict[str, Any]:
    """One bulletin's fields as the model keeps them."""
    stamp = st.datetimes(min_value=datetime(2000, 1, 1), max_value=datetime(2099, 12, 31)).map(
        lambda moment: moment.strftime("%Y-%m-%dT%H:%M:%SZ")
    )
    tag = st.text(alphabet=LETTERS + "0123456789_-'=+@.!?¿¡€", min_size=1, max_size=10)
    return {
        "title": draw(LINE.filter(lambda text: any(ch.isalnum() for ch in text))),
        "date": draw(st.dates(min_value=date(1900, 1, 1), max_value=date(2100, 12, 31))).isoformat(),
        "category": draw(st.sampled_from([None, "news", "alert", "open-letter", "statement", "interview"])),
        "countries": draw(
            st.lists(st.sampled_from(["HN", "GT", "SV", "MX", "NI", "CR", "CD", "CI", "AX"]), unique=True)
        ),
        "summary": draw(st.one_of(st.just(""), paragraphs())),
        "truncated": draw(st.booleans()),
        "tags": draw(st.lists(tag, max_size=4, unique_by=fold_key)),
        "lang": draw(st.sampled_from(["en", "es", "fr", "pt", "qu"])),
        "url": draw(
            st.one_of(
                st.none(), st.from_regex(r"https://example\.org/[a-z0-9,;=&?%~-]{0,20}", fullmatch=True)
            )
        ),
        "source": draw(st.one_of(st.none(), LINE)),
        "private": draw(st.one_of(st.none(), paragraphs())),
        "added": draw(st.one_of(st.none(), stamp)),
        "updated": draw(st.one_of(st.none(), stamp)),
    }


@pytest.mark.parametrize("module", FORMATS, ids=["json", "jsonl", "csv"])
@settings(max_examples=100, deadline=None)
@given(items=st.lists(records(), min_size=1, max_size=5))
def test_every_field_round_trips(module: Any, items: list[dict[str, Any]]) -> None:
    text = written(module, [Bulletin.create(**item) for item in items], include_private=True)
    back = module.read(text, source="x")
    assert len(back) == len(items)
    for got, item in zip(back, items, strict=True):
        for name, value in item.items():
            expected = tuple(value) if isinstance(value, list) else value
            assert getattr(got, name) == expected, (module.__name__, name)


def test_a_semicolon_separates_tags_so_csv_reads_them_back() -> None:
    # Found by the round trip above: tags "a;b" and "c" were written as the cell "a;b;c", read as three.
    b = Bulletin.create(title="t", date="2020-01-01", tags=["Agua;Tierra", "#Defensoras"], lang="en")
    assert b.tags == ("Agua", "Tierra", "Defensoras")
    assert [x.tags for x in csv_format.read(written(csv_format, [b]), source="x")] == [b.tags]


def test_a_200_kib_summary_round_trips_through_csv() -> None:
    summary = ("Defensoras " * 20_000)[: 200 * 1024].strip()  # more than the csv module's 128 KiB
    b = Bulletin.create(title="Long one", date="2020-01-01", summary=summary, lang="en")
    text = written(csv_format, [b])
    assert len(text) > 200 * 1024
    [back] = csv_format.read(text, source="x")
    assert back.summary == summary and len(back.summary) == len(summary)
    import csv

    assert csv.field_size_limit() == 131072  # the process-wide limit is given back


def test_csv_export_import_round_trip_through_the_cli(tmp_path: Path, run: Run, db: Path) -> None:
    """A tag given with a `;` is two tags from the start, so CSV can never split one; a 200 KiB
    summary exports and imports back whole."""
    summary = "x" * (200 * 1024)
    run.ok("add", "--title", "Long one", "--date", "2020-01-01", "--summary", summary, "--tag", "Agua;Tierra")
    out = tmp_path / "all.csv"
    run.ok("export", "-o", str(out))
    fresh = tmp_path / "fresh.json"
    run.ok("--db", str(fresh), "import", str(out))
    [item] = run.json("--db", str(fresh), "list")
    assert item["tags"] == ["Agua", "Tierra"]
    assert item["summary"] == summary
