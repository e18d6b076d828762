"""The $EDITOR form and session (issue 12, items 8, 12, 15, 22): fake editors, small scripts set as
EDITOR, write given contents in turn; the tests read what each saw, what was saved, and what was
left beside the archive."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Run

from whrd_cli.entryform import parse_form, render_form
from whrd_cli.errors import InputError
from whrd_cli.model import Bulletin

SECRET = "Contact Ana at 555-0101"


def fake_editor(tmp_path: Path, steps: list[str]) -> dict[str, str]:
    """An EDITOR that, on its n-th run, saves what the n-th step makes of the form's text `t`
    (a Python expression), or performs it when it starts with `!` (a statement on path `p`).
    Each run saves the text it was shown as seen-N.txt."""
    here = tmp_path / "editor"  # not beside the archive, whose folder the tests list
    here.mkdir(exist_ok=True)
    script = here / "fake_editor.py"
    (here / "steps.json").write_text(json.dumps(steps))
    script.write_text(
        "import json, os, pathlib, shutil, sys\n"
        f"here = pathlib.Path({str(here)!r})\n"
        "steps = json.loads((here / 'steps.json').read_text())\n"
        "n = len(list(here.glob('seen-*.txt')))\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "(here / f'seen-{n}.txt').write_text(t, encoding='utf-8')\n"
        "step = steps[n]\n"
        "if step.startswith('!'):\n"
        "    exec(step[1:])\n"
        "else:\n"
        "    p.write_text(eval(step), encoding='utf-8')\n"
    )
    return {"EDITOR": f"{sys.executable} {script}", "VISUAL": ""}


def seen(tmp_path: Path, n: int) -> str:
    return (tmp_path / "editor" / f"seen-{n}.txt").read_text(encoding="utf-8")


def drafts(db: Path) -> list[Path]:
    return sorted(db.parent.glob(f"{db.name}.draft-*"))


FILL = "t.replace('Title: ', 'Title: Water defenders').replace('Date: ', 'Date: {date}')"


@pytest.fixture
def interactive(stdin_terminal: None) -> None:
    """A person at the terminal: the form is reopened after a mistake."""


# -- item 8: private notes in the form -----------------------------------------------------------


def test_a_multi_line_private_note_round_trips_through_the_form() -> None:
    note = f"{SECRET}\nSecond line\n\n  indented after a blank line"
    b = Bulletin.create(title="T", date="2020-01-01", lang="en", private=note, summary="Public text.")
    form = render_form(b)
    parsed = parse_form(form)
    assert parsed["private"] == b.private and b.private.startswith(f"{SECRET}\nSecond line\n\n")
    assert Bulletin.create(**parsed).private == b.private
    assert parsed["summary"] == "Public text."
    # An editor that strips trailing spaces keeps the note whole, and out of the summary.
    stripped = "\n".join(line.rstrip() for line in form.split("\n"))
    assert parse_form(stripped)["private"] == b.private
    assert SECRET not in parse_form(stripped)["summary"]


def test_no_form_error_quotes_a_line_of_a_private_note() -> None:
    form = render_form(None).replace("Private: ", f"Private: first\n{SECRET}")
    with pytest.raises(InputError) as caught:
        parse_form(form.replace("Title: ", "Title: x"))
    assert SECRET not in caught.value.message
    assert caught.value.message.startswith("Line 16 of the form: not a field.")


def test_a_private_note_typed_over_two_lines_in_the_editor_is_never_echoed(
    run: Run, db: Path, tmp_path: Path
) -> None:
    env = fake_editor(
        tmp_path, [FILL.format(date="2020-01-01") + f".replace('Private: ', 'Private: a\\n{SECRET}')"]
    )
    result = run("add", "--editor", env=env)
    assert result.exit_code == 1
    assert SECRET not in result.stderr and SECRET not in result.stdout
    assert result.stderr.count("\n") == 1 and result.stderr.startswith(
        "Error: Line 16 of the form: not a field."
    )


def test_the_editor_saves_a_multi_line_private_note(run: Run, tmp_path: Path) -> None:
    env = fake_editor(
        tmp_path, [FILL.format(date="2020-01-01") + f".replace('Private: ', 'Private: a\\n  {SECRET}')"]
    )
    result = run("add", "--editor", env=env)
    assert result.exit_code == 0, result.stderr
    assert run.json("show", "1", "--private")["private"] == f"a\n{SECRET}"


# -- item 15: a mistake reopens the form; the draft is kept until saved or abandoned --------------


def test_a_bad_date_reopens_the_form_with_the_error_on_top(
    run: Run, db: Path, tmp_path: Path, interactive: None
) -> None:
    env = fake_editor(
        tmp_path,
        [
            FILL.format(date="31 February 2017") + " + 'My long summary.\\n'",
            "t.replace('Date: 31 February 2017', 'Date: 2017-02-28')",
        ],
    )
    result = run("add", "--editor", env=env)
    assert result.exit_code == 0, result.stderr
    again = seen(tmp_path, 1)
    first, hint = again.split("\n")[:2]
    assert first == "# Error: '31 February 2017' is not a real calendar date."
    assert hint == "# Fix it below, then save and close; to give up, empty the file."
    assert "Title: Water defenders" in again and again.endswith("My long summary.\n")
    b = run.json("show", "1")
    assert (b["title"], b["date"], b["summary"]) == ("Water defenders", "2017-02-28", "My long summary.")
    assert drafts(db) == []


def test_a_bad_country_in_edit_reopens_and_line_numbers_count_the_error_lines(
    run: Run, add: Callable[..., int], db: Path, tmp_path: Path, interactive: None
) -> None:
    add("Kept", "2020-01-01", "-l", "en")
    env = fake_editor(
        tmp_path,
        [
            "t.replace('Countries: ', 'Countries: Hondura')",
            "t.replace('Countries: Hondura', 'Countries: Honduras').replace('Lang: en', 'Lang: en\\nOops')",
            "t.replace('\\nOops', '')",
        ],
    )
    result = run("edit", "1", env=env)
    assert result.exit_code == 0, result.stderr
    assert seen(tmp_path, 1).startswith("# Error: Unknown country 'Hondura'. Did you mean: Honduras?\n")
    reopened = seen(tmp_path, 2).split("\n")
    error = reopened[0]
    assert error.startswith("# Error: Line ") and " of the form: not a field." in error
    line = int(error.removeprefix("# Error: Line ").split()[0])
    assert reopened[line - 1] == "Oops"  # the number counts the two comment lines on top
    assert run.json("show", "1")["countries"] == ["HN"]
    assert drafts(db) == []


def test_giving_up_after_an_error_keeps_the_draft_and_says_where(
    run: Run, add: Callable[..., int], db: Path, tmp_path: Path, interactive: None
) -> None:
    add("Kept", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    env = fake_editor(tmp_path, ["t.replace('Date: 2020-01-01', 'Date: soon') + 'Typed work.\\n'", "t"])
    result = run("edit", "1", env=env)
    assert result.exit_code == 1
    [draft] = drafts(db)
    assert result.stderr == (
        f"Error: Cannot read the date 'soon'. Nothing was saved; your form is kept in {draft}.\n"
    )
    assert stat.S_IMODE(draft.stat().st_mode) == 0o600
    text = draft.read_text(encoding="utf-8")
    assert "Date: soon" in text and text.endswith("Typed work.\n") and "# Error:" not in text
    assert db.read_bytes() == before


def test_emptying_the_reopened_form_abandons_it(
    run: Run, db: Path, tmp_path: Path, interactive: None
) -> None:
    env = fake_editor(tmp_path, [FILL.format(date="soon"), "''"])
    result = run("add", "--editor", env=env)
    assert (result.exit_code, result.stderr) == (1, "Error: The form was left empty; nothing was added.\n")
    assert drafts(db) == [] and not db.exists()


def test_off_a_terminal_a_bad_form_is_an_error_that_names_the_kept_draft(
    run: Run, db: Path, tmp_path: Path
) -> None:
    env = fake_editor(tmp_path, [FILL.format(date="31 February 2017") + " + 'Summary.\\n'"])
    result = run("add", "--editor", env=env)
    [draft] = drafts(db)
    assert (result.exit_code, result.stderr) == (
        1,
        "Error: '31 February 2017' is not a real calendar date. "
        f"Nothing was saved; your form is kept in {draft}.\n",
    )
    assert draft.parent == db.parent and stat.S_IMODE(draft.stat().st_mode) == 0o600
    assert not (tmp_path / "editor" / "seen-1.txt").exists()  # not reopened
    assert not db.exists()


# -- item 12: what a broken editor leaves is one error line, exit 1 -------------------------------


@pytest.mark.parametrize(
    ("step", "message"),
    [
        (
            "!p.write_bytes(b'Title: caf\\xe9\\n')",
            "The form is not valid UTF-8 text (byte 11); nothing was saved.",
        ),
        ("!p.unlink()", "The editor removed the form file {draft}; nothing was saved."),
        (
            "!p.unlink(); p.mkdir(); (p / 'x').write_text('x')",
            "The form file {draft} was replaced by a folder; nothing was saved.",
        ),
        (
            "!p.unlink(); p.symlink_to(here / 'steps.json')",
            "The form file {draft} was replaced by something that is not a file; nothing was saved.",
        ),
        (
            "!p.unlink(); os.mkfifo(p)",
            "The form file {draft} was replaced by something that is not a file; nothing was saved.",
        ),
    ],
)
def test_an_editor_that_breaks_the_form_file_is_one_line_exit_1(
    run: Run, add: Callable[..., int], db: Path, tmp_path: Path, step: str, message: str
) -> None:
    add("Kept", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    env = fake_editor(tmp_path, [step])
    folder_before = sorted(p.name for p in db.parent.iterdir())
    result = run("edit", "1", env=env)
    assert result.exit_code == 1, result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
    left = [p for p in db.parent.iterdir() if p.name.startswith(f"{db.name}.draft-")]
    if "UTF-8" in message:  # the person's bytes are kept for them to mend
        [draft] = left
        assert result.stderr == f"Error: {message} Your form is kept in {draft}.\n"
    else:
        assert left == []  # no folder, link or fifo left behind
        draft = Path(result.stderr.split("form file ", 1)[1].split(" ", 1)[0].rstrip(";"))
        assert result.stderr == f"Error: {message.format(draft=draft)}\n"
        assert sorted(p.name for p in db.parent.iterdir()) == folder_before
    assert db.read_bytes() == before


# -- item 22: which editor when $EDITOR is unset -------------------------------------------------


@pytest.mark.parametrize(
    ("installed", "chosen"),
    [
        (("sensible-editor", "nano", "vi"), "sensible-editor"),
        (("editor", "vi"), "editor"),
        (("nano", "vi"), "nano"),
        (("vi",), "vi"),
    ],
)
def test_without_editor_the_system_editor_is_used(
    run: Run,
    add: Callable[..., int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    interactive: None,
    installed: tuple[str, ...],
    chosen: str,
) -> None:
    add("Kept", "2020-01-01", "-l", "en")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    for name in installed:
        tool = bin_dir / name
        tool.write_text(
            f"#!{sys.executable}\nimport pathlib, sys\n"
            f"pathlib.Path({str(tmp_path)!r}, 'used').write_text({name!r})\n"
            "p = pathlib.Path(sys.argv[1])\n"
            f"p.write_text(p.read_text().replace('Source: ', 'Source: {name}'))\n"
        )
        tool.chmod(0o755)
    monkeypatch.setenv("PATH", str(bin_dir))
    result = run("edit", "1", env={"EDITOR": "", "VISUAL": ""})
    assert result.exit_code == 0, result.stderr
    assert (tmp_path / "used").read_text().strip() == chosen
    monkeypatch.setenv("PATH", os.defpath)
    assert run.json("show", "1")["source"] == chosen


def test_ctrl_c_in_the_editor_keeps_what_was_typed(
    run: Run, add: Callable[..., int], db: Path, tmp_path: Path, interactive: None
) -> None:
    add("Kept", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    # The editor saves some work, then the terminal's Ctrl-C reaches whrd (here: this process).
    step = "!p.write_text(t + 'Typed work.\\n'); import signal; os.kill(os.getppid(), signal.SIGINT)"
    result = run("edit", "1", env=fake_editor(tmp_path, [step]))
    assert result.exit_code == 130
    [draft] = drafts(db)
    assert result.stderr.startswith(f"Your form is kept in {draft}.\n")
    assert draft.read_text(encoding="utf-8").endswith("Typed work.\n")
    assert db.read_bytes() == before
