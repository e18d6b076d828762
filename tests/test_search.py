"""Search (issue 5): folding and stemming in both languages, the query language, ranking,
highlight spans, the derived search data through every write, bad queries, and the command."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.conftest import Run
from tests.corpus import CORPUS, bulletin

from whrd_cli.errors import CountryError, QueryError
from whrd_cli.records import record_dict
from whrd_cli.search import index as ix
from whrd_cli.search.highlight import highlight, match_spans, snippet
from whrd_cli.search.query import parse_query
from whrd_cli.search.rank import search
from whrd_cli.search.service import search_archive
from whrd_cli.search.text import _snowball, index_text, join_parts, stemmer, words
from whrd_cli.store import Archive
from whrd_cli.text import fold


@pytest.fixture
def archive(db: Path) -> Archive:
    """The corpus (tests/corpus.py), written through the store (so with its derived search data)."""
    result = Archive(db).add_many([bulletin(*row) for row in CORPUS])
    assert result.added == list(range(1, len(CORPUS) + 1))
    return Archive(db)


def ids(archive: Archive, query: str, **kwargs: Any) -> list[int]:
    """The ids found, after checking that the SQLite index answers exactly as memory does."""
    parsed = parse_query(query)
    in_memory = search(archive.select(), parsed, **kwargs)
    indexed = search_archive(Archive(archive.path), parsed, **kwargs)
    assert indexed.unindexed == 0  # answered from the index, not in memory
    assert [(h.id, h.score) for h in indexed.hits] == [(h.id, h.score) for h in in_memory.hits]
    assert [record_dict(h.id, h.raw, private=True) for h in indexed.hits] == [
        record_dict(h.id, h.raw, private=True) for h in in_memory.hits
    ]
    assert indexed.total == in_memory.total
    return [hit.id for hit in in_memory.hits]


# -- folding and stemming, both languages -------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("defensora", {4, 5}),  # Spanish stemming: defensora ~ defensoras
        ("DEFENSORAS", {4, 5}),
        ("Sanchez", {3}),  # accents folded
        ("sánchez", {3}),
        ("SÁNCHEZ", {3}),
        ("mining", {1, 7}),  # English stemming: mining ~ mines ~ mined
        ("mines", {1, 7}),
        ("mined", {1, 7}),
        ("mineria", {5}),  # minería, minerías; without the accent
        ("minerías", {5}),
        ("accion", {5}),  # acciones
        ("communities", {2, 8}),
        ("comunitarias", {6}),
        ("anos", {6}),  # años
        ("radio", {2, 6, 8, 11}),
        ("Olancho", {4}),
        ("olancho honduras", {4}),
        ("radio olancho", set()),
    ],
)
def test_folding_and_stemming(archive: Archive, query: str, expected: set[int]) -> None:
    assert set(ids(archive, query)) == expected


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        # phrases: the words together and in order, as written (case and accents aside)
        ('"community radio"', {2}),
        ("community radio", {2, 8}),
        ('"mothers of the disappeared"', {9}),
        ('"Sanchez Soler"', {3}),
        ("“Sánchez Soler”", {3}),  # typographic quotes
        ('"mining concessions"', set()),  # quoted: no stemming
        ("mining concessions", {1}),
        ('"mine"', set()),
        ("mine", {1, 7}),
        # exclusion
        ("radio -comunitaria", {2, 8, 11}),
        ("mothers -disappeared", {9, 10} - {9}),
        ('radio -"community radio"', {6, 8, 11}),
        ("mining -title:mining", {7}),
        # OR between words; OR binds closer than the implied AND
        ("mining OR minería", {1, 5, 7}),
        ("sanchez OR olancho", {3, 4}),
        ("mothers OR radio defenders", {2}),
        ('"community radio" OR sanchez', {2, 3}),
        # field scopes
        ("title:radio", {2, 6, 8}),
        ("title:defensoras", {4, 5}),
        ('title:"community radio"', {2}),
        ("TITLE:mothers", {9, 10}),
        ("tag:whrdalert", {1}),
        ("tag:#Minería", {5}),
        ("tag:mineria", {5}),
        ("country:honduras radio", {2, 11}),
        ("country:HN radio", {2, 11}),
        ("country:guatemala", {5, 7}),
        ('country:"el salvador"', {6}),
        ("country:mesoamerica mothers", {9, 10}),  # a region, as --country takes
        ("radio -country:honduras", {6, 8}),
        ("country:mexico OR country:guatemala mothers", {9, 10}),
        ("radio OR tag:migration", {2, 6, 8, 9, 11}),
        # common words are ignored unless quoted
        ("the mothers", {9, 10}),
        ('"of the"', {3, 9}),
    ],
)
def test_query_language(archive: Archive, query: str, expected: set[int]) -> None:
    assert set(ids(archive, query)) == expected


@pytest.mark.parametrize(
    ("query", "options", "expected"),
    [
        ("radio", ["--lang", "es"], [6]),
        ("radio", ["--since", "2019"], [2, 6]),
        ("radio", ["--country", "Honduras"], [2, 11]),
        ("radio", ["-c", "central america", "-l", "en"], [2, 8, 11]),
        ("radio", ["--tag", "CommunityRadio"], [2]),
        ("radio -journalists", ["--until", "2018"], [8]),
        ("mothers OR sanchez", ["--country", "MX", "--since", "2020"], [9, 10]),
        ('"community radio" OR comunitaria', ["--category", "news"], []),
    ],
)
def test_filters_combine_with_the_query(
    archive: Archive, run: Run, query: str, options: list[str], expected: list[int]
) -> None:
    found = run.json("search", query, *options)
    assert sorted(item["id"] for item in found) == expected


def test_query_filters_and_options_agree(archive: Archive, run: Run) -> None:
    by_scope = [item["id"] for item in run.json("search", "radio country:honduras")]
    by_option = [item["id"] for item in run.json("search", "radio", "--country", "Honduras")]
    assert by_scope == by_option == [2, 11]


def test_bulletins_in_other_languages_match_on_folded_words(db: Path) -> None:
    Archive(db).add_many([bulletin("pt", "2020-01-01", "Defensoras de direitos humanos em São Paulo")])
    archive = Archive(db)
    assert ids(archive, "sao paulo") == [1]
    assert ids(archive, "defensoras") == [1]
    assert ids(archive, "defensora") == []  # no Portuguese stemmer: words as written, folded


# -- ranking --------------------------------------------------------------------------------------


def test_a_title_match_outranks_a_summary_only_match(db: Path) -> None:
    Archive(db).add_many(
        [
            bulletin("en", "2020-01-01", "River defenders meet", "They talked about the work ahead."),
            bulletin("en", "2024-01-01", "Meeting of the network", "Defenders of the river spoke there."),
        ]
    )
    hits = search(Archive(db).select(), parse_query("river")).hits
    assert [hit.id for hit in hits] == [1, 2]
    assert hits[0].score > hits[1].score > 0


@pytest.mark.parametrize("query", ['"community radio"', '"community radio" OR "radio show"'])
def test_a_phrase_ranks_like_words(db: Path, query: str) -> None:
    Archive(db).add_many(
        [
            bulletin("en", "2024-01-01", "Network news", "A community radio station opened in the north."),
            bulletin("en", "2020-01-01", "Community radio opens", "A station in the north."),
        ]
    )
    hits = search(Archive(db).select(), parse_query(query)).hits
    assert [hit.id for hit in hits] == [2, 1]
    assert hits[0].score > hits[1].score > 0


def test_more_matching_terms_rank_higher(db: Path) -> None:
    Archive(db).add_many(
        [
            bulletin("en", "2024-01-01", "Network statement", "A mining project in the valley."),
            bulletin("en", "2020-01-01", "Network statement", "Mining, water and land in the valley."),
            bulletin("en", "2022-01-01", "Network statement", "Mining and water in the valley."),
        ]
    )
    assert ids(Archive(db), "mining OR water OR land") == [2, 3, 1]


def test_more_occurrences_rank_higher(db: Path) -> None:
    Archive(db).add_many(
        [
            bulletin("en", "2024-01-01", "Statement", "Threats against a defender in the north."),
            bulletin("en", "2020-01-01", "Statement", "Threats, more threats and threatening calls."),
        ]
    )
    assert ids(Archive(db), "threats") == [2, 1]


def test_ties_go_newest_first_then_highest_id(db: Path) -> None:
    same = ("Statement on water", "The network supports the water defenders.")
    Archive(db).add_many(
        [
            bulletin("en", "2019-01-01", *same),
            bulletin("en", "2023-01-01", *same),
            bulletin("en", "2021-01-01", *same),
            bulletin("en", "2023-01-01", *same),  # same date and title: a forced duplicate
        ],
        on_duplicate="add",
    )
    hits = search(Archive(db).select(), parse_query("water")).hits
    assert [hit.id for hit in hits] == [4, 2, 3, 1]
    assert len({hit.score for hit in hits}) == 1


def test_limit_keeps_the_best_and_counts_all(archive: Archive) -> None:
    every = search(archive.select(), parse_query("radio"))
    best = search(archive.select(), parse_query("radio"), limit=2)
    assert best.total == every.total == 4
    assert [hit.id for hit in best.hits] == [hit.id for hit in every.hits][:2]


@pytest.mark.parametrize(
    "query",
    [
        '"mining concession"',
        'radio "community radio"',
        '"mined" OR "mining"',
        '"of the" mothers',
        "mining",
        '"mining concession" "mining concession" OR radio',
    ],
)
@pytest.mark.parametrize("limit", [1, 2, 5])
def test_uncounted_search_gives_the_same_best_hits(db: Path, query: str, limit: int) -> None:
    rows = [bulletin(*row) for row in CORPUS]
    # Bulletins whose index holds the phrase's stems but whose text does not hold the phrase.
    rows += [
        bulletin("en", f"2024-0{m}-01", f"Mined concessions {m}", "Mine concessions, mining")
        for m in (1, 2, 3)
    ]
    Archive(db).add_many(rows)
    archive = Archive(db)
    counted = search(archive.select(), parse_query(query), limit=limit)
    uncounted = search(archive.select(), parse_query(query), limit=limit, count=False)
    assert uncounted.hits == counted.hits
    assert counted.total is not None and counted.total >= len(counted.hits)
    if '"' in query:
        assert uncounted.total is None or uncounted.total == counted.total


def test_scores_rank_the_command_output(archive: Archive, run: Run) -> None:
    found = run.json("search", "radio")
    scores = [item["score"] for item in found]
    assert scores == sorted(scores, reverse=True)
    assert all(isinstance(score, float) and score > 0 for score in scores)


# -- highlighting ---------------------------------------------------------------------------------


def spans_text(text: str, spans: tuple[tuple[int, int], ...]) -> list[str]:
    return [text[start:end] for start, end in spans]


@pytest.mark.parametrize(
    ("text", "query", "lang", "expected"),
    [
        ("Marta Sánchez Soler, of the movement", "sanchez", "en", ["Sánchez"]),
        ("Marta Sánchez Soler, of the movement", '"sanchez soler"', "en", ["Sánchez Soler"]),
        (
            "Defensoras y una defensora: DEFENSORES",
            "defensora",
            "es",
            ["Defensoras", "defensora", "DEFENSORES"],
        ),
        ("Minería y minerías; la mineria.", "minería", "es", ["Minería", "minerías", "mineria"]),
        ("The mines, mining and mined hills", "mine", "en", ["mines", "mining", "mined"]),
        ("The mines, mining and mined hills", '"mining"', "en", ["mining"]),
        (
            "Mothers of the disappeared, again",
            '"mothers of the disappeared"',
            "en",
            ["Mothers of the disappeared"],
        ),
        ("Mothers of the disappeared, again", "mothers disappeared", "en", ["Mothers", "disappeared"]),
        ("IM-Defensoras support the caravan", "IM-Defensoras", "es", ["IM-Defensoras"]),
        ("La acción y las acciones", "accion", "es", ["acción", "acciones"]),
        ("Nothing here", "radio", "en", []),
    ],
)
def test_match_spans_cover_exactly_the_matched_words(
    text: str, query: str, lang: str, expected: list[str]
) -> None:
    atoms = parse_query(query).positive_words
    assert spans_text(text, match_spans(text, atoms, lang)) == expected


def test_highlight_gives_title_and_snippet_spans(archive: Archive) -> None:
    raw = dict(archive.select())[4]
    found = highlight(parse_query("defensora olancho"), raw)
    assert found.title.text == raw["title"]
    assert spans_text(found.title.text, found.title.spans) == ["defensoras", "Olancho"]
    assert spans_text(found.snippet.text, found.snippet.spans) == ["defensora", "Olancho"]


def test_title_scope_highlights_only_the_title(archive: Archive) -> None:
    raw = dict(archive.select())[2]
    found = highlight(parse_query("title:radio"), raw)
    assert spans_text(found.title.text, found.title.spans) == ["radio"]
    assert found.snippet.spans == ()


def test_snippet_is_cut_around_the_best_match() -> None:
    filler = "The network met again to talk about the year ahead and its work. " * 6
    summary = filler + "Then the Sánchez family spoke about the río and the defensoras. " + filler
    raw = {"title": "Meeting", "summary": summary, "lang": "es"}
    found = highlight(parse_query("sanchez defensoras"), raw, width=120)
    text = found.snippet.text
    assert text.startswith("… ") and text.endswith(" …")
    assert len(text) <= 120 + 4
    assert spans_text(text, found.snippet.spans) == ["Sánchez", "defensoras"]
    assert text[2:].split()[0] in summary.split()  # cut on a word boundary


def test_snippet_keeps_a_short_summary_whole_and_flattens_lines() -> None:
    found = snippet("First line\nsecond Sánchez line", ((18, 25),))
    assert found.text == "First line second Sánchez line"
    assert spans_text(found.text, found.spans) == ["Sánchez"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.sampled_from(["Sánchez", "defensoras", "río", "mining", "Mothers", "y", "the", "ÁRBOL", "añOS"]),
        min_size=1,
        max_size=12,
    ),
    st.sampled_from([" ", ", ", " — ", "\n", "; "]),
    st.integers(min_value=0, max_value=11),
)
def test_spans_always_cover_whole_matching_words(words: list[str], sep: str, pick: int) -> None:
    text = sep.join(words)
    word = words[pick % len(words)]
    query = parse_query(f'"{word}"')
    spans = match_spans(text, query.positive_words, "es")
    expected = [w for w in words if fold(w) == fold(word)]
    assert spans_text(text, spans) == expected


# -- the derived search data ----------------------------------------------------------------------


# Where a whrd from before the SQLite index kept each bulletin's stems, inside the archive.
OLD_KEY = "_fts1"


def stored(db: Path) -> dict[str, dict[str, Any]]:
    return json.loads(db.read_text(encoding="utf-8"))["bulletins"]


def expected_index(raw: dict[str, Any]) -> str:
    return index_text(raw["title"], raw.get("summary", ""), raw.get("tags", []), raw["lang"])


def indexed(db: Path) -> dict[int, str]:
    """The index strings the SQLite index holds, by id."""
    conn = sqlite3.connect(ix.index_path(db))
    try:
        rows = conn.execute("SELECT rowid, title, summary, tags FROM fts").fetchall()
    finally:
        conn.close()
    return {doc_id: join_parts(t, s, g) for doc_id, t, s, g in rows}


def assert_indexes_fresh(db: Path) -> None:
    assert ix.is_fresh(db)
    raws = stored(db)
    assert all(OLD_KEY not in raw for raw in raws.values())  # not in the archive any more
    assert indexed(db) == {int(key): expected_index(raw) for key, raw in raws.items()}


def test_index_is_written_beside_the_archive_and_leaves_common_words_out(db: Path, run: Run) -> None:
    run.ok("add", "--title", "The Defensoras of the river", "--date", "2020-01-01", "-l", "en", "-t", "Agua")
    assert indexed(db) == {1: " defensora river |  | agua "}
    assert OLD_KEY not in stored(db)["1"]
    assert "_fts1" not in run.json("show", "1")


def test_index_stays_consistent_through_add_edit_delete_and_import(
    db: Path, run: Run, tmp_path: Path
) -> None:
    run.ok("add", "--title", "Radio station in Olancho", "--date", "2020-01-01", "-l", "en")
    run.ok("add", "--title", "Defensoras del agua", "--date", "2021-01-01", "-l", "es")
    assert_indexes_fresh(db)
    assert [item["id"] for item in run.json("search", "olancho")] == [1]

    run.ok("edit", "1", "--title", "Radio station in Intibucá", "--summary", "Mining threats.")
    assert_indexes_fresh(db)
    assert run.json("search", "olancho") == []
    assert [item["id"] for item in run.json("search", "intibuca mine")] == [1]

    run.ok("edit", "2", "--lang", "en")  # the language picks the stemmer: reindexed too
    assert_indexes_fresh(db)

    run.ok("delete", "1", "--yes")
    assert run.json("search", "radio") == []
    assert_indexes_fresh(db)

    source = tmp_path / "more.jsonl"
    records = [
        {"title": "Minería en Honduras", "date": "2022-02-02", "lang": "es", "summary": "Amenazas."},
        {"title": "Mining in Honduras", "date": "2022-02-03", "lang": "en", "tags": ["WHRDAlert"]},
    ]
    source.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    run.ok("import", str(source))
    assert_indexes_fresh(db)
    assert sorted(item["id"] for item in run.json("search", "mineria OR mining")) == [3, 4]
    assert [item["id"] for item in run.json("search", "tag:WHRDAlert")] == [4]


def rewrite(db: Path, change: Callable[[dict[str, Any]], object]) -> None:
    """Edit every stored bulletin behind the store's back, as an older whrd or a person might."""
    data = json.loads(db.read_text(encoding="utf-8"))
    for raw in data["bulletins"].values():
        change(raw)
    db.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")


def _old_whrd(raw: dict[str, Any]) -> None:
    """What a whrd from before the SQLite index stored in each bulletin."""
    raw[OLD_KEY] = expected_index(raw)


@pytest.mark.parametrize(
    "damage",
    [
        lambda db: ix.index_path(db).unlink(),  # no index (an archive from an older whrd)
        lambda db: rewrite(db, _old_whrd),  # an older whrd's archive: search data inside it
        lambda db: rewrite(db, lambda raw: raw.update({OLD_KEY: 12})),  # not ours
        lambda db: rewrite(db, lambda raw: None),  # rewritten by hand: the index is stale
        lambda db: ix.index_path(db).write_bytes(b"not a database" * 100),  # corrupt
    ],
)
def test_a_missing_or_stale_index_is_rebuilt_and_reindex_rebuilds_it(
    archive: Archive, db: Path, run: Run, damage: Any
) -> None:
    queries = ["defensora", "mining OR minería", '"community radio"', "title:radio -country:SV", "radio"]
    before = {q: run.json("search", q) for q in queries}
    damage(db)
    assert not ix.is_fresh(db)
    assert {q: run.json("search", q) for q in queries} == before
    assert ix.is_fresh(db)

    done = run.ok("reindex")
    assert done.stderr == f"Reindexed {len(CORPUS)} bulletins.\n"
    assert_indexes_fresh(db)
    assert {q: run.json("search", q) for q in queries} == before


def test_search_in_memory_indexes_stored_dicts_on_the_fly(archive: Archive, db: Path) -> None:
    result = search(Archive(db).select(), parse_query("radio"))
    assert result.unindexed == len(CORPUS)
    assert {hit.id for hit in result.hits} == {2, 6, 8, 11}
    # Stems an older whrd left in the archive were folded by an older rule: never read.
    rewrite(db, lambda raw: raw.update({OLD_KEY: " radio |  |  "}))
    again = search(Archive(db).select(), parse_query("radio"))
    assert again.unindexed == len(CORPUS)
    assert [(hit.id, hit.score) for hit in again.hits] == [(hit.id, hit.score) for hit in result.hits]


def test_reindex_changes_no_bulletin(archive: Archive, db: Path, run: Run) -> None:
    before = run.json("list", "--private")
    rewrite(db, _old_whrd)
    run.ok("reindex")
    assert run.json("list", "--private") == before
    assert all(OLD_KEY not in raw for raw in stored(db).values())
    assert Path(f"{db}.bak").exists()


def test_reindex_of_a_missing_archive_creates_nothing(db: Path, run: Run) -> None:
    result = run.ok("reindex")
    assert "does not exist yet" in result.stderr
    assert not db.exists()
    assert list(db.parent.iterdir()) == []


def test_the_hint_when_search_cannot_build_the_index(db: Path, run: Run) -> None:
    """The hint costs a line on stderr: shown from 1,000 bulletins indexed on the fly, not below."""
    Archive(db).add_many([bulletin("en", "2020-01-01", f"Radio bulletin {n}") for n in range(999)])
    assert "index" not in run.ok("search", "radio").stderr  # the index is built by this search
    ix.index_path(db).unlink()
    db.chmod(0o400)  # read-only: searched in memory, nothing written
    few = run.ok("search", "radio")
    assert few.stderr == "" and few.stdout.count("\n") == 999
    db.chmod(0o600)
    Archive(db).add(bulletin("en", "2020-01-02", "Radio bulletin 999"))  # no follower: still no index
    db.chmod(0o400)
    result = run.ok("search", "radio")
    assert result.stderr == (
        "The search index beside the archive could not be built (read-only, or another whrd is "
        "writing), so 1000 bulletins were indexed on the fly and this search was slower.\n"
    )
    assert result.stdout.count("\n") == 1000
    assert not ix.index_path(db).exists()


@pytest.mark.parametrize(("lang", "name"), [("en", "english"), ("es", "spanish")])
def test_stemmers_are_snowballs_own(lang: str, name: str) -> None:
    import snowballstemmer

    reference = snowballstemmer.stemmer(name)
    vocabulary = {fold(word) for row in CORPUS for word in words(row[2] + " " + row[3])}
    vocabulary |= {"mining", "defensoras", "criminalización", "comunidades", "threatened", "años"}
    loaded = _snowball(name)  # the privately imported stemmer (whrd's Spanish rule sits on top)
    assert {w: loaded.stemWord(w) for w in vocabulary} == {w: reference.stemWord(w) for w in vocabulary}
    if lang == "en":
        assert {w: stemmer(lang)(w) for w in vocabulary} == {w: reference.stemWord(w) for w in vocabulary}


def test_importing_search_does_not_import_the_stemmers() -> None:
    modules = ("text", "query", "rank", "highlight", "index", "index_corpus", "service")
    code = (
        "import importlib, sys\n"
        f"for name in {modules!r}:\n"
        "    importlib.import_module('whrd_cli.search.' + name)\n"
        "print(sorted(m for m in sys.modules if 'snowball' in m or m == 'sqlite3'))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# -- bad queries ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("", "The query is empty: give words to search for, e.g. whrd search mining."),
        ("   ", "The query is empty: give words to search for, e.g. whrd search mining."),
        ('"unbalanced', "Unbalanced quote in the query '\"unbalanced': close the phrase with a second \"."),
        (
            'radio "community',
            "Unbalanced quote in the query 'radio \"community': close the phrase with a second \".",
        ),
        ('radio ""', "The phrase '\"\"' is empty: put words between the quotes."),
        ("OR radio", 'OR needs a word on each side, as in "mining OR minería".'),
        ("radio OR", 'OR needs a word on each side, as in "mining OR minería".'),
        ("radio OR OR tv", 'OR needs a word on each side, as in "mining OR minería".'),
        (
            "-radio -tv",
            "The query '-radio -tv' only excludes words; add a word to search for, "
            'as in "mothers -disappeared".',
        ),
        (
            "radio OR -tv",
            "An excluded word cannot be part of an OR ('radio OR -tv'); exclude it on its own, "
            'as in "mining -coal".',
        ),
        ("title:", "title: needs a word after it, as in title:mining."),
        ("radio country:", "country: needs a word after it, as in country:honduras."),
        ("tag:#", "tag: needs a tag after it, as in tag:WHRDAlert."),
        ('title:"!!"', "'title:\"!!\"' has no words to search for."),
        ("!!! ---", "The query '!!! ---' has no words to search for."),
        (
            "the of",
            "The query 'the of' has only very common words, which are not indexed; "
            "quote them to find them as written: '\"the of\"'.",
        ),
    ],
)
def test_bad_queries_are_one_clear_error(run: Run, query: str, message: str) -> None:
    with pytest.raises(QueryError) as caught:
        parse_query(query)
    assert caught.value.message == message
    result = run("search", "--", query)  # validated before the archive is even opened
    assert result.exit_code == 1
    assert result.stderr == f"Error: {message}\n"
    assert result.stdout == ""


def test_an_unknown_country_scope_is_a_country_error(run: Run) -> None:
    with pytest.raises(CountryError):
        parse_query("country:Hondura radio")
    result = run("search", "country:Hondura radio")
    assert result.exit_code == 1
    assert result.stderr == "Error: Unknown country 'Hondura'. Did you mean: Honduras?\n"


def test_or_is_an_operator_in_any_case(archive: Archive) -> None:
    either = ids(archive, "sanchez OR olancho")  # issue 12: lower-case `or` means OR too
    assert either and ids(archive, "sanchez or olancho") == either
    assert set(ids(archive, '"or"')) == set()


def test_hostile_text_is_just_text(archive: Archive, run: Run) -> None:
    for query in [
        "[bold]radio[/bold]",
        "radio.*",
        "(radio)",
        "radio\\",
        "radio|tv",
        "%radio%",
        "radio' OR 1=1",
    ]:
        result = run("search", "--", query)
        assert result.exit_code in (0, 1), (query, result.stderr)
        assert "internal error" not in result.stderr


# -- the command ----------------------------------------------------------------------------------


def test_pipe_output_is_one_tab_separated_line_per_result(archive: Archive, run: Run) -> None:
    out = run.ok("search", "radio").stdout
    lines = out.splitlines()
    assert len(lines) == 4
    # bm25() weighs each language's stem by its own rarity: `radi`, the Spanish stem, is in one
    # bulletin, so the Spanish title ranks first (the Python BM25F put 8 first; see test_search_rank).
    assert lines[0] == "6\t2021-03-08\t\tSV\tRadio comunitaria cumple diez años"
    assert run.ok("search", "radio", "--limit", "1").stdout.count("\n") == 1


def test_json_is_list_json_plus_score(archive: Archive, run: Run) -> None:
    found = run.json("search", "sanchez")
    listed = {item["id"]: item for item in run.json("list")}
    assert len(found) == 1
    item = found[0]
    score = item.pop("score")
    assert item == listed[3]
    assert score > 0
    assert "private" not in item
    assert "private" in run.json("search", "sanchez", "--private")[0]


def test_no_match_and_missing_archive_are_not_errors(db: Path, run: Run) -> None:
    missing = run.ok("search", "radio")
    assert "does not exist yet" in missing.stderr and missing.stdout == ""
    assert run.json("search", "radio") == []
    assert not db.exists()
    run.ok("add", "--title", "Something else", "--date", "2020-01-01")
    none = run.ok("search", "radio")
    assert none.stdout == "" and none.stderr == "No bulletins match.\n"
    assert run.json("search", "radio") == []


_ESCAPE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def on_a_terminal(*args: str) -> str:
    """What `whrd ARGS` shows with its stdout on a (pseudo-)terminal, as a person runs it; styles
    removed. A real terminal, not a patched check: the command decides by itself."""
    import pty

    leader, follower = pty.openpty()
    child = subprocess.Popen(
        [sys.executable, "-m", "whrd_cli", *args], stdout=follower, stderr=subprocess.PIPE, env=os.environ
    )
    os.close(follower)
    shown = bytearray()
    while True:
        try:
            chunk = os.read(leader, 1 << 16)
        except OSError:  # EIO: the command has exited and closed the terminal
            break
        if not chunk:
            break
        shown += chunk
    os.close(leader)
    _out, err = child.communicate()
    assert child.returncode == 0, err.decode()
    return _ESCAPE.sub("", shown.decode().replace("\r\n", "\n"))


def test_terminal_shows_the_best_twenty_with_a_footer(db: Path) -> None:
    Archive(db).add_many(
        [bulletin("en", f"2020-01-{day:02d}", f"Radio bulletin {day}", "Radio news.") for day in range(1, 26)]
    )
    out = on_a_terminal("search", "radio")
    assert "Showing the 20 best of 25 matching bulletins; 5 more with --limit N or --all." in out
    assert out.count("Radio bulletin") == 20
    assert "Radio bulletin 25" in out and "Radio bulletin 5 " not in out
    every = on_a_terminal("search", "radio", "--all")
    assert every.count("Radio bulletin") == 25 and "25 matching bulletins." in every
    assert on_a_terminal("search", "radio", "--limit", "3").count("Radio bulletin") == 3


def test_terminal_table_shows_user_text_as_written(db: Path, run: Run) -> None:
    run.ok(
        "add", "--title", "[bold]Radio[/b] #WHRDAlert", "--date", "2020-01-01", "-s", "A [red]radio[/red]."
    )
    out = on_a_terminal("search", "radio")
    assert "[bold]Radio[/b] #WHRDAlert" in out
    assert "A [red]radio[/red]." in out
    assert "1 matching bulletin." in out


def test_table_highlights_the_spans(archive: Archive) -> None:
    from rich.text import Text

    from whrd_cli.records import Entry, to_bulletin
    from whrd_cli.render import search_table

    raw = dict(archive.select())[3]
    table = search_table([(Entry(3, to_bulletin(raw)), highlight(parse_query("sanchez"), raw))])
    cell = next(iter(table.columns[-1].cells))
    assert isinstance(cell, Text)
    marked = [cell.plain[span.start : span.end] for span in cell.spans if span.style == "whrd.match"]
    assert marked == ["Sánchez", "Sánchez"]


def test_a_dash_word_on_the_command_line_is_query_text(archive: Archive, run: Run) -> None:
    # Unquoted, quoted or after --: the same exclusion, the same one bulletin.
    assert [item["id"] for item in run.json("search", "mothers", "-disappeared")] == [10]
    assert [item["id"] for item in run.json("search", "-disappeared mothers")] == [10]
    found = json.loads(run.ok("search", "--json", "--", "mothers", "-disappeared").stdout)
    assert [item["id"] for item in found] == [10]
    assert [item["id"] for item in run.json("search", "mothers -disappeared")] == [10]
