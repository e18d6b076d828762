"""What `whrd doctor` found: findings grouped by check, each with a severity, and the exit code
they add up to. Data only: the CLI renders it as Rich, plain lines or JSON (stable English keys).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from msgspec import Struct, field

OK = "ok"
WARNING = "warning"  # worth a look; whrd works as it is (exit 0)
PROBLEM = "problem"  # something is wrong and whrd will not mend it by itself (exit 1)
SKIPPED = "skipped"  # could not run: the archive cannot be read
_RANK = {OK: 0, SKIPPED: 0, WARNING: 1, PROBLEM: 2}

EXIT_HEALTHY = 0
EXIT_FINDINGS = 1
EXIT_DAMAGED = 3  # the archive cannot be read or a bulletin breaks its rules: what every write refuses


class Finding(Struct, frozen=True):
    """One thing found: `kind` is a stable English code (`damaged-bulletin`, `stale-temp`, …),
    `message` a sentence in the interface's language, the rest what it is about."""

    kind: str
    severity: str
    message: str
    ids: tuple[int, ...] = ()
    path: Path | None = None
    field: str | None = None
    value: Any = None
    fixable: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "severity": self.severity,
            "message": self.message,
            "ids": list(self.ids),
            "path": None if self.path is None else str(self.path),
            "field": self.field,
            "value": self.value,
            "fixable": self.fixable,
        }


class CheckResult(Struct, frozen=True):
    """One check's name (stable, English), its title (the interface's words) and its findings."""

    name: str
    title: str
    findings: tuple[Finding, ...] = ()
    skipped: bool = False

    @property
    def status(self) -> str:
        if self.skipped:
            return SKIPPED
        return max((f.severity for f in self.findings), key=_RANK.__getitem__, default=OK)

    def to_dict(self) -> dict[str, Any]:
        return {
            "check": self.name,
            "status": self.status,
            "findings": [f.to_dict() for f in self.findings],
        }


class Fixed(Struct, frozen=True):
    """One repair `--fix` made."""

    kind: str
    message: str
    path: Path | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "message": self.message,
            "path": None if self.path is None else str(self.path),
        }


class Report(Struct, frozen=True):
    """Every check's result for one archive; `damaged` when the archive itself cannot be used."""

    path: Path
    exists: bool
    checks: tuple[CheckResult, ...]
    damaged: bool = False
    fixed: tuple[Fixed, ...] = field(default=())

    @property
    def status(self) -> str:
        return max((c.status for c in self.checks), key=_RANK.__getitem__, default=OK)

    @property
    def exit_code(self) -> int:
        """3 when the archive cannot be read or holds a damaged bulletin (as every write would
        refuse it), 1 with any other finding (a problem or a warning: issue 15's rule, so a script
        hears of a likely duplicate too), 0 when healthy."""
        if self.damaged:
            return EXIT_DAMAGED
        return EXIT_FINDINGS if _RANK[self.status] else EXIT_HEALTHY

    def count(self, severity: str) -> int:
        return sum(f.severity == severity for c in self.checks for f in c.findings)

    def to_dict(self) -> dict[str, Any]:
        return {
            "archive": str(self.path),
            "exists": self.exists,
            "status": self.status,
            "exit_code": self.exit_code,
            "problems": self.count(PROBLEM),
            "warnings": self.count(WARNING),
            "checks": [c.to_dict() for c in self.checks],
            "fixed": [f.to_dict() for f in self.fixed],
        }
