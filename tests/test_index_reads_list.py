"""`list`, `countries`, `tags` and `stats` answered from the search index beside the archive: byte
for byte what the archive gives, for every filter, order and output, in English and Spanish.

The oracle is the archive path itself: each output from the index (with the archive's parse made
to fail, so the index must have answered) is compared with the output once the index is removed.
The archive holds what makes the two paths easy to tell apart if they differ: tags spelt two ways
(the count keeps the first spelling seen), bulletins without a language, category or country,
titles that sort by their folded text, dates shared by several bulletins, and edited bulletins
(`added` differs from `updated`, ids are not in date order).
"""

from __future__ import annotations

from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.conftest import Run
from tests.corpus import CORPUS, bulletin

from whrd_cli.model import Bulletin
from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)

EXTRA = [
    Bulletin.create(
        title="¿Quién protege a las defensoras?",
        date="2024-01-15",
        category="alert",
        countries=["HN", "GT"],
        summary="Una defensora detenida.",
        tags=["Criminalización", "WHRDs"],
        lang="es",
        private="nota privada",
    ),
    Bulletin.create(
        title="“Quoted” statement on the river",
        date="2024-01-15",
        category="statement",
        countries=["HN"],
        tags=["criminalizacion", "whrds"],
        lang="en",
    ),
    Bulletin.create(title="Sin país ni categoría", date="2019-03-01", lang="es", tags=["CRIMINALIZACIÓN"]),
    Bulletin.create(
        title="Zapotec radio", date="2016-05-05", category="news", countries=["MX"], tags=['radio "b"', "a,b"]
    ),
    Bulletin.create(title="Ángela Martínez, liberada", date="2021-11-30", category="news", countries=["SV"]),
]

READS: list[tuple[str, ...]] = [
    ("list",),
    ("list", "--json"),
    ("list", "--all"),
    ("list", "--limit", "3"),
    ("list", "--limit", "1", "--json"),
    ("list", "--sort", "added"),
    ("list", "--sort", "added", "--reverse", "--limit", "4"),
    ("list", "--sort", "title"),
    ("list", "--sort", "title", "--reverse", "--limit", "5", "--json"),
    ("list", "--reverse"),
    ("list", "--country", "Honduras"),
    ("list", "--country", "HN,SV", "--json"),
    ("list", "--country", "Central America", "--limit", "2"),
    ("list", "--category", "alert"),
    ("list", "--category", "news", "--category", "statement", "--reverse"),
    ("list", "--tag", "criminalizacion"),
    ("list", "--tag", "#WHRDs", "--tag", "radio", "--json"),
    ("list", "--since", "2020"),
    ("list", "--until", "2019-03-01", "--sort", "title"),
    ("list", "--since", "2019", "--until", "2021", "--lang", "es"),
    ("list", "--lang", "en", "--country", "HN", "--tag", "whrds"),
    ("list", "--tag", "b", "--json"),  # inside another tag's JSON text, but no tag is b
    ("list", "--tag", 'radio "b"', "--tag", "a,b", "--json"),
    ("list", "--country", "Belize"),
    ("list", "--country", "Belize", "--json"),
    ("countries",),
    ("countries", "--json"),
    ("tags",),
    ("tags", "--json"),
    ("stats",),
    ("stats", "--json"),
    ("stats", "--top", "2"),
    ("stats", "--locale", "es", "--json"),
    ("stats", "--since", "2019", "--until", "2020"),
    ("stats", "--country", "Honduras", "--json"),
    ("stats", "--tag", "criminalización", "--by", "tag"),
    *[("stats", "--by", by) for by in ("country", "category", "lang", "tag", "year", "month")],
    ("stats", "--by", "tag", "--json"),
    ("stats", "--category", "alert", "--by", "month", "--json"),
    ("stats", "--country", "Belize"),
]


@pytest.fixture
def indexed(db: Path) -> Path:
    archive = Archive(db, followers=INDEXED)
    archive.add_many([bulletin(*row) for row in CORPUS] + EXTRA)
    ids = sorted(doc_id for doc_id, _ in Archive(db).raw_items())
    later = Archive(db, followers=INDEXED, clock=lambda: datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    later.update(ids[0], {"summary": "Corregido.", "date": "2025-02-02"})
    later.update(ids[3], {"tags": ["WHRDs", "Criminalización"]})
    assert ix.is_fresh(db)
    return db


Outputs = dict[tuple[str, ...], tuple[int, str, str]]


def _outputs(run: Run) -> Outputs:
    out = {}
    for args in READS:
        result = run(*args)
        out[args] = (result.exit_code, result.stdout, result.stderr)
    return out


def _parse_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Archive) -> None:
        raise AssertionError("the index should have answered")

    monkeypatch.setattr(Archive, "_tables", refuse)


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_reads_from_the_index_are_the_archives(
    run: Run,
    indexed: Path,
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
    ix.index_path(indexed).unlink()
    from_archive = _outputs(run)
    for args in READS:
        assert from_index[args] == from_archive[args], args
    assert all(code == 0 for code, _, _ in from_index.values())
    assert not ix.index_path(indexed).exists()  # reads never build the index
    everything = "".join(out for _, out, _ in from_index.values())
    assert "nota privada" not in everything
    assert "Quoted" in everything and "Zapotec" in everything


def test_the_kept_tag_spelling_is_the_lowest_ids_both_ways(run: Run, indexed: Path) -> None:
    """Oracle: the spelling of the bulletin with the lowest id among those with the tag, computed
    here from the archive file."""
    import json

    raw = json.loads(indexed.read_text(encoding="utf-8"))["bulletins"]
    first = next(
        tag
        for _key, b in sorted(raw.items(), key=lambda item: int(item[0]))
        for tag in b.get("tags", [])
        if tag.lower() in ("criminalización", "criminalizacion")
    )
    from_index = {row["label"] for row in run.json("tags", "--json")}
    ix.index_path(indexed).unlink()
    assert from_index == {row["label"] for row in run.json("tags", "--json")}
    assert first in from_index
    assert not {"criminalizacion", "CRIMINALIZACIÓN", "Criminalización"} - {first} & from_index


def test_private_notes_are_read_from_the_archive(
    run: Run, indexed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    listed = run.json("list", "--private")
    assert "nota privada" in {item["private"] for item in listed}
    with monkeypatch.context() as patched:
        _parse_refused(patched)
        assert run("list", "--private").exit_code != 0  # it needs the archive: the index has no notes
        assert "private" not in run.json("list")[0]


def test_a_stale_index_is_not_used(run: Run, indexed: Path) -> None:
    import json
    import os

    data = json.loads(indexed.read_text(encoding="utf-8"))
    first = min(data["bulletins"], key=int)
    data["bulletins"][first]["title"] = "Edited by hand"
    data["bulletins"][first]["countries"] = ["BZ"]
    indexed.write_text(json.dumps(data), encoding="utf-8")
    st = os.stat(indexed)
    os.utime(indexed, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert not ix.is_fresh(indexed)
    assert [item["title"] for item in run.json("list", "--country", "Belize")] == ["Edited by hand"]
    assert {row["value"] for row in run.json("countries", "--json")} >= {"BZ"}


def test_a_damaged_index_falls_back_to_the_archive(run: Run, indexed: Path) -> None:
    expected = [run.ok(*args).stdout for args in READS[:3] + READS[-3:]]
    ix.index_path(indexed).write_bytes(b"not a database at all")
    assert [run.ok(*args).stdout for args in READS[:3] + READS[-3:]] == expected
