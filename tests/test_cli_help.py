"""How a new user meets whrd (issue 12, item 22): bare `whrd`, `whrd help`, the top-level help's
order, `--db` after the command, and Ctrl-C at a prompt on a real pseudo-terminal."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run
from tests.processes import on_a_terminal

SRC = str(Path(__file__).resolve().parents[1] / "src")


def test_bare_whrd_shows_the_help_on_stdout_and_exits_0(run: Run) -> None:
    result = run()
    assert result.exit_code == 0
    assert result.stdout == run.ok("--help").stdout
    assert result.stdout.startswith("Usage: whrd [OPTIONS] COMMAND [ARGS]...")


def test_whrd_help_and_help_command(run: Run) -> None:
    assert run.ok("help").stdout == run.ok("--help").stdout
    assert run.ok("help", "list").stdout == run.ok("list", "--help").stdout
    result = run("help", "frobnicate")
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: No such command 'frobnicate' (see 'whrd --help').\n",
    )


def test_top_level_help_opens_with_examples_and_ends_with_exit_codes(run: Run) -> None:
    out = run.ok("--help").stdout
    assert out.index("Examples:") < out.index("Options:") < out.index("Commands:") < out.index("Exit codes:")
    assert "  whrd list --country Honduras --since 2020\n" in out
    assert out.rstrip().endswith("130 interrupted (Ctrl-C).")


def test_db_is_accepted_after_the_command(run: Run, tmp_path: Path, db: Path) -> None:
    other = tmp_path / "other.json"
    assert run.ok("add", "--title", "Elsewhere", "--date", "2020-01-01", "--db", str(other)).stdout == "1\n"
    assert other.exists() and not db.exists()
    assert [b["title"] for b in run.json("list", "--db", str(other))] == ["Elsewhere"]
    assert run.ok("where", "--db", str(other)).stdout == f"{other}\n"
    assert run.ok("--db", str(db), "where", "--db", str(other)).stdout == f"{other}\n"  # the later wins


def test_ctrl_c_at_a_prompt_exits_130_without_error(tmp_path: Path, add: Callable[..., int]) -> None:
    env = {**os.environ, "PYTHONPATH": SRC, "WHRD_DB": str(tmp_path / "t.json"), "TERM": "dumb"}
    code, screen = on_a_terminal([sys.executable, "-m", "whrd_cli", "add"], b"\x03", env, wait_for=b"Title")
    assert code == 130, screen
    assert b"Error" not in screen and b"Aborted." in screen
    assert not (tmp_path / "t.json").exists()
