"""The library's errors in Spanish: a broken archive, a folder given as the archive, a lock held too
long, an import with a bad line and an export that would overwrite a file each print one `Error: …`
line in Spanish, with no English left, and exit with the same code as in English.

The expected lines are written out here in Spanish (an oracle independent of the catalog). The
English run of each case is checked too: the same exit code, its own English line, and English words
that `english_left` finds (so a Spanish line passing that check means something).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run
from tests.spanish import english_left

SPANISH = {"WHRD_LANG": "es"}
ENGLISH = {"WHRD_LANG": "en"}


def _one_line(result: Any) -> str:
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1, result.stderr
    return str(result.stderr)


def _both(run: Run, args: list[str], env: dict[str, str] | None = None) -> tuple[Any, Any]:
    """The same command run in English, then in Spanish."""
    english = run(*args, env={**(env or {}), **ENGLISH})
    spanish = run(*args, env={**(env or {}), **SPANISH})
    return english, spanish


def _english_in(line: str) -> list[str]:
    """The English words of an error line's message (`Error` is Spanish too: not counted)."""
    assert line.startswith("Error: ")
    return english_left(line.removeprefix("Error: "))


def _check(english: Any, spanish: Any, *, code: int, english_line: str, spanish_line: str) -> None:
    assert english.exit_code == spanish.exit_code == code
    assert _one_line(english) == english_line
    assert _english_in(english_line)  # the checker sees English where there is some
    assert _one_line(spanish) == spanish_line
    assert _english_in(spanish_line) == []


def test_a_corrupt_archive(run: Run, db: Path) -> None:
    db.write_text('{"meta": {"1": {"app": "whrd"', encoding="utf-8")
    english, spanish = _both(run, ["list"])
    _check(
        english,
        spanish,
        code=3,
        english_line=f"Error: {db} is not valid JSON (corrupt?); whrd will not touch it.\n",
        spanish_line=f"Error: {db} no es JSON válido (¿está dañado?); whrd no lo tocará.\n",
    )


def test_a_corrupt_archive_names_its_backup(run: Run, db: Path) -> None:
    db.write_text("not json at all", encoding="utf-8")
    backup = db.with_name(f"{db.name}.bak")
    backup.write_text("{}", encoding="utf-8")
    result = run("list", env=SPANISH)
    assert result.exit_code == 3
    line = _one_line(result)
    assert line == (
        f"Error: {db} no es JSON válido (¿está dañado?); whrd no lo tocará. "
        f"La última copia de seguridad es {backup}.\n"
    )
    assert _english_in(line) == []


@pytest.mark.parametrize("args", [["list"], ["add", "--title", "T", "--date", "2017-01-01"]])
def test_a_folder_given_as_the_archive(run: Run, tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "carpeta"
    folder.mkdir()
    english, spanish = _both(run, ["--db", str(folder), *args])
    _check(
        english,
        spanish,
        code=3,
        english_line=f"Error: {folder} is a folder, not a whrd archive.\n",
        spanish_line=f"Error: {folder} es una carpeta, no un archivo de boletines de whrd.\n",
    )
    assert list(folder.iterdir()) == []


def test_an_archive_locked_too_long(run: Run, db: Path, add: Callable[..., int]) -> None:
    from filelock import FileLock

    add("Defensora amenazada", "2020-01-01")
    before = db.read_bytes()
    with FileLock(f"{db}.lock"):  # another whrd is writing
        english, spanish = _both(
            run, ["add", "--title", "Otra", "--date", "2021-01-01"], env={"WHRD_LOCK_TIMEOUT": "0.2"}
        )
    _check(
        english,
        spanish,
        code=3,
        english_line=(
            f"Error: The archive {db} is locked by another whrd process; waited 0.2 s. "
            "Try again when it has finished.\n"
        ),
        spanish_line=(
            f"Error: El archivo de boletines {db} está bloqueado por otro proceso de whrd; "
            "se esperó 0,2 s. Inténtelo de nuevo cuando haya terminado.\n"
        ),
    )
    assert db.read_bytes() == before


def test_an_import_with_a_bad_line(run: Run, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "boletines.csv"
    source.write_text(
        "title,date\nDefensora amenazada,2020-01-01\nOtra,2020-02-02,de más\n", encoding="utf-8"
    )
    english, spanish = _both(run, ["import", str(source)])
    _check(
        english,
        spanish,
        code=1,
        english_line=(
            f"Error: 1 invalid record, nothing was imported: {source}, line 3: "
            "the row has 3 cells but the header has 2 columns\n"
        ),
        spanish_line=(
            f"Error: 1 registro no válido; no se importó nada: {source}, línea 3: "
            "la fila tiene 3 celdas, pero el encabezado tiene 2 columnas\n"
        ),
    )
    assert not db.exists()


def test_an_import_with_bad_json_lines_counts_them_in_spanish(run: Run, db: Path, tmp_path: Path) -> None:
    source = tmp_path / "boletines.jsonl"
    source.write_text('{"title": "A", "date": "2020-01-01"}\n{"title": \n[1]\n', encoding="utf-8")
    result = run("import", str(source), env=SPANISH)
    assert result.exit_code == 1
    line = _one_line(result)
    assert line == (
        f"Error: 2 registros no válidos; no se importó nada: "
        f"{source}, línea 2: no es JSON válido (se esperaba un valor, columna 11); "
        f"{source}, línea 3: se esperaba un objeto JSON (un boletín), se encontró un arreglo\n"
    )
    assert _english_in(line) == []


def test_an_export_that_would_overwrite_a_file(run: Run, add: Callable[..., int], tmp_path: Path) -> None:
    add("Defensora amenazada", "2020-01-01")
    out = tmp_path / "resumen.md"
    out.write_text("lo que ya había\n", encoding="utf-8")
    english, spanish = _both(run, ["export", "-o", str(out)])
    _check(
        english,
        spanish,
        code=1,
        english_line=(
            f"Error: {out} already exists; use --force to overwrite it, or --output to write elsewhere.\n"
        ),
        spanish_line=(
            f"Error: {out} ya existe; use --force para sobrescribirlo "
            "o --output para escribir en otro lugar.\n"
        ),
    )
    assert out.read_text(encoding="utf-8") == "lo que ya había\n"
