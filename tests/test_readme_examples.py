"""The READMEs' examples are commands whrd takes: every `$ whrd …` line of README.md and
README.es.md runs against a copy of the sample archive, and none is a usage error (a renamed or
removed option, a value of the wrong type) or a bug. A missing file named only for illustration
(`fixes.csv`) may be bad input (exit 1); nothing else may fail."""

from __future__ import annotations

import re
import shlex
import shutil
from pathlib import Path

import pytest

from conftest import Run

ROOT = Path(__file__).resolve().parents[1]
READMES = ("README.md", "README.es.md")
# Files the examples name without shipping them: the command may say they are missing (exit 1).
ILLUSTRATIVE = ("fixes.csv", "newsletter.txt.j2", "old.json", "correcciones.csv", "boletin.txt.j2")


def examples(name: str) -> list[str]:
    """Each `$ whrd …` command of a README's console blocks, continuation lines joined, the
    comment and anything after a pipe left out."""
    text = (ROOT / name).read_text(encoding="utf-8")
    commands = []
    for block in re.findall(r"```console\n(.*?)```", text, re.DOTALL):
        joined = re.sub(r"\\\n\s*", " ", block)
        for line in joined.splitlines():
            if not line.startswith("$ whrd "):
                continue
            command = re.split(r"\s{2,}#|\s\|\s", line[2:], maxsplit=1)[0].strip()
            commands.append(command)
    return commands


def test_the_readmes_have_examples() -> None:
    for name in READMES:
        assert len(examples(name)) > 30, name


@pytest.mark.parametrize("name", READMES)
def test_every_readme_example_is_a_command_whrd_takes(
    name: str, run: Run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    work = tmp_path / "work"
    shutil.copytree(ROOT / "data", work / "data", ignore=shutil.ignore_patterns("*.lock", "*.sqlite*"))
    monkeypatch.chdir(work)
    monkeypatch.setenv("EDITOR", "true")  # `whrd edit 2` / `add --editor`: the form comes back unchanged
    monkeypatch.setenv("VISUAL", "")
    failures = []
    for command in examples(name):
        for derived in db.parent.glob(db.name + ".*"):  # the last example's index and backups
            if derived.is_file():
                derived.unlink()
        shutil.copy(work / "data" / "sample.json", db)  # each example on the sample as shipped
        args = shlex.split(command)[1:]
        result = run(*args, input="")
        illustrative = any(word in command for word in ILLUSTRATIVE)
        # Off a terminal: delete without --yes refuses, add without a title asks in vain, and the
        # editor that changes nothing saves nothing; each says so, exit 1.
        asks = "delete" in args or args[:1] == ["add"] or (args[:1] == ["edit"] and len(args) == 2)
        allowed = (0, 1) if illustrative or asks else (0,)
        if result.exit_code not in allowed:
            failures.append(f"{command!r}: exit {result.exit_code}: {result.stderr.strip()[:200]}")
    assert not failures, "\n".join(failures)
