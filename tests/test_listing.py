"""The listing format: reading what a careful reader records (or a located error), and writing
listings that read back to the same bulletins."""

from __future__ import annotations

import hashlib
import io
import re
from datetime import date, timedelta
from typing import Any, NamedTuple

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import DATA, SEED

from whrd_cli.countries import find_countries, lookup_country, resolve_country
from whrd_cli.errors import CountryError, ParseError
from whrd_cli.formats import RecordErrors, WriteContext
from whrd_cli.formats.listing import read, read_records, write
from whrd_cli.formats.listing.dateline import date_shaped
from whrd_cli.formats.listing.heading import parse_heading
from whrd_cli.formats.listing.writer import format_block, heading_country
from whrd_cli.lang import detect_language
from whrd_cli.model import Bulletin
from whrd_cli.records import Entry
from whrd_cli.text import fold


def one(text: str, **kwargs: object) -> Bulletin:
    bulletins = read(text, source="t.txt", **kwargs)  # type: ignore[arg-type]
    assert len(bulletins) == 1, bulletins
    return bulletins[0]


def errors_of(text: str) -> list[str]:
    with pytest.raises(RecordErrors) as caught:
        read(text, source="t.txt")
    return [str(e) for e in caught.value.errors]


def digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()[:16]


# -- the seed listing: one test per block, every field ---------------------------------------------
# The seed's prose stays out of this repository: its titles and summaries are checked by digest
# (SHA-256 of the exact text a careful reader records) and by where they come from in the file.

SEED_BLOCKS = [
    # heading line, category, countries, date, tags, title digest, summary digest
    (1, "news", ("HN",), "2017-01-26", (), "a6bccd1c0067d6a5", "e25ba5ea4fe16cd6"),
    (7, "alert", ("EC",), "2017-01-08", (), "2019042b8de84c1a", "440e0d109a7407bf"),
    (13, None, ("SV",), "2016-11-28", ("WHRDs", "WomenWhoInspireUs"), "ee96dd44cc9e40ea", "a9667014da89ad79"),
    (19, "open-letter", ("MX",), "2016-11-23", (), "047bc7db65fd268c", "fac689fd780dfbaf"),
    (25, None, ("GT",), "2016-07-26", (), "791b134630476b96", "ccbecbdaba01250c"),
]


@pytest.fixture(scope="module")
def seed_records() -> list:
    if not SEED.exists():
        pytest.skip(
            f"the seed listing {SEED} is not here: it lives outside the repository, beside the checkout"
        )
    return read_records(SEED.read_text(encoding="utf-8"), source=SEED.name)


@pytest.mark.parametrize("block", SEED_BLOCKS, ids=[f"block-at-line-{b[0]}" for b in SEED_BLOCKS])
def test_seed_block_every_field(seed_records: list, block: tuple) -> None:
    line, category, countries, day, tags, title_digest, summary_digest = block
    assert len(seed_records) == len(SEED_BLOCKS)
    record = next(r for r in seed_records if r.location == f"line {line}")
    b = record.bulletin
    assert b.category == category
    assert b.countries == countries
    assert b.date == day
    assert b.tags == tags
    assert b.lang == "en"
    assert b.truncated is True
    assert (b.url, b.source, b.private, b.added, b.updated) == (None, None, None, None, None)
    # Where the title and summary come from: the heading minus its labels and hashtags, the
    # paragraph minus its marker, with non-breaking spaces made plain.
    lines = [re.sub(r"[\s\u00a0]+", " ", x).strip() for x in SEED.read_text(encoding="utf-8").splitlines()]
    heading, summary = lines[line - 1], lines[line + 1]
    assert heading.endswith(" / " + b.title) or heading.startswith(b.title + " #")
    assert summary == b.summary + " […]"
    assert not b.title.startswith("#") and "\u00a0" not in b.title + b.summary
    assert (digest(b.title), digest(b.summary)) == (title_digest, summary_digest), (b.title, b.summary)


def test_seed_date_inside_summary_is_not_the_date(seed_records: list) -> None:
    letter = next(r.bulletin for r in seed_records if r.bulletin.category == "open-letter")
    assert "2016" in letter.summary and letter.date == "2016-11-23"  # the line, not the summary's day


def test_seed_writes_back_to_the_same_bulletins(seed_records: list) -> None:
    bulletins = [r.bulletin for r in seed_records]
    assert read(listing_text(bulletins), source="again") == bulletins


# -- our own fictional listings, English and Spanish -----------------------------------------------

EN = [
    # line, category, countries, date, tags, truncated, title
    (1, "news", ("HN",), "2019-02-14", (), True, "Community radio “Voces del Río” marks five years on air"),
    (7, "alert", ("GT",), "2021-05-06", (), True, "Threats against a water defender in Alta Verapaz"),
    (
        13,
        "open-letter",
        ("MX", "GT", "HN", "SV", "NI", "CR"),
        "2022-03-11",
        (),
        True,
        "To the foreign ministers of Mexico, Guatemala, Honduras and El Salvador",
    ),
    (
        19,
        "statement",
        ("PA", "HN"),
        "2022-06-02",
        (),
        False,
        "Land / water: why the network joins the regional campaign for rivers",
    ),
    (25, "report", (), "2022-11-25", (), True, "Ten years of attacks against women defenders in Mesoamerica"),
    (
        31,
        None,
        ("NI",),
        "2023-02-17",
        (),
        True,
        "Solidarity with the defenders stripped of their nationality",
    ),
    (
        37,
        None,
        ("HN", "SV", "NI"),
        "2023-03-08",
        ("WomenWhoInspireUs", "WHRDs"),
        True,
        "Berta, Margarita and Juana",
    ),
    (43, "campaign", (), "2023-11-24", (), True, "#DefendingDefenders: sixteen days of action"),
    (49, "event", ("MX", "HN"), "2024-04-10", (), False, "Online forum: protection networks that work"),
    (55, "interview", ("EC",), "2024-07-03", (), True, "“We defend the forest because it is our life”"),
]
ES = [
    (1, "news", ("HN",), "2019-02-14", (), True, "La radio comunitaria “Voces del Río” cumple cinco años"),
    (7, "alert", ("HN",), "2022-05-17", (), True, "Amenazas contra una defensora del territorio en Olancho"),
    (
        13,
        "open-letter",
        ("MX", "GT", "SV", "HN"),
        "2022-11-23",
        (),
        True,
        "A los gobiernos de México y Guatemala sobre la caravana de madres",
    ),
    (
        19,
        "statement",
        ("NI", "CR"),
        "2022-12-15",
        (),
        True,
        "Ante la ley de agentes extranjeros en Nicaragua",
    ),
    (25, "report", (), "2022-11-25", (), False, "Diez años de agresiones contra defensoras en Mesoamérica"),
    (31, None, ("MX",), "2023-03-03", (), True, "Defensoras de Oaxaca / Chiapas se reúnen en San Cristóbal"),
    (
        37,
        None,
        ("HN", "SV", "GT"),
        "2023-03-08",
        ("MujeresQueInspiran", "Defensoras"),
        True,
        "Berta, Margarita y Juana",
    ),
    (43, "campaign", (), "2023-11-24", (), True, "#DefendamosALasDefensoras: dieciséis días de activismo"),
    (49, "event", ("PA", "SV"), "2024-04-10", (), False, "Foro virtual: redes de protección que funcionan"),
    (55, "entrevista", ("EC",), "2024-07-03", (), True, "“Defendemos el bosque porque es nuestra vida”"),
]


def data_text(lang: str) -> str:
    return (DATA / f"listing-{lang}.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(("lang", "expected"), [("en", EN), ("es", ES)])
def test_sample_listings_every_field(lang: str, expected: list) -> None:
    records = read_records(data_text(lang), source=f"listing-{lang}.txt")
    got = [
        (
            int(r.location.split()[1]),
            r.bulletin.category,
            r.bulletin.countries,
            r.bulletin.date,
            r.bulletin.tags,
            r.bulletin.truncated,
            r.bulletin.title,
        )
        for r in records
    ]
    assert got == expected
    assert {r.bulletin.lang for r in records} == {lang}
    for r in records:
        b = r.bulletin
        assert b.summary and not b.summary.endswith(("]", "…")) and "\n" not in b.summary


def test_sample_listings_cover_every_category() -> None:
    from whrd_cli.categories import CATEGORIES

    found = {b.category for lang in ("en", "es") for b in read(data_text(lang), source="x")}
    assert {c.key for c in CATEGORIES} <= found
    assert None in found and {"interview", "entrevista"} <= found  # new categories are kept


def test_date_inside_summary_is_never_the_date() -> None:
    letter = read(data_text("en"), source="x")[2]
    assert letter.summary.startswith("Mesoamerica, 10 March 2022 –")
    assert letter.date == "2022-03-11"
    alerta = read(data_text("es"), source="x")[1]
    assert "12 de mayo de 2022" in alerta.summary and alerta.date == "2022-05-17"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_copy_paste_debris_changes_nothing(lang: str) -> None:
    clean = read(data_text(lang), source="x")
    text = data_text(lang)
    variants = {
        "crlf+bom": "\ufeff" + text.replace("\n", "\r\n"),
        "cr": text.replace("\n", "\r"),
        "trailing spaces and tabs": text.replace("\n", "  \t\n"),
        "nbsp": text.replace(" / ", "\u00a0/ ").replace("Honduras ", "Honduras\u00a0"),
        "zero-width and soft hyphens": text.replace("NEWS", "\u200bNEWS").replace(
            "defenders", "defen\u00adders"
        ),
        "many blank lines": re.sub(r"\n\n", "\n\n\n\n", text) + "\n\n\n",
        "no blank lines": re.sub(r"\n\n+", "\n", text),
        "ascii marker": text.replace("[…]", "[...]"),
    }
    for name, variant in variants.items():
        assert read(variant, source=name) == clean, name


def test_missing_marker_means_not_truncated() -> None:
    text = data_text("en").replace(" […]", "")
    assert not any(b.truncated for b in read(text, source="x"))


# -- headings ------------------------------------------------------------------------------------------

HEADINGS = [
    # heading, title, category, countries, tags
    ("NEWS / A radio turns three", "A radio turns three", "news", (), ()),
    ("NOTICIAS / Una radio cumple tres años", "Una radio cumple tres años", "news", (), ()),
    ("#WHRDAlert ECUADOR / Stop the repression", "Stop the repression", "alert", ("EC",), ()),
    ("#WHRDAlert\u00a0ECUADOR / Stop the repression", "Stop the repression", "alert", ("EC",), ()),
    ("#AlertaDefensoras HONDURAS / Amenazas", "Amenazas", "alert", ("HN",), ()),
    ("#WHRDAlert Ecuador / Stop", "Stop", "alert", ("EC",), ()),
    ("#WHRDAlert / Stop it #WHRDs", "Stop it", "alert", (), ("WHRDs",)),
    ("#WHRDAlert HONDURAS, GUATEMALA / Joint alert", "Joint alert", "alert", ("HN", "GT"), ()),
    ("OPEN LETTER / To the ministers", "To the ministers", "open-letter", (), ()),
    ("CARTA ABIERTA / A la presidencia", "A la presidencia", "open-letter", (), ()),
    ("STATEMENT / On the law", "On the law", "statement", (), ()),
    ("PRONUNCIAMIENTO / Sobre la ley", "Sobre la ley", "statement", (), ()),
    ("GUATEMALA / We support the families", "We support the families", None, ("GT",), ()),
    ("MÉXICO / Defensoras marchan", "Defensoras marchan", None, ("MX",), ()),
    ("EL SALVADOR / Defensoras", "Defensoras", None, ("SV",), ()),
    ("HONDURAS Y GUATEMALA / Caravana", "Caravana", None, ("HN", "GT"), ()),
    ("TRINIDAD AND TOBAGO / Caravan", "Caravan", None, ("TT",), ()),
    ("NOTICIAS MÉXICO / Algo", "Algo", "news", ("MX",), ()),
    ("NEWS / HONDURAS / A joint caravan", "A joint caravan", "news", ("HN",), ()),
    (
        "Marta and Morena #WHRDs #WomenWhoInspireUs",
        "Marta and Morena",
        None,
        (),
        ("WHRDs", "WomenWhoInspireUs"),
    ),
    # A title may contain " / "; only upper-case labels before it are labels.
    ("NEWS / Land / water: a report", "Land / water: a report", "news", (), ()),
    ("Honduras / Women march", "Honduras / Women march", None, (), ()),
    ("NEWS / STATEMENT / x", "STATEMENT / x", "news", (), ()),
    ("UN WOMEN / report", "UN WOMEN / report", None, (), ()),
    ("TV / defensoras", "TV / defensoras", None, (), ()),
    ("COVID-19 / Defenders at risk", "COVID-19 / Defenders at risk", None, (), ()),
    ("24/7 radio for defenders", "24/7 radio for defenders", None, (), ()),
    ("INTERVIEW / A talk", "A talk", "interview", (), ()),
    ("ACCIÓN URGENTE / Libertad", "Libertad", "accion-urgente", (), ()),
    ("#News / not a category", "#News / not a category", None, (), ()),
    ("We are #1", "We are #1", None, (), ()),
    ("#WHRDAlert HONDURAS / #JusticiaParaBerta", "#JusticiaParaBerta", "alert", ("HN",), ()),
    ("“La Radio” is 3 years old!", "“La Radio” is 3 years old!", None, (), ()),
]


@pytest.mark.parametrize(("heading", "title", "category", "countries", "tags"), HEADINGS)
def test_heading(heading: str, title: str, category: str | None, countries: tuple, tags: tuple) -> None:
    parsed = parse_heading(heading)
    assert (parsed.title, parsed.category, parsed.countries, parsed.tags) == (
        title,
        category,
        countries,
        tags,
    )


def test_countries_from_heading_then_title_then_summary() -> None:
    b = one(
        "#WHRDAlert HONDURAS / Defenders from Guatemala threatened\n\n"
        "The defenders, who fled to Mexico City, met colleagues from San Salvador and "
        "Tegucigalpa and from Ciudad de Guatemala […]\n\n1 May 2020\n"
    )
    assert b.countries == ("HN", "GT", "MX", "SV")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("A radio station in Honduras", ["HN"]),
        ("una radio en HONDURAS y en méxico", ["HN", "MX"]),
        ("Tegucigalpa, San Salvador, Guatemala City", ["HN", "SV", "GT"]),
        ("la Ciudad de Guatemala", ["GT"]),
        # words that only resemble a country are not one
        ("a family reunion; una reunión de defensoras", []),
        ("Granada, Nicaragua", ["NI"]),
        ("Santa Lucía, Francisco Morazán", []),
        ("la Virgen de Guadalupe; Libia Grueso", []),
        ("New Mexico and New Jersey", []),
        ("Honduran and Mexican defenders, Mesoamerican networks", []),
    ],
)
def test_countries_in_text(text: str, expected: list[str]) -> None:
    assert find_countries(text) == expected


def test_country_names_resolve_exactly() -> None:
    assert resolve_country("Congo") == "CG"  # ISO's "Congo"; the DRC only by its own names
    assert resolve_country("Democratic Republic of the Congo") == "CD"
    assert resolve_country("República Democrática del Congo") == "CD"
    assert lookup_country("Korea") is None  # shared by two countries: names neither
    with pytest.raises(CountryError, match="Did you mean: South Korea"):
        resolve_country("Korea")


def test_fold_fast_path_is_the_same_fold() -> None:
    import unicodedata

    def slow(text: str) -> str:
        decomposed = unicodedata.normalize("NFKD", text.casefold())
        return "".join(ch for ch in decomposed if not unicodedata.combining(ch))

    for text in ("Miércoles", "ÑANDÚ “x” …", "Ǆ ǅ ß ﬁ", "a\u0301\u0308b", "Ελλάδα", "中文", ""):
        assert fold(text) == slow(text)


# -- structure: blocks, summaries, dates -------------------------------------------------------------


def test_blocks_separated_by_nothing() -> None:
    text = (
        "NEWS / First\nThe women defenders met […]\n26 January 2017\n"
        "NEWS / Second\nThe defenders of the land met again […]\n27 January 2017\n"
    )
    assert [(b.title, b.date) for b in read(text, source="x")] == [
        ("First", "2017-01-26"),
        ("Second", "2017-01-27"),
    ]


def test_summary_spanning_lines_and_paragraphs() -> None:
    b = one(
        "NEWS / Wrapped\n\nThe women defenders of the\nriver met in the north of\nthe country.\n\n"
        "A second paragraph of the [...]\n\n5 May 2020\n"
    )
    assert (
        b.summary
        == "The women defenders of the river met in the north of the country.\n\nA second paragraph of the"
    )
    assert b.truncated


def test_block_without_summary() -> None:
    b = one("NEWS / Only a heading and a date\n\n3 March 2018\n")
    assert (b.summary, b.truncated, b.date) == ("", False, "2018-03-03")


@pytest.mark.parametrize(
    ("line", "day"),
    [
        ("26 January 2017", "2017-01-26"),
        ("4 de marzo de 2018", "2018-03-04"),
        ("15 diciembre, 2017", "2017-12-15"),
        ("1º de mayo de 2019", "2019-05-01"),
        ("26 de enero del 2017", "2017-01-26"),
        ("November 22, 2016", "2016-11-22"),
        ("Thursday, 26 January 2017", "2017-01-26"),
        ("12 setiembre 2019", "2019-09-12"),
        ("2017-01-26", "2017-01-26"),
        ("26/01/2017", "2017-01-26"),
        ("26 Jan. 2017", "2017-01-26"),
    ],
)
def test_date_lines(line: str, day: str) -> None:
    assert one(f"NEWS / Dated\n\nText of the women\n\n{line}\n").date == day


NO_DATE = "no date line after this block's summary (expected a line such as 26 January 2017)"


def test_bad_blocks_are_all_reported_with_line_and_field() -> None:
    text = (
        "NEWS / Misspelt month\n\nText of the women […]\n\n26 Januray 2017\n\n"  # lines 1-5
        "NEWS / No day\n\nText of the women […]\n\nJanuary 2017\n\n"  # 7-11
        "NEWS / Day or month?\n\nText of the women […]\n\n03/04/2017\n\n"  # 13-17
        "NEWS / \n\nText of the women […]\n\n4 May 2017\n\n"  # 19-23
        "NEWS / Fine\n\nText of the women […]\n\n5 May 2017\n\n"  # 25-29
        "NEWS / No date at all\n\nText of the women […]\n\n"  # 31-33
        "NEWS / Next\n\nText of the women […]\n\n6 May 2017\n\n"  # 35-39
        "NEWS / Never dated\n\nText of the women […]\n"  # 41-43
    )
    assert errors_of(text) == [
        "t.txt, line 5, date: cannot read the date line '26 Januray 2017'; write a full date such as "
        "26 January 2017, 4 de marzo de 2018 or 2017-01-26",
        "t.txt, line 11, date: the date line 'January 2017' has no day; write a full date such as "
        "26 January 2017, 4 de marzo de 2018 or 2017-01-26",
        "t.txt, line 17, date: the date line '03/04/2017' could be day/month or month/day; write the "
        "month as a word (4 March 2017) or use 2017-03-04",
        "t.txt, line 19, title: the heading 'NEWS /' has no title",
        f"t.txt, line 31, date: {NO_DATE}",
        f"t.txt, line 41, date: {NO_DATE}",
    ]


def test_missing_date_between_blocks_with_no_blank_lines() -> None:
    text = "NEWS / A\nText of the women […]\nNEWS / B\nMore text of the women […]\n6 May 2017\n"
    assert errors_of(text) == [f"t.txt, line 1, date: {NO_DATE}"]


def test_stray_date_line_and_a_mistyped_date_without_blank_lines() -> None:
    assert errors_of("26 January 2017\n\nNEWS / After\n\nText\n\n5 May 2020\n") == [
        "t.txt, line 1, date: a date line ('26 January 2017') with no heading and summary above it"
    ]
    text = "NEWS / A\nText of the women […]\n32 January 2017\nNEWS / B\nMore […]\n6 May 2017\n"
    assert errors_of(text)[0].startswith("t.txt, line 3, date: cannot read the date line '32 January 2017'")


def test_a_short_summary_line_that_looks_like_a_date_is_text() -> None:
    b = one("NEWS / x\n\nthe march on\nMarch 8\nwith the women\n\n5 May 2020\n")
    assert b.summary == "the march on March 8 with the women"


def test_control_characters_are_a_located_error() -> None:
    assert errors_of("NEWS / Bad \x07 bell\n\nText\n\n5 May 2020\n") == [
        "t.txt, line 1, title: The title contains a control character or line break; remove it"
    ]


def test_nothing_but_blank_lines_is_no_bulletins() -> None:
    assert read("", source="x") == [] and read("\ufeff \r\n\r\n", source="x") == []


@pytest.mark.parametrize(
    ("line", "shaped"),
    [
        ("26 January 2017", True),
        ("26 Januray 2017", True),
        ("January 2017", True),
        ("2017", True),
        ("3 de marzo de 2018", True),
        ("2 of them", False),
        ("the 3 of us met", False),
        ("In 2017 the women", False),
        ("NEWS / 26 January 2017", False),
        ("26 January 2017 […]", False),
    ],
)
def test_date_shape(line: str, shaped: bool) -> None:
    assert date_shaped(line) is shaped


# -- language ------------------------------------------------------------------------------------------


def test_language_per_block_in_a_mixed_listing() -> None:
    text = data_text("en") + "\n" + data_text("es")
    langs = [b.lang for b in read(text, source="x")]
    assert langs == ["en"] * 10 + ["es"] * 10


def test_language_from_the_date_line_when_the_words_are_too_few() -> None:
    assert one("NOTICIAS / Radio\n\nRadio Rojita\n\n4 de marzo de 2018\n").lang == "es"
    assert one("NEWS / Radio\n\nRadio Rojita\n\n4 March 2018\n").lang == "en"
    assert one("Radio Rojita\n\n2018-03-04\n").lang == "en"  # nothing tells: English


def test_lang_option_overrides_detection() -> None:
    assert {b.lang for b in read(data_text("es"), source="x", lang="en")} == {"en"}


# -- writing ---------------------------------------------------------------------------------------------


def listing_text(bulletins: list[Bulletin], context: WriteContext | None = None) -> str:
    out = io.StringIO()
    write([Entry(n, b) for n, b in enumerate(bulletins, start=1)], out, context or WriteContext())
    return out.getvalue()


def test_format_block_as_published() -> None:
    alert = Bulletin.create(
        title="Threats against a defender",
        date="2021-08-03",
        category="alert",
        countries=["HN"],
        summary="The network warns of threats.",
        truncated=True,
        tags=["WHRDs"],
        lang="en",
    )
    assert format_block(alert) == (
        "#WHRDAlert HONDURAS / Threats against a defender #WHRDs\n\n"
        "The network warns of threats. […]\n\n3 August 2021\n"
    )
    alerta = alert.with_changes(title="Amenazas contra una defensora", lang="es", countries=["MX", "GT"])
    assert (
        format_block(alerta).splitlines()[0]
        == "#AlertaDefensoras MÉXICO, GUATEMALA / Amenazas contra una defensora #WHRDs"
    )
    assert format_block(alerta).splitlines()[-1] == "3 de agosto de 2021"
    letter = alert.with_changes(category="open-letter", title="To the ministers of Honduras", truncated=False)
    assert format_block(letter).splitlines()[0] == "OPEN LETTER / To the ministers of Honduras #WHRDs"
    bare = Bulletin.create(title="Untitled kind", date="2020-01-02", category="interview", lang="en")
    assert format_block(bare) == "INTERVIEW / Untitled kind\n\n2 January 2020\n"


@pytest.mark.parametrize("lang", ["en", "es"])
def test_sample_listings_write_back_identically(lang: str) -> None:
    bulletins = read(data_text(lang), source="x")
    written = listing_text(bulletins)
    assert read(written, source="y") == bulletins
    assert listing_text(read(written, source="y")) == written


def test_writer_keeps_private_notes_out_and_honours_no_fields() -> None:
    b = Bulletin.create(title="Private", date="2020-01-01", private="secret contact", lang="en")
    assert "secret" not in listing_text([b], WriteContext(include_private=True))


def test_every_country_can_be_named_in_a_heading() -> None:
    import pycountry  # the list of countries, from the package whrd reads its names from

    codes = [country.alpha_2 for country in pycountry.countries]
    assert len(codes) > 240  # not an empty list that would pass vacuously
    for code in codes:
        for lang in ("en", "es"):
            name = heading_country(code, lang)
            assert name is not None, (code, lang)
            assert parse_heading(f"{name} / Title").countries == (code,), (code, lang, name)
            both = tuple(dict.fromkeys((code, "HN")))
            assert parse_heading(f"#WHRDAlert {name}, HONDURAS / T").countries == both, name


# -- hypothesis ------------------------------------------------------------------------------------------

FRAGMENTS = st.sampled_from(
    [
        "NEWS / ",
        "#WHRDAlert HONDURAS / ",
        "#AlertaDefensoras ",
        "MÉXICO / ",
        "PRONUNCIAMIENTO / ",
        " #WHRDs",
        "[…]",
        "[...]",
        "26 January 2017",
        "4 de marzo de 2018",
        "15 diciembre, 2017",
        "31 February 2017",
        "January 2017",
        "03/04/2017",
        "2017",
        "\n",
        "\n\n",
        "\r\n",
        "\ufeff",
        "\u00a0",
        " / ",
        "Tegucigalpa",
        "the women defenders",
        "las defensoras",
        "#",
        "\x00",
        "“",
    ]
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.one_of(st.text(), st.lists(st.one_of(FRAGMENTS, st.text(max_size=8)), max_size=40).map("".join)))
def test_any_text_gives_bulletins_or_located_errors(text: str) -> None:
    lines = re.split(r"\r\n|[\r\n\x0b\x0c\x85\u2028\u2029]", text)
    try:
        bulletins = read(text, source="h.txt")
    except RecordErrors as exc:
        assert exc.errors
        for error in exc.errors:  # each names a line of this text, and the field at fault
            assert error.source == "h.txt" and error.location.unit == "line", error
            assert 1 <= error.location.number <= len(lines), error
            assert lines[error.location.number - 1], error  # never an empty line
            assert error.field in ("title", "date", "summary", "tags", "countries"), error
        return
    except (
        ParseError
    ) as exc:  # (not RecordErrors) a text that opens as JSON, JSON Lines or CSV is refused whole
        head = text.lstrip("\ufeff \t\r\n")
        assert "not a listing" in str(exc), exc
        assert head[:1] in ("[", "{") or "title" in head.split("\n", 1)[0].lower(), exc
        return
    # A bulletin needs a heading line and a date line of its own.
    assert 2 * len(bulletins) <= sum(1 for line in lines if line.strip())


class Block(NamedTuple):
    """A block to assemble listings from, and what reading it must give: the bulletin's fields
    (title, date, category, countries, summary, truncated, tags, lang), or the error it must
    raise, where `{heading}` and `{date}` stand for the numbers of its heading and date lines."""

    heading: str
    body: tuple[str, ...]  # summary lines; "" is a paragraph break
    date: str | None  # None: the block has no date line
    expected: tuple[Any, ...] | str


HINT = "write a full date such as 26 January 2017, 4 de marzo de 2018 or 2017-01-26"
GOOD_BLOCKS = [
    Block(
        "NEWS / A community radio turns three in Tegucigalpa",
        ("The women defenders of the radio met to celebrate […]",),
        "26 January 2017",
        (
            "A community radio turns three in Tegucigalpa",
            "2017-01-26",
            "news",
            ("HN",),
            "The women defenders of the radio met to celebrate",
            True,
            (),
            "en",
        ),
    ),
    Block(
        "#AlertaDefensoras HONDURAS / Amenazas contra una defensora del territorio",
        (
            "Las defensoras del territorio denuncian amenazas de muerte",
            "contra su compañera en Olancho [...]",
        ),
        "4 de marzo de 2018",
        (
            "Amenazas contra una defensora del territorio",
            "2018-03-04",
            "alert",
            ("HN",),
            "Las defensoras del territorio denuncian amenazas de muerte contra su compañera en Olancho",
            True,
            (),
            "es",
        ),
    ),
    Block(
        "GUATEMALA / We stand with the families of the women defenders #WHRDs #Justice",
        ("The families walked to the capital for the trial.", "", "The network will follow the hearings."),
        "November 22, 2016",
        (
            "We stand with the families of the women defenders",
            "2016-11-22",
            None,
            ("GT",),
            "The families walked to the capital for the trial.\n\nThe network will follow the hearings.",
            False,
            ("WHRDs", "Justice"),
            "en",
        ),
    ),
    Block(
        "PRONUNCIAMIENTO / Ante la ley de agentes extranjeros",
        ("Las organizaciones de mujeres rechazan la ley que criminaliza su trabajo (…)",),
        "15 diciembre, 2017",
        (
            "Ante la ley de agentes extranjeros",
            "2017-12-15",
            "statement",
            (),
            "Las organizaciones de mujeres rechazan la ley que criminaliza su trabajo",
            True,
            (),
            "es",
        ),
    ),
    Block(
        "OPEN LETTER / To the foreign ministers of Mexico and El Salvador",
        ("We, the women human rights defenders of the region, write to you about the caravan.",),
        "Thursday, 26 January 2017",
        (
            "To the foreign ministers of Mexico and El Salvador",
            "2017-01-26",
            "open-letter",
            ("MX", "SV"),
            "We, the women human rights defenders of the region, write to you about the caravan.",
            False,
            (),
            "en",
        ),
    ),
    Block(
        "INTERVIEW / We defend the forest because it is our life",
        ("A conversation with the women of the forest about their work and their fears.",),
        "2017-01-26",
        (
            "We defend the forest because it is our life",
            "2017-01-26",
            "interview",
            (),
            "A conversation with the women of the forest about their work and their fears.",
            False,
            (),
            "en",
        ),
    ),
    Block(
        "Berta, Margarita y Juana #MujeresQueInspiran #Defensoras",
        ("Tres defensoras de Honduras y de El Salvador que nos inspiran cada día […]",),
        "1º de mayo de 2019",
        (
            "Berta, Margarita y Juana",
            "2019-05-01",
            None,
            ("HN", "SV"),
            "Tres defensoras de Honduras y de El Salvador que nos inspiran cada día",
            True,
            ("MujeresQueInspiran", "Defensoras"),
            "es",
        ),
    ),
]
BAD_BLOCKS = [
    Block(
        "NEWS / Misspelt month",
        ("Text of the women […]",),
        "26 Januray 2017",
        f"line {{date}}, date: cannot read the date line '26 Januray 2017'; {HINT}",
    ),
    Block(
        "NEWS / No day",
        ("Text of the women […]",),
        "January 2017",
        f"line {{date}}, date: the date line 'January 2017' has no day; {HINT}",
    ),
    Block(
        "NEWS / Day or month?",
        ("Text of the women […]",),
        "03/04/2017",
        "line {date}, date: the date line '03/04/2017' could be day/month or month/day; "
        "write the month as a word (4 March 2017) or use 2017-03-04",
    ),
    Block(
        "NEWS / ",
        ("Text of the women […]",),
        "4 May 2017",
        "line {heading}, title: the heading 'NEWS /' has no title",
    ),
    Block("NEWS / Never dated", ("Text of the women […]",), None, f"line {{heading}}, date: {NO_DATE}"),
]


@st.composite
def assembled(draw: st.DrawFn) -> tuple[str, list[tuple[Any, ...]], list[str]]:
    """A listing made of table blocks, with copy-paste debris; its expected bulletins and errors."""
    pool = GOOD_BLOCKS + (BAD_BLOCKS if draw(st.booleans()) else [])
    blocks = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=6))
    gap = st.integers(min_value=0, max_value=2)  # blank lines: any number, or none
    lines: list[str] = []
    expected: list[tuple[Any, ...]] = []
    errors: list[str] = []
    for block in blocks:
        lines += [""] * draw(gap)
        heading = len(lines) + 1
        lines.append(block.heading)
        lines += [""] * draw(gap)
        for line in block.body:
            lines += [""] * draw(st.integers(min_value=1, max_value=2)) if line == "" else [line]
        if block.date is not None:
            lines += [""] * draw(gap)
            lines.append(block.date)
        if isinstance(block.expected, str):
            errors.append("s.txt, " + block.expected.format(heading=heading, date=len(lines)))
        else:
            expected.append(block.expected)
    debris = st.sampled_from(["", " ", "\t", "  \u00a0"])
    messy = [
        draw(st.sampled_from(["", "\u200b"]))
        + (line.replace(" ", "\u00a0", 1) if draw(st.booleans()) else line)
        + draw(debris)
        for line in lines
    ]
    text = draw(st.sampled_from(["", "\ufeff"])) + draw(st.sampled_from(["\n", "\r\n", "\r"])).join(messy)
    return text, expected, errors


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(assembled())
def test_assembled_listings_read_as_their_blocks_say(
    case: tuple[str, list[tuple[Any, ...]], list[str]],
) -> None:
    text, expected, errors = case
    if errors:
        with pytest.raises(RecordErrors) as caught:
            read(text, source="s.txt")
        assert [str(e) for e in caught.value.errors] == errors
        return
    got = [
        (b.title, b.date, b.category, b.countries, b.summary, b.truncated, b.tags, b.lang)
        for b in read(text, source="s.txt")
    ]
    assert got == expected


WORDS = st.sampled_from(
    [
        *("the", "women", "defenders", "of", "land", "water", "radio", "las", "defensoras", "del"),
        *("territorio", "y", "la", "red", "Honduras", "Guatemala", "México", "Tegucigalpa", "San"),
        *("Salvador", "caravan", "threats", "amenazas", "2017"),
    ]
)


@st.composite
def bulletins(draw: st.DrawFn) -> Bulletin:
    lang = draw(st.sampled_from(["en", "es"]))
    stop = ["the", "of", "and", "women"] if lang == "en" else ["las", "de", "y", "mujeres"]
    title = " ".join(draw(st.lists(WORDS, min_size=1, max_size=6)) + stop[:2])
    summary = " ".join(draw(st.lists(WORDS, max_size=20)) + stop)
    if draw(st.booleans()):
        summary += "\n\n" + " ".join(draw(st.lists(WORDS, min_size=1, max_size=8)))
    extra = draw(
        st.lists(st.sampled_from(["HN", "GT", "SV", "NI", "CR", "EC", "CG", "VI", "TT"]), max_size=3)
    )
    countries = list(dict.fromkeys(extra))
    for code in find_countries(f"{title}\n{summary}"):  # a listing can only add, never hide, a country
        if code not in countries:
            countries.insert(draw(st.integers(0, len(countries))), code)
    # Words clearly in one language are read as that language, whatever the lang field said.
    lang = detect_language(f"{title}\n{summary}") or lang
    day = date(1990, 1, 1) + timedelta(days=draw(st.integers(0, 15000)))
    return Bulletin.create(
        title=title,
        date=day.isoformat(),
        category=draw(
            st.sampled_from([None, "news", "alert", "open-letter", "statement", "report", "interview"])
        ),
        countries=countries,
        summary=summary,
        truncated=draw(st.booleans()),
        tags=draw(
            st.lists(st.sampled_from(["WHRDs", "Defensoras", "8M", "NiUnaMenos"]), max_size=3, unique=True)
        ),
        lang=lang,
    )


@settings(max_examples=150, deadline=None)
@given(st.lists(bulletins(), min_size=1, max_size=5))
def test_write_then_read_gives_the_same_bulletins(items: list[Bulletin]) -> None:
    assert read(listing_text(items), source="w") == items
