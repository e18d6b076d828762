"""The bulletin model, countries and categories: normalisation in one place, errors that help."""

from __future__ import annotations

import pytest

from whrd_cli.categories import category_label, normalise_category
from whrd_cli.countries import country_name, find_countries, resolve_countries, resolve_country
from whrd_cli.entryform import form_changes, parse_new_form, render_form
from whrd_cli.errors import CountryError, DateError, InputError, ValidationError
from whrd_cli.lang import detect_language
from whrd_cli.model import Bulletin, BulletinEdit, check_required, dedupe_key


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("Honduras", "HN"),
        ("honduras", "HN"),
        ("HONDURAS", "HN"),
        ("México", "MX"),
        ("mexico", "MX"),
        ("MX", "MX"),
        ("mx", "MX"),
        ("MEX", "MX"),
        ("El Salvador", "SV"),
        ("el  salvador", "SV"),
        ("Panamá", "PA"),
        ("Belice", "BZ"),
        ("Estados Unidos", "US"),
        ("United States", "US"),
        ("Bolivia", "BO"),
        ("Perú", "PE"),
        ("Brasil", "BR"),
        ("Brazil", "BR"),
    ],
)
def test_resolve_country(text: str, code: str) -> None:
    assert resolve_country(text) == code


def test_unknown_country_suggests() -> None:
    with pytest.raises(CountryError, match=r"Unknown country 'Hondura'\. Did you mean: Honduras\?"):
        resolve_country("Hondura")
    with pytest.raises(CountryError, match="Did you mean: Guatemala"):
        resolve_country("Guatamala")
    with pytest.raises(CountryError, match="Unknown country 'Atlantis'"):
        resolve_country("Atlantis")
    with pytest.raises(CountryError, match="empty"):
        resolve_country("  ")


def test_regions_stand_for_their_countries() -> None:
    assert set(resolve_countries("Mesoamerica")) == {"MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA"}
    assert "MX" not in resolve_countries("Centroamérica")
    assert set(resolve_countries("central america")) == set(resolve_countries("Centroamérica"))
    assert resolve_countries("Honduras") == ("HN",)


def test_country_names_in_both_languages() -> None:
    assert country_name("MX") == "Mexico"
    assert country_name("MX", "es") == "México"
    assert country_name("BO") == "Bolivia"
    assert country_name("BO", "es") == "Bolivia"
    assert country_name("PA", "es") == "Panamá"


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("a radio station in Honduras", ["HN"]),
        ("desde Tegucigalpa y San Salvador", ["HN", "SV"]),
        ("Huehuetenango, Guatemala", ["GT"]),
        ("in Guatemala City", ["GT"]),
        ("en la Ciudad de Guatemala", ["GT"]),
        ("came to Mexico City", ["MX"]),
        ("en MÉXICO y en Panamá", ["MX", "PA"]),
        ("New Mexico and Nuevo México are not Mexico", ["MX"]),
        ("Hondurans and Guatemalan defenders", []),  # demonyms only resemble a country
        ("Central American Mothers", []),
        ("Mesoamerican Migrant Movement", []),
        ("Chad and Jordan signed the letter", []),  # given names, not countries, in prose
        ("Papua New Guinea", ["PG"]),
        ("", []),
    ],
)
def test_find_countries(text: str, codes: list[str]) -> None:
    assert find_countries(text) == codes


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("NEWS", "news"),
        ("Noticias", "news"),
        ("#WHRDAlert", "alert"),
        ("WHRDAlert", "alert"),
        ("#AlertaDefensoras", "alert"),
        ("OPEN LETTER", "open-letter"),
        ("Carta Abierta", "open-letter"),
        ("open-letter", "open-letter"),
        ("STATEMENT", "statement"),
        ("PRONUNCIAMIENTO", "statement"),
        ("Informe", "report"),
        ("Press Release", "statement"),
        ("Video Interview", "video-interview"),
        ("Entrevista ÚNICA", "entrevista-unica"),
        ("  ", None),
    ],
)
def test_normalise_category(text: str, key: str | None) -> None:
    assert normalise_category(text) == key


def test_category_labels() -> None:
    assert category_label("alert") == "#WHRDAlert"
    assert category_label("alert", "es") == "#AlertaDefensoras"
    assert category_label("statement", "es") == "PRONUNCIAMIENTO"
    assert category_label("video-interview") == "VIDEO INTERVIEW"


def test_create_normalises() -> None:
    b = Bulletin.create(
        title="  Radio  turns three ",
        date="26 January 2017",
        countries=["honduras", "HN", "México"],
        tags=["#WHRDs", "whrds", "#Radio"],
        category="NEWS",
        summary="  A radio station.\r\nSecond line.  ",
        lang="EN",
    )
    assert b.title == "Radio turns three"
    assert b.date == "2017-01-26"
    assert b.countries == ("HN", "MX")
    assert b.tags == ("WHRDs", "Radio")
    assert b.category == "news"
    assert b.summary == "A radio station.\nSecond line."
    assert b.lang == "en"


def test_language_detected_when_not_given() -> None:
    es = Bulletin.create(title="Defensoras de la tierra", date="2017-01-26", summary="Las mujeres y el agua")
    en = Bulletin.create(title="Defenders of the land", date="2017-01-26", summary="The women and the water")
    assert (es.lang, en.lang) == ("es", "en")


@pytest.mark.parametrize(
    ("text", "lang"),
    [
        ("Las defensoras del territorio denuncian amenazas contra sus familias", "es"),
        ("The network calls on the government to protect the defenders", "en"),
        ("Honduras", None),
        ("", None),
    ],
)
def test_detect_language(text: str, lang: str | None) -> None:
    assert detect_language(text) == lang


@pytest.mark.parametrize(
    ("changes", "error", "message"),
    [
        ({"title": "   "}, ValidationError, "title is empty"),
        ({"title": "bad\x00title"}, ValidationError, "control character"),
        ({"title": "two\nlines"}, ValidationError, "line break"),
        ({"title": "bidi \u202e trick"}, ValidationError, "control character"),
        ({"summary": "bell\x07"}, ValidationError, "control character"),
        ({"date": "31 February 2017"}, DateError, "not a real calendar date"),
        ({"date": "marzo 2018"}, DateError, "no day"),
        ({"countries": ["Narnia"]}, CountryError, "Unknown country"),
        ({"lang": "klingon"}, ValidationError, "ISO 639-1"),
        ({"url": "javascript:alert(1)"}, ValidationError, "http"),
    ],
)
def test_create_refuses(changes: dict[str, object], error: type[Exception], message: str) -> None:
    fields: dict[str, object] = {"title": "A title", "date": "2017-01-26", **changes}
    with pytest.raises(error, match=message):
        Bulletin.create(**fields)  # type: ignore[arg-type]


def test_from_dict_round_trip_and_unknown_fields() -> None:
    b = Bulletin.create(title="Título", date="2018-03-04", countries=["MX"], tags=["a"], lang="es")
    assert Bulletin.from_dict(b.to_dict()) == b
    assert Bulletin.from_dict({"id": 3, **b.to_dict()}) == b
    with pytest.raises(ValidationError, match="Unknown field: colour"):
        Bulletin.from_dict({**b.to_dict(), "colour": "red"})
    with pytest.raises(ValidationError, match="title is missing"):
        Bulletin.from_dict({"date": "2018-03-04"})
    with pytest.raises(ValidationError, match="list of strings"):
        Bulletin.from_dict({"title": "x", "date": "2018-03-04", "tags": [1, 2]})
    with pytest.raises(ValidationError, match="must be text"):
        Bulletin.from_dict({"title": 5, "date": "2018-03-04"})


def test_private_left_out_on_request() -> None:
    b = Bulletin.create(title="x", date="2018-03-04", private="secret")
    assert b.to_dict()["private"] == "secret"
    assert "private" not in b.to_dict(private=False)


def test_dedupe_key_folds_case_accents_and_punctuation() -> None:
    assert dedupe_key("2017-01-26", "“La Rojita” is 3 years old!", "en") == dedupe_key(
        "2017-01-26", '"la rojita" IS 3 years old', "en"
    )
    assert dedupe_key("2017-01-26", "Mujeres", "es") != dedupe_key("2017-01-26", "Mujeres", "en")
    assert dedupe_key("2017-01-26", "Acción", "es") == dedupe_key("2017-01-26", "accion", "es")


def test_a_region_is_not_a_country_of_a_bulletin() -> None:
    with pytest.raises(CountryError, match="is a region, not a country"):
        resolve_country("Mesoamerica")


@pytest.mark.parametrize("title", ["\u0301", "\ufeff", "¿?", "— …"])
def test_title_needs_letters_or_digits(title: str) -> None:
    with pytest.raises(ValidationError, match="title is empty"):
        Bulletin.create(title=title, date="2020-01-01")


@pytest.mark.parametrize(
    ("lang", "ok"), [("en", True), ("ES", True), ("pt", True), ("qq", False), ("xx", False)]
)
def test_language_codes_are_iso_639_1(lang: str, ok: bool) -> None:
    if ok:
        assert Bulletin.create(title="x", date="2020-01-01", lang=lang).lang == lang.lower()
    else:
        with pytest.raises(ValidationError, match="ISO 639-1"):
            Bulletin.create(title="x", date="2020-01-01", lang=lang)


# -- edits: fields to set, and countries and tags changed relative to the bulletin as it is --------

EDITED = Bulletin.create(
    title="Radio turns five", date="2019-02-14", countries=["HN", "MX"], tags=["Radio", "WHRDs"], lang="en"
)


@pytest.mark.parametrize(
    ("asked", "changes", "countries", "tags"),
    [
        ({}, {}, ("HN", "MX"), ("Radio", "WHRDs")),
        ({"fields": {"title": "New", "url": None}}, {"title": "New"}, ("HN", "MX"), ("Radio", "WHRDs")),
        (
            {"add_countries": ["Guatemala"]},
            {"countries": ["HN", "MX", "GT"]},
            ("HN", "MX", "GT"),
            None,
        ),
        ({"remove_countries": ["méxico"]}, {"countries": ["HN"]}, ("HN",), None),
        ({"remove_countries": ["honduras"], "add_countries": ["HN"]}, {"countries": ["MX"]}, ("MX",), None),
        ({"countries": ["SV", "NI"]}, {"countries": ["SV", "NI"]}, ("SV", "NI"), None),
        (
            {"countries": ["SV"], "add_countries": ["Honduras"]},
            {"countries": ["SV", "HN"]},
            ("SV", "HN"),
            None,
        ),
        ({"countries": []}, {"countries": []}, (), None),
        ({"add_tags": ["#Agua"]}, {"tags": ["Radio", "WHRDs", "#Agua"]}, None, ("Radio", "WHRDs", "Agua")),
        ({"remove_tags": ["radio"]}, {"tags": ["WHRDs"]}, None, ("WHRDs",)),
        ({"remove_tags": ["#whrds"]}, {"tags": ["Radio"]}, None, ("Radio",)),
        (
            {"add_tags": ["Defensoras"], "remove_tags": ["#DÉFENSORAS"]},
            {"tags": ["Radio", "WHRDs"]},
            None,
            None,
        ),
        ({"remove_tags": ["absent"]}, {"tags": ["Radio", "WHRDs"]}, None, ("Radio", "WHRDs")),
        ({"tags": ["x"], "remove_countries": ["MX"]}, {"countries": ["HN"], "tags": ["x"]}, ("HN",), ("x",)),
        ({"tags": []}, {"tags": []}, None, ()),
    ],
)
def test_an_edit_becomes_field_changes(
    asked: dict[str, object],
    changes: dict[str, object],
    countries: tuple[str, ...] | None,
    tags: tuple[str, ...] | None,
) -> None:
    edit = BulletinEdit.build(**asked)  # type: ignore[arg-type]
    assert edit.changes(EDITED) == changes
    assert edit.is_empty == (changes == {})
    after = EDITED.with_changes(**changes)
    assert after.countries == (countries if countries is not None else EDITED.countries)
    assert after.tags == (tags if tags is not None else EDITED.tags)


def test_an_edit_applies_to_the_bulletin_as_it_is_when_applied() -> None:
    """Built once, applied later (inside the store's lock): what another edit added meanwhile stays."""
    edit = BulletinEdit.build(add_tags=["R1"], remove_countries=["HN"])
    meanwhile = EDITED.with_changes(tags=["R0"], countries=["HN", "GT"])
    assert edit.changes(meanwhile) == {"tags": ["R0", "R1"], "countries": ["GT"]}


def test_an_unknown_country_to_remove_is_refused_when_the_edit_is_built() -> None:
    with pytest.raises(CountryError) as caught:
        BulletinEdit.build(remove_countries=["Narnia"])
    assert caught.value.message == "Unknown country 'Narnia'. Did you mean: Armenia?"


@pytest.mark.parametrize(
    ("name", "value", "error", "message"),
    [
        (
            "date",
            "marzo 2018",
            DateError,
            "The date 'marzo 2018' has no day: give a full date such as 2017-01-26.",
        ),
        ("date", "soon", DateError, "Cannot read the date 'soon'."),
        ("title", "  ", ValidationError, "The title is empty: give a title with letters or digits."),
        (
            "title",
            "a\x1bb",
            ValidationError,
            "The title contains a control character or line break; remove it.",
        ),
        ("date", "4 de marzo de 2018", None, None),
        ("title", "Radio turns five", None, None),
    ],
)
def test_check_required(name: str, value: str, error: type[Exception] | None, message: str | None) -> None:
    if error is None:
        assert check_required(name, value) is None
        return
    with pytest.raises(error) as caught:
        check_required(name, value)
    assert (caught.value.message, caught.value.field) == (message, name)  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("replace", "changes"),
    [
        (("Title: Radio turns five", "Title: Radio turns six"), {"title": "Radio turns six"}),
        (("Tags: Radio, WHRDs", "Tags: WHRDs"), {"tags": ["WHRDs"]}),
        (("URL: ", "URL: https://e.org/x"), {"url": "https://e.org/x"}),
        (("Countries: HN, MX", "Countries: MX, Guatemala"), {"countries": ["MX", "Guatemala"]}),
        (("\n\n", "\n\nA summary.\n"), {"summary": "A summary."}),
    ],
)
def test_form_changes_are_only_what_the_person_changed(
    replace: tuple[str, str], changes: dict[str, object]
) -> None:
    form = render_form(EDITED)
    edited = form.replace(*replace, 1)
    assert edited != form
    assert form_changes(form, edited) == changes


def test_an_emptied_or_blank_form_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        form_changes(render_form(EDITED), " \n")
    assert caught.value.message == "The form was left empty; nothing was saved."
    with pytest.raises(InputError) as caught:
        parse_new_form(render_form(None))
    assert caught.value.message == "The form was left empty; nothing was added."
    assert parse_new_form(render_form(None).replace("Date: ", "Date: 2017-01-26"))["date"] == "2017-01-26"


# -- urls: http(s), a host, nothing hidden (issue 12, item 11) ------------------------------------


@pytest.mark.parametrize(
    ("url", "message"),
    [
        (
            "https://example.org/\x1b[31mred",
            "The url 'https://example.org/\\x1b[31mred' contains a space or control character (U+001B); "
            "remove it.",
        ),
        (
            "https://example.org/a\x85b",
            "The url 'https://example.org/a\\x85b' contains a space or control character (U+0085); "
            "remove it.",
        ),
        (
            "https://example.org/\u202egpj.exe",
            "The url 'https://example.org/\\u202egpj.exe' contains a space or control character (U+202E); "
            "remove it.",
        ),
        (
            "https://example.org/\u200bx",
            "The url 'https://example.org/\\u200bx' contains a space or control character (U+200B); "
            "remove it.",
        ),
        (
            "https://exa mple.org/",
            "The url 'https://exa mple.org/' contains a space or control character (U+0020); remove it.",
        ),
        (
            "https://example.org/\x07",
            "The url 'https://example.org/\\x07' contains a space or control character (U+0007); remove it.",
        ),
        (
            "mailto:someone@example.org",
            "The url 'mailto:someone@example.org' must start with http:// or https://.",
        ),
        ("javascript:alert(1)", "The url 'javascript:alert(1)' must start with http:// or https://."),
        ("http:example.org", "The url 'http:example.org' must start with http:// or https://."),
        ("ftp://example.org/x", "The url 'ftp://example.org/x' must start with http:// or https://."),
        ("https://", "The url 'https://' has no host: write it as https://example.org/page."),
        ("https:///path", "The url 'https:///path' has no host: write it as https://example.org/page."),
        ("http://[::1/x", "The url 'http://[::1/x' has a host that cannot be read."),
        (
            "https://example.org:99999/",
            "The url 'https://example.org:99999/' has a port that is not a number from 0 to 65535.",
        ),
    ],
)
def test_hostile_and_foreign_urls_are_refused(url: str, message: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Bulletin.create(title="A title", date="2017-01-26", url=url)
    assert (caught.value.message, caught.value.field) == (message, "url")


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org",
        "HTTP://EXAMPLE.ORG/Path?q=1#frag",
        "https://user@example.org:8443/a%20b",
        "http://[::1]/x",
        "https://ejemplo.org/señal-de-radio",
        "https://ñandú.example/",
    ],
)
def test_ordinary_urls_are_kept_as_written(url: str) -> None:
    assert Bulletin.create(title="A title", date="2017-01-26", url=f"  {url} ").url == url


def test_printable_shows_controls_one_for_one() -> None:
    from whrd_cli.text import printable

    assert printable("plain text\nsecond line") == "plain text\nsecond line"
    assert (
        printable("a\x1b[2Jb\x07\x7f\x85\u202e\ud800\u2028")
        == "a\u241b[2Jb\u2407\u2421\ufffd\ufffd\ufffd\ufffd"
    )
    assert printable("a\tb\nc") == "a\tb\nc"
    assert printable("a\tb\nc", multiline=False) == "a\u2409b\u240ac"
    hostile = Bulletin(
        title="T\x1b]0;pwned\x07", date="2017-01-26", tags=("a\x1bb",), url="https://e.org/\x9b"
    )
    shown = hostile.printable()
    assert (shown.title, shown.tags, shown.url) == (
        "T\u241b]0;pwned\u2407",
        ("a\u241bb",),
        "https://e.org/\ufffd",
    )
    clean = Bulletin(title="Fine", date="2017-01-26")
    assert clean.printable() is clean


# -- categories: a typo is named, never silent (issue 12, item 17) --------------------------------


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("alertas", "alert"),
        ("Alerts", "alert"),
        ("statements", "statement"),
        ("Pronunciamientos", "statement"),
        ("cartas abiertas", "open-letter"),
        ("Open letters", "open-letter"),
        ("informes", "report"),
        ("campañas", "campaign"),
        ("eventos", "event"),
    ],
)
def test_plural_category_names_are_aliases(text: str, key: str) -> None:
    assert normalise_category(text) == key


@pytest.mark.parametrize(
    ("text", "in_use", "message"),
    [
        ("statment", (), "Unknown category 'statment'. Did you mean: statement?"),
        ("pronunciamento", (), "Unknown category 'pronunciamento'. Did you mean: statement?"),
        ("campain", (), "Unknown category 'campain'. Did you mean: campaign?"),
        ("interviews", ("interview",), "Unknown category 'interviews'. Did you mean: interview?"),
        (
            "xyz",
            (),
            "Unknown category 'xyz'. Categories: news, alert, open-letter, statement, report, campaign, "
            "event.",
        ),
        (
            "xyz",
            ("interview", "alert"),
            "Unknown category 'xyz'. Categories: news, alert, open-letter, statement, report, campaign, "
            "event; in this archive also: interview.",
        ),
        ("interview", ("interview",), None),
        ("PRONUNCIAMIENTO", (), None),
        ("#AlertaDefensoras", (), None),
        ("  ", (), None),
    ],
)
def test_unknown_categories_are_named_with_the_closest(
    text: str, in_use: tuple[str, ...], message: str | None
) -> None:
    from whrd_cli.categories import unknown_category

    assert unknown_category(text, in_use) == message


def test_a_filter_asks_the_archive_only_for_a_category_whrd_does_not_know() -> None:
    from datetime import date

    from whrd_cli.filters import Filter

    asked: list[int] = []

    def in_use() -> frozenset[str]:
        asked.append(1)
        return frozenset({"interview"})

    today = date(2024, 6, 15)
    built = Filter.build(categories=["alertas", "PRONUNCIAMIENTO"], categories_in_use=in_use, today=today)
    assert built.categories == {"alert", "statement"} and asked == []
    built = Filter.build(categories=["Interview", "news"], categories_in_use=in_use, today=today)
    assert built.categories == {"interview", "news"} and asked == [1]
    with pytest.raises(InputError) as caught:
        Filter.build(categories=["statment"], categories_in_use=in_use, today=today)
    assert (caught.value.message, caught.value.field) == (
        "Unknown category 'statment'. Did you mean: statement?",
        "category",
    )
    assert Filter.build(categories=["statment"], today=today).categories == {"statment"}  # no archive given


# -- countries: comma lists everywhere, regions recorded as their countries (issue 12, item 19) ----


@pytest.mark.parametrize(
    ("text", "codes"),
    [
        ("Honduras,Guatemala", ("HN", "GT")),
        ("Honduras, Guatemala", ("HN", "GT")),
        ("HN; sv ;", ("HN", "SV")),
        ("México, HN, méxico", ("MX", "HN")),
        ("Korea, Republic of", ("KR",)),
        ("Korea, Republic of, Honduras", ("KR", "HN")),
        ("Honduras, Bolivia, Plurinational State of", ("HN", "BO")),
        ("Centroamérica", ("GT", "BZ", "SV", "HN", "NI", "CR", "PA")),
        ("Mesoamérica, Cuba", ("MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA", "CU")),
    ],
)
def test_country_lists_and_regions_resolve_in_order(text: str, codes: tuple[str, ...]) -> None:
    assert resolve_countries(text) == codes
    assert Bulletin.create(title="x", date="2020-01-01", countries=[text]).countries == codes


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("Honduras, Hondura", "Unknown country 'Hondura'. Did you mean: Honduras?"),
        (
            "Honduras,,Qwxz",
            "Unknown country 'Qwxz'. Give an English or Spanish name, or an ISO code such as HN.",
        ),
    ],
)
def test_a_bad_name_in_a_list_is_named_alone(text: str, message: str) -> None:
    with pytest.raises(CountryError) as caught:
        Bulletin.create(title="x", date="2020-01-01", countries=[text])
    assert caught.value.message == message


def test_edits_take_lists_and_regions_too() -> None:
    from whrd_cli.countries import regions_named

    current = Bulletin.create(title="x", date="2020-01-01", countries=["HN", "MX"])
    asked = BulletinEdit.build(add_countries=["SV,NI"], remove_countries=["Mexico, Honduras"])
    assert current.with_changes(**asked.changes(current)).countries == ("SV", "NI")
    asked = BulletinEdit.build(add_countries=["Centroamérica"], remove_countries=["Belice;PA"])
    assert current.with_changes(**asked.changes(current)).countries == ("HN", "MX", "GT", "SV", "NI", "CR")
    assert regions_named(["HN", "Honduras, Mesoamérica", " centroamerica "]) == [
        ("Mesoamérica", ("MX", "GT", "BZ", "SV", "HN", "NI", "CR", "PA")),
        ("centroamerica", ("GT", "BZ", "SV", "HN", "NI", "CR", "PA")),
    ]


@pytest.mark.parametrize(
    ("name", "code"), [("español", "es"), ("Castellano", "es"), ("INGLÉS", "en"), ("English", "en")]
)
def test_a_language_may_be_named(name: str, code: str) -> None:
    """Names are taken wherever a code is: --lang, add's prompt, the editor's form, imported records."""
    assert Bulletin.create(title="x", date="2020-01-01", lang=name).lang == code


def test_the_network_s_country_names_are_the_full_tables_names() -> None:
    """`countries._NETWORK` (names drawn without reading ISO 3166) holds, for each code, what the
    full table built from pycountry and its Spanish catalog holds, and covers Mesoamerica."""
    from whrd_cli import countries

    assert set(countries._NETWORK) == set(countries.REGIONS["mesoamerica"])
    for code, quick in countries._NETWORK.items():
        assert quick == countries._data().countries[code], code
        assert countries.country_name(code, "es") == countries._data().countries[code].name_es


def test_the_network_s_countries_resolve_without_the_full_index_as_with_it() -> None:
    """The short table of Mesoamerica's names and codes (`countries._COMMON`) says what the full ISO
    3166 index built from pycountry, English and Spanish, says of every entry."""
    from whrd_cli import countries

    assert countries._COMMON
    for key, code in countries._COMMON.items():
        assert countries._data().index[key] == code, key
    for text in (
        "Honduras",
        "HONDURAS",
        "  el   Salvador ",
        "México",
        "Panamá",
        "Belice",
        "hn",
        "Costa Rica.",
    ):
        assert (
            countries.resolve_country(text)
            == countries._data().index[countries.fold(" ".join(text.split())).strip(" .")]
        )
