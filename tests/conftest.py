"""Shared fixtures: every test gets its own archive path, a fixed 'today', and a CLI runner."""

from __future__ import annotations

import json
import shutil
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from whrd_cli.cli import app

pytest_plugins = ["couch_server"]  # the `couch_server` fixture: a real CouchDB-protocol server (sync)

TODAY = "2024-06-15"
SEED = Path(__file__).resolve().parents[2] / "shared" / "seed" / "000_7215ffe9839bf03f.txt"
DATA = Path(__file__).resolve().parents[1] / "data"


@pytest.fixture(autouse=True)
def _isolated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    db = tmp_path / "archive.json"
    monkeypatch.setenv("WHRD_DB", str(db))
    monkeypatch.setenv("WHRD_TODAY", TODAY)
    monkeypatch.setenv("WHRD_LOCK_TIMEOUT", "5")
    monkeypatch.setenv("WHRD_CONFIG", str(tmp_path / "config.toml"))  # never the developer's own
    monkeypatch.delenv("WHRD_DEBUG", raising=False)
    for variable in ("WHRD_LANG", "LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG"):  # English unless asked
        monkeypatch.delenv(variable, raising=False)
    from whrd_cli import i18n

    i18n.activate("en")  # a Spanish run earlier in this process leaves Spanish active
    monkeypatch.setenv("COLUMNS", "120")
    monkeypatch.setenv("NO_COLOR", "1")
    return db


@pytest.fixture
def db(_isolated: Path) -> Path:
    return _isolated


@pytest.fixture
def stdout_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """Commands print as to a terminal (tables, row limits, footers), through the CLI's one seam."""
    monkeypatch.setattr("whrd_cli.cli.common.is_terminal", lambda: True)


@pytest.fixture
def stdin_terminal(monkeypatch: pytest.MonkeyPatch) -> None:
    """A person is at the keyboard: commands prompt and confirm, through the CLI's one seam."""
    monkeypatch.setattr("whrd_cli.cli.common.stdin_is_terminal", lambda: True)


class Run:
    """Invoke the real Typer app in-process; stdout and stderr kept apart."""

    def __init__(self) -> None:
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, env: dict[str, str] | None = None) -> Any:
        return self.runner.invoke(app, list(args), input=input, env=env, catch_exceptions=False)

    def ok(self, *args: str, input: str | None = None) -> Any:
        result = self(*args, input=input)
        assert result.exit_code == 0, (result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)


@pytest.fixture
def run() -> Run:
    return Run()


@pytest.fixture
def add(run: Run) -> Callable[..., int]:
    """Add a bulletin through the CLI and return its id."""

    def _add(title: str, date: str, *extra: str) -> int:
        out = run.ok("add", "--title", title, "--date", date, *extra).stdout.strip()
        # A pipe gets the id; a terminal (the stdout_terminal fixture) `Added #7 — en · …`.
        return int(out.removeprefix("Added #").split(" ", 1)[0])

    return _add


# -- a session's tmpfs for encrypted archives (issue 16; the crypto tests) --------------------------


def _tmpfs_root() -> Path | None:
    try:
        mounts = Path("/proc/mounts").read_text().split("\n")
    except OSError:
        return None
    points = {line.split()[1] for line in mounts if len(line.split()) > 2 and line.split()[2] == "tmpfs"}
    return Path("/dev/shm") if "/dev/shm" in points else None


@pytest.fixture
def runtime() -> Iterator[Path]:
    """A private $XDG_RUNTIME_DIR on a tmpfs (skipped where there is none)."""
    root = _tmpfs_root()
    if root is None:
        pytest.skip("no tmpfs at /dev/shm for a session")
    folder = Path(tempfile.mkdtemp(prefix="whrd-test-xdg-", dir=root))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)
