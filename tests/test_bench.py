"""The benchmark suite still works: a deterministic, valid corpus, and a runner that runs end to end.

No timing is asserted here; timings belong to `python bench/run.py`, not to tests.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
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
    expected_keys = [name for name in FIELDS if name not in ("added", "updated")]
    keys = set()
    for record in records:
        assert list(record) == expected_keys  # the fields `whrd list --json --private` prints
        bulletin = Bulletin.from_dict(record)
        stored = bulletin.to_dict()
        del stored["added"], stored["updated"]
        assert stored == record  # nothing for whrd to normalise: the corpus is what the archive holds
        assert 40 <= len(record["summary"].split()) <= 90
        keys.add(bulletin.key)
    assert len(keys) == 50  # no duplicates for import to skip
    assert {r["lang"] for r in records} == {"en", "es"}
    assert len({c for r in records for c in r["countries"]}) >= 4
    assert len({r["category"] for r in records}) >= 4


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
