"""A hand-edited archive holding terminal escape sequences: nothing whrd prints or exports carries
a control character from a field (issue 12, item 11), and another user's archive is never taken
over (item 3), whatever its permission bits."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from tests.conftest import Run

# Anything that drives a terminal: C0 and C1 controls (tab and newline aside), DEL, line and
# paragraph separators, bidirectional overrides and isolates.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")
EVIL_TITLE = "Evil \x1b]0;pwned\x07\x1b[2J title"
EVIL_URL = "https://example.org/\x1b[31mred"
EVIL_SUMMARY = "Before \u202eesrever\u202c and \x9b31m after"


@pytest.fixture
def evil(run: Run, db: Path) -> Path:
    run.ok("add", "--title", "Evil placeholder", "--date", "2020-01-01", "-l", "en", "-c", "HN")
    data = json.loads(db.read_text(encoding="utf-8"))
    record = data["bulletins"]["1"]
    record.update(title=EVIL_TITLE, url=EVIL_URL, summary=EVIL_SUMMARY, tags=["ok", "bad\x1b[0m"])
    db.write_text(json.dumps(data), encoding="utf-8")
    return db


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--json"],
        ["show", "1"],
        ["search", "evil"],
        ["tags"],
        *(
            ["export", "-f", fmt, "-o", "-"]
            for fmt in ("md", "html", "listing", "csv", "json", "jsonl", "atom")
        ),
    ],
)
def test_no_control_character_of_a_field_is_printed(run: Run, evil: Path, args: list[str]) -> None:
    result = run(*args)
    assert result.exit_code == 0, result.stderr
    assert "Evil" in result.stdout or args == ["tags"]
    assert UNPRINTABLE.findall(result.stdout) == []


def test_list_on_a_terminal_prints_no_escape_of_a_field(evil: Path) -> None:
    """Rich's own styling uses ESC; the title's ESC must reach the terminal as a visible mark."""
    code = "import sys; from whrd_cli.__main__ import main; sys.argv = ['whrd', 'list']; main()"
    env = {**os.environ, "WHRD_DB": str(evil), "TERM": "xterm-256color", "COLUMNS": "120"}
    pid, fd = os.forkpty()
    if pid == 0:  # the child: whrd on a pseudo-terminal
        os.execve(sys.executable, [sys.executable, "-c", code], env)
    out = b""
    while True:
        try:
            chunk = os.read(fd, 65536)
        except OSError:
            break
        if not chunk:
            break
        out += chunk
    os.waitpid(pid, 0)
    text = out.decode("utf-8", "replace")
    assert "pwned" in text
    assert "\x1b]0;" not in text and "\x07" not in text and "\x1b[2J" not in text


def test_another_users_archive_is_refused_whatever_its_bits(run: Run, db: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("needs root to give the archive to another user")
    run.ok("add", "--title", "Mine", "--date", "2020-01-01", "-l", "en")
    nobody = int(subprocess.run(["id", "-u", "nobody"], capture_output=True, text=True, check=True).stdout)
    os.chown(db, nobody, -1)
    db.chmod(0o666)
    before = (db.read_bytes(), db.stat().st_ino, db.stat().st_uid)
    result = run("add", "--title", "Taken over", "--date", "2020-01-02", "-l", "en")
    assert result.exit_code == 3
    assert result.stderr == (f"Error: The archive {db} belongs to another user; whrd will not change it.\n")
    assert (db.read_bytes(), db.stat().st_ino, db.stat().st_uid) == before
