"""The error boundary: every error is one line on stderr starting `Error:`, with the README's
exit codes (1 bad input, 2 usage, 3 archive, 70 bug), in-process and through the real entry point."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run


def _one_error_line(result: object) -> str:
    stderr: str = result.stderr  # type: ignore[attr-defined]
    assert stderr.startswith("Error: ") and stderr.count("\n") == 1, stderr
    return stderr


# -- usage errors: Click's message, on one line, exit 2 --------------------------------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["list", "--limit", "0"],
            "Error: Invalid value for '--limit' / '-n': 0 is not in the range x>=1 (see 'whrd list --help').",
        ),
        (
            ["show", "abc"],
            "Error: Invalid value for 'ID': 'abc' is not a valid int (see 'whrd show --help').",
        ),
        (["list", "--bogus"], "Error: No such option: --bogus (see 'whrd list --help')."),
        (["list", "--debug"], "Error: --debug goes before the command: 'whrd --debug list …'."),
        (["frobnicate"], "Error: No such command 'frobnicate' (see 'whrd --help')."),
        (["--bogus"], "Error: No such option: --bogus (see 'whrd --help')."),
        (["--bogus", "list"], "Error: No such option: --bogus (see 'whrd --help')."),
        (["search"], "Error: Missing argument 'QUERY...' (see 'whrd search --help')."),
    ],
)
def test_usage_errors_are_one_line(run: Run, args: list[str], line: str) -> None:
    result = run(*args)
    assert result.exit_code == 2
    assert result.stderr == line + "\n"
    assert result.stdout == ""


def test_a_dash_word_keeps_the_search_hint(run: Run) -> None:
    result = run("search", "-mexico")
    assert result.exit_code == 2
    assert _one_error_line(result) == (
        "Error: No such option: -mexico. To exclude a word, quote the whole query or put -- before "
        "it: whrd search 'mothers -mexico', or whrd search -- mothers -mexico "
        "(see 'whrd search --help').\n"
    )


def test_help_version_and_bare_whrd_still_work(run: Run) -> None:
    result = run("--help")
    assert result.exit_code == 0 and "Usage: whrd" in result.stdout and result.stderr == ""
    result = run("list", "--help")
    assert result.exit_code == 0 and "--limit" in result.stdout
    result = run("--version")
    assert result.exit_code == 0 and result.stdout.startswith("whrd ")
    result = run()  # bare `whrd`: the help, on stdout, exit 0 (issue 12)
    assert result.exit_code == 0 and "Commands" in result.stdout


def test_exit_codes_raised_by_commands_propagate(
    run: Run, add: Callable[..., int], stdin_terminal: None
) -> None:
    add("Kept", "2020-01-01")
    result = run("delete", "1", input="n\n")  # typer.Exit(1) from the command
    assert result.exit_code == 1 and "Nothing was deleted." in result.stderr
    assert run("show", "1").exit_code == 0


@pytest.mark.parametrize("args", [["add", "--date", "2017-01-01"], ["delete", "1"]])
def test_end_of_input_at_a_prompt_is_aborted(
    run: Run, add: Callable[..., int], db: Path, stdin_terminal: None, args: list[str]
) -> None:
    add("Kept", "2020-01-01")
    result = run(*args, input="")  # Ctrl-D
    assert result.exit_code == 1
    assert result.stderr.endswith("Error: aborted.\n")
    assert "Aborted!" not in result.stderr
    assert [b["id"] for b in run.json("list")] == [1]


# -- archive problems: a folder is refused by the store, exit 3 ------------------------------------


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "1"],
        ["search", "word"],
        ["stats"],
        ["add", "--title", "T", "--date", "2017-01-01"],
        ["edit", "1", "--title", "T"],
    ],
)
def test_a_folder_as_archive_is_an_archive_problem(run: Run, tmp_path: Path, args: list[str]) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    result = run("--db", str(folder), *args)
    assert result.exit_code == 3
    assert str(folder) in _one_error_line(result)
    assert "not a whrd archive" in result.stderr
    assert list(folder.iterdir()) == []


# -- bad settings and bad text: exit 1 -------------------------------------------------------------


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "10s"])
def test_a_bad_lock_timeout_names_the_variable(run: Run, db: Path, value: str) -> None:
    result = run("add", "--title", "T", "--date", "2017-01-01", env={"WHRD_LOCK_TIMEOUT": value})
    assert result.exit_code == 1
    assert _one_error_line(result) == (
        f"Error: WHRD_LOCK_TIMEOUT must be a number of seconds, 0 or more, not {value!r}.\n"
    )
    assert not db.exists()


@pytest.mark.parametrize("value", ["", "0", "2.5"])
def test_good_lock_timeouts(run: Run, value: str) -> None:
    result = run("add", "--title", "T", "--date", "2017-01-01", env={"WHRD_LOCK_TIMEOUT": value})
    assert result.exit_code == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (
            ["add", "--title", "x\udc85y", "--date", "2017-01-01"],
            "Error: The title (--title) is not valid UTF-8 text.",
        ),
        (
            ["list", "--country", "MX", "--country", "x\udc85"],
            "Error: The country (--country) is not valid UTF-8 text.",
        ),
        (["search", "ok", "x\udc85y"], "Error: The query is not valid UTF-8 text."),
        (["edit", "1", "--summary", "\udcff"], "Error: The summary (--summary) is not valid UTF-8 text."),
    ],
)
def test_text_that_is_not_utf8_is_refused_before_the_command_runs(
    run: Run, add: Callable[..., int], args: list[str], line: str
) -> None:
    add("Kept", "2020-01-01")
    result = run(*args)
    assert result.exit_code == 1
    assert result.stderr == line + "\n"
    assert run.json("show", "1")["summary"] in (None, "")


# -- bugs: exit 70, and a hint that works ----------------------------------------------------------


def test_internal_error_says_how_to_see_the_details(run: Run, monkeypatch: pytest.MonkeyPatch) -> None:
    def boom() -> None:
        raise RuntimeError("details")

    monkeypatch.setattr("whrd_cli.cli.common.today", boom)
    result = run("list")
    assert result.exit_code == 70
    assert _one_error_line(result) == (
        "Error: internal error (RuntimeError); this is a bug in whrd. "
        "Run again as 'whrd --debug list …' (or with WHRD_DEBUG=1) to see the details.\n"
    )
    for args, env in ((["--debug", "list"], None), (["list"], {"WHRD_DEBUG": "1"})):
        result = run(*args, env=env)
        assert result.exit_code == 70
        assert "Traceback" in result.stderr and "RuntimeError: details" in result.stderr


# -- stats wording ---------------------------------------------------------------------------------


def test_spanish_footnote_agrees_with_the_noun(run: Run, add: Callable[..., int]) -> None:
    add("Uno", "2020-01-01", "--tag", "Agua", "--tag", "Tierra", "--country", "HN", "--country", "GT")
    add("Dos", "2020-02-01", "--tag", "Agua", "--country", "HN")
    tags = run.ok("stats", "--by", "tag", "--locale", "es").stdout
    assert "Un boletín con varias etiquetas cuenta" in " ".join(tags.split())
    countries = run.ok("stats", "--by", "country", "--locale", "es").stdout
    assert "Un boletín con varios países cuenta" in " ".join(countries.split())
    english = run.ok("stats", "--by", "tag").stdout
    assert "A bulletin with several tags counts" in " ".join(english.split())


# -- the real entry point agrees with the in-process runner ----------------------------------------


def test_the_console_script_prints_the_same_lines(tmp_path: Path) -> None:
    folder = tmp_path / "folder"
    folder.mkdir()
    env = {**os.environ, "WHRD_DB": str(tmp_path / "a.json"), "WHRD_TODAY": "2024-06-15"}
    env.pop("WHRD_DEBUG", None)
    base = [sys.executable, "-m", "whrd_cli"]
    cases: list[tuple[list[str | bytes], int, bytes]] = [
        (
            ["add", "--title", b"x\x85y", "--date", "2017-01-01"],  # bytes argv, as from a real shell
            1,
            b"Error: The title (--title) is not valid UTF-8 text.\n",
        ),
        (
            ["list", "--limit", "0"],
            2,
            b"Error: Invalid value for '--limit' / '-n': 0 is not in the range x>=1 "
            b"(see 'whrd list --help').\n",
        ),
        (["frobnicate"], 2, b"Error: No such command 'frobnicate' (see 'whrd --help').\n"),
        (["--db", str(folder), "list"], 3, f"Error: {folder} is a folder, not a whrd archive.\n".encode()),
    ]
    for args, code, stderr in cases:
        out = subprocess.run([*base, *args], capture_output=True, env=env, check=False)
        assert (out.returncode, out.stderr, out.stdout) == (code, stderr, b""), args
    out = subprocess.run(
        [*base, "add", "--title", "T", "--date", "2017-01-01"],
        capture_output=True,
        env={**env, "WHRD_LOCK_TIMEOUT": "abc"},
        check=False,
    )
    assert out.returncode == 1 and out.stderr.startswith(b"Error: WHRD_LOCK_TIMEOUT ")
    assert not (tmp_path / "a.json").exists()


def test_a_mistyped_command_gets_a_suggestion(run: Run) -> None:
    result = run("lsit")
    assert result.exit_code == 2
    assert (
        result.stderr.strip().splitlines()
        == ["Error: No such command 'lsit'. Did you mean: list? (see 'whrd --help')."]
        or "Did you mean: list?" in result.stderr
    )


@pytest.mark.parametrize(
    ("damage", "message"),
    [
        (lambda b: b.pop("date"), "has no valid 'date'"),
        (lambda b: b.update(abc=1), "unknown field 'abc'"),
        (lambda b: b.update(title=None), "has no valid 'title'"),
        (lambda b: b.update(category=5), "'category' that is not text"),
        (lambda b: b.update(tags="x"), "'tags' that is not a list"),
    ],
)
@pytest.mark.parametrize(
    "args", [["list", "--json"], ["stats"], ["add", "--title", "z", "--date", "2020-01-02"]]
)
def test_a_hand_damaged_bulletin_is_an_archive_error(
    run: Run, db: Path, damage: Any, message: str, args: list[str]
) -> None:
    run.ok("add", "--title", "Fine", "--date", "2020-01-01", "-l", "en")
    data = json.loads(db.read_text())
    damage(data["bulletins"]["1"])
    db.write_text(json.dumps(data))
    before = db.read_bytes()
    result = run(*args)
    if result.exit_code == 0:  # commands that never touch the damaged field may still work
        return
    assert result.exit_code == 3, result.stderr
    assert message in result.stderr and "Bulletin 1" in result.stderr
    assert db.read_bytes() == before


def test_subcommand_help_in_a_pipe_is_plain(run: Run) -> None:
    out = run.ok("list", "--help").stdout
    assert "╭" not in out and "Usage: whrd list" in out


def test_form_without_a_date_or_emptied_is_a_clean_error(run: Run, db: Path) -> None:
    env = {"EDITOR": "sed -i s/^Title:.*/Title:\\ Taller/", "VISUAL": ""}
    result = run("add", "--editor", env=env)
    assert result.exit_code == 1 and "date is empty" in result.stderr.lower()
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    result = run("edit", "1", env={"EDITOR": "truncate -s0", "VISUAL": ""})
    assert result.exit_code == 1 and "left empty" in result.stderr
    assert db.read_bytes() == before


def test_no_op_writes_do_not_push_out_backups(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en")
    run.ok("edit", "1", "--add-tag", "A")
    first = db.with_name("archive.json.bak").read_bytes()
    for _ in range(3):
        run.ok("reindex")
    assert (
        db.with_name("archive.json.bak").read_bytes() != first
        or not db.with_name("archive.json.bak.2").exists()
    )
    assert not db.with_name("archive.json.bak.2").exists()


def test_tags_damaged_into_a_string_block_writes(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en")
    data = json.loads(db.read_text())
    data["bulletins"]["1"]["tags"] = "Territorio"
    db.write_text(json.dumps(data))
    before = db.read_bytes()
    result = run("add", "--title", "New", "--date", "2020-01-02")
    assert result.exit_code == 3 and "Bulletin 1" in result.stderr and "'tags'" in result.stderr
    assert db.read_bytes() == before
