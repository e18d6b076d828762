"""The write side of the interface in Spanish (issue 13): add's questions, yes/no confirmations
that take the language's answers, what add, edit, delete, import and export say, the $EDITOR form,
and `export --locale` following the interface. Every expected text is written out here."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from tests.conftest import Run
from tests.spanish import english_left

from whrd_cli.entryform import parse_form

ES = {"WHRD_LANG": "es"}
EN = {"WHRD_LANG": "en"}


@pytest.fixture(autouse=True)
def _english_afterwards() -> Iterator[None]:
    """A run leaves its language active in this process: later tests that call the library
    directly (render_form, parse_form) expect English, as a fresh process has it."""
    yield
    from whrd_cli.i18n import activate

    activate("en")


@pytest.fixture
def one(add: Callable[..., int]) -> int:
    return add("Defensora amenazada en Tegucigalpa", "2020-03-04", "-l", "es", "-c", "HN", "-t", "Agua")


def _bulletins(run: Run) -> list[int]:
    return [b["id"] for b in json.loads(run("list", "--json").stdout)]


# -- yes/no confirmations take the language's answers ----------------------------------------------


@pytest.mark.parametrize("answer", ["s", "S", "sí", "SÍ", "si", "Sí", " sí "])
def test_delete_accepts_a_spanish_yes(run: Run, one: int, stdin_terminal: None, answer: str) -> None:
    result = run("delete", str(one), input=f"{answer}\n", env=ES)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.endswith(f"¿Eliminar 1 boletín? [s/N]: {answer}\n")  # the runner echoes input
    assert "Se eliminó 1 boletín; copia de seguridad: " in result.stderr
    assert _bulletins(run) == []


@pytest.mark.parametrize("answer", ["n", "N", "no", "NO", ""])
def test_delete_takes_a_spanish_no_or_enter(run: Run, one: int, stdin_terminal: None, answer: str) -> None:
    result = run("delete", str(one), input=f"{answer}\n", env=ES)
    assert result.exit_code == 1
    assert result.stderr.endswith("No se eliminó nada.\n")
    assert _bulletins(run) == [one]


def test_an_english_yes_is_asked_again_in_spanish(run: Run, one: int, stdin_terminal: None) -> None:
    result = run("delete", str(one), input="y\nyes\nn\n", env=ES)
    assert result.exit_code == 1
    assert result.stdout.count("Responda s (sí) o n (no).") == 2
    assert result.stdout.count("¿Eliminar 1 boletín? [s/N]: ") == 3
    assert "invalid input" not in result.stdout + result.stderr
    assert _bulletins(run) == [one]
    result = run("delete", str(one), input="oui\nsí\n", env=ES)
    assert result.exit_code == 0 and _bulletins(run) == []


def test_english_takes_y_and_yes_and_asks_again_after_s(
    run: Run, add: Callable[..., int], stdin_terminal: None
) -> None:
    first = add("Radio turns three", "2017-01-26", "-l", "en")
    second = add("Radio turns four", "2018-01-26", "-l", "en")
    result = run("delete", str(first), input="s\nsí\nn\n")  # English is the default language
    assert result.exit_code == 1
    assert result.stdout.count("Answer y (yes) or n (no).") == 2
    assert result.stdout.startswith("Delete 1 bulletin? [y/N]: s\nAnswer y (yes) or n (no).\n")
    assert result.stderr.endswith("Nothing was deleted.\n")
    assert run("delete", str(first), input="Y\n", env=EN).exit_code == 0
    result = run("delete", str(second), input="yes\n", env=EN)
    assert result.exit_code == 0
    assert "Deleted 1 bulletin; backup: " in result.stderr
    assert _bulletins(run) == []


def test_the_plural_question_and_end_of_input(
    run: Run, add: Callable[..., int], stdin_terminal: None
) -> None:
    ids = [add(f"Boletín {n}", f"2020-01-0{n}", "-l", "es") for n in (1, 2)]
    result = run("delete", *map(str, ids), input="", env=ES)  # Ctrl-D: the question goes unanswered
    assert result.exit_code == 1
    assert "¿Eliminar 2 boletines? [s/N]: " in result.stdout
    assert sorted(_bulletins(run)) == ids
    result = run("delete", *map(str, ids), input="s\n", env=ES)
    assert result.exit_code == 0
    assert "Se eliminaron 2 boletines; copia de seguridad: " in result.stderr


@pytest.mark.parametrize(("answers", "code"), [("sí\n", 0), ("y\nno\n", 1)])
def test_a_new_category_is_confirmed_in_spanish(
    run: Run, db: Path, stdin_terminal: None, answers: str, code: int
) -> None:
    result = run(
        "add",
        "--title",
        "Nueva",
        "--date",
        "2020-01-02",
        "-l",
        "es",
        "-k",
        "Entrevista",
        input=answers,
        env=ES,
    )
    assert result.exit_code == code
    assert "'entrevista'? [s/N]:" in result.stderr  # the prompt's last space goes to the input
    assert ("Responda s (sí) o n (no)." in result.stderr) == (code == 1)
    assert db.exists() == (code == 0)


# -- add asks in Spanish and says what it recorded ------------------------------------------------


def test_add_asks_every_field_in_spanish(run: Run, stdin_terminal: None, stdout_terminal: None) -> None:
    answers = ["Defensora amenazada", "4 de marzo de 2018", "alerta", "Honduras", "Agua", "Un resumen.", "es"]
    result = run("add", input="\n".join(answers) + "\n", env=ES)
    assert result.exit_code == 0, result.stderr
    for question in (
        "Título: ",
        "Fecha (2017-01-26, 4 de marzo de 2018): ",
        "Categoría (noticias, alerta, carta abierta, pronunciamiento, informe, campaña, evento; "
        "Enter: ninguna): ",
        "Países (nombres o códigos, separados por comas; Enter: ninguno): ",
        "Etiquetas (separadas por comas; Enter: ninguna): ",
        "Resumen (Enter: ninguno): ",
        "Idioma (en, es; Enter: detectarlo del texto): ",
    ):
        assert question in result.stdout
    assert result.stdout.splitlines()[-1].startswith("Agregado #1 — es · ")
    assert english_left(result.stdout) == []
    b = json.loads(run("show", "1", "--json").stdout)
    assert (b["title"], b["date"], b["category"], b["countries"]) == (
        "Defensora amenazada",
        "2018-03-04",
        "alert",
        ["HN"],
    )


def test_add_off_a_terminal_says_what_is_missing_in_spanish(run: Run, db: Path) -> None:
    result = run("add", "--date", "2017-01-26", env=ES)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: --title es obligatorio (o ejecute en una terminal para que se le pregunte, "
        "o use --editor).\n",
    )
    assert not db.exists()


# -- edit and delete messages ----------------------------------------------------------------------


def test_edit_messages_in_spanish(run: Run, one: int) -> None:
    result = run("edit", str(one), "--remove-tag", "Minería", "--remove-country", "MX", env=ES)
    assert (result.exit_code, result.stderr) == (
        0,
        f"El boletín {one} no tiene la etiqueta 'Minería' ni el país MX; no cambió nada.\n",
    )
    result = run("edit", str(one), "--title", "Defensora amenazada en Tegucigalpa", env=ES)
    assert result.stderr == f"El boletín {one} ya estaba así; no cambió nada.\n"
    result = run("edit", str(one), "--remove-tag", "Agua", "--remove-tag", "Minería", env=ES)
    assert (result.exit_code, result.stderr) == (
        0,
        f"El boletín {one} no tenía la etiqueta 'Minería'.\nBoletín {one} actualizado.\n",
    )


def test_edit_on_a_terminal_says_what_was_recorded_in_spanish(
    run: Run, one: int, stdout_terminal: None
) -> None:
    result = run("edit", str(one), "--summary", "Nuevo resumen.", env=ES)
    assert result.exit_code == 0
    assert result.stderr.startswith(f"Actualizado #{one} — es · ")


def test_delete_and_edit_errors_in_spanish(run: Run, db: Path, one: int) -> None:
    result = run("delete", str(one), env=ES)
    assert (result.exit_code, result.stderr) == (1, "Error: No se elimina sin confirmación: agregue --yes.\n")
    result = run("delete", str(one), "--yes", env=ES)
    assert result.stderr == f"Se eliminó 1 boletín; copia de seguridad: {db.with_name('archive.json.bak')}\n"
    missing = db.with_name("otro.json")
    for command in (["delete", "3", "--yes"], ["edit", "3", "--title", "x"]):
        result = run("--db", str(missing), *command, env=ES)
        assert (result.exit_code, result.stderr) == (
            1,
            f"Error: No hay ningún boletín con id 3: el archivo de boletines {missing} aún no existe.\n",
        )


# -- the $EDITOR form ------------------------------------------------------------------------------


def _editor(tmp_path: Path, script: str) -> dict[str, str]:
    """An EDITOR that keeps the form it was shown (shown.txt) and writes `script`'s result of it `t`."""
    here = tmp_path / "editor"
    here.mkdir(exist_ok=True)
    program = here / "editor.py"
    program.write_text(
        "import pathlib, sys\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        f"pathlib.Path({str(here / 'shown.txt')!r}).write_text(t, encoding='utf-8')\n"
        f"p.write_text({script}, encoding='utf-8')\n"
    )
    return {"EDITOR": f"{sys.executable} {program}", "VISUAL": ""}


def test_the_form_speaks_spanish_and_is_read_back(run: Run, tmp_path: Path) -> None:
    fill = (
        "t.replace('Título: ', 'Título: Carta a la Fiscalía').replace('Fecha: ', 'Fecha: 1 de mayo de 2019')"
    )
    env = {**ES, **_editor(tmp_path, fill.replace("Países: ", "Países: GT"))}
    result = run("add", "--editor", "-l", "es", "-c", "GT", env=env)
    assert result.exit_code == 0, result.stderr
    shown = (tmp_path / "editor" / "shown.txt").read_text(encoding="utf-8")
    assert shown.startswith("# Complete los campos y, después de la línea en blanco, el resumen.")
    assert "# Título y Fecha son obligatorios." in shown
    labels = [line.split(":")[0] for line in shown.splitlines() if line and not line.startswith("#")]
    assert labels == [
        "Título",
        "Fecha",
        "Categoría",
        "Países",
        "Etiquetas",
        "Idioma",
        "URL",
        "Fuente",
        "Recortado",
        "Nota privada",
    ]
    b = json.loads(run("show", "1", "--json").stdout)
    assert (b["title"], b["date"], b["countries"]) == ("Carta a la Fiscalía", "2019-05-01", ["GT"])


def test_a_bad_form_is_refused_in_spanish(run: Run, tmp_path: Path) -> None:
    env = {**ES, **_editor(tmp_path, "t.replace('Título: ', 'Titulo: x\\nNo es campo')")}
    result = run("add", "--editor", env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(
        "Error: Línea 7 del formulario: no es un campo. Un campo es 'Nombre: valor', y sus líneas "
        "siguientes empiezan con un espacio. Campos: Título, Fecha, Categoría, Países, Etiquetas, "
        "Idioma, URL, Fuente, Recortado, Nota privada. No se guardó nada; su formulario queda en "
    )


def test_a_mistake_reopens_the_spanish_form_with_spanish_comments(
    run: Run, add: Callable[..., int], db: Path, tmp_path: Path, stdin_terminal: None
) -> None:
    from tests.test_editor import drafts, fake_editor, seen

    add("Carta a la Fiscalía", "2020-01-01", "-l", "es", "--truncated", "-s", "Resumen […]")
    env = fake_editor(
        tmp_path,
        [
            "t.replace('Idioma: es', 'Idioma: es\\nOops')",
            "t.replace('\\nOops', '').replace('Recortado: sí', 'Recortado: no')",
        ],
    )
    result = run("edit", "1", env={**ES, **env})
    assert result.exit_code == 0, result.stderr
    assert "Recortado: sí\n" in seen(tmp_path, 0)  # the language's yes
    error, hint = seen(tmp_path, 1).split("\n")[:2]
    assert error.startswith("# Error: Línea ") and " del formulario: no es un campo." in error
    assert hint == "# Corríjalo abajo, luego guarde y cierre; para desistir, vacíe el archivo."
    b = json.loads(run("show", "1", "--json").stdout)
    assert (b["truncated"], b["summary"]) == (False, "Resumen […]")  # the comment lines are not kept
    assert result.stderr == "Boletín 1 actualizado.\n"
    assert drafts(db) == []


def test_form_labels_are_read_in_both_languages_accents_and_case_aside() -> None:
    spanish = (
        "Titulo: Carta\nFECHA: 2019-05-01\nPaíses: HN, GT\nRecortado: Sí\nNota privada: nota\n\nResumen."
    )
    english = "Title: Carta\nDate: 2019-05-01\nCountries: HN, GT\nTruncated: yes\nPrivate: nota\n\nResumen."
    for text in (spanish, english):
        assert parse_form(text) == {
            "title": "Carta",
            "date": "2019-05-01",
            "countries": ["HN", "GT"],
            "truncated": True,
            "private": "nota",
            "summary": "Resumen.",
        }


# -- import and export ------------------------------------------------------------------------------


@pytest.fixture
def records(tmp_path: Path) -> Path:
    path = tmp_path / "entrada.json"
    rows = [
        {"title": "Defensora amenazada", "date": "2020-01-02", "lang": "es"},
        {"title": "Carta a la Fiscalía", "date": "2020-01-03", "lang": "es"},
    ]
    path.write_text(json.dumps(rows, ensure_ascii=False), encoding="utf-8")
    return path


def test_import_summaries_in_spanish(run: Run, records: Path, tmp_path: Path) -> None:
    result = run("import", str(records), "--dry-run", env=ES)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        f"{records} (json): agregaría 2, actualizaría 0, omitiría 0 por duplicados "
        "(simulación: no se escribió nada).\n"
    )
    result = run("import", str(records), env=ES)
    assert result.stderr == f"{records} (json): agregados: 2, actualizados: 0, omitidos por duplicados: 0.\n"
    other = tmp_path / "otro.json"
    other.write_text(records.read_text(encoding="utf-8"), encoding="utf-8")
    result = run("import", str(records), str(other), env=ES)
    total = "En conjunto: agregados: 0, actualizados: 0, omitidos por duplicados: 4."
    assert result.stderr.splitlines()[-1] == total
    assert english_left(result.stderr) == []
    result = run("import", "-", "-", env=ES)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: La entrada estándar (-) solo se puede leer una vez.\n",
    )


def test_the_dry_run_table_in_spanish(run: Run, records: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("whrd_cli.cli.common.is_terminal", lambda: True)  # as tests/test_import.py
    result = run("import", str(records), "--dry-run", env=ES)
    assert result.exit_code == 0, result.stderr
    header = result.stdout.splitlines()[0].split()
    assert header == [
        "Ubicación",
        "Acción",
        "ID",
        "Fecha",
        "Idioma",
        "Categoría",
        "Países",
        "Título",
    ]  # 120 columns
    assert result.stdout.count(" agregar ") == 2


def test_export_follows_the_interface_language_unless_locale_is_given(run: Run, one: int) -> None:
    result = run("export", "-o", "-", env=ES)
    assert result.exit_code == 0, result.stderr
    assert result.stdout.startswith("# Boletines de defensoras de derechos humanos\n")
    assert result.stderr == "Se escribió 1 boletín (md) en stdout.\n"
    english = run("export", "-o", "-", "--locale", "en", env=ES)
    assert english.stdout.startswith("# WHRD bulletins\n")
    assert english.stderr == "Se escribió 1 boletín (md) en stdout.\n"  # the interface stays Spanish
    assert run("export", "-o", "-").stdout.startswith("# WHRD bulletins\n")  # English by default
    spanish = run("export", "-o", "-", "--locale", "es", env=EN)
    assert spanish.stdout.startswith("# Boletines de defensoras de derechos humanos\n")
    assert spanish.stderr == "Wrote 1 bulletin (md) to stdout.\n"


def test_empty_exports_are_said_in_spanish(run: Run, db: Path, add: Callable[..., int]) -> None:
    result = run("export", "-o", "-", env=ES)
    assert result.stderr.endswith(
        "El archivo de boletines está vacío; se escribió una exportación vacía (md) en stdout.\n"
    )
    add("Defensora amenazada", "2020-01-02", "-l", "es")
    result = run("export", "-o", "-", "--since", "2024-01-01", env=ES)
    assert (
        result.stderr
        == "Ningún boletín coincide con los filtros; se escribió una exportación vacía (md) en stdout.\n"
    )


# -- help (Spanish once the catalog has every helper's strings) ------------------------------------


@pytest.mark.parametrize("command", ["add", "edit", "delete", "import", "export"])
def test_write_commands_help_in_spanish(run: Run, command: str) -> None:
    from whrd_cli.digest.context import GROUPINGS

    result = run(command, "--help", env=ES)
    assert result.exit_code == 0
    # The values --group-by takes (none, country, …) are data, the same in both languages.
    assert [word for word in english_left(result.stdout) if word.lower() not in GROUPINGS] == []
