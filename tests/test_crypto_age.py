"""Recovery without whrd (issue 16): the standard `age` tool opens an encrypted archive with its
identity file and passphrase, `age -d -i ARCHIVE.key.age ARCHIVE`. age asks for the identity
file's passphrase on the terminal, so it runs under a pseudo-terminal here (stdlib `pty`)."""

from __future__ import annotations

import json
import os
import shutil
import sys
import time
from pathlib import Path

import pytest

from test_crypto import NOTE, PASS, TITLE, _encrypted

AGE = shutil.which("age")


def _age_on_a_terminal(args: list[str], answer: str, timeout: float = 60.0) -> tuple[int, str]:
    """Run `age` with a pty as its terminal, type `answer` when it asks; (exit status, what it said)."""
    return _on_a_terminal([AGE or "age", *args], answer, timeout)


def _on_a_terminal(
    argv: list[str], answer: str, timeout: float = 60.0, env: dict[str, str] | None = None
) -> tuple[int, str]:
    """Run `argv` with a pty as its terminal, type `answer` when it asks for a passphrase."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:  # the child, whose /dev/tty is the pty
        try:
            if env is None:
                os.execv(argv[0], argv)
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    said = b""
    answered = False
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            try:
                piece = os.read(fd, 1024)
            except OSError:  # the child closed the terminal
                break
            if not piece:
                break
            said += piece
            if not answered and b"assphrase" in said:
                os.write(fd, answer.encode() + b"\r")
                answered = True
    finally:
        os.close(fd)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), said.decode(errors="replace")


@pytest.mark.skipif(AGE is None, reason="the age command-line tool is not installed (apt-get install age)")
def test_the_age_tool_recovers_the_archive(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    _encrypted(db, None)
    out = tmp_path / "recovered.json"
    key = db.with_name("archive.json.key.age")
    code, said = _age_on_a_terminal(["-d", "-i", str(key), "-o", str(out), str(db)], PASS)
    assert code == 0, said
    recovered = json.loads(out.read_bytes())
    assert {b["title"] for b in recovered["bulletins"].values()} == {TITLE, "Second bulletin"}
    assert NOTE in {b.get("private") for b in recovered["bulletins"].values()}
    bad, _said = _age_on_a_terminal(["-d", "-i", str(key), "-o", str(tmp_path / "no.json"), str(db)], "wrong")
    assert bad != 0


def test_a_locked_archive_asks_for_the_passphrase_on_a_terminal(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    argv = [sys.executable, "-m", "whrd_cli", "--db", str(db), "list"]
    code, said = _on_a_terminal(argv, PASS, env=whrd.env)
    assert code == 0 and TITLE in said and PASS not in said  # no echo of the passphrase
    code, said = _on_a_terminal(argv, "wrong", env=whrd.env)
    assert code == 4 and "Wrong passphrase" in said
