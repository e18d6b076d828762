"""The search tests' shared corpus: eleven bulletins in English and Spanish, written so that each
query in the tests has one known answer (stems, accents, phrases, scopes, countries, tags)."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from whrd_cli.model import Bulletin

if TYPE_CHECKING:
    from whrd_cli.store import Archive

# id: (lang, date, title, summary, countries, tags). Ids follow this order (1, 2, …).
CORPUS: list[tuple[str, str, str, str, list[str], list[str]]] = [
    (  # 1
        "en",
        "2019-03-01",
        "Mining concession threatens river defenders",
        "Women defenders in Atlántida oppose the mines that poison the river.",
        ["HN"],
        ["WHRDAlert", "Mining"],
    ),
    (  # 2
        "en",
        "2020-05-10",
        "Community radio celebrates three years",
        "The radio station, run by women, is a community voice for land defenders.",
        ["HN"],
        ["CommunityRadio"],
    ),
    (  # 3
        "en",
        "2016-11-28",
        "Marta Sánchez Soler among inspiring women",
        "Marta Sánchez Soler, of the Mesoamerican Migrant Movement, was honoured by the BBC.",
        ["MX"],
        ["WomenWhoInspireUs"],
    ),
    (  # 4
        "es",
        "2022-05-17",
        "Amenazas contra defensoras del agua en Olancho",
        "La red denuncia amenazas contra una defensora del territorio en Olancho, Honduras.",
        ["HN"],
        ["AlertaDefensoras"],
    ),
    (  # 5
        "es",
        "2019-10-02",
        "Defensoras mayas rechazan la minería",
        "Las comunidades exigen consulta previa ante las minerías a cielo abierto y las acciones "
        "de la empresa.",
        ["GT"],
        ["Minería"],
    ),
    (  # 6
        "es",
        "2021-03-08",
        "Radio comunitaria cumple diez años",
        "Una radio comunitaria de mujeres en San Salvador celebra diez años.",
        ["SV"],
        [],
    ),
    (  # 7
        "en",
        "2018-06-01",
        "Network statement on river pollution",
        "Rivers near the mined hills are polluted; the network demands justice.",
        ["GT"],
        [],
    ),
    (  # 8
        "en",
        "2017-01-08",
        "Radio and community: a report",
        "Community members asked for a radio of their own.",
        ["NI"],
        [],
    ),
    (  # 9
        "en",
        "2023-02-02",
        "Disappeared sons: mothers search on",
        "Mothers of the disappeared marched again.",
        ["MX"],
        ["Migration"],
    ),
    (  # 10
        "en",
        "2023-02-03",
        "Mothers of Central America march",
        "The caravan of mothers crossed Mexico.",
        ["MX"],
        [],
    ),
    (  # 11
        "en",
        "2015-04-04",
        "Women journalists meet in Tegucigalpa",
        "Journalists from a radio network shared protection strategies.",
        ["HN"],
        [],
    ),
]


def bulletin(
    lang: str,
    date: str,
    title: str,
    summary: str = "",
    countries: Sequence[str] = (),
    tags: Sequence[str] = (),
) -> Bulletin:
    """A bulletin from a row of `CORPUS` (or written like one)."""
    return Bulletin.create(title=title, date=date, summary=summary, countries=countries, tags=tags, lang=lang)


def indexed_archive(db: Path, *, retitled: bool = False) -> Archive:
    """`CORPUS` written into a new archive at `db` with its search index, as the CLI opens it
    (`retitled`: then bulletin 2 edited once, so the history has a revision); opened again."""
    from whrd_cli.search.service import SearchIndex
    from whrd_cli.store import Archive

    Archive(db, followers=(SearchIndex(),)).add_many([bulletin(*row) for row in CORPUS])
    if retitled:
        Archive(db, followers=(SearchIndex(),)).update(2, {"title": "Community radio celebrates four years"})
    return Archive(db, followers=(SearchIndex(),))
