"""The index's `tallies` (issue 14): `stats` of the whole archive reads counts the index keeps by
triggers, in the same transaction as each change in place. After any sequence of adds, edits
(date, countries, category, language) and deletes, those counts must give the `Tally` the pass
over the archive's stored dicts gives (`tally`, the oracle, which never reads the index); and
the index must have been changed in place, not rebuilt (its inode kept), or the triggers were
never what was tested."""

from __future__ import annotations

import json
import os
import sqlite3
from operator import itemgetter
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.conftest import Run

from whrd_cli.model import Bulletin
from whrd_cli.search.index import index_path
from whrd_cli.search.service import SearchIndex
from whrd_cli.storage.plan import OnDuplicate
from whrd_cli.store import Archive
from whrd_cli.tally import tally, tally_indexed

_OVERVIEW = ("country", "category", "lang")
_COUNTRIES = st.lists(st.sampled_from(["HN", "GT", "MX", "SV"]), max_size=3, unique=True)
_CATEGORY = st.sampled_from([None, "alert", "news", "statement"])
_LANG = st.sampled_from(["en", "es"])
_DATE = st.integers(0, 40).map(lambda n: f"20{n % 4 + 20}-0{n % 3 + 1}-{n % 28 + 1:02d}")

_ADD = st.tuples(st.just("add"), _DATE, _COUNTRIES, _CATEGORY, _LANG)
_EDIT = st.tuples(
    st.just("edit"),
    st.integers(0, 1_000),
    st.one_of(
        st.tuples(st.just("date"), _DATE),
        st.tuples(st.just("countries"), _COUNTRIES),
        st.tuples(st.just("category"), _CATEGORY),
        st.tuples(st.just("lang"), _LANG),
    ),
)
_DELETE = st.tuples(st.just("delete"), st.integers(0, 1_000))


def _bulletin(n: int, day: str, countries: list[str], category: str | None, lang: str) -> Bulletin:
    return Bulletin.create(title=f"Boletín {n}", date=day, countries=countries, category=category, lang=lang)


def _assert_counts_agree(path: Path) -> None:
    from_index = tally_indexed(path, None, _OVERVIEW)
    assert from_index is not None  # fresh after each write
    expected = tally(sorted(Archive(path).raw_items(), key=itemgetter(0)), _OVERVIEW)
    assert from_index == expected
    for name in _OVERVIEW:  # (Counter equality ignores zeros: compare what is listed too)
        assert dict(from_index.counters[name]) == {k: v for k, v in expected.counters[name].items() if v}
    assert dict(from_index.days) == dict(expected.days)
    with sqlite3.connect(index_path(path)) as conn:
        assert conn.execute("SELECT count(*) FROM tallies WHERE n <= 0").fetchone()[0] == 0


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    st.lists(st.tuples(_DATE, _COUNTRIES, _CATEGORY, _LANG), min_size=1, max_size=8),
    st.lists(st.one_of(_ADD, _EDIT, _DELETE), min_size=1, max_size=12),
)
def test_counts_kept_in_place_agree_with_the_archive(
    tmp_path: Path, first: list[tuple[str, list[str], str | None, str]], steps: list[tuple[object, ...]]
) -> None:
    path = tmp_path / "a.json"
    for name in os.listdir(tmp_path):
        os.unlink(tmp_path / name)
    archive = Archive(path, followers=[SearchIndex()])
    archive.add_many([_bulletin(n, *drawn) for n, drawn in enumerate(first)], on_duplicate=OnDuplicate.ADD)
    _assert_counts_agree(path)
    inode = os.stat(index_path(path)).st_ino
    for number, step in enumerate(steps, start=len(first)):
        ids = sorted(doc_id for doc_id, _raw in Archive(path).raw_items())
        archive = Archive(path, followers=[SearchIndex()])
        if step[0] == "add":
            archive.add(_bulletin(number, *step[1:]), force=True)  # type: ignore[arg-type]
        elif not ids:
            continue
        elif step[0] == "edit":
            field, value = step[2]  # type: ignore[misc]
            archive.update(ids[int(step[1]) % len(ids)], {field: value}, force=True)  # type: ignore[call-overload]
        else:
            archive.delete([ids[int(step[1]) % len(ids)]])
        _assert_counts_agree(path)
        assert os.stat(index_path(path)).st_ino == inode, "the index was rebuilt: its triggers went untested"


def test_an_emptied_archive_counts_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    archive = Archive(path, followers=[SearchIndex()])
    archive.add_many([_bulletin(1, "2024-01-02", ["HN"], "alert", "es")], on_duplicate=OnDuplicate.ADD)
    Archive(path, followers=[SearchIndex()]).delete([1])
    with sqlite3.connect(index_path(path)) as conn:
        assert conn.execute("SELECT count(*) FROM tallies").fetchone()[0] == 0
    counted = tally_indexed(path, None, _OVERVIEW)
    assert counted is not None and counted.total == 0 and counted.first is None


def test_doctor_finds_counts_that_disagree_with_the_rows_and_fix_rebuilds(run: Run, db: Path) -> None:
    """Counts changed behind whrd's back (the stamp still fresh) are a doctor warning; `--fix`
    rebuilds the index, and `stats` is the archive's again (its output before the damage)."""
    for n, (day, lang) in enumerate([("2024-01-02", "es"), ("2024-03-04", "en"), ("2023-05-06", "es")]):
        run.ok("add", "--title", f"Boletín {n}", "--date", day, "--lang", lang, "--country", "Honduras")
    before = run.ok("stats").stdout
    assert "Search index" not in run.ok("doctor").stdout.replace("ok: Search index", "")
    with sqlite3.connect(index_path(db)) as conn:
        conn.execute("UPDATE tallies SET n = n + 2 WHERE dim = 'lang' AND key = 'es'")
    assert run.ok("stats").stdout != before  # (what the warning is about: stats reads the counts)
    found = run("doctor", "--json")
    warned = [
        f for c in json.loads(found.stdout)["checks"] for f in c["findings"] if f["kind"] == "index-counts"
    ]
    assert len(warned) == 1 and warned[0]["fixable"]
    run.ok("doctor", "--fix")
    assert run.ok("stats").stdout == before
    with sqlite3.connect(index_path(db)) as conn:
        assert conn.execute("SELECT n FROM tallies WHERE dim = 'lang' AND key = 'es'").fetchone() == (2,)
