"""The read side of the interface in Spanish (issue 13): help, views, footers and errors of list,
show, search, countries, tags, where and stats, run in-process with `WHRD_LANG=es` (or `LANG`).

The expected texts are written out here by hand (Spanish words, `1.234`, `40,9 %`, `4 de marzo de
2018`), never produced by the code under test. The words that come from the catalog (headers,
labels, messages) need the Spanish catalog with this part's translations merged; names, dates and
numbers come from whrd's own tables and pass on their own.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

import pytest
from tests.conftest import Run
from tests.spanish import english_left

from whrd_cli.model import Bulletin
from whrd_cli.store import Archive

ES = {"WHRD_LANG": "es"}
READ_COMMANDS = ("list", "show", "search", "countries", "tags", "where", "stats", "help")


def spanish(run: Run, *args: str, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    result = run(*args, env=env or ES)
    return result.exit_code, result.stdout, result.stderr


def flat(text: str) -> str:
    """Text with its line breaks and runs of spaces as one space (Rich wraps long lines)."""
    return " ".join(text.split())


@pytest.fixture
def alerta(add: Callable[..., int]) -> int:
    """A Spanish alert about Mexico, dated 4 March 2018, with a tag and a link."""
    return add(
        "Amenazas contra defensora",
        "2018-03-04",
        "-c",
        "MX",
        "-k",
        "alert",
        "-t",
        "Agua",
        "-l",
        "es",
        "--url",
        "https://example.org/a",
    )


@pytest.fixture
def radio(add: Callable[..., int]) -> int:
    """An English news item about Honduras and Guatemala, dated 14 February 2019."""
    return add("Community radio turns five", "2019-02-14", "-c", "HN", "-c", "GT", "-k", "news", "-l", "en")


# 1,234 bulletins: the first 505 about Honduras and alerts (40.9 %), the other 729 about Guatemala
# and news (59.1 %), one a day from 2020-01-01 to 2023-05-18.
MANY, HONDURAS = 1234, 505


@pytest.fixture
def many(db: Path) -> Path:
    start = date(2020, 1, 1)
    Archive(db).add_many(
        Bulletin.create(
            title=f"Boletín número {n}",
            date=(start + timedelta(days=n)).isoformat(),
            category="alert" if n < HONDURAS else "news",
            countries=("HN",) if n < HONDURAS else ("GT",),
            lang="es",
        )
        for n in range(MANY)
    )
    return db


# -- help --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_help_has_spanish_structure(run: Run, command: str) -> None:
    code, out, _err = spanish(run, command, "--help")
    assert code == 0
    assert out.startswith(f"Uso: whrd {command} ")
    assert "Opciones:" in out and "Mostrar este mensaje y salir." in out


@pytest.mark.parametrize("command", READ_COMMANDS)
def test_help_has_no_english_left(run: Run, command: str) -> None:
    """Needs the catalog with tools/parts/cli-read.json merged (help texts and docstrings)."""
    code, out, _err = spanish(run, command, "--help")
    assert code == 0
    assert english_left(out) == []


@pytest.mark.parametrize(
    ("command", "spanish_words"),
    [
        ("list", ("Lista los boletines", "Invertir el orden.", "Se puede repetir.")),
        ("show", ("Muestra un boletín", "El id del boletín.")),
        ("search", ("Busca en títulos, resúmenes y etiquetas", "Palabras (deben coincidir todas)")),
        ("countries", ("Cada país del archivo de boletines",)),
        ("tags", ("Cada etiqueta del archivo de boletines",)),
        ("where", ("Imprime la ruta del archivo de boletines",)),
        ("stats", ("Cuenta los boletines por país", "por omisión: el idioma de la interfaz")),
    ],
)
def test_help_texts_are_spanish(run: Run, command: str, spanish_words: tuple[str, ...]) -> None:
    out = flat(spanish(run, command, "--help")[1])
    for words in spanish_words:
        assert words in out


def test_help_of_a_command_through_help(run: Run) -> None:
    code, out, _err = spanish(run, "help", "list")
    assert code == 0 and out.startswith("Uso: whrd list ")
    assert "Lista los boletines" in flat(out)


# -- show ----------------------------------------------------------------------------------------


def test_show_a_spanish_bulletin(run: Run, alerta: int) -> None:
    code, out, _err = spanish(run, "show", str(alerta))
    assert code == 0
    expected = (
        "Categoría  Alerta",
        "Países     México",
        "Idioma     Español (es)",
        "Etiquetas  #Agua",
        "Agregado",
    )
    for words in expected:
        assert words in out
    assert "4 de marzo de 2018" in out
    assert "#AlertaDefensoras / Amenazas contra defensora" in out
    for english in ("Category", "Countries", "Mexico", "Language", "Added", "Tags", "March"):
        assert english not in out


def test_show_an_english_bulletin_keeps_its_heading_but_speaks_spanish(run: Run, radio: int) -> None:
    out = spanish(run, "show", str(radio))[1]
    assert "NEWS / Community radio turns five" in out  # the entry as published, in its language
    assert "14 de febrero de 2019" in out and "February" not in out
    assert "Países     Honduras, Guatemala" in out and "Categoría  Noticias" in out
    # In English the same bulletin reads as it always did.
    english = run.ok("show", str(radio)).stdout
    assert "14 February 2019" in english and "Countries  Honduras, Guatemala" in english


def test_show_private_note_label(run: Run, add: Callable[..., int]) -> None:
    doc = add("Nota", "2020-01-01", "-l", "es", "--private", "contacto: X")
    out = spanish(run, "show", str(doc), "--private")[1]
    assert "Nota privada  contacto: X" in out


def test_lang_variable_alone_gives_spanish(run: Run, alerta: int) -> None:
    result = run("show", str(alerta), env={"LANG": "es_MX.UTF-8"})
    assert "Categoría  Alerta" in result.stdout and "México" in result.stdout
    assert "4 de marzo de 2018" in result.stdout
    result = run("list", "--country", "Panamá", env={"LANG": "es_MX.UTF-8"})
    assert result.stderr == "Ningún boletín coincide.\n"


def test_json_is_the_same_in_every_language(run: Run, alerta: int, radio: int) -> None:
    english = run("show", str(alerta), "--json").stdout
    assert run("show", str(alerta), "--json", env=ES).stdout == english
    assert '"category": "alert"' in english and '"countries": [\n    "MX"\n  ]' in english
    for args in (
        ("list",),
        ("search", "radio"),
        ("countries",),
        ("tags",),
        ("stats",),
        ("stats", "--by", "lang"),
    ):
        english = run(*args, "--json").stdout
        assert english.startswith(("[", "{")) and run(*args, "--json", env=ES).stdout == english, args
    assert '"label": "Spanish"' in english


# -- list ------------------------------------------------------------------------------------------


def test_list_table_in_spanish(run: Run, alerta: int, radio: int, stdout_terminal: None) -> None:
    code, out, _err = spanish(run, "list")
    assert code == 0
    header = out.splitlines()[0].split()
    assert header == ["ID", "Fecha", "Categoría", "Países", "Título"]
    assert "Alerta" in out and "México" in out and "Noticias" in out
    assert out.splitlines()[-1] == "2 boletines."


def test_list_to_a_pipe_is_data(run: Run, alerta: int) -> None:
    assert spanish(run, "list")[1] == f"{alerta}\t2018-03-04\talert\tMX\tAmenazas contra defensora\n"


def test_list_footer_numbers(run: Run, many: Path, stdout_terminal: None) -> None:
    out = spanish(run, "list")[1]
    assert (
        flat(out.splitlines()[-1]) == "Se muestran 50 de 1.234 boletines; use --limit N o --all para ver más."
    )
    english = run.ok("list").stdout  # English keeps the digits it always printed
    assert english.splitlines()[-1] == "Showing 50 of 1234 bulletins; use --limit N or --all for more."


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ("list", "--sort", "x"),
            "Error: Criterio de orden desconocido: 'x'. Criterios válidos: fecha, agregado, título.\n",
        ),
        (
            ("stats", "--by", "x"),
            "Error: Valor de --by desconocido: 'x'. Valores válidos: país, categoría, idioma, etiqueta, año,"
            " mes.\n",
        ),
    ],
)
def test_errors_in_spanish(run: Run, args: tuple[str, ...], message: str) -> None:
    code, _out, err = spanish(run, *args)
    assert (code, err) == (1, message)


def test_no_match_and_empty_archive_in_spanish(run: Run, db: Path, alerta: int) -> None:
    assert spanish(run, "list", "-c", "PA")[2] == "Ningún boletín coincide.\n"
    assert spanish(run, "stats", "-c", "PA")[2] == "Ningún boletín coincide con los filtros.\n"
    db.unlink()
    code, _out, err = spanish(run, "list")
    assert code == 0
    assert err == (
        f"El archivo de boletines {db} todavía no existe; agregue boletines con 'whrd add' o 'whrd import'.\n"
    )


def test_show_without_an_archive(run: Run, db: Path) -> None:
    code, _out, err = spanish(run, "show", "3")
    assert code == 1
    assert err == f"Error: No hay ningún boletín con id 3: el archivo de boletines {db} aún no existe.\n"


def test_bad_environment_values_in_spanish(run: Run) -> None:
    code, _out, err = spanish(run, "list", env={**ES, "WHRD_TODAY": "mañana"})
    assert (code, err) == (
        1,
        "Error: WHRD_TODAY debe ser una fecha escrita como AAAA-MM-DD, por ejemplo 2024-06-15,"
        " no 'mañana'.\n",
    )


# -- countries, tags, where ------------------------------------------------------------------------


def test_countries_and_tags_in_spanish(run: Run, alerta: int, radio: int) -> None:
    out = spanish(run, "countries")[1]
    assert out.splitlines()[0].split() == ["País", "Total"]
    assert "México (MX)" in out and "Mexico" not in out
    assert spanish(run, "tags")[1].splitlines() == ["Etiqueta  Total", "Agua          1"]
    # --json keeps English labels in every language.
    labels = {row["value"]: row["label"] for row in json.loads(spanish(run, "countries", "--json")[1])}
    assert labels == {"MX": "Mexico", "HN": "Honduras", "GT": "Guatemala"}


def test_tags_when_no_bulletin_has_one(run: Run, radio: int) -> None:
    assert spanish(run, "tags")[2] == "Ningún boletín tiene etiquetas.\n"


def test_where_is_a_path_in_any_language(run: Run, db: Path) -> None:
    assert spanish(run, "where")[1] == f"{db}\n"


# -- stats ---------------------------------------------------------------------------------------


def test_stats_overview_numbers_and_shares(run: Run, many: Path) -> None:
    out = spanish(run, "stats")[1]
    assert out.startswith("1.234 boletines, del 2020-01-01 al 2023-05-18\n")
    assert "Por país" in out and "Boletines por año" in out
    honduras = next(line for line in out.splitlines() if line.startswith("HN"))
    assert honduras.split()[1:4] == ["Honduras", "505", "40,9"] and "40,9 %" in honduras
    guatemala = next(line for line in out.splitlines() if line.startswith("GT"))
    assert guatemala.split()[1:3] == ["Guatemala", "729"] and "59,1 %" in guatemala


def test_stats_by_country_in_spanish_and_its_locale(run: Run, alerta: int, radio: int) -> None:
    out = spanish(run, "stats", "--by", "country")[1]
    assert "MX  México" in out and "50,0 %" in out
    assert "Un boletín con varios países cuenta en cada una de sus filas" in flat(out)
    # An explicit --locale still wins over the interface's language.
    english = spanish(run, "stats", "--by", "country", "--locale", "en")[1]
    assert "MX  Mexico" in english and "50.0%" in english
    # JSON labels stay English unless --locale asks.
    rows = json.loads(spanish(run, "stats", "--by", "country", "--json")[1])
    assert {row["label"] for row in rows} == {"Mexico", "Honduras", "Guatemala"}


def test_stats_filters_named_in_spanish(run: Run, alerta: int) -> None:
    out = spanish(run, "stats", "--country", "MX", "--by", "tag")[1]
    assert out.splitlines()[0] == "Filtros: países México"


def test_stats_in_english_is_unchanged(run: Run, many: Path) -> None:
    out = run.ok("stats").stdout
    assert out.startswith("1,234 bulletins, 2020-01-01 to 2023-05-18\n")
    honduras = next(line for line in out.splitlines() if line.startswith("HN"))
    assert honduras.split()[1:4] == ["Honduras", "505", "40.9%"]


# -- search --------------------------------------------------------------------------------------


def test_search_table_and_footer_in_spanish(run: Run, alerta: int, radio: int, stdout_terminal: None) -> None:
    out = spanish(run, "search", "defensora")[1]
    assert out.splitlines()[0].split() == ["ID", "Fecha", "Países", "Título", "/", "resumen"]
    assert "México" in out and out.splitlines()[-1] == "1 boletín coincide."


def test_search_footer_with_many(run: Run, many: Path, stdout_terminal: None) -> None:
    out = spanish(run, "search", "boletín")[1]
    assert flat(out.splitlines()[-1]) == (
        "Se muestran los 20 mejores de 1.234 boletines que coinciden; 1.214 más con --limit N o --all."
    )


def test_search_messages_in_spanish(run: Run, alerta: int) -> None:
    assert spanish(run, "search", "zzzz")[2] == "Ningún boletín coincide.\n"
    # A dash word is query text, not an option: the exclusion works without quotes.
    code, _out, err = spanish(run, "search", "madres", "-disappeared")
    assert (code, err) == (0, "Ningún boletín coincide.\n")  # parsed and searched: no exit 2
    code, _out, err = spanish(run, "search", "--zzqq", "madres")
    assert code == 2
    assert err == (
        "Error: No existe la opción: --zzqq. Para buscarla, escriba -- antes de la consulta:"
        " whrd search -- --zzqq madres (vea 'whrd search --help').\n"
    )
    assert spanish(run, "reindex")[2] == "Se reindexó 1 boletín.\n"


# -- notes of add and edit that live with the shared code ------------------------------------------


def test_region_and_far_future_notes_in_spanish(run: Run) -> None:
    result = run("add", "--title", "Nota", "--date", "2030-01-01", "-l", "es", "-c", "Centroamérica", env=ES)
    assert result.exit_code == 0
    assert (
        "Centroamérica es una región: se registró como sus 7 países (Guatemala, Belice, El Salvador,"
        " Honduras, Nicaragua, Costa Rica, Panamá)."
    ) in result.stderr
    assert (
        "Aviso: la fecha 2030-01-01 es más de un año posterior a hoy (2024-06-15); revise el año."
        in result.stderr
    )


def test_completion_help_in_spanish(run: Run) -> None:
    from whrd_cli import i18n
    from whrd_cli.cli import complete

    i18n.activate("es")
    try:
        assert ("alert", "Alerta") in complete.categories("al")
        assert ("open-letter", "Carta abierta") in complete.categories("open")
    finally:
        i18n.activate("en")
    assert ("alert", "Alert") in complete.categories("al")
