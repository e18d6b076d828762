"""The benchmark suite still works: a deterministic, valid corpus, and a runner that runs end to end.

No timing is asserted here; timings belong to `python bench/run.py`, not to tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import subprocess
import sys
import unicodedata
from pathlib import Path
from types import ModuleType

import pytest

from whrd_cli.model import FIELDS, Bulletin

BENCH = Path(__file__).resolve().parents[1] / "bench"


def _generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_generator_is_deterministic_and_prefix_stable(tmp_path: Path) -> None:
    generate = _generate()
    first = generate.write_corpus(tmp_path / "a.jsonl", 50, seed=3)
    second = generate.write_corpus(tmp_path / "b.jsonl", 50, seed=3)
    smaller = generate.write_corpus(tmp_path / "c.jsonl", 20, seed=3)
    other_seed = generate.write_corpus(tmp_path / "d.jsonl", 50, seed=4)
    assert first.read_bytes() == second.read_bytes()
    assert first.read_text().splitlines()[:20] == smaller.read_text().splitlines()
    assert first.read_bytes() != other_seed.read_bytes()


def test_generated_bulletins_are_valid_and_already_normalised(tmp_path: Path) -> None:
    generate = _generate()
    path = generate.write_corpus(tmp_path / "corpus.jsonl", 50)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(records) == 50
    expected_keys = [name for name in FIELDS if name not in ("added", "updated", "uid", "rev")]
    keys = set()
    for record in records:
        assert list(record) == expected_keys  # the fields `whrd list --json --private` prints
        bulletin = Bulletin.from_dict(record)
        stored = bulletin.to_dict()
        del stored["added"], stored["updated"], stored["uid"], stored["rev"]
        assert stored == record  # nothing for whrd to normalise: the corpus is what the archive holds
        assert 40 <= len(record["summary"].split()) <= 90
        keys.add(bulletin.key)
    assert len(keys) == 50  # no duplicates for import to skip
    assert {r["lang"] for r in records} == {"en", "es"}
    assert len({c for r in records for c in r["countries"]}) >= 4
    assert len({r["category"] for r in records}) >= 4


def _words(text: str) -> set[str]:
    """The oracle's own words: NFKD, accents dropped, case folded, split on non-letters."""
    plain = "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
    return set(re.findall(r"[^\W_]+", plain.casefold()))


# What a network writes most, each language's own (issue 14): in 50-80 % of its bulletins.
COMMON_WORDS = {
    "en": ("defenders", "community", "territory", "rights"),
    "es": ("defensoras", "comunidad", "territorio", "derechos"),
}


def test_common_words_are_in_most_bulletins_and_the_tail_is_long(tmp_path: Path) -> None:
    """Counted on a generated corpus with the test's own tokenizer, not the generator's bookkeeping."""
    generate = _generate()
    path = generate.write_corpus(tmp_path / "corpus.jsonl", 3000)
    records = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    per_lang = {lang: [r for r in records if r["lang"] == lang] for lang in COMMON_WORDS}
    assert all(len(rs) > 1000 for rs in per_lang.values())
    for lang, words in COMMON_WORDS.items():
        texts = [_words(r["title"] + " " + r["summary"]) for r in per_lang[lang]]
        for word in words:
            share = sum(word in t for t in texts) / len(texts)
            assert 0.5 <= share <= 0.8, (lang, word, share)
    assert {lang: tuple(words) for lang, words in generate.COMMON.items()} == COMMON_WORDS
    # The long tail: most distinct words are rare, and the benchmark's rare word is in a handful.
    counts: dict[str, int] = {}
    for record in records:
        for word in _words(record["title"] + " " + record["summary"]):
            counts[word] = counts.get(word, 0) + 1
    rare = [w for w, n in counts.items() if n <= 3]
    assert len(rare) > 500, len(rare)  # hundreds of names in no more than 3 bulletins of 3,000
    assert 1 <= counts.get(generate.RARE_WORD, 0) <= 0.005 * len(records)
    # The generator's own counts agree with the oracle's (what the benchmark report quotes).
    df = generate.document_frequencies(path, ["defensoras", generate.RARE_WORD])
    in_es = sum("defensoras" in _words(r["title"] + " " + r["summary"]) for r in per_lang["es"])
    assert df["terms"]["defensoras"] == {"all": counts["defensoras"], "es": in_es}
    assert df["terms"][generate.RARE_WORD]["all"] == counts[generate.RARE_WORD]


def test_runner_runs_end_to_end_on_a_tiny_corpus(tmp_path: Path) -> None:
    out = tmp_path / "latest.md"
    done = subprocess.run(
        [
            sys.executable,
            str(BENCH / "run.py"),
            "--sizes",
            "40",
            "--runs",
            "1",
            "--warmup",
            "0",
            "--workdir",
            str(tmp_path / "work"),
            "--output",
            str(out),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    table = out.read_text(encoding="utf-8")
    assert table.strip() == done.stdout.strip()
    for row in (
        "| python -c pass |",
        "| floor app (",
        "| floor app on this archive",
        "| whrd --help |",
        "| whrd list --country Honduras |",
        "| whrd search defensoras --limit 20 |",
        "| whrd search defensoras OR defenders --limit 20 |",
        "| whrd search defensoras --country Honduras --since 2020 --limit 20 |",
        "| `whrd search defensoras --limit 20` | defensoras: ",
    ):
        assert row in table
    assert "| error" not in table, table  # a command that exists must not fail on the corpus
    assert (tmp_path / "latest.json").exists()


def _floor_args(monkeypatch: pytest.MonkeyPatch) -> tuple[str, ...]:
    """The options `bench/run.py` gives the floor apps."""
    monkeypatch.syspath_prepend(str(BENCH))  # run.py imports generate as a sibling script
    spec = importlib.util.spec_from_file_location("bench_run", BENCH / "run.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    monkeypatch.setitem(sys.modules, spec.name, module)
    spec.loader.exec_module(module)
    return tuple(module.FLOOR_ARGS)


FLOOR_DB = {
    "bulletins": {
        "1": {"title": "First bulletin", "date": "2019-02-14", "category": "news", "countries": ["HN", "SV"]},
        "2": {"title": "Second bulletin", "date": "2020-01-01"},
    },
    "meta": {"1": {"app": "whrd", "schema": 1}},
}


@pytest.mark.parametrize("app", ["floor_app.py", "floor_click.py"])
def test_the_floor_apps_run_a_real_command(app: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """As run.py invokes them: options parsed, the archive's first bulletin printed as a Rich table row."""
    if app == "floor_click.py" and importlib.util.find_spec("click") is None:
        pytest.skip("plain Click is not installed (run.py shows this floor as n/a then)")
    db = tmp_path / "floor.json"
    db.write_text(json.dumps(FLOOR_DB), encoding="utf-8")
    args = _floor_args(monkeypatch)
    assert args == ("--limit", "1")
    env = {**os.environ, "COLUMNS": "100", "NO_COLOR": "1", "TERM": "dumb"}
    done = subprocess.run(
        [sys.executable, str(BENCH / app), str(db), *args],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    )
    rows = [line.strip("│┃ ").split() for line in done.stdout.splitlines() if line.startswith(("│", "┃"))]
    rows = [[cell for cell in row if cell not in ("│", "┃")] for row in rows]
    assert rows == [
        ["ID", "Date", "Category", "Countries", "Title"],
        ["1", "2019-02-14", "news", "HN,SV", "First", "bulletin"],
    ]
    refused = subprocess.run(
        [sys.executable, str(BENCH / app), str(db), "--limit", "0"], capture_output=True, text=True, env=env
    )
    assert refused.returncode == 2 and "--limit" in refused.stderr
