"""The Spanish reviewer's findings on the CLI (issue 13): each pinned with the literal text a person
reads, in English and in Spanish."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Run

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
        "Categoría desconocida: 'alrta'. ¿Quiso decir: alerta, carta abierta?\n¿Crear la categoría nueva 'alrta'? [s/N]:"
        in (result.stderr)
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
