"""How a new user meets whrd (issue 12, item 22): bare `whrd`, `whrd help`, the top-level help's
order, `--db` after the command, and Ctrl-C at a prompt on a real pseudo-terminal."""

from __future__ import annotations

import os
import pty
import select
import signal
import sys
import time
from collections.abc import Callable
from pathlib import Path

from tests.conftest import Run

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


def _on_a_terminal(args: list[str], keys: bytes, env: dict[str, str], wait_for: bytes) -> tuple[int, bytes]:
    """Run whrd on a pseudo-terminal (its controlling terminal, as a shell would), type `keys` once
    `wait_for` shows, and return (exit code, screen). ^C on a terminal is SIGINT, sent by the pty."""
    pid, leader = pty.fork()
    if pid == 0:  # the child: whrd itself
        os.execve(sys.executable, [sys.executable, "-m", "whrd_cli", *args], env)
    screen = b""
    typed_at = 0.0
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        ready, _, _ = select.select([leader], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # the child closed the terminal
                break
            if not chunk:
                break
            screen += chunk
        # Typed when the prompt shows, and again each second it is still there: on a loaded
        # machine the prompt can print before the terminal is read, and the first keys be lost.
        if wait_for in screen and time.monotonic() - typed_at > 1.0:
            os.write(leader, keys)
            typed_at = time.monotonic()
    done, status = os.waitpid(pid, os.WNOHANG)
    if not done:  # never a test that hangs: whatever it was waiting for, it failed
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
    os.close(leader)
    return os.waitstatus_to_exitcode(status), screen


def test_ctrl_c_at_a_prompt_exits_130_without_error(tmp_path: Path, add: Callable[..., int]) -> None:
    env = {**os.environ, "PYTHONPATH": SRC, "WHRD_DB": str(tmp_path / "t.json"), "TERM": "dumb"}
    code, screen = _on_a_terminal(["add"], b"\x03", env, wait_for=b"Title")
    assert code == 130, screen
    assert b"Error" not in screen and b"Aborted." in screen
    assert not (tmp_path / "t.json").exists()
