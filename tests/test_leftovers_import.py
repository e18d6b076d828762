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
