"""`whrd import` end to end: listings in both languages, JSON/JSONL/CSV, round trips, duplicates,
dry runs, one write per import, and every kind of bad input leaving the archive byte-identical."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import DATA, Run

from whrd_cli.errors import DuplicateError
from whrd_cli.importer import Input, import_files, read_inputs
from whrd_cli.model import Bulletin
from whrd_cli.store import Archive

EN = str(DATA / "listing-en.txt")
ES = str(DATA / "listing-es.txt")


def without_ids(items: list[dict]) -> list[dict]:
    """Bulletins without what one archive gives them: the short id and the revision (a version's
    rev is of that archive's history; the uid travels)."""
    return sorted(
        ({k: v for k, v in item.items() if k not in ("id", "rev")} for item in items),
        key=lambda d: (d["date"], d["title"]),
    )


def test_import_both_sample_listings(run: Run, db: Path) -> None:
    result = run.ok("import", EN, ES)
    assert result.stdout == ""
    assert result.stderr.splitlines() == [
        f"{EN} (listing): 10 added, 0 updated, 0 skipped as duplicates.",
        f"{ES} (listing): 10 added, 0 updated, 0 skipped as duplicates.",
        "Total: 20 added, 0 updated, 0 skipped as duplicates.",
        # Issue 17: the listings hold five EN/ES pairs (tests/test_links_suggest.py names them).
        "5 likely translation pairs among the bulletins imported: see them with 'whrd link --suggest'.",
    ]
    listed = run.json("list")
    assert len(listed) == 20
    assert {b["lang"] for b in listed} == {"en", "es"}
    assert [b["id"] for b in run.json("list", "--country", "Ecuador")] == [20, 10]
    alert = run.json("show", "12")
    assert alert["title"] == "Amenazas contra una defensora del territorio en Olancho"
    assert (alert["category"], alert["countries"], alert["date"], alert["truncated"]) == (
        "alert",
        ["HN"],
        "2022-05-17",
        True,
    )


def test_import_twice_adds_nothing_and_writes_nothing(run: Run, db: Path) -> None:
    run.ok("import", EN)
    before = db.read_bytes()
    result = run.ok("import", EN)
    assert result.stderr == f"{EN} (listing): 0 added, 0 updated, 10 skipped as duplicates.\n"
    assert db.read_bytes() == before


def test_list_json_imports_back_unchanged(run: Run, db: Path, tmp_path: Path) -> None:
    run.ok("import", EN, ES)
    run.ok("edit", "3", "--private", "Call the coordinator first.", "--url", "https://example.org/3")
    for private in ([], ["--private"]):
        exported = run.ok("list", "--json", *private).stdout
        (tmp_path / "export.json").write_text(exported, encoding="utf-8")
        other = tmp_path / f"other{len(private)}.json"
        run.ok("--db", str(other), "import", str(tmp_path / "export.json"))
        again = run.ok("--db", str(other), "list", "--json", *private).stdout
        assert without_ids(json.loads(again)) == without_ids(json.loads(exported))  # added/updated too


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv", "listing"])
def test_export_then_import_in_every_format(run: Run, db: Path, tmp_path: Path, fmt: str) -> None:
    run.ok("import", EN, ES)
    out = tmp_path / f"all.{'txt' if fmt == 'listing' else fmt}"
    run.ok("export", "--format", fmt, "--output", str(out))
    other = tmp_path / "other.json"
    run.ok("--db", str(other), "import", str(out))
    keep = ("title", "date", "category", "countries", "summary", "truncated", "tags", "lang")
    mine = [{k: b[k] for k in keep} for b in run.json("list")]
    theirs = [{k: b[k] for k in keep} for b in run.json("--db", str(other), "list")]
    assert sorted(theirs, key=str) == sorted(mine, key=str)


def test_dry_run_writes_nothing_and_shows_a_table(
    run: Run, db: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    piped = run.ok("import", EN, "--dry-run").stdout.splitlines()
    assert len(piped) == 10 and piped[-1].split("\t")[1:5] == ["line 55", "added", "", "2024-07-03"]
    monkeypatch.setattr("whrd_cli.cli.common.is_terminal", lambda: True)
    result = run.ok("import", EN, "--dry-run")
    assert not db.exists()
    assert "Where" in result.stdout and "line 55" in result.stdout and "add" in result.stdout
    assert (
        result.stderr
        == f"{EN} (listing): would add 10, update 0, skip 0 as duplicates (dry run: nothing written).\n"
    )
    run.ok("import", EN)
    before = db.read_bytes()
    changed = tmp_path / "listing-en.txt"  # one bulletin changed: an update; the others the same
    changed.write_text(Path(EN).read_text(encoding="utf-8").replace("Alta Verapaz\n", "Alta Verapaz #Agua\n"))
    result = run.ok("import", str(changed), ES, "--dry-run", "--on-duplicate", "update")
    assert db.read_bytes() == before
    assert "update" in result.stdout and "listing-es.txt" in result.stdout
    assert result.stderr.splitlines()[-1] == "Total: would add 10, update 1, skip 9 as duplicates."


def test_dry_run_json_lists_every_record(run: Run, db: Path) -> None:
    run.ok("import", EN)
    data = json.loads(run.ok("import", EN, ES, "--dry-run", "--json").stdout)
    assert (data["dry_run"], data["added"], data["updated"], data["skipped"]) == (True, 10, 0, 10)
    assert data["records"][0] == {
        "file": EN,
        "location": "line 1",
        "action": "skipped",
        "id": 1,
        "date": "2019-02-14",
        "lang": "en",
        "title": "Community radio “Voces del Río” marks five years on air",
    }
    assert data["records"][10]["action"] == "added" and data["records"][10]["id"] is None


def test_json_summary(run: Run, db: Path) -> None:
    result = run.ok("import", EN, "--json")
    assert result.stderr == ""
    data = json.loads(result.stdout)
    assert data == {
        "dry_run": False,
        "added": 10,
        "updated": 0,
        "skipped": 0,
        "files": [
            {
                "file": EN,
                "format": "listing",
                "records": 10,
                "added": 10,
                "updated": 0,
                "skipped": 0,
                "ids": {"added": list(range(1, 11)), "updated": [], "skipped": []},
            }
        ],
    }


STDIN_INPUTS = {
    "json": '[{"title": "From JSON", "date": "2020-01-01", "countries": ["Honduras"]}]',
    "jsonl": '{"title": "From JSONL", "date": "2020-01-02"}\n{"title": "Second", "date": "2020-01-03"}\n',
    "csv": "title,date,countries\nFrom CSV,2020-01-04,HN;SV\n",
    "listing": "NEWS / From a listing\n\nThe women defenders of Honduras […]\n\n5 January 2020\n",
}


@pytest.mark.parametrize("fmt", list(STDIN_INPUTS))
def test_stdin_format_told_by_content(run: Run, db: Path, fmt: str) -> None:
    result = run.ok("import", "-", input=STDIN_INPUTS[fmt])
    assert result.stderr.startswith(f"<stdin> ({fmt}): ")
    assert run.json("list")[-1]["title"].startswith("From")


def test_format_option_overrides_the_extension(run: Run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "records.txt"
    path.write_text(STDIN_INPUTS["jsonl"], encoding="utf-8")
    result = run("import", str(path))  # .txt is a listing: this one says it holds JSON Lines
    assert result.exit_code == 1 and "holds jsonl, not a listing; give --format jsonl" in result.stderr
    assert run.ok("import", str(path), "--format", "jsonl").stderr.startswith(f"{path} (jsonl): 2 added")


def test_crlf_bom_listing_file(run: Run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "windows.txt"
    path.write_bytes(b"\xef\xbb\xbf" + Path(ES).read_bytes().replace(b"\n", b"\r\n"))
    run.ok("import", str(path))
    utf16 = tmp_path / "notepad.txt"
    utf16.write_bytes(Path(EN).read_text(encoding="utf-8").encode("utf-16"))
    run.ok("import", str(utf16))
    assert len(run.json("list")) == 20


def test_lang_option(run: Run, db: Path) -> None:
    run.ok("import", ES, "--lang", "en")
    assert {b["lang"] for b in run.json("list")} == {"en"}


def test_on_duplicate_update_keeps_added(run: Run, db: Path, tmp_path: Path) -> None:
    run.ok("import", EN)
    first = run.json("show", "2")
    changed = tmp_path / "changed.txt"
    changed.write_text(Path(EN).read_text(encoding="utf-8").replace("Alta Verapaz\n", "Alta Verapaz #Agua\n"))
    result = run.ok("import", str(changed), "--on-duplicate", "update")
    # The one bulletin that changed is updated; the nine the same are skipped (no empty versions).
    assert result.stderr == f"{changed} (listing): 0 added, 1 updated, 9 skipped as duplicates.\n"
    second = run.json("show", "2")
    assert second["tags"] == ["Agua"] and second["added"] == first["added"]


def test_on_duplicate_error_names_every_duplicate(run: Run, db: Path) -> None:
    run.ok("import", EN)
    before = db.read_bytes()
    result = run("import", ES, EN, "--on-duplicate", "error")
    assert result.exit_code == 1
    assert result.stderr.startswith(
        f"Error: 10 duplicates (same date, title and language), nothing was imported: {EN}, line 1: "
        "already in the archive as bulletin 1, 'Community radio “Voces del Río” marks five years on air'; "
    )
    assert result.stderr.endswith("Use --on-duplicate skip or update to import the rest.\n")
    assert db.read_bytes() == before


def test_a_record_repeated_within_the_import(run: Run, db: Path) -> None:
    result = run.ok("import", EN, EN, "--json")
    files = json.loads(result.stdout)["files"]
    assert [(f["added"], f["skipped"]) for f in files] == [(10, 0), (0, 10)]
    assert files[1]["ids"]["skipped"] == list(range(1, 11))
    result = run(
        "import",
        "-",
        "--on-duplicate",
        "error",
        input=STDIN_INPUTS["jsonl"].replace("Second", "From JSONL").replace("01-03", "01-02"),
    )
    assert result.exit_code == 1 and "<stdin>, line 2: repeats an earlier record (line 1)." in result.stderr


# -- bad inputs: one clean line, exit 1, the archive byte-identical -----------------------------------

BAD = {
    "invalid.json": (
        b'[{"title": "x", "date": "2020-01-01",}]',
        "invalid.json, line 1, column 38: not valid JSON",
    ),
    "missing-column.csv": (b"title,countries\nA,HN\n", "missing-column.csv: no 'date' column"),
    "short-row.csv": (
        b"title,date,countries\nA,2020-01-01\n",
        "short-row.csv, line 2: the row has 2 cells but the header has 3 columns",
    ),
    "unreadable-date.txt": (
        "NEWS / x\n\nThe women […]\n\n26 Januray 2017\n".encode(),
        "unreadable-date.txt, line 5, date: cannot read the date line '26 Januray 2017'",
    ),
    "no-date.txt": (
        "NEWS / x\n\nThe women […]\n\nNEWS / y\n\nMore […]\n\n4 May 2020\n".encode(),
        "no-date.txt, line 1, date: no date line after this block's summary",
    ),
    "garbage.bin": (bytes(range(256)) * 8, "garbage.bin is not a text file (it holds binary data)"),
    "empty.txt": (b"", "empty.txt is empty; nothing was imported."),
    "blank.json": (b"\xef\xbb\xbf \r\n\t\n", "blank.json is empty; nothing was imported."),
    "latin1.txt": (
        "NEWS / Café\n\n4 May 2020\n".encode("latin-1"),
        "latin1.txt, line 1: not UTF-8 text (byte 0xe9)",
    ),
    "unknown.jsonl": (b'{"title": "x", "date": "2020-01-01", "colour": "red"}\n', "Unknown field: colour."),
    "mystery.dat": (b"hello there\n", "mystery.dat: cannot tell its format"),
}


@pytest.fixture
def populated(run: Run, db: Path) -> bytes:
    run.ok("import", EN)
    return db.read_bytes()


@pytest.mark.parametrize("name", list(BAD))
def test_bad_input_is_one_clean_line(
    run: Run, db: Path, tmp_path: Path, populated: bytes, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, message = BAD[name]
    path = tmp_path / name
    path.write_bytes(content)
    monkeypatch.chdir(tmp_path)  # relative names in messages
    result = run("import", name)
    assert result.exit_code == 1
    assert result.stdout == ""
    assert len(result.stderr.splitlines()) == 1 and result.stderr.startswith("Error: ")
    assert message in result.stderr
    assert db.read_bytes() == populated


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["nope.txt"], "Error: No such file: nope.txt. Nothing was imported.\n"),
        (["."], "Error: . is a folder, not a file. Nothing was imported.\n"),
        (["-", "-"], "Error: Standard input (-) can be read only once.\n"),
    ],
)
def test_files_that_cannot_be_read(
    run: Run, db: Path, populated: bytes, args: list[str], message: str
) -> None:
    result = run("import", *args)
    assert (result.exit_code, result.stderr) == (1, message)
    assert db.read_bytes() == populated


def test_the_archive_itself_is_not_an_export(run: Run, db: Path, populated: bytes) -> None:
    result = run("import", str(db), "--format", "json")
    assert result.exit_code == 1 and "is a whrd archive, not an export" in result.stderr
    assert db.read_bytes() == populated


def test_no_archive_is_created_by_a_failed_import(run: Run, db: Path, tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("NEWS / x\n\nThe women […]\n")
    assert run("import", EN, str(bad)).exit_code == 1
    assert not db.exists()


def test_all_or_nothing_across_files_and_every_bad_record_named(
    run: Run, db: Path, tmp_path: Path, populated: bytes
) -> None:
    one = tmp_path / "one.txt"
    one.write_text("NEWS / a\n\nText of the women […]\n\n31 February 2017\n", encoding="utf-8")
    two = tmp_path / "two.jsonl"
    two.write_text('{"title": "b", "date": "2020-01-01"}\n{"title": "c"}\n', encoding="utf-8")
    result = run("import", ES, str(one), str(two))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: 2 invalid records, nothing was imported: {one}, line 5, date: cannot read the date line "
        f"'31 February 2017'; write a full date such as 26 January 2017, 4 de marzo de 2018 or 2017-01-26; "
        f"{two}, line 2, date: The date is missing\n"
    )
    assert db.read_bytes() == populated


def test_errors_are_capped(run: Run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "many.jsonl"
    path.write_text("".join(f'{{"title": "t{n}"}}\n' for n in range(25)), encoding="utf-8")
    result = run("import", str(path))
    assert result.stderr.startswith("Error: 25 invalid records, nothing was imported:")
    assert result.stderr.endswith("line 20, date: The date is missing; and 5 more\n")


# -- the library: one write, outcomes, progress ------------------------------------------------------


def test_one_write_for_thousands_of_records(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from whrd_cli.storage import atomic

    records = "".join(
        json.dumps(
            {"title": f"Bulletin {n}", "date": f"20{10 + n % 10}-0{1 + n % 9}-1{n % 10}", "lang": "en"}
        )
        + "\n"
        for n in range(3000)
    )
    calls: list[Path] = []
    real = atomic.atomic_file  # every atomic write of a file opens one
    monkeypatch.setattr(
        atomic, "atomic_file", lambda path, *a, **k: (calls.append(path), real(path, *a, **k))[1]
    )
    archive = Archive(tmp_path / "a.json")
    files = read_inputs([Input("big.jsonl", records.encode(), "big.jsonl")])
    report = import_files(archive, files)
    assert (report.count("added"), report.writes, len(calls)) == (3000, 1, 1)
    assert import_files(archive, files).writes == 0  # all duplicates: nothing to write


def test_a_duplicate_added_meanwhile_by_another_process(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    line = b'{"title": "Added twice", "date": "2020-01-01", "lang": "en"}\n'

    class Racing(Archive):
        """Another process adds the same bulletin between the duplicate check and the write."""

        def add_many(self, bulletins: Any, **options: Any) -> Any:
            result = super().add_many(bulletins, **options)
            if options.get("dry_run"):
                Archive(path).add(Bulletin.create(title="Added twice", date="2020-01-01", lang="en"))
            return result

    files = read_inputs([Input("one.jsonl", line, "one.jsonl")])
    with pytest.raises(DuplicateError) as caught:
        import_files(Racing(path), files, on_duplicate="error")
    assert str(caught.value) == (
        "Bulletin 1 already has this date, title and language (added meanwhile by another process); "
        "nothing was imported."
    )
    assert caught.value.existing_id == 1


def test_add_many_outcomes_and_kept_timestamps(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a.json")
    a = Bulletin.create(title="A", date="2020-01-01", lang="en")
    b = Bulletin.create(title="B", date="2020-01-02", lang="en", added="2019-05-05T05:05:05Z")
    result = archive.add_many([a, b, a])
    assert result.outcomes == [("added", 1), ("added", 2), ("skipped", 1)] and result.skipped == [1]
    stored = archive.get(2).bulletin
    assert (stored.added, stored.updated) == ("2019-05-05T05:05:05Z", "2019-05-05T05:05:05Z")
    preview = archive.add_many([b, Bulletin.create(title="C", date="2020-01-03", lang="en")], dry_run=True)
    assert preview.outcomes == [("skipped", 2), ("added", None)]  # no id until it is written
    with pytest.raises(DuplicateError, match="given twice"):
        archive.add_many([Bulletin.create(title="D", date="2020-01-04", lang="en")] * 2, on_duplicate="error")


def test_progress_bar_only_on_a_terminal_for_large_inputs(monkeypatch: pytest.MonkeyPatch) -> None:
    from whrd_cli.cli import importing

    small = [Input("a", b"x" * 10)]
    with importing._progress(small) as bars:
        assert bars is None

    class Terminal(io.StringIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(sys, "stderr", Terminal())
    monkeypatch.setattr(importing, "PROGRESS_BYTES", 5)
    listing = Path(EN).read_bytes()
    with importing._progress([Input("a", listing, "a.txt")]) as bars:
        assert bars is not None
        files = read_inputs([Input("a", listing, "a.txt")], progress=bars.reading)
        bars.writing()
    assert len(files[0].records) == 10
    assert "Reading a" in sys.stderr.getvalue()


def test_a_small_import_does_not_load_rich_progress(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from whrd_cli.cli import app as main\n"
        f"sys.argv = ['whrd', '--db', {str(tmp_path / 'a.json')!r}, 'import', {EN!r}]\n"
        "try:\n    main()\nexcept SystemExit as exc:\n    assert not exc.code, exc.code\n"
        "print('rich.progress' in sys.modules, 'rich.table' in sys.modules)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["False", "False"]


def test_help_lists_the_registry_formats(run: Run) -> None:
    out = run.ok("import", "--help").stdout
    assert "auto|listing|json|jsonl|csv" in out and "Example: whrd import" in out


# -- issue 12: inputs that crashed the importer, and inputs without end ------------------------------

HUGE = "1" * 5000
HOSTILE = {
    "surrogate.jsonl": (
        b'{"title": "ok", "date": "2020-01-01"}\n{"title": "a\\ud800b", "date": "2020-01-02"}\n',
        "Error: 1 invalid record, nothing was imported: surrogate.jsonl, line 2, title: The title is not "
        "valid Unicode text (a lone surrogate, U+D800); remove it\n",
    ),
    "surrogate.json": (
        b'[{"title": "ok", "date": "2020-01-01", "summary": "x\\udfffy"}]',
        "Error: 1 invalid record, nothing was imported: surrogate.json, record 1, summary: The summary is "
        "not valid Unicode text (a lone surrogate, U+DFFF); remove it\n",
    ),
    "huge.jsonl": (
        f'{{"title": "ok", "date": "2020-01-01", "truncated": {HUGE}}}\n'.encode(),
        "Error: 1 invalid record, nothing was imported: huge.jsonl, line 1, truncated: a number of 5,000 "
        "digits, not a bulletin field\n",
    ),
    "huge.json": (
        f'[{{"id": -{HUGE}, "title": "ok", "date": "2020-01-01"}}]'.encode(),
        "Error: 1 invalid record, nothing was imported: huge.json, record 1, id: a number of 5,000 "
        "digits, not a bulletin field\n",
    ),
    "huge-list.json": (
        f'{{"title": "ok", "date": "2020-01-01", "tags": ["a", {HUGE}]}}'.encode(),
        "Error: 1 invalid record, nothing was imported: huge-list.json, record 1, tags: a number of 5,000 "
        "digits, not a bulletin field\n",
    ),
}


@pytest.mark.parametrize("name", list(HOSTILE))
def test_surrogates_and_huge_numbers_are_record_errors(
    run: Run, db: Path, tmp_path: Path, populated: bytes, name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    content, line = HOSTILE[name]
    (tmp_path / name).write_bytes(content)
    monkeypatch.chdir(tmp_path)
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file() and p.name != name}
    result = run("import", name)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", line)
    after = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file() and p.name != name}
    assert after == before and db.read_bytes() == populated


def test_a_huge_number_in_csv_is_a_record_error(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "huge.csv").write_text(f"title,date,truncated\nok,2020-01-01,{HUGE}\n")
    monkeypatch.chdir(tmp_path)
    result = run("import", "huge.csv")
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: 1 invalid record, nothing was imported: huge.csv, line 2, truncated: The truncated field "
        f"must be true or false, not '{'1' * 38}…\n",
    )


def test_dev_zero_is_refused_at_once(run: Run, db: Path, populated: bytes) -> None:
    result = run("import", "/dev/zero")  # before: read until memory ran out
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: /dev/zero is not a text file (it holds binary data); whrd imports UTF-8 text: listing, "
        "json, jsonl, csv. Nothing was imported.\n",
    )
    assert db.read_bytes() == populated


def _endless_text(path: Path) -> subprocess.Popen[bytes]:
    """A writer that fills the FIFO at `path` with JSON-looking text until its reader goes away."""
    code = (
        "import sys\n"
        "with open(sys.argv[1], 'wb') as out:\n"
        "    try:\n"
        '        while True: out.write(b\'{"title": "x", "date": "2020-01-01"}\\n\' * 1000)\n'
        "    except BrokenPipeError: pass\n"
    )
    return subprocess.Popen([sys.executable, "-c", code, str(path)], stderr=subprocess.DEVNULL)


@pytest.mark.parametrize("how", ["file", "fifo", "stdin"])
def test_inputs_over_the_size_limit_are_refused(
    run: Run, db: Path, tmp_path: Path, populated: bytes, monkeypatch: pytest.MonkeyPatch, how: str
) -> None:
    import os

    monkeypatch.setattr("whrd_cli.import_input.MAX_INPUT_BYTES", 100_000)
    monkeypatch.chdir(tmp_path)
    line = b'{"title": "x", "date": "2020-01-01"}\n'
    writer = None
    if how == "file":
        (tmp_path / "big.jsonl").write_bytes(line * 3000)
        result = run("import", "big.jsonl")
        name = "big.jsonl"
    elif how == "fifo":
        os.mkfifo(tmp_path / "pipe.jsonl")
        writer = _endless_text(tmp_path / "pipe.jsonl")
        result = run("import", "pipe.jsonl")
        name = "pipe.jsonl"
    else:
        result = run("import", "-", input=(line * 3000).decode())
        name = "<stdin>"
    if writer is not None:
        writer.wait(timeout=30)
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        f"Error: {name} is larger than 100,000 bytes, the most whrd imports from one input; split it into "
        "smaller files. Nothing was imported.\n",
    )
    assert db.read_bytes() == populated


def test_the_size_limit_is_inclusive_and_documented(tmp_path: Path) -> None:
    from whrd_cli.importer import MAX_INPUT_BYTES, load_input

    assert MAX_INPUT_BYTES == 512 * 1024 * 1024
    assert "512 MiB" in (Path(__file__).resolve().parents[1] / "README.md").read_text()
    path = tmp_path / "exact.jsonl"
    path.write_bytes(b"x" * 1000)
    assert len(load_input(str(path), limit=1000).data) == 1000
    with pytest.raises(Exception, match="larger than 999 bytes"):
        load_input(str(path), limit=999)
    assert load_input("-", stdin=io.BytesIO(b"y" * 1000), limit=1000).data == b"y" * 1000


def test_an_input_lets_go_of_its_bytes_once_read() -> None:
    """A large import holds its input's bytes or its text, never both for the whole read."""
    item = Input("one.jsonl", b'{"title": "Freed", "date": "2020-01-01", "lang": "en"}\n', "one.jsonl")
    files = read_inputs([item])
    assert item.data == b""
    assert [r.bulletin.title for r in files[0].records] == ["Freed"]


def test_a_location_keeps_no_dict_and_reads_back_its_unit_and_number() -> None:
    import copy
    import pickle

    from whrd_cli.formats import Location

    place = Location("record", 100_000)
    assert not hasattr(place, "__dict__")  # one per imported bulletin, kept for the report
    assert (str(place), place.unit, place.number) == ("record 100000", "record", 100_000)
    for again in (pickle.loads(pickle.dumps(place)), copy.copy(place)):
        assert type(again) is Location and (again.unit, again.number) == ("record", 100_000)
