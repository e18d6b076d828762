"""Hostile review 23 of add3ec2 (a command built alone, not with its module's Typer group): what a
user sees must be what the module's whole group gave. The oracle is the code before the change,
Typer's `get_group(module.app)` (monkeypatched in as `_built`); both answer the same invocations in
English and Spanish: `--help` of every command and sub-command, `help CMD`, an unknown option, a
mistyped command or sub-command ("Did you mean"), a missing argument, and shell completion of
commands, sub-commands, options and their values. stdout, stderr and exit codes must be equal.

(Outside the suite, the same matrix was run as separate processes against a checkout of 57e88da:
528 invocations, byte for byte the same.)"""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import pytest
from typer.main import get_group
from typer.testing import CliRunner

import whrd_cli.cli as cli
from whrd_cli.cli import WhrdGroup, app

SUBS = {"config": ["list", "get", "set", "unset", "reset", "path"], "recipients": ["list", "add", "remove"]}
SUBS["remote"] = ["add", "list", "remove"]
COMMANDS = sorted(WhrdGroup.lazy_commands)


def _grouped(module_app: Any, name: str) -> Any:
    """The command as the code before add3ec2 built it: from its module's whole Typer group."""
    return get_group(module_app).commands.get(name)


def invocations() -> list[tuple[str, ...]]:
    found: list[tuple[str, ...]] = [(), ("--help",), ("help",)]
    for name in COMMANDS:
        found += [(name, "--help"), ("help", name), (name, "--no-such-option"), (name, "--db")]
    for group, subs in SUBS.items():
        found += [(group,), (group, "nosuch"), (group, subs[0][:-1])]
        for sub in subs:
            found += [(group, sub, "--help"), ("help", group, sub), (group, sub, "--nope")]
    found += [("lst",), ("serch", "radio"), ("confg",), ("remot", "list"), ("shwo", "1"), ("recipient",)]
    found += [("config", "get", "nosuchkey"), ("config", "set", "lang"), ("config", "set", "lang", "klingon")]
    found += [("remote", "remove", "nope"), ("remote", "add"), ("recipients", "add", "notakey"), ("show",)]
    found += [
        ("list", "--limit", "0"),
        ("list", "--since", "mañana"),
        ("show", "abc"),
        ("list", "--sort", "x"),
    ]
    return found


COMPLETIONS = [
    "whrd ",
    "whrd li",
    "whrd config ",
    "whrd config s",
    "whrd remote ",
    "whrd recipients ",
    "whrd list --",
    "whrd list --country Hon",
    "whrd export -f ",
    "whrd remote add --",
    "whrd add --category op",
]


def outcome(args: tuple[str, ...], env: dict[str, str]) -> tuple[int, str, str]:
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False, prog_name="whrd")
    return result.exit_code, result.stdout, result.stderr


@pytest.mark.parametrize("lang", ["en", "es"])
def test_every_invocation_answers_as_the_modules_group_did(
    lang: str, db: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    env = {"WHRD_LANG": lang}
    cases = [(args, env) for args in invocations()]
    for line in COMPLETIONS:
        words = line.split(" ")
        cases.append(
            (
                (),
                {
                    **env,
                    "_WHRD_COMPLETE": "complete_bash",
                    "COMP_WORDS": line,
                    "COMP_CWORD": str(len(words) - 1),
                },
            )
        )
        cases.append(((), {**env, "_WHRD_COMPLETE": "complete_zsh", "_TYPER_COMPLETE_ARGS": line}))
    assert len(cases) >= 150
    new = [outcome(args, case_env) for args, case_env in cases]
    monkeypatch.setattr(cli, "_built", _grouped)
    old = [outcome(args, case_env) for args, case_env in cases]
    differ = [(cases[n], old[n], new[n]) for n in range(len(cases)) if old[n] != new[n]]
    assert differ == []
    assert {code for code, _out, _err in new} >= {0, 2}
    helps = [out for (args, _e), (_c, out, _err) in zip(cases, new, strict=True) if args[-1:] == ("--help",)]
    assert helps and all(("Usage:" if lang == "en" else "Uso:") in out for out in helps)  # in that language


@pytest.mark.parametrize("name", COMMANDS)
def test_a_command_asked_twice_in_one_run_is_the_same(name: str) -> None:
    """`whrd --help` asks for every command, then each is asked again: built once, kept."""
    from typer._click import Context  # (typer vendors Click: no `click` is installed)

    group = WhrdGroup()
    ctx = Context(group, info_name="whrd")
    first = group.get_command(ctx, name)
    assert first is not None and group.get_command(ctx, name) is first
    module = importlib.import_module(f"whrd_cli.cli.{WhrdGroup.lazy_commands[name]}")
    assert first.name == _grouped(module.app, name).name
