"""The Spanish reviewer's findings about values (issue 13): `--locale español`, Spanish choice values
(`--sort fecha`, `--by país`, `-g mes`), Spanish country names, the stats filters line, the search
help and dash words, the singular footer and the Spanish wording of sorts and language names.

Every expected text is written out by hand here, never produced by the code under test.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from tests.conftest import Run

from whrd_cli.errors import InputError

ES = {"WHRD_LANG": "es"}


def flat(text: str) -> str:
    return " ".join(text.split())


@pytest.fixture
def three(add: Callable[..., int]) -> list[int]:
    """Three bulletins whose date, added and title orders all differ."""
    return [
        add("Beta defensora", "2020-05-01", "-c", "MX", "-k", "alert", "-l", "es"),
        add("Alfa defensora", "2021-01-01", "-c", "HN", "-k", "news", "-l", "es"),
        add("Gamma defender", "2019-03-03", "-c", "GT", "-k", "alert", "-l", "en", "-t", "agua"),
    ]


def _ids(run: Run, *args: str, env: dict[str, str] | None = None) -> list[int]:
    result = run("list", *args, env=env)
    assert result.exit_code == 0, result.stderr
    return [int(line.split("\t")[0]) for line in result.stdout.splitlines()]


# -- 1. --locale takes the names --lang takes ------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "code"),
    [("es", "es"), ("ES", "es"), ("español", "es"), ("Espanol", "es"), ("castellano", "es"),
     ("Spanish", "es"), ("en", "en"), ("inglés", "en"), ("INGLES", "en"), ("english", "en"),
     ("es_MX", "es"), ("es-419", "es")],  # a tag with a region is its language, as WHRD_LANG reads it
)  # fmt: skip
def test_locale_code_reads_codes_and_names(given: str, code: str) -> None:
    from whrd_cli.choices import locale_code

    assert locale_code(given) == code


@pytest.mark.parametrize("given", ["fr", "francés", "xx", "", "fr_CA"])
def test_locale_code_refuses_the_rest(given: str) -> None:
    from whrd_cli.choices import locale_code

    with pytest.raises(InputError, match=r"^Unknown locale .*\. Valid locales: en, es\.$"):
        locale_code(given)


def test_stats_and_export_take_a_spanish_locale_name(run: Run, three: list[int]) -> None:
    out = run("stats", "--by", "country", "--locale", "español")
    assert out.exit_code == 0, out.stderr
    assert "MX  México" in out.stdout and "50.0%" not in out.stdout
    english = run.ok("stats", "--by", "country", "--locale", "inglés").stdout
    assert "MX  Mexico" in english
    digest = run("export", "--locale", "castellano", "-o", "-")
    assert digest.exit_code == 0, digest.stderr
    assert digest.stdout.startswith("# Boletines de defensoras de derechos humanos\n")


def test_an_unknown_locale_is_said_in_spanish(run: Run, three: list[int]) -> None:
    for command in (("stats",), ("export", "-o", "-")):
        result = run(*command, "--locale", "francés", env=ES)
        assert result.exit_code == 1
        assert result.stderr == (
            "Error: Idioma desconocido: 'francés'. Idiomas válidos: en, es (también español o inglés).\n"
        )
    result = run("stats", "--locale", "fr")
    assert result.stderr == "Error: Unknown locale 'fr'. Valid locales: en, es.\n"


# -- 2. Spanish choice values -----------------------------------------------------------------------


def test_the_tables_name_every_key_and_only_those() -> None:
    from whrd_cli import choices
    from whrd_cli.digest.context import GROUPINGS
    from whrd_cli.filters import SORTS
    from whrd_cli.importer import ON_DUPLICATE
    from whrd_cli.stats import DIMENSIONS

    assert list(choices.SORT) == list(SORTS)
    assert list(choices.BY) == list(DIMENSIONS)
    assert list(choices.GROUP_BY) == list(GROUPINGS)
    assert list(choices.ON_DUPLICATE) == list(ON_DUPLICATE)


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (("date", "fecha", "FECHA"), [2, 1, 3]),
        (("added", "agregado", "añadido", "anadido", "Agregado"), [3, 2, 1]),
        (("title", "título", "titulo", "TÍTULO"), [2, 1, 3]),
    ],
)
def test_list_sort_takes_spanish_names(
    run: Run, three: list[int], values: tuple[str, ...], expected: list[int]
) -> None:
    for value in values:
        assert _ids(run, "--sort", value) == expected, value
        assert _ids(run, "--sort", value, env=ES) == expected, value


def test_an_unknown_sort_lists_the_values_in_the_interface_language(run: Run) -> None:
    assert (
        run("list", "--sort", "color").stderr
        == "Error: Unknown sort 'color'. Valid sorts: date, added, title.\n"
    )
    assert run("list", "--sort", "color", env=ES).stderr == (
        "Error: Criterio de orden desconocido: 'color'. Criterios válidos: fecha, agregado, título.\n"
    )


@pytest.mark.parametrize(
    ("spanish", "key"),
    [("país", "country"), ("PAIS", "country"), ("categoría", "category"), ("idioma", "lang"),
     ("etiqueta", "tag"), ("año", "year"), ("ano", "year"), ("mes", "month")],
)  # fmt: skip
def test_stats_by_takes_spanish_names(run: Run, three: list[int], spanish: str, key: str) -> None:
    assert run.json("stats", "--by", spanish) == run.json("stats", "--by", key)
    assert run.json("stats", "--by", spanish)  # not empty: the comparison above means something


def test_stats_by_json_keeps_english_keys(run: Run, three: list[int]) -> None:
    rows = run.json("stats", "--by", "categoría")
    assert sorted((row["value"], row["count"]) for row in rows) == [("alert", 2), ("news", 1)]


def test_an_unknown_by_in_english_is_unchanged(run: Run) -> None:
    assert run("stats", "--by", "x").stderr == (
        "Error: Unknown --by 'x'. Valid values: country, category, lang, tag, year, month.\n"
    )


@pytest.mark.parametrize(
    ("spanish", "key"),
    [("país", "country"), ("Mes", "month"), ("categoria", "category"), ("ninguno", "none")],
)
def test_export_group_by_takes_spanish_names(run: Run, three: list[int], spanish: str, key: str) -> None:
    as_key = run.ok("export", "--locale", "es", "-g", key, "-o", "-").stdout
    assert run.ok("export", "--locale", "es", "-g", spanish, "-o", "-").stdout == as_key


def test_an_unknown_grouping_is_listed_in_spanish(run: Run) -> None:
    result = run("export", "-g", "color", "-o", "-", env=ES)
    assert result.exit_code == 1
    assert result.stderr == (
        "Error: Agrupación desconocida: 'color'. Agrupaciones válidas: ninguno, país, mes, categoría, hilo.\n"
    )
    english = run("export", "-g", "color", "-o", "-")
    assert (
        english.stderr
        == "Error: Unknown grouping 'color'. Valid groupings: none, country, month, category, thread.\n"
    )


# -- 3. Spanish country names -----------------------------------------------------------------------

SPANISH_COUNTRIES = [
    ("Argelia", "DZ", "Argelia"),
    ("Rusia", "RU", "Rusia"),
    ("Federación Rusa", "RU", "Rusia"),
    ("Arabia Saudita", "SA", "Arabia Saudita"),
    ("Arabia Saudí", "SA", "Arabia Saudita"),
    ("Estados Unidos", "US", "Estados Unidos"),
    ("Reino Unido", "GB", "Reino Unido"),
    ("Corea del Sur", "KR", "Corea del Sur"),
    ("Corea del Norte", "KP", "Corea del Norte"),
    ("Irán", "IR", "Irán"),
    ("Siria", "SY", "Siria"),
    ("Venezuela", "VE", "Venezuela"),
    ("Bolivia", "BO", "Bolivia"),
    ("Tanzania", "TZ", "Tanzania"),
    ("Vietnam", "VN", "Vietnam"),
    ("Laos", "LA", "Laos"),
    ("Moldavia", "MD", "Moldavia"),
    ("Palestina", "PS", "Palestina"),
    ("Costa de Marfil", "CI", "Costa de Marfil"),
    ("república democrática del congo", "CD", "República Democrática del Congo"),
]


@pytest.mark.parametrize(("name", "code", "shown"), SPANISH_COUNTRIES)
def test_common_spanish_country_names(name: str, code: str, shown: str) -> None:
    from whrd_cli.countries import country_name, resolve_country

    assert resolve_country(name) == code
    assert country_name(code, "es") == shown


def test_english_country_names_are_unchanged() -> None:
    from whrd_cli.countries import country_name, resolve_country

    assert [country_name(c) for c in ("DZ", "RU", "SA", "KR", "SY")] == [
        "Algeria", "Russian Federation", "Saudi Arabia", "South Korea", "Syria"
    ]  # fmt: skip
    assert resolve_country("Algeria") == "DZ" and resolve_country("Russian Federation") == "RU"


def test_suggestions_name_countries_in_spanish(run: Run) -> None:
    assert (
        run("list", "-c", "Argelya", env=ES).stderr
        == "Error: País desconocido: 'Argelya'. ¿Quiso decir: Argelia?\n"
    )
    assert (
        run("list", "-c", "Siriaa", env=ES).stderr
        == "Error: País desconocido: 'Siriaa'. ¿Quiso decir: Siria?\n"
    )
    assert run("list", "-c", "Argelya").stderr == "Error: Unknown country 'Argelya'. Did you mean: Algeria?\n"


def test_a_spanish_country_name_filters(run: Run, add: Callable[..., int]) -> None:
    wanted = add("Defensora en Argelia", "2024-01-02", "-c", "Argelia", "-l", "es")
    add("Defensora en Rusia", "2024-01-03", "-c", "Rusia", "-l", "es")
    assert _ids(run, "-c", "Argelia") == [wanted]
    assert run.json("show", str(wanted))["countries"] == ["DZ"]


# -- 4. the stats filters line ----------------------------------------------------------------------


def test_stats_filters_line_names_values_in_spanish(run: Run, three: list[int]) -> None:
    args = ("stats", "-c", "MX", "-k", "alert", "-l", "es", "--since", "2020-01-01", "--by", "tag")
    spanish = run(*args, env=ES).stdout
    assert (
        spanish.splitlines()[0]
        == "Filtros: países México; categorías Alerta; idiomas español; desde 2020-01-01"
    )
    english = run.ok(*args).stdout
    assert english.splitlines()[0] == "Filters: countries MX; categories alert; langs es; since 2020-01-01"
    by_locale = run.ok(*args, "--locale", "español").stdout
    assert by_locale.splitlines()[0] == spanish.splitlines()[0]


def test_stats_by_tag_with_no_tags_prints_an_empty_table(run: Run, three: list[int]) -> None:
    out = run.ok("stats", "-c", "MX", "--by", "tag").stdout
    assert [line.rstrip() for line in out.splitlines()[:2]] == ["Filters: countries MX", "Tag  Count  Share"]


# -- 5 and 6. search: the Spanish scopes in the help, dash words as query text ---------------------


def test_search_help_in_spanish_teaches_the_spanish_scopes(run: Run) -> None:
    out = flat(run("search", "--help", env=ES).stdout)
    for scope in ("título:palabra", "etiqueta:nombre", "país:nombre", "-país:mexico"):
        assert scope in out, scope


@pytest.mark.parametrize(
    "args",
    [("-país:mexico defensora",), ("defensora", "-país:mexico"), ("--", "-país:mexico defensora")],
)
def test_a_dash_argument_is_query_text(run: Run, three: list[int], args: tuple[str, ...]) -> None:
    result = run("search", "--json", *args)
    assert result.exit_code == 0, result.stderr
    assert sorted(hit["id"] for hit in json.loads(result.stdout)) == [three[1]]


def test_options_still_work_beside_dash_words(run: Run, three: list[int]) -> None:
    result = run("search", "-c", "HN", "defensora", "-beta", "-n", "5", "--json")
    assert result.exit_code == 0, result.stderr
    assert [hit["id"] for hit in json.loads(result.stdout)] == [three[1]]


def test_the_hint_is_the_users_own_command(run: Run) -> None:
    result = run("search", "--zzqq", "defensoras", env=ES)
    assert result.exit_code == 2
    assert flat(result.stderr) == (
        "Error: No existe la opción: --zzqq. Para buscarla, escriba -- antes de la consulta: "
        "whrd search -- --zzqq defensoras (vea 'whrd search --help')."
    )


# -- 7. the footer of one best match ----------------------------------------------------------------


def test_footer_in_the_singular(run: Run, three: list[int], stdout_terminal: None) -> None:
    out = run.ok("search", "defensora", "--limit", "1").stdout
    assert (
        flat(out.splitlines()[-1])
        == "Showing 1 bulletin, the best of 2 matching; 1 more with --limit N or --all."
    )
    out = run("search", "defensora", "--limit", "1", env=ES).stdout
    assert flat(out.splitlines()[-1]) == (
        "Se muestra 1 boletín, el mejor de los 2 que coinciden; 1 más con --limit N o --all."
    )
    out = run("search", "defensora", "--limit", "2", env=ES).stdout
    assert "Se muestran los 2 mejores de 2" not in out  # all shown: the count footer instead


# -- 8. language names in running Spanish text ------------------------------------------------------


def test_language_names_in_text_are_lower_case_in_spanish() -> None:
    from whrd_cli.lang import language_name

    assert language_name("en", "es", in_text=True) == "inglés"
    assert language_name("es", "es", in_text=True) == "español"
    assert language_name("es", "es") == "Español"  # a table cell keeps the capital
    assert language_name("en", "en", in_text=True) == "English"


def test_digest_filters_name_languages_in_lower_case(run: Run, three: list[int]) -> None:
    out = run.ok("export", "--locale", "es", "-l", "es", "-l", "en", "-o", "-").stdout
    assert "- **Filtros:** Idiomas: inglés, español\n" in out
    english = run.ok("export", "-l", "es", "-o", "-").stdout
    assert "Languages: Spanish" in english


def test_stats_table_cells_keep_the_capital(run: Run, three: list[int]) -> None:
    out = run("stats", "--by", "lang", env=ES).stdout
    assert "Español" in out and "Inglés" in out
