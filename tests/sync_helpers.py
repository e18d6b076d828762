"""Coordinators for the sync tests: each an archive file driven through the real CLI, in process
(`Coordinator.run`) or as a real process (`Coordinator.process`)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from conftest import Run

SRC = str(Path(__file__).resolve().parents[1] / "src")


class Coordinator:
    """One coordinator's archive, with the commands she types."""

    def __init__(self, run: Run, path: Path) -> None:
        self.runner = run
        self.path = path

    def run(self, *args: str, input: str | None = None) -> Any:
        return self.runner("--db", str(self.path), *args, input=input)

    def ok(self, *args: str, input: str | None = None) -> Any:
        result = self.run(*args, input=input)
        assert result.exit_code == 0, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str) -> Any:
        return json.loads(self.ok(*args, "--json").stdout)

    def add(self, title: str, day: str = "2024-03-01", *extra: str) -> int:
        self.ok("add", "--title", title, "--date", day, *extra)
        return int(self.bulletins()[-1]["id"])

    def bulletins(self) -> list[dict[str, Any]]:
        """Every live bulletin as `list --json --private` shows it, by id."""
        if not self.path.exists():
            return []
        found = json.loads(self.ok("list", "--json", "--private").stdout)
        return sorted(found, key=lambda b: b["id"])

    def by_uid(self) -> dict[str, dict[str, Any]]:
        return {b["uid"]: b for b in self.bulletins()}

    def tables(self) -> dict[str, Any]:
        """The archive file as JSON (plain archives only)."""
        return json.loads(self.path.read_text(encoding="utf-8"))

    def process(self, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
        """The command as a separate process (as a person or a script runs it)."""
        return subprocess.run(
            [sys.executable, "-m", "whrd_cli", "--db", str(self.path), *args],
            env={**os.environ, "PYTHONPATH": SRC, **(env or {})},
            capture_output=True,
            text=True,
            timeout=300,
        )
