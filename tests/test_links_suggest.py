"""`whrd link --suggest` (issue 17): measured on a held-out set written by hand (links_pairs.py)
and on the sample listings in data/, whose pairs are listed here by title (the oracle)."""

from __future__ import annotations

import datetime
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import DATA, Run
from links_pairs import DECOYS, PAIRS
from whrd_cli.links_suggest import DEFAULT_MIN, SHOWN, suggest

LISTINGS = [str(DATA / name) for name in ("listing-en.txt", "listing-es.txt", "pairs-en.txt", "pairs-es.txt")]
# The EN/ES pairs of the sample listings, by the start of their English and Spanish titles.
SAMPLE_PAIRS = {
    ("Community radio", "La radio comunitaria"),
    ("Ten years of attacks", "Diez años de agresiones"),
    ("Berta, Margarita and Juana", "Berta, Margarita y Juana"),
    ("#DefendingDefenders", "#DefendamosALasDefensoras"),
    ("“We defend the forest", "“Defendemos el bosque"),
    ("Garifuna defender Aurelia Colón", "Detienen a la defensora garífuna"),
    ("Aurelia Colón taken to court", "Aurelia Colón ante un juzgado"),
    ("Aurelia Colón released", "Liberan a Aurelia Colón"),
}


def held_out() -> tuple[dict[str, dict[str, Any]], set[tuple[int, int]]]:
    bulletins: dict[str, dict[str, Any]] = {}

    def put(date: str, lang: str, category: str, countries: str, title: str, summary: str) -> int:
        doc_id = len(bulletins) + 1
        bulletins[str(doc_id)] = {
            "title": title,
            "date": date,
            "category": category,
            "countries": countries.split(","),
            "summary": summary,
            "lang": lang,
            "uid": f"uid{doc_id}",
        }
        return doc_id

    truth = set()
    for date, later, category, countries, en_title, en_summary, es_title, es_summary in PAIRS:
        en = put(date, "en", category, countries, en_title, en_summary)
        day = (datetime.date.fromisoformat(date) + datetime.timedelta(days=later)).isoformat()
        truth.add((en, put(day, "es", category, countries, es_title, es_summary)))
    for date, lang, category, countries, title, summary in DECOYS:
        put(date, lang, category, countries, title, summary)
    return bulletins, truth


def test_the_held_out_set_is_big_enough() -> None:
    assert len(PAIRS) >= 40 and len(DECOYS) >= 15


def test_held_out_no_false_pair_and_recall() -> None:
    bulletins, truth = held_out()
    found = {(p.first, p.second): p.confidence for p in suggest(bulletins)}
    assert set(found) <= truth, "a false pair was suggested"  # none at all, even at SHOWN
    assert len(found) == len(truth)  # every pair shown (recall 1.0 at SHOWN)
    sure = {pair for pair, confidence in found.items() if confidence >= DEFAULT_MIN}
    assert len(sure) / len(truth) >= 0.85  # measured 0.88: --yes links these


def test_a_decoy_alone_is_never_paired() -> None:
    bulletins, _truth = held_out()
    decoys = {key for key, raw in bulletins.items() if int(key) > 2 * len(PAIRS)}
    for pair in suggest(bulletins, floor=0):
        assert (str(pair.first) not in decoys and str(pair.second) not in decoys) or pair.confidence < SHOWN


def titles(run: Run) -> set[tuple[str, str]]:
    rows = run.json("link", "--suggest")
    found = set()
    for row in rows:
        en, es = row["titles"] if row["langs"] == ["en", "es"] else row["titles"][::-1]
        found.add(next((a, b) for a, b in SAMPLE_PAIRS if en.startswith(a) and es.startswith(b)))
    return found


def test_the_sample_listings_pairs_and_no_other(run: Run, db: Path) -> None:
    result = run.ok("import", *LISTINGS)
    assert "8 likely translation pairs among the bulletins imported" in result.stderr
    rows = run.json("link", "--suggest")
    assert len(rows) == len(SAMPLE_PAIRS)
    assert titles(run) == SAMPLE_PAIRS
    result = run.ok("link", "--suggest", "--yes")
    assert "Linked: bulletins" in result.stderr
    archive = json.loads(db.read_text(encoding="utf-8"))["bulletins"]
    linked = [raw for raw in archive.values() if raw.get("links")]
    assert len(linked) == 2 * sum(row["confidence"] >= DEFAULT_MIN for row in rows) == 16
    assert run.json("link", "--suggest") == []  # linked pairs are not suggested again


def test_import_asks_on_a_terminal(run: Run, db: Path, stdin_terminal: None) -> None:
    result = run("import", *LISTINGS[2:], input="y\n")
    assert result.exit_code == 0
    assert "Link 2 pairs as versions of one bulletin?" in result.stderr
    archive = json.loads(db.read_text(encoding="utf-8"))["bulletins"]
    assert sum(1 for raw in archive.values() if raw.get("links")) == 4


def test_no_pairs_and_bad_min(run: Run, db: Path) -> None:
    run.ok("import", LISTINGS[0])
    assert "No likely translation pairs" in run.ok("link", "--suggest").stderr
    result = run("link", "--suggest", "--min", "101")
    assert result.exit_code == 1 and "--min must be a confidence from 0 to 100, not 101." in result.stderr


def test_suggest_in_spanish(run: Run, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    run.ok("import", *LISTINGS[2:])
    monkeypatch.setenv("WHRD_LANG", "es")
    result = run.ok("link", "--suggest")
    assert "Confianza" in result.stdout
    assert "2 pares con 70 o más" in result.stderr
