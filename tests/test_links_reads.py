"""Reading linked bulletins (issue 17): `list` and `search` show a translation group once, in the
interface's language when it has that version, `show` lists the links, `list --open-alerts` and
`thread`. Two oracles: the expected ids, written here by hand for a small archive; and for every
read, the output from the search index (the archive's parse refused) equals the output from the
archive itself (the index removed), byte for byte, in English and Spanish, on a terminal and off.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from tests.conftest import Run
from tests.corpus import CORPUS, bulletin
from tests.test_index_reads_list import _parse_refused

from whrd_cli import links
from whrd_cli.model import Bulletin
from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)
N = len(CORPUS)
# Ids N+1.. : an alert in English, Spanish and French; its update in English and Spanish; its
# closing release in Spanish only; an open Spanish alert; an English alert with only an update.
LINKED = [
    ("en", "2024-02-01", "alert", "Defender Ana Pop detained in Cobán", "Ana Pop was detained."),
    ("es", "2024-02-01", "alert", "Detienen a la defensora Ana Pop en Cobán", "Ana Pop fue detenida."),
    ("fr", "2024-02-02", "alert", "La défenseure Ana Pop détenue à Cobán", ""),
    ("en", "2024-02-10", "news", "Ana Pop's hearing postponed", "The hearing of Ana Pop was postponed."),
    ("es", "2024-02-10", "news", "Aplazan la audiencia de Ana Pop", "La audiencia de Ana Pop fue aplazada."),
    ("es", "2024-03-01", "news", "Liberan a Ana Pop", "Ana Pop fue liberada."),
    (
        "es",
        "2024-04-01",
        "alert",
        "Amenazas contra la radio de Rabinal",
        "La radio de Rabinal fue amenazada.",
    ),
    ("en", "2023-01-05", "alert", "Threats against Rosa Tuj in Rabinal", "Rosa Tuj was threatened."),
    ("en", "2023-01-20", "news", "Rosa Tuj still under threat", "Rosa Tuj is still threatened."),
]
ALERT, ALERTA, ALERTE, UPDATE, ACTUALIZA, LIBERAN, RADIO, ROSA, ROSA_UPDATE = range(N + 1, N + 10)


@pytest.fixture
def linked(db: Path) -> Path:
    archive = Archive(db, followers=INDEXED)
    rows = [bulletin(*row) for row in CORPUS]
    rows += [
        Bulletin.create(title=t, date=d, category=c, countries=["GT"], summary=s, lang=lang)
        for lang, d, c, t, s in LINKED
    ]
    archive.add_many(rows)
    archive.relink(lambda b: links.plan_translation(b, [ALERT, ALERTA, ALERTE]))
    archive.relink(lambda b: links.plan_translation(b, [UPDATE, ACTUALIZA]))
    archive.relink(lambda b: links.plan_follow(b, UPDATE, ALERT))
    archive.relink(lambda b: links.plan_follow(b, ACTUALIZA, ALERTA))
    archive.relink(lambda b: links.plan_follow(b, LIBERAN, ACTUALIZA, kind="release", closes=True))
    archive.relink(lambda b: links.plan_follow(b, ROSA_UPDATE, ROSA))
    assert ix.is_fresh(db)
    return db


def ids(rows: list[dict[str, object]]) -> list[object]:
    """The ids of the linked set's bulletins among the rows (the corpus's left out)."""
    return [row["id"] for row in rows if int(str(row["id"])) > N]


def test_list_shows_a_group_once_in_the_interface_language(
    run: Run, linked: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shown = ids(run.json("list", "--country", "GT"))
    assert shown == [RADIO, LIBERAN, UPDATE, ALERT, ROSA_UPDATE, ROSA]
    monkeypatch.setenv("WHRD_LANG", "es")
    assert ids(run.json("list", "--country", "GT")) == [RADIO, LIBERAN, ACTUALIZA, ALERTA, ROSA_UPDATE, ROSA]
    every = ids(run.json("list", "--country", "GT", "--all-languages"))
    assert sorted(every) == list(range(N + 1, N + 10))
    # A filter that leaves one version: that one, whatever the interface's language.
    assert ids(run.json("list", "--lang", "fr")) == [ALERTE]


def test_search_shows_a_group_once(run: Run, linked: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert sorted(ids(run.json("search", "Ana Pop"))) == sorted([ALERT, UPDATE, LIBERAN])
    monkeypatch.setenv("WHRD_LANG", "es")
    assert sorted(ids(run.json("search", "Ana Pop"))) == sorted([ALERTA, ACTUALIZA, LIBERAN])
    # Only the English version holds "postponed": it is the group's hit even in Spanish.
    assert ids(run.json("search", "postponed")) == [UPDATE]
    assert len(run.json("search", "Ana Pop", "--all-languages")) == 6
    assert len(run.json("search", "Ana Pop", "--limit", "2")) == 2


def test_open_alerts_and_thread(run: Run, linked: Path) -> None:
    found = run.json("list", "--open-alerts")
    assert [(a["id"], a["followups"], a["last_news"]) for a in found] == [
        (ROSA, 1, "2023-01-20"),
        (RADIO, 0, "2024-04-01"),
    ]
    assert found[0]["days_since_last_news"] == 512  # 2023-01-20 to the tests' today, 2024-06-15
    piped = run.ok("list", "--open-alerts").stdout.splitlines()  # a pipe: tab lines, as `list` gives
    assert [line.split("\t")[0::4] for line in piped] == [[str(ROSA), "1"], [str(RADIO), "0"]]
    assert all(
        line.split("\t")[5] == str(a["days_since_last_news"]) for line, a in zip(piped, found, strict=True)
    )
    thread = run.json("thread", str(LIBERAN))
    assert thread["closed"] is True
    assert [(s["id"], s["kind"], s["closes"]) for s in thread["steps"]] == [
        (ALERT, "alert", False),
        (UPDATE, "update", False),
        (LIBERAN, "release", True),
    ]
    assert thread["steps"][0]["versions"] == [ALERTA, ALERTE]
    assert run.json("thread", str(ALERTE)) == thread  # from any member


def test_stats_counts_open_and_closed_alerts_by_country(run: Run, linked: Path) -> None:
    # Ana Pop's case (three versions) closed by a release; Rabinal's radio and Rosa Tuj open.
    assert run.json("stats")["alerts"] == [{"value": "GT", "label": "Guatemala", "open": 2, "closed": 1}]
    assert run.json("stats", "--since", "2024")["alerts"] == [
        {"value": "GT", "label": "Guatemala", "open": 1, "closed": 1}
    ]
    assert "Alerts by country" in run.ok("stats").stdout


def test_stats_of_an_archive_without_follow_ups_is_as_before(run: Run, db: Path) -> None:
    archive = Archive(db, followers=INDEXED)
    archive.add_many([bulletin(*row) for row in CORPUS])
    assert "alerts" not in run.json("stats")


READS: list[tuple[str, ...]] = [
    ("list",),
    ("list", "--json"),
    ("list", "--all-languages"),
    ("list", "--limit", "3"),
    ("list", "--sort", "title", "--limit", "5"),
    ("list", "--sort", "added", "--reverse"),
    ("list", "--country", "GT", "--json"),
    ("list", "--lang", "es"),
    ("list", "--category", "alert", "--all-languages", "--json"),
    ("search", "Ana"),
    ("search", "Ana", "--json"),
    ("search", "Ana", "--limit", "1"),
    ("search", "postponed OR aplazan"),
    ("search", "Rabinal", "--all-languages"),
    ("search", "defensora", "--country", "GT"),
    *[("show", str(i)) for i in (ALERT, ALERTA, LIBERAN, ROSA, UPDATE)],
    ("stats",),
    ("stats", "--json"),
    ("stats", "--since", "2024", "--json"),
    ("stats", "--country", "HN"),
]


def _outputs(run: Run) -> dict[tuple[str, ...], tuple[int, str, str]]:
    return {args: (r.exit_code, r.stdout, r.stderr) for args in READS for r in [run(*args)]}


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_reads_from_the_index_are_the_archives(
    run: Run,
    linked: Path,
    lang: str,
    terminal: bool,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if terminal:
        request.getfixturevalue("stdout_terminal")
    monkeypatch.setenv("WHRD_LANG", lang)
    with monkeypatch.context() as patched:
        _parse_refused(patched)
        from_index = _outputs(run)
    ix.index_path(linked).unlink()
    monkeypatch.setattr("whrd_cli.search.service._rebuild", lambda archive: False)
    from_archive = _outputs(run)
    for args in READS:
        assert from_index[args] == from_archive[args], args
    assert all(code == 0 for code, _, _ in from_index.values())
    assert not ix.index_path(linked).exists()
    shown = from_index[("show", str(ALERT))][1]
    assert f"#{ALERTA}" in shown and f"#{UPDATE}" in shown
