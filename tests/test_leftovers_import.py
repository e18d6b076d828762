"""The last hostile review's leftovers on `import`: 5, `--on-duplicate error` names the bulletin a
record repeats (id and title) or the earlier record; 4, UTF-16 without a BOM is read when its NUL
bytes make it unambiguous; 6, an unknown category in a CSV, JSON or JSONL record is an error at its
place, as `add` refuses it."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from tests.conftest import Run

ES = {"WHRD_LANG": "es"}


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


# -- 5. --on-duplicate error names what a duplicate repeats ---------------------------------------------


def _archive_with_two(run: Run) -> None:
    run.ok("add", "--title", "Défense de l'eau: “Río Lempa”", "--date", "2020-01-02", "-l", "en")
    run.ok("add", "--title", "Radio turns three", "--date", "2017-01-26", "-l", "en")


def test_on_duplicate_error_names_the_bulletin_in_the_archive_by_id_and_title(
    run: Run, db: Path, tmp_path: Path
) -> None:
    _archive_with_two(run)
    records = [
        {"title": "New and fine", "date": "2021-05-05", "lang": "en"},
        {"title": "radio TURNS three!", "date": "2017-01-26", "lang": "en"},  # bulletin 2, folded
    ]
    (tmp_path / "in.json").write_text(json.dumps(records))
    before = _digests(db.parent)
    result = run("import", str(tmp_path / "in.json"), "--on-duplicate", "error")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 1 duplicate (same date, title and language), nothing was imported: "
        f"{tmp_path / 'in.json'}, record 2: already in the archive as bulletin 2, 'Radio turns three'. "
        "Use --on-duplicate skip or update to import the rest.\n"
    )
    assert _digests(db.parent) == before


def test_on_duplicate_error_names_the_earlier_record_a_record_repeats(
    run: Run, db: Path, tmp_path: Path
) -> None:
    _archive_with_two(run)
    first = tmp_path / "a.csv"
    first.write_text("title,date,lang\nFresh,2021-05-05,en\nOther,2021-05-06,en\nfresh,2021-05-05,en\n")
    second = tmp_path / "b.jsonl"
    second.write_text('{"title": "OTHER", "date": "2021-05-06", "lang": "en"}\n')
    before = _digests(db.parent)
    result = run("import", str(first), str(second), "--on-duplicate", "error")
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 2 duplicates (same date, title and language), nothing was imported: "
        f"{first}, line 4: repeats an earlier record (line 2); "
        f"{second}, line 1: repeats an earlier record ({first}, line 3). "
        "Use --on-duplicate skip or update to import the rest.\n"
    )
    assert _digests(db.parent) == before


def test_spanish_on_duplicate_error_names_the_bulletin_in_spanish(run: Run, db: Path, tmp_path: Path) -> None:
    _archive_with_two(run)
    source = tmp_path / "d.jsonl"
    source.write_text(
        '{"title": "Défense de l\'eau: “Río Lempa”", "date": "2020-01-02", "lang": "en"}\n'
        '{"title": "Nueva", "date": "2021-05-05", "lang": "es"}\n'
        '{"title": "nueva", "date": "2021-05-05", "lang": "es"}\n'
    )
    result = run("import", str(source), "--on-duplicate", "error", env=ES)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 2 duplicados (misma fecha, título e idioma); no se importó nada: "
        f"{source}, línea 1: ya está en el archivo de boletines como el boletín 1, "
        '"Défense de l\'eau: “Río Lempa”"; '
        f"{source}, línea 3: repite un registro anterior (línea 2). "
        "Use --on-duplicate skip o update para importar el resto.\n"
    )


# -- 4. UTF-16 without a BOM, when its NUL bytes make it plain --------------------------------------------

LISTING = (
    "NOTICIAS / Radio comunitaria cumple “tres” años\n\n"
    "La radio de las defensoras […]\n\n4 de marzo de 2018\n"
)
CSV = "title,date,countries\r\nDefensoras en Olancho,2020-01-02,HN\r\nÑandutí y acción,2020-01-03,PY\r\n"


def test_utf16_without_a_bom_is_read_in_either_byte_order(run: Run, db: Path, tmp_path: Path) -> None:
    for order in ("utf-16-le", "utf-16-be"):
        listing, csv = tmp_path / f"{order}.txt", tmp_path / f"{order}.csv"
        listing.write_bytes(LISTING.encode(order))
        csv.write_bytes(CSV.encode(order))
        result = run.ok("import", str(listing), str(csv), "--dry-run", "--json")
        files = json.loads(result.stdout)["files"]
        assert [(f["format"], f["added"]) for f in files] == [("listing", 1), ("csv", 2)], order
    run.ok("import", str(tmp_path / "utf-16-be.csv"))
    assert sorted(b["title"] for b in run.json("list")) == ["Defensoras en Olancho", "Ñandutí y acción"]


def test_utf16_without_a_bom_from_standard_input(run: Run, db: Path) -> None:
    from whrd_cli.cli import app

    result = run.runner.invoke(  # bytes on standard input, as a pipe gives them
        app,
        ["import", "-", "--format", "csv"],
        input=CSV.encode("utf-16-le"),
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.stderr
    assert len(run.json("list")) == 2


def test_what_is_not_plainly_utf16_stays_binary(run: Run, db: Path, tmp_path: Path) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01")
    cases = {
        "odd.csv": CSV.encode("utf-16-le") + b"\n",  # a stray byte after whole pairs
        "ints.bin": b"".join(bytes((n % 31, 0)) for n in range(4000)),  # 16-bit numbers: controls
        "mixed.txt": CSV.encode("utf-16-le")[:40] + CSV.encode("utf-16-be")[40:],  # NULs at both parities
        "utf32.csv": CSV.encode("utf-32-le"),
        "zeros.txt": bytes(5000),
        "some-nuls.txt": b"title,date\n\x00A,2020-01-01\n",  # UTF-8 with a NUL: not UTF-16
    }
    before = _digests(db.parent)
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    for name, data in cases.items():
        (inputs / name).write_bytes(data)
        result = run("import", str(inputs / name))
        assert result.exit_code == 1, name
        assert result.stderr == (
            f"Error: {inputs / name} is not a text file (it holds binary data); whrd imports UTF-8 text: "
            "listing, json, jsonl, csv. Nothing was imported.\n"
        ), name
    assert _digests(db.parent) == before


def test_spanish_a_utf16_file_without_bom_reads_and_a_binary_one_is_refused_in_spanish(
    run: Run, db: Path, tmp_path: Path
) -> None:
    good, bad = tmp_path / "bueno.txt", tmp_path / "malo.bin"
    good.write_bytes(LISTING.encode("utf-16-le"))
    bad.write_bytes(bytes(range(256)) * 8)
    assert run("import", str(good), env=ES).stderr == (
        f"{good} (listing): agregados: 1, actualizados: 0, omitidos por duplicados: 0.\n"
    )
    result = run("import", str(bad), env=ES)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {bad} no es un archivo de texto (contiene datos binarios)")


# -- 6. an unknown category in a CSV, JSON or JSONL record is an error at its place, as add refuses it -----


def _write(folder: Path, name: str, rows: list[dict[str, str]]) -> Path:
    path = folder / name
    if name.endswith(".csv"):
        names = list(rows[0])
        path.write_text("\n".join([",".join(names), *(",".join(r[n] for n in names) for r in rows)]) + "\n")
    elif name.endswith(".jsonl"):
        path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows))
    else:
        path.write_text(json.dumps(rows, ensure_ascii=False))
    return path


ROWS = [
    {"title": "Known", "date": "2020-01-01", "category": "NOTICIAS", "countries": "HN"},
    {"title": "Typo", "date": "2020-01-02", "category": "statment", "countries": "HN"},
    {"title": "Bad date", "date": "31 February 2020", "category": "news", "countries": "HN"},
    {"title": "Unknown", "date": "2020-01-04", "category": "xyz", "countries": "HN"},
    {"title": "Bad country", "date": "2020-01-05", "category": "news", "countries": "Hondura"},
]


def test_an_unknown_category_is_an_error_at_its_place_with_the_other_bad_fields(
    run: Run, db: Path, tmp_path: Path
) -> None:
    run.ok("add", "--title", "Kept", "--date", "2019-01-01")
    folder = tmp_path / "in"
    folder.mkdir()
    before = _digests(db.parent)
    for name, place in (("a.csv", "line {}"), ("a.json", "record {}"), ("a.jsonl", "line {}")):
        path = _write(folder, name, ROWS)
        offset = 1 if name.endswith(".csv") else 0  # the header row
        at = [f"{path}, {place.format(n + offset)}" for n in (2, 3, 4, 5)]
        result = run("import", str(path))
        assert result.exit_code == 1, name
        assert result.stdout == ""
        assert result.stderr == (
            "Error: 4 invalid records, nothing was imported: "
            f"{at[0]}, category: Unknown category 'statment'. Did you mean: statement?; "
            f"{at[1]}, date: '31 February 2020' is not a real calendar date; "
            f"{at[2]}, category: Unknown category 'xyz'. "
            "Categories: news, alert, open-letter, statement, report, campaign, event; "
            f"{at[3]}, countries: Unknown country 'Hondura'. Did you mean: Honduras? "
            "To start a new category, add --new-category.\n"
        ), name
        dry = run("import", str(path), "--dry-run")
        assert dry.exit_code == 1 and dry.stderr == result.stderr
    assert _digests(db.parent) == before


def test_spanish_an_unknown_category_is_said_in_spanish(run: Run, db: Path, tmp_path: Path) -> None:
    path = _write(tmp_path, "a.jsonl", [{"title": "Typo", "date": "2020-01-02", "category": "alrta"}])
    result = run("import", str(path), env=ES)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: 1 registro no válido; no se importó nada: "
        f"{path}, línea 1, category: Categoría desconocida: 'alrta'. ¿Quiso decir: alerta, carta abierta? "
        "Para crear una categoría nueva, agregue --new-category.\n"
    )


def test_every_spelling_of_a_known_category_is_imported(run: Run, db: Path, tmp_path: Path) -> None:
    spellings = {  # as whrd writes them (keys, labels, Spanish table words) and as people type them
        "news": ["news", "NEWS", "NOTICIAS", "Noticias", "noticia"],
        "alert": ["alert", "Alerta", "#WHRDAlert", "#AlertaDefensoras", "alertas"],
        "open-letter": ["open-letter", "OPEN LETTER", "CARTA ABIERTA", "Carta abierta"],
        "statement": ["statement", "PRONUNCIAMIENTO", "Pronunciamiento", "comunicado"],
        "report": ["report", "INFORME", "Informe"],
        "campaign": ["campaign", "CAMPAÑA", "Campaña", "campana"],
        "event": ["event", "EVENTO", "Evento"],
    }
    rows = [
        {"title": f"Bulletin {key} {n}", "date": "2020-01-01", "category": text, "lang": "en"}
        for key, texts in spellings.items()
        for n, text in enumerate(texts)
    ]
    run.ok("import", str(_write(tmp_path, "all.json", rows)))
    got = {b["title"]: b["category"] for b in run.json("list")}
    assert got == {row["title"]: row["title"].split()[1] for row in rows}


def test_the_archives_own_category_and_new_category_are_accepted(run: Run, db: Path, tmp_path: Path) -> None:
    run.ok("add", "--title", "Interview", "--date", "2019-01-01", "-k", "entrevista", "--new-category")
    own = _write(tmp_path, "own.csv", [{"title": "Another", "date": "2020-01-01", "category": "Entrevista"}])
    run.ok("import", str(own))
    new = _write(tmp_path, "new.jsonl", [{"title": "Podcast", "date": "2020-01-02", "category": "podcast"}])
    assert run("import", str(new)).exit_code == 1
    run.ok("import", str(new), "--new-category")
    assert sorted(b["category"] for b in run.json("list")) == ["entrevista", "entrevista", "podcast"]


def test_a_listings_new_heading_label_is_still_kept(run: Run, db: Path, tmp_path: Path) -> None:
    listing = tmp_path / "l.txt"
    listing.write_text(
        "INTERVIEW / A defender speaks\n\nThe network talked to a defender.\n\n5 January 2020\n"
    )
    run.ok("import", str(listing))
    assert run.json("list")[0]["category"] == "interview"


def test_an_export_keeps_its_own_categories_into_a_fresh_archive(run: Run, db: Path, tmp_path: Path) -> None:
    """A record whrd wrote (it carries a uid) was checked where it was recorded: an export of an
    archive with its own categories imports back anywhere, as `list --json` always has."""
    run.ok("add", "--title", "Interview", "--date", "2019-01-01", "-k", "entrevista", "--new-category")
    for fmt in ("json", "jsonl", "csv"):
        out = tmp_path / f"export.{fmt}"
        run.ok("export", "-f", fmt, "-o", str(out))
        other = tmp_path / f"other-{fmt}.json"
        run.ok("--db", str(other), "import", str(out))
        assert [b["category"] for b in run.json("--db", str(other), "list")] == ["entrevista"], fmt
    hand_made = _write(
        tmp_path, "hand.csv", [{"title": "Another", "date": "2020-01-01", "category": "entrevista"}]
    )
    result = run("--db", str(tmp_path / "fresh.json"), "import", str(hand_made))
    assert result.exit_code == 1
    assert "category: Unknown category 'entrevista'." in result.stderr
