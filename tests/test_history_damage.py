"""A history or journal damaged by hand (issue 15): every command that meets it gives one clear
line and exit 3 (the archive's problem, not a bug), writes nothing, and `doctor` names it.
The damages are written here with json; the oracle is the exit code, the message and the bytes."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run

Damage = Callable[[dict[str, Any]], None]


def _entry(data: dict[str, Any]) -> dict[str, Any]:
    return next(iter(data["history"].values()))


DAMAGES: dict[str, Damage] = {
    "garbled tree": lambda d: _entry(d).update(tree=[[1, None, "garbage"]]),
    "tree not a list": lambda d: _entry(d).update(tree="x"),
    "body not an object": lambda d: _entry(d)["bodies"].update({next(iter(_entry(d)["bodies"])): "x"}),
    "entry null": lambda d: d["history"].update({next(iter(d["history"])): None}),
    "history a list": lambda d: d.update(history=[]),
    "journal a string": lambda d: d.update(journal="x"),
    "argv null": lambda d: next(iter(d["journal"].values())).update(argv=None),
    "rev not a revision": lambda d: d["bulletins"]["1"].update(rev="zz"),
    "rev unknown to its tree": lambda d: d["bulletins"]["1"].update(rev="9-" + "a" * 32),
}
COMMANDS = [
    ("history", "1"),
    ("edit", "1", "--add-tag", "zz"),
    ("restore", "1", "1-", "--yes"),
    ("undo", "--list"),
    ("undo", "--yes"),
    ("purge", "--history", "--before", "2090-01-01", "--yes"),
]


@pytest.fixture
def damaged(run: Run, db: Path, request: pytest.FixtureRequest) -> bytes:
    run.ok("add", "--title", "Uno", "--date", "2024-01-01", "-l", "es")
    run.ok("edit", "1", "--title", "Uno, corregido")
    data = json.loads(db.read_text(encoding="utf-8"))
    DAMAGES[request.param](data)
    db.write_text(json.dumps(data), encoding="utf-8")
    return db.read_bytes()


@pytest.mark.parametrize("damaged", sorted(DAMAGES), indirect=True)
def test_a_damaged_history_is_one_clear_error_everywhere(run: Run, db: Path, damaged: bytes) -> None:
    for args in COMMANDS:
        db.write_bytes(damaged)  # each command meets the damage as it was made
        result = run(*args)
        if result.exit_code == 0:  # a command the damage does not concern worked normally
            continue
        assert result.exit_code in (1, 3), (args, result.exit_code, result.stderr)
        assert "internal error" not in result.stderr and "Traceback" not in result.stderr, args
        assert len(result.stderr.strip().splitlines()) == 1, (args, result.stderr)
        assert db.read_bytes() == damaged, args  # nothing written
    report = json.loads(run("doctor", "--json").stdout)
    assert report["exit_code"] in (1, 3)
    kinds = {f["kind"] for check in report["checks"] for f in check["findings"]}
    assert kinds & {"damaged-history", "bad-rev", "broken-chain"}, kinds
