"""Exports of linked bulletins (issue 17): JSON, JSONL and CSV carry the links by uid and an
import restores them (the oracle: both archive files, compared by uid); reading exports give a
group once in the export's language, marking a version in another; Atom links the versions."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Run


def by_uid(path: Path) -> dict[str, dict[str, Any]]:
    return {raw["uid"]: raw for raw in json.loads(path.read_text(encoding="utf-8"))["bulletins"].values()}


@pytest.fixture
def linked(run: Run, add: Callable[..., int]) -> None:
    en = add("Defender detained in Cobán", "2024-02-01", "-l", "en", "-k", "alert", "-c", "GT")
    es = add("Detienen a defensora en Cobán", "2024-02-01", "-l", "es", "-k", "alert", "-c", "GT")
    up = add("Defender released in Cobán", "2024-02-09", "-l", "en", "-k", "news", "-c", "GT")
    fr = add("Défenseure libérée à Cobán", "2024-02-09", "-l", "fr", "-k", "news", "-c", "GT")
    add("Unlinked news", "2024-01-01", "-l", "en")
    run.ok("link", str(en), str(es), "--translation")
    run.ok("link", str(up), str(fr), "--translation")
    run.ok("link", str(up), "--follows", str(en), "--kind", "release", "--closes")


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_links_survive_an_export_and_import(
    run: Run, db: Path, tmp_path: Path, linked: None, fmt: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / f"out.{fmt}"
    run.ok("export", "-f", fmt, "-o", str(out))
    other = tmp_path / "other.json"
    monkeypatch.setenv("WHRD_DB", str(other))
    run.ok("import", str(out))
    before, after = by_uid(db), by_uid(other)
    assert set(before) == set(after)
    assert sum(1 for raw in after.values() if raw.get("links")) == 4
    for uid, raw in before.items():
        assert after[uid].get("links") == raw.get("links"), uid
        assert after[uid]["rev"] == raw["rev"]
    thread = run.json("thread", "1")  # ids follow the export's order: the thread is whole all the same
    assert [step["kind"] for step in thread["steps"]] == ["alert", "release"]


def test_csv_has_a_links_column_only_when_linked(run: Run, add: Callable[..., int]) -> None:
    add("Plain", "2024-01-01")
    header = run.ok("export", "-f", "csv", "-o", "-").stdout.splitlines()[0]
    assert header.endswith(",uid,rev")
    run.ok("add", "--title", "Otra", "--date", "2024-01-01", "-l", "es")
    run.ok("link", "1", "2", "--translation")
    lines = run.ok("export", "-f", "csv", "-o", "-").stdout.splitlines()
    assert lines[0].endswith(",uid,rev,links")
    assert lines[1].endswith('"{""translations"":[""' + by_uid_first(run) + '""]}"')


def by_uid_first(run: Run) -> str:
    rows = run.json("list", "--all-languages")
    return next(row["uid"] for row in rows if row["id"] == 1)


def test_the_listing_format_cannot_carry_links(
    run: Run, tmp_path: Path, linked: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "out.txt"
    run.ok("export", "-f", "listing", "-o", str(out))
    monkeypatch.setenv("WHRD_DB", str(tmp_path / "other.json"))
    run.ok("import", str(out))
    assert all("links" not in row for row in run.json("list", "--all-languages"))


def test_a_digest_gives_a_group_once_in_its_language(run: Run, linked: None) -> None:
    spanish = run.ok("export", "-f", "md", "--locale", "es", "-o", "-").stdout
    assert "Detienen a defensora en Cobán" in spanish and "Defender detained" not in spanish
    # No Spanish version of the release: its first version (English), marked as such.
    assert "Defender released in Cobán (inglés)" in spanish and "Défenseure" not in spanish
    english = run.ok("export", "-f", "md", "-o", "-").stdout
    assert "Defender detained in Cobán" in english and "Detienen" not in english
    assert "Defender released in Cobán\n" in english or "Defender released in Cobán" in english
    assert "(English)" not in english
    assert "Unlinked news" in spanish and "Unlinked news" in english


def test_atom_links_the_other_versions(run: Run, linked: None) -> None:
    feed = run.ok("export", "-f", "atom", "--base-url", "https://example.org/w/feed.atom", "-o", "-").stdout
    ns = {"a": "http://www.w3.org/2005/Atom"}
    entries = ET.fromstring(feed).findall("a:entry", ns)
    assert len(entries) == 3  # two groups once each, and the unlinked bulletin
    alternates = {
        entry.find("a:title", ns).text: [  # type: ignore[union-attr]
            (link.get("hreflang"), link.get("href")) for link in entry.findall("a:link[@hreflang]", ns)
        ]
        for entry in entries
    }
    assert alternates["Defender detained in Cobán"] == [("es", "https://example.org/w/#bulletin-2")]
    assert alternates["Defender released in Cobán"] == [("fr", "https://example.org/w/#bulletin-4")]
    assert alternates["Unlinked news"] == []


def test_an_update_from_a_listing_keeps_the_links(run: Run, db: Path, tmp_path: Path, linked: None) -> None:
    before = {uid: raw.get("links") for uid, raw in by_uid(db).items()}
    out = tmp_path / "again.txt"
    run.ok("export", "-f", "listing", "-o", str(out))
    run.ok("import", str(out), "--on-duplicate", "update")
    after = by_uid(db)
    assert {uid: after[uid].get("links") for uid in before} == before


@pytest.mark.parametrize(
    ("links", "message"),
    [
        ('{"translations": "abc"}', "The links' translations must be a list of uids"),
        ('{"follows": 5}', "The links' follows must be one uid"),
        ('{"follows": "abc", "followup": "rumour"}', "Unknown kind of follow-up 'rumour'"),
        ('{"follows": "abc", "closes": "maybe"}', "The links' closes must be true or false, not 'maybe'"),
        ('{"colour": 1}', "Unknown key in links: 'colour'"),
        ('{"translations": ["a b"]}', "The uid 'a b' is not an identifier"),
        ('"text"', "The links must be a JSON object"),
        ("[1]", "The links must be an object"),
    ],
)
def test_hostile_links_in_an_import_are_refused(
    run: Run, db: Path, tmp_path: Path, links: str, message: str
) -> None:
    path = tmp_path / "bad.jsonl"
    path.write_text(f'{{"title": "A", "date": "2024-01-01", "links": {links}}}\n', encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert message in result.stderr
    assert "Traceback" not in result.stderr
    assert not db.exists()


def test_a_bad_links_cell_in_csv_is_refused(run: Run, db: Path, tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("title,date,links\nA,2024-01-01,{not json\n", encoding="utf-8")
    result = run("import", str(path))
    assert result.exit_code == 1
    assert "The links must be a JSON object such as" in result.stderr
    assert not db.exists()


def test_a_digest_groups_a_thread_under_its_first_alert(run: Run, linked: None) -> None:
    english = run.ok("export", "-f", "md", "--group-by", "thread", "-o", "-").stdout
    headings = [line for line in english.splitlines() if line.startswith("#")]
    assert headings == [
        "# WHRD bulletins",
        "## Defender detained in Cobán (2)",
        "### Defender released in Cobán",
        "### Defender detained in Cobán",
        "## Unlinked news",
    ]
    # In Spanish the thread recorded on the English versions holds for the Spanish one shown.
    spanish = run.ok("export", "-f", "md", "--group-by", "hilo", "--locale", "es", "-o", "-").stdout
    assert "## Detienen a defensora en Cobán (2)" in spanish.splitlines()
