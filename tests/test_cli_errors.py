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
            "Error: Invalid value for '--limit' / '-n': 0 is not in the range 1<=x<=1000000000 "
            "(see 'whrd list --help').",
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


def test_a_dash_word_is_query_text_and_a_long_unknown_option_gets_a_literal_hint(run: Run) -> None:
    # `-mexico` is not an option of search: it is read as the query (which only excludes a word).
    result = run("search", "-mexico")
    assert result.exit_code == 1
    assert _one_error_line(result) == (
        "Error: The query '-mexico' only excludes words; add a word to search for, as in "
        '"mothers -disappeared".\n'
    )
    # A `--word` that is close to no option: the hint is the user's own command with --.
    result = run("search", "--zzqq", "mothers")
    assert result.exit_code == 2
    assert _one_error_line(result) == (
        "Error: No such option: --zzqq. To search for it, put -- before the query: "
        "whrd search -- --zzqq mothers (see 'whrd search --help').\n"
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
            "Error: The value of --title is not valid UTF-8 text.",
        ),
        (
            ["list", "--country", "MX", "--country", "x\udc85"],
            "Error: The value of --country is not valid UTF-8 text.",
        ),
        (["search", "ok", "x\udc85y"], "Error: The argument QUERY is not valid UTF-8 text."),
        (["edit", "1", "--summary", "\udcff"], "Error: The value of --summary is not valid UTF-8 text."),
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
            b"Error: The value of --title is not valid UTF-8 text.\n",
        ),
        (
            ["list", "--limit", "0"],
            2,
            b"Error: Invalid value for '--limit' / '-n': 0 is not in the range 1<=x<=1000000000 "
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


# -- issue 12: hostile text in urls and hand-made archives ----------------------------------------


@pytest.mark.parametrize(
    ("url", "line"),
    [
        (
            "https://example.org/\x1b[31mred",
            "Error: The url 'https://example.org/\\x1b[31mred' contains a space or control character "
            "(U+001B); remove it.\n",
        ),
        (
            "https://example.org/\u202eexe.txt",
            "Error: The url 'https://example.org/\\u202eexe.txt' contains a space or control character "
            "(U+202E); remove it.\n",
        ),
        (
            "mailto:a@example.org",
            "Error: The url 'mailto:a@example.org' must start with http:// or https://.\n",
        ),
    ],
)
@pytest.mark.parametrize("command", ["add", "edit"])
def test_a_hostile_url_is_refused_and_nothing_changes(
    run: Run, db: Path, url: str, line: str, command: str
) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en")
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
    args = ["add", "--title", "New", "--date", "2020-01-02"] if command == "add" else ["edit", "1"]
    result = run(*args, "--url", url)
    assert (result.exit_code, result.stderr, result.stdout) == (1, line, "")
    assert {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()} == before


def test_show_never_prints_control_characters_of_a_hand_made_archive(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en", "--url", "https://e.org/x")
    data = json.loads(db.read_text())
    hostile = "\x1b[2J\x1b]0;owned\x07\u202e\x9b31m"
    bulletin = data["bulletins"]["1"]
    for name in ("title", "summary", "url", "source", "private", "category"):
        bulletin[name] = f"{name} {hostile}"
    bulletin["tags"] = [f"tag{hostile}"]
    db.write_text(json.dumps(data))
    before = db.read_bytes()
    result = run("show", "1", "--private", env={"COLUMNS": "200"})
    assert result.exit_code == 0, result.stderr
    out = result.stdout
    for char in ("\x1b", "\x07", "\u202e", "\x9b"):
        assert char not in out
    assert "title \u241b[2J\u241b]0;owned\u2407\ufffd\ufffd31m" in out  # shown, visibly
    assert "url \u241b[2J" in out and "source \u241b[2J" in out and "private \u241b[2J" in out
    assert db.read_bytes() == before


@pytest.mark.parametrize("command", ["list", "search"])
def test_a_limit_beyond_any_integer_is_a_usage_error(run: Run, db: Path, command: str) -> None:
    run.ok("add", "--title", "Radio", "--date", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    args = [command, *(["radio"] if command == "search" else []), "--limit", "9223372036854775808"]
    result = run(*args)
    assert (result.exit_code, result.stderr) == (
        2,
        "Error: Invalid value for '--limit' / '-n': 9223372036854775808 is not in the range "
        f"1<=x<=1000000000 (see 'whrd {command} --help').\n",
    )
    assert run.ok(*args[:-1], "1000000000").stdout.count("Radio") == 1
    assert db.read_bytes() == before


@pytest.mark.parametrize("value", ["garbage", "2024-13-01", "15/06/2024", "2024-06-15x"])
@pytest.mark.parametrize("args", [["list", "--since", "7d"], ["export", "-o", "-"], ["stats"]])
def test_a_bad_whrd_today_names_the_variable(run: Run, db: Path, value: str, args: list[str]) -> None:
    run.ok("add", "--title", "Radio", "--date", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    result = run(*args, env={"WHRD_TODAY": value})
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: WHRD_TODAY must be a date written as YYYY-MM-DD, such as 2024-06-15, not {value!r}.\n",
    )
    assert db.read_bytes() == before


# -- categories: a typo is named, on filters and on add (issue 12, item 17) -----------------------


@pytest.mark.parametrize(
    ("args", "line"),
    [
        (["list", "-k", "statment"], "Error: Unknown category 'statment'. Did you mean: statement?\n"),
        (
            ["search", "radio", "-k", "statment"],
            "Error: Unknown category 'statment'. Did you mean: statement?\n",
        ),
        (["stats", "-k", "alrt"], "Error: Unknown category 'alrt'. Did you mean: alert?\n"),
        (
            ["export", "-o", "-", "-k", "interviews"],
            "Error: Unknown category 'interviews'. Did you mean: interview?\n",
        ),
        (
            ["list", "-k", "xyz"],
            "Error: Unknown category 'xyz'. Categories: news, alert, open-letter, statement, report, "
            "campaign, event; in this archive also: interview.\n",
        ),
    ],
)
def test_a_filter_on_an_unknown_category_says_so(run: Run, db: Path, args: list[str], line: str) -> None:
    run.ok("add", "--title", "Radio alert", "--date", "2020-01-01", "-l", "en", "-k", "alertas")
    run.ok(
        "add",
        "--title",
        "Radio talk",
        "--date",
        "2020-01-02",
        "-l",
        "en",
        "-k",
        "interview",
        "--new-category",
    )
    before = db.read_bytes()
    result = run(*args)
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", line)
    assert db.read_bytes() == before
    assert run.ok("list", "-k", "alertas").stdout.startswith("1\t2020-01-01\talert\t")
    assert run.ok("list", "-k", "Interview").stdout.startswith("2\t2020-01-02\tinterview\t")


def test_add_and_edit_need_new_category_for_an_unknown_one(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en")
    before = {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()}
    for args in (["add", "--title", "New", "--date", "2020-01-02"], ["edit", "1"]):
        result = run(*args, "-k", "statment")
        assert (result.exit_code, result.stdout, result.stderr) == (
            1,
            "",
            "Error: Unknown category 'statment'. Did you mean: statement? To start a new category, add "
            "--new-category.\n",
        )
    assert {p.name: p.read_bytes() for p in db.parent.iterdir() if p.is_file()} == before
    assert (
        run.ok("add", "--title", "New", "--date", "2020-01-02", "-k", "interview", "--new-category").stdout
        == "2\n"
    )
    run.ok("add", "--title", "Newer", "--date", "2020-01-03", "-k", "Interview")  # the archive knows it now
    run.ok("edit", "1", "-k", "interview")
    assert [b["category"] for b in run.json("list")] == ["interview", "interview", "interview"]


@pytest.mark.parametrize(("answer", "code"), [("y\n", 0), ("n\n", 1)])
def test_a_new_category_is_confirmed_at_a_terminal(
    run: Run, db: Path, stdin_terminal: None, answer: str, code: int
) -> None:
    result = run("add", "--title", "New", "--date", "2020-01-02", "-k", "Entrevista", input=answer)
    assert result.exit_code == code
    assert result.stderr.startswith(
        "Unknown category 'Entrevista'. Categories: news, alert, open-letter, statement, report, campaign, "
        "event.\nStart a new category 'entrevista'? [y/N]:"
    )
    assert db.exists() == (code == 0)
    if code:
        assert result.stderr.endswith("Error: Nothing was recorded.\n")


# -- dates on add and edit (issue 12, item 18) ----------------------------------------------------


def test_a_month_first_date_is_refused_on_add(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    result = run("add", "--title", "New", "--date", "03/14/2020")
    assert (result.exit_code, result.stdout, result.stderr) == (
        1,
        "",
        "Error: The date '03/14/2020' is month first, but whrd reads numeric dates day first. "
        "Write it as 2020-03-14.\n",
    )
    assert db.read_bytes() == before


def test_add_and_edit_take_today_and_yesterday(run: Run) -> None:  # WHRD_TODAY is 2024-06-15
    assert run.ok("add", "--title", "Hoy", "--date", "hoy", "-l", "es").stdout == "1\n"
    run.ok("add", "--title", "Yesterday", "--date", "yesterday", "-l", "en")
    run.ok("add", "--title", "Ayer", "--date", "2020-01-01", "-l", "es")
    run.ok("edit", "3", "--date", "ayer")
    assert [(b["title"], b["date"]) for b in run.json("list", "--sort", "title")] == [
        ("Ayer", "2024-06-14"),
        ("Hoy", "2024-06-15"),
        ("Yesterday", "2024-06-14"),
    ]


def test_a_date_over_a_year_ahead_is_a_warning_not_a_refusal(run: Run) -> None:
    result = run.ok("add", "--title", "Typo", "--date", "2025-06-16", "-l", "en")
    assert (result.stdout, result.stderr) == (
        "1\n",
        "Warning: the date 2025-06-16 is more than a year after today (2024-06-15); check its year.\n",
    )
    assert run.ok("add", "--title", "Planned", "--date", "2025-06-15", "-l", "en").stderr == ""
    result = run.ok("edit", "2", "--date", "2034-06-15")
    assert result.stderr == (
        "Warning: the date 2034-06-15 is more than a year after today (2024-06-15); check its year.\n"
        "Updated bulletin 2.\n"
    )
    assert [b["date"] for b in run.json("list")] == ["2034-06-15", "2025-06-16"]


# -- countries on add, edit and filters (issue 12, item 19) ---------------------------------------


def test_comma_lists_and_regions_work_everywhere_a_country_list_is_taken(run: Run) -> None:
    add = run.ok("add", "--title", "Lista", "--date", "2020-01-01", "-l", "es", "-c", "Honduras,Guatemala")
    assert (add.stdout, add.stderr) == ("1\n", "")
    add = run.ok("add", "--title", "Región", "--date", "2020-01-02", "-l", "es", "-c", "Centroamérica")
    assert (add.stdout, add.stderr) == (
        "2\n",
        "Centroamérica is a region: recorded as its 7 countries (Guatemala, Belize, El Salvador, Honduras, "
        "Nicaragua, Costa Rica, Panama).\n",
    )
    assert run.json("show", "2")["countries"] == ["GT", "BZ", "SV", "HN", "NI", "CR", "PA"]
    run.ok("add", "--title", "Cuba", "--date", "2020-01-03", "-l", "es", "-c", "CU")
    assert [b["id"] for b in run.json("list", "-c", "Cuba, Guatemala")] == [3, 2, 1]
    assert [b["id"] for b in run.json("list", "-c", "NI;CU", "--sort", "date")] == [3, 2]
    edit = run.ok("edit", "1", "--add-country", "SV, Mesoamérica", "--remove-country", "GT,MX")
    assert edit.stderr == (
        "Mesoamérica is a region: recorded as 6 of its 8 countries (Belize, El Salvador, Honduras, "
        "Nicaragua, Costa Rica, Panama), without Mexico, Guatemala.\nUpdated bulletin 1.\n"
    )
    assert run.json("show", "1")["countries"] == ["HN", "SV", "BZ", "NI", "CR", "PA"]
    run.ok("edit", "1", "-c", "Cuba,Honduras")
    assert run.json("show", "1")["countries"] == ["CU", "HN"]


def test_a_typo_inside_a_country_list_changes_nothing(run: Run, db: Path) -> None:
    run.ok("add", "--title", "Kept", "--date", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    for args in (["add", "--title", "New", "--date", "2020-01-02"], ["edit", "1"], ["list"]):
        result = run(*args, "-c", "Honduras, Guatemla")
        assert (result.exit_code, result.stderr) == (
            1,
            "Error: Unknown country 'Guatemla'. Did you mean: Guatemala?\n",
        )
    assert db.read_bytes() == before
