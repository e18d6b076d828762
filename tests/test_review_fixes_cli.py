"""The Spanish reviewer's findings on the CLI (issue 13): each pinned with the literal text a person
reads, in English and in Spanish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from tests.conftest import Run

ES = {"WHRD_LANG": "es"}


def _lines(*answers: str) -> str:
    return "\n".join(answers) + "\n"


# -- 1. an unknown category is checked at its question, and a no asks it again -----------------------


def test_a_typo_at_the_category_question_is_said_at_once_and_asked_again(
    run: Run, db: Path, stdin_terminal: None
) -> None:
    answers = _lines(
        "Water defenders threatened", "2017-02-28", "alrta", "n", "alert", "Honduras", "", "", "en"
    )
    result = run("add", input=answers)
    assert result.exit_code == 0, result.stderr
    # the problem comes straight after the category answer, before the countries question
    assert (
        "Unknown category 'alrta'. Did you mean: alert, open-letter?\nStart a new category 'alrta'? [y/N]:"
        in result.stderr
    )
    assert result.stdout.count("Category (news, alert, open-letter, statement, report, campaign, event;") == 2
    assert result.stdout.count("Countries (names or codes") == 1
    assert "Nothing was recorded." not in result.stderr
    [bulletin] = run.json("list")
    assert (bulletin["title"], bulletin["category"], bulletin["countries"]) == (
        "Water defenders threatened",
        "alert",
        ["HN"],
    )


def test_a_new_category_started_at_the_question_is_kept(run: Run, db: Path, stdin_terminal: None) -> None:
    result = run("add", input=_lines("A title", "2017-02-28", "entrevista", "y", "", "", "", "en"))
    assert result.exit_code == 0, result.stderr
    assert result.stderr.count("Start a new category 'entrevista'? [y/N]:") == 1
    assert run.json("list")[0]["category"] == "entrevista"


def test_new_category_option_takes_a_new_one_at_the_question(
    run: Run, db: Path, stdin_terminal: None
) -> None:
    result = run(
        "add", "--new-category", input=_lines("A title", "2017-02-28", "entrevista", "", "", "", "en")
    )
    assert result.exit_code == 0, result.stderr
    assert "Start a new category" not in result.stderr
    assert run.json("list")[0]["category"] == "entrevista"


def test_spanish_a_typo_at_the_category_question_is_asked_again(
    run: Run, db: Path, stdin_terminal: None
) -> None:
    answers = _lines(
        "Defensoras amenazadas", "28 de febrero de 2017", "alrta", "no", "alerta", "", "", "", "es"
    )
    result = run("add", input=answers, env=ES)
    assert result.exit_code == 0, result.stderr
    assert (
        "Categoría desconocida: 'alrta'. ¿Quiso decir: alerta, carta abierta?\n"
        "¿Crear la categoría nueva 'alrta'? [s/N]:" in result.stderr
    )
    assert result.stdout.count("Categoría (noticias, alerta, carta abierta,") == 2
    assert "No se registró nada." not in result.stderr
    assert run.json("list")[0]["category"] == "alert"


# -- 2. add's questions and the editor form name categories and dates in Spanish ----------------------


def test_spanish_questions_list_spanish_categories_and_spanish_dates(
    run: Run, db: Path, stdin_terminal: None
) -> None:
    answers = _lines("Defensoras amenazadas", "4 de marzo de 2018", "carta abierta", "", "", "", "es")
    result = run("add", input=answers, env=ES)
    assert result.exit_code == 0, result.stderr
    assert (
        "Categoría (noticias, alerta, carta abierta, pronunciamiento, informe, campaña, evento; "
        "Enter: ninguna):" in result.stdout
    )
    assert "Fecha (2017-01-26, 4 de marzo de 2018):" in result.stdout
    assert "January" not in result.stdout
    assert "open-letter" not in result.stdout
    assert run.json("list")[0]["category"] == "open-letter"


def test_english_questions_are_unchanged(run: Run, db: Path, stdin_terminal: None) -> None:
    result = run("add", input=_lines("A title", "2017-01-26", "", "", "", "", "en"))
    assert result.exit_code == 0, result.stderr
    assert "Date (2017-01-26, 26 January 2017, 4 de marzo de 2018):" in result.stdout
    assert (
        "Category (news, alert, open-letter, statement, report, campaign, event; Enter: none):"
        in result.stdout
    )


@pytest.mark.parametrize(
    ("key", "spanish"),
    [
        ("statement", "pronunciamiento"),
        ("alert", "alerta"),
        ("open-letter", "carta abierta"),
        ("news", "noticias"),
        ("campaign", "campaña"),
        ("entrevista", "entrevista"),
    ],
)
def test_the_spanish_form_names_the_category_in_spanish_and_reads_it_back(key: str, spanish: str) -> None:
    from whrd_cli import i18n
    from whrd_cli.entryform import form_changes, parse_form, render_form
    from whrd_cli.model import Bulletin

    bulletin = Bulletin.create(title="T", date="2020-01-02", lang="es", category=key, today="2024-06-15")
    i18n.activate("es")
    try:
        form = render_form(bulletin)
        assert f"\nCategoría: {spanish}\n" in form
        assert parse_form(form)["category"] == key
        assert form_changes(form, form) == {}
        changed = form.replace(f"Categoría: {spanish}", "Categoría: informe")
        assert form_changes(form, changed) == {"category": "report"}
    finally:
        i18n.activate("en")
    assert f"\nCategory: {key}\n" in render_form(bulletin)


# -- 3. import --dry-run's table says where and what in the interface's language ----------------------

LISTING = (
    "#WHRDAlert HONDURAS / Threats against a water defender\n\n"
    "The network warns of threats against a defender in Guatemala […]\n\n6 May 2021\n"
)


@pytest.mark.parametrize(
    ("env", "columns", "expected", "absent"),
    [
        ({}, "80", ["line 1 ", "en · Alert · HN, GT"], ["alert ·"]),
        (ES, "80", ["línea 1 ", "en · Alerta · HN, GT"], ["line 1", "alert ·"]),
        (ES, "140", ["línea 1 ", "en      Alerta     HN GT"], ["line 1", " alert "]),
    ],
)
def test_the_dry_run_table_speaks_the_interface_language(
    run: Run,
    tmp_path: Path,
    stdout_terminal: None,
    monkeypatch: pytest.MonkeyPatch,
    env: dict[str, str],
    columns: str,
    expected: list[str],
    absent: list[str],
) -> None:
    monkeypatch.setattr("whrd_cli.cli.common.is_terminal", lambda: True)
    monkeypatch.setenv("COLUMNS", columns)
    listing = tmp_path / "l.txt"
    listing.write_text(LISTING, encoding="utf-8")
    result = run("import", str(listing), "--dry-run", env=env)
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for text in expected:
        assert text in out, out
    for text in absent:
        assert text not in out, out


def test_the_dry_run_pipe_and_json_keep_the_machine_forms(run: Run, tmp_path: Path) -> None:
    listing = tmp_path / "l.txt"
    listing.write_text(LISTING, encoding="utf-8")
    piped = run("import", str(listing), "--dry-run", env=ES).stdout
    assert piped.split("\t")[1:3] == ["line 1", "added"]
    assert "\talert\tHN,GT\t" in piped
    record = json.loads(run("import", str(listing), "--dry-run", "--json", env=ES).stdout)
    assert record["records"][0]["location"] == "line 1"


# -- 4. import --lang says it takes a code or a name ---------------------------------------------------


def test_import_lang_help_says_codes_and_names(run: Run) -> None:
    english = " ".join(run.ok("import", "--help").stdout.split())
    assert "--lang <auto|CODE|NAME>" in english
    assert "a code such as en or es, or a name such as español" in english
    assert "<auto|en|es>" not in english
    spanish = " ".join(run("import", "--help", env=ES).stdout.split())
    assert "--lang <auto|CÓDIGO|NOMBRE>" in spanish
    assert "un código como en o es, o un nombre como español" in spanish


def test_import_lang_takes_a_name_and_another_code(run: Run, tmp_path: Path) -> None:
    listing = tmp_path / "l.txt"
    listing.write_text(LISTING, encoding="utf-8")
    assert (
        json.loads(run.ok("import", str(listing), "--lang", "fr", "--dry-run", "--json").stdout)["records"][
            0
        ]["lang"]
        == "fr"
    )


# -- 5. Typer's choice errors are translated like Click's ----------------------------------------------


def test_an_unknown_choice_is_said_in_spanish(run: Run, tmp_path: Path) -> None:
    listing = tmp_path / "x.txt"
    listing.write_text(LISTING, encoding="utf-8")
    english = run("import", "-f", "pdf", str(listing))
    assert english.exit_code == 2
    assert "'pdf' is not one of 'auto', 'listing', 'json', 'jsonl', 'csv' (see" in english.stderr
    spanish = run("import", "-f", "pdf", str(listing), env=ES)
    assert spanish.exit_code == 2
    assert (
        "Valor no válido para '--format' / '-f': 'pdf' no es ninguno de estos valores: 'auto', 'listing', "
        "'json', 'jsonl', 'csv' (vea 'whrd import --help')." in spanish.stderr
    )
    assert "is not one of" not in spanish.stderr


def test_the_choice_template_is_matched() -> None:
    from whrd_cli import i18n
    from whrd_cli.cli.localize import click_message

    i18n.activate("es")
    try:
        assert click_message("'x' is not one of 'skip', 'update', 'error'.") == (
            "'x' no es ninguno de estos valores: 'skip', 'update', 'error'."
        )
    finally:
        i18n.activate("en")


# -- 6. config: the true source of the locale, a folder refused as db, the file's problems in Spanish -----


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"  # what conftest points WHRD_CONFIG at


@pytest.mark.parametrize(
    ("env", "value", "note"),
    [
        (
            {"LANG": "es_MX.UTF-8"},
            "es",
            "locale viene de $LANG; el archivo de configuración no le da valor.\n",
        ),
        ({"LANG": "C"}, "en", "locale is not set in the config file: this is the default.\n"),
        ({"LANG": "fr_FR.UTF-8"}, "en", "locale is not set in the config file: this is the default.\n"),
        (
            {"LC_ALL": "C", "LANG": "es_MX.UTF-8"},
            "en",
            "locale is not set in the config file: this is the default.\n",
        ),
        (
            {"LANGUAGE": "fr:es", "LANG": "C"},
            "es",
            "locale viene de $LANGUAGE; el archivo de configuración no le da valor.\n",
        ),
        (
            {"WHRD_LANG": "en", "LANG": "es_MX.UTF-8"},
            "en",
            "locale comes from $WHRD_LANG, which wins over the config file.\n",
        ),
    ],
)
def test_config_get_locale_names_the_true_source(
    run: Run, config: Path, env: dict[str, str], value: str, note: str
) -> None:
    result = run("config", "get", "locale", env={"WHRD_LANG": "", **env})
    assert result.exit_code == 0, result.stderr
    assert result.stdout == f"{value}\n"
    assert result.stderr == note  # in the language in force


def test_config_get_locale_in_spanish_from_lang(run: Run, config: Path) -> None:
    result = run("config", "get", "locale", env={"LANG": "es_MX.UTF-8"})
    assert (result.stdout, result.stderr) == (
        "es\n",
        "locale viene de $LANG; el archivo de configuración no le da valor.\n",
    )
    listed = json.loads(run.ok("config", "list", "--json").stdout)
    assert listed["locale"] == {"value": "en", "source": "default"}
    assert json.loads(run("config", "list", "--json", env={"LANG": "C"}).stdout)["locale"] == {
        "value": "en",
        "source": "default",
    }


def test_the_file_beats_lang_and_says_so(run: Run, config: Path) -> None:
    config.write_text('locale = "en"\n', encoding="utf-8")
    result = run("config", "get", "locale", env={"LANG": "es_MX.UTF-8"})
    assert (result.stdout, result.stderr) == ("en\n", "")
    assert json.loads(run("config", "list", "--json", env={"LANG": "es_MX.UTF-8"}).stdout)["locale"] == {
        "value": "en",
        "source": "file",
    }


def test_config_set_db_refuses_a_folder(run: Run, config: Path, tmp_path: Path) -> None:
    folder = tmp_path / "bulletins"
    folder.mkdir()
    result = run("config", "set", "db", str(folder))
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == (
        f"Error: {folder} is a folder; db takes the archive file, such as {folder / 'archive.json'}.\n"
    )
    assert not config.exists()
    spanish = run("config", "set", "db", str(folder), env=ES)
    assert spanish.stderr == (
        f"Error: {folder} es una carpeta; db admite el archivo de boletines, "
        f"como {folder / 'archive.json'}.\n"
    )
    run.ok("config", "set", "db", str(folder / "archive.json"))
    assert config.read_text(encoding="utf-8") == f'db = "{folder / "archive.json"}"\n'


@pytest.mark.parametrize(
    ("text", "english", "spanish"),
    [
        (
            'locale = "es\n',
            "is not valid TOML: Illegal character '\\n' (at line 1, column 13).",
            "no es TOML válido en la línea 1, columna 13: un carácter que no se admite aquí: '\\n'.",
        ),
        (
            "[list\n",
            "is not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 6).",
            "no es TOML válido en la línea 1, columna 6: una [sección] sin su ] de cierre.",
        ),
        (
            "editor = @\n",
            "is not valid TOML: Invalid value (at line 1, column 10).",
            "no es TOML válido en la línea 1, columna 10: un valor no válido (el texto va entre comillas).",
        ),
    ],
)
def test_a_broken_config_file_is_said_in_spanish_with_its_line_and_column(
    run: Run, config: Path, text: str, english: str, spanish: str
) -> None:
    config.write_text(text, encoding="utf-8")
    result = run("tags")
    mend = "Mend it in a text editor, or set it aside and start an empty one with 'whrd config reset'."
    assert result.stderr == f"Error: The config file {config} {english} {mend}\n"
    result = run("tags", env=ES)
    assert result.exit_code == 1
    mend = "Corríjalo en un editor de texto, o apártelo y empiece uno vacío con 'whrd config reset'."
    assert result.stderr == f"Error: El archivo de configuración {config} {spanish} {mend}\n"


def test_a_config_path_that_is_a_folder_is_said_in_spanish(run: Run, config: Path) -> None:
    config.mkdir()
    assert run("tags").stderr == f"Error: Cannot read the config file {config}: Is a directory.\n"
    result = run("tags", env=ES)
    assert result.exit_code == 1
    assert result.stderr == f"Error: No se puede leer el archivo de configuración {config}: Es una carpeta.\n"


def test_the_spanish_config_help_says_canal_atom(run: Run) -> None:
    spanish = " ".join(run("config", "--help", env=ES).stdout.split())
    assert "canal Atom" in spanish
    assert "feed" not in spanish
