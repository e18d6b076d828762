"""`whrd config` (issue 13) end to end: the file it writes (read back with tomllib, compared with
literals), each key's effect on the command it configures, the order options > environment >
file > default, and refusals that leave the file's bytes as they were."""

from __future__ import annotations

import json
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from tests.conftest import Run

from whrd_cli.cli.options import MAX_LIMIT
from whrd_cli.config import LIST_LIMIT_MAX

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

KEYS = "locale, db, editor, export.format, export.base_url, list.limit"


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return tmp_path / "config.toml"  # what conftest points WHRD_CONFIG at


@pytest.fixture
def no_editor_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("VISUAL", raising=False)
    monkeypatch.delenv("EDITOR", raising=False)


def read(config: Path) -> dict[str, object]:
    return tomllib.loads(config.read_text(encoding="utf-8"))


# -- the round trip ------------------------------------------------------------------------------


def test_set_get_unset_round_trip(
    run: Run, config: Path, no_editor_env: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHRD_LANG", "en")  # the file's locale = "es" would make the messages Spanish
    assert run.ok("config", "path").stdout == f"{config}\n"
    run.ok("config", "set", "locale", "es_MX")
    run.ok("config", "set", "db", "/srv/whrd/archive.json")
    run.ok("config", "set", "editor", "code --wait")
    run.ok("config", "set", "export.format", "HTML")
    run.ok("config", "set", "export.base_url", "https://example.org/feed.atom")
    run.ok("config", "set", "list.limit", "100")
    assert read(config) == {
        "locale": "es",
        "db": "/srv/whrd/archive.json",
        "editor": "code --wait",
        "export": {"format": "html", "base_url": "https://example.org/feed.atom"},
        "list": {"limit": 100},
    }
    assert run.ok("config", "get", "list.limit").stdout == "100\n"
    assert run.ok("config", "get", "editor").stdout == "code --wait\n"
    result = run.ok("config", "unset", "list.limit")
    assert result.stderr == f"Removed list.limit from {config}.\n"
    result = run.ok("config", "unset", "list.limit")  # again: nothing to do, not an error
    assert result.stderr == f"list.limit was not set in {config}; nothing changed.\n"
    run.ok("config", "unset", "export.format")
    run.ok("config", "unset", "export.base_url")
    assert read(config) == {"locale": "es", "db": "/srv/whrd/archive.json", "editor": "code --wait"}


def test_set_says_what_it_recorded(run: Run, config: Path) -> None:
    result = run.ok("config", "set", "editor", 'vim -c "set tw=72"')
    assert result.stdout == ""
    assert result.stderr == f'Set editor = "vim -c \\"set tw=72\\"" in {config}.\n'
    assert read(config) == {"editor": 'vim -c "set tw=72"'}


def test_a_relative_db_is_recorded_absolute(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    run.ok("config", "set", "db", "bulletins/archive.json")
    assert read(config) == {"db": f"{tmp_path}/bulletins/archive.json"}


def test_list_shows_every_key_its_value_and_source(
    run: Run, config: Path, db: Path, no_editor_env: None
) -> None:
    config.write_text('editor = "nano"\n[list]\nlimit = 7\n', encoding="utf-8")
    listed = run.json("config", "list")
    assert listed["locale"] == {"value": "en", "source": "default"}
    assert listed["db"] == {"value": str(db), "source": "env", "env": "WHRD_DB"}
    assert listed["editor"] == {"value": "nano", "source": "file"}
    assert listed["export.format"] == {"value": "md", "source": "default"}
    assert listed["export.base_url"] == {"value": None, "source": "default"}
    assert listed["list.limit"] == {"value": 7, "source": "file"}
    assert list(listed) == ["locale", "db", "editor", "export.format", "export.base_url", "list.limit"]
    lines = run.ok("config", "list").stdout.splitlines()
    assert [line.split() for line in lines] == [
        ["locale", "en", "default"],
        ["db", str(db), "$WHRD_DB"],
        ["editor", "nano", "config", "file"],
        ["export.format", "md", "default"],
        ["export.base_url", "(none)", "default"],
        ["list.limit", "7", "config", "file"],
    ]


def test_list_names_the_db_option(run: Run, tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    assert run.json("--db", str(other), "config", "list")["db"] == {
        "value": str(other),
        "source": "option",
        "option": "--db",
    }


def test_get_of_a_default_prints_it_and_says_so(run: Run) -> None:
    result = run.ok("config", "get", "list.limit")
    assert result.stdout == "50\n"
    assert result.stderr == "list.limit is not set in the config file: this is the default.\n"


def test_get_of_an_environment_value_says_what_wins(run: Run, db: Path) -> None:
    result = run.ok("config", "get", "db")
    assert result.stdout == f"{db}\n"
    assert result.stderr == "db comes from $WHRD_DB, which wins over the config file.\n"


def test_get_of_a_key_without_value_prints_nothing_and_exits_1(run: Run) -> None:
    result = run("config", "get", "export.base_url")
    assert (result.exit_code, result.stdout) == (1, "")
    assert result.stderr == "Error: export.base_url is not set.\n"


def test_path_of_a_missing_file_says_it_does_not_exist(run: Run, config: Path) -> None:
    result = run.ok("config", "path")
    assert result.stdout == f"{config}\n"
    assert "does not exist yet" in result.stderr
    assert not config.exists()


# -- what each key configures --------------------------------------------------------------------


def test_locale_es_speaks_spanish(run: Run, config: Path) -> None:
    run.ok("config", "set", "locale", "es")
    assert run.ok("list", "--help").stdout.startswith("Uso: whrd list ")


def test_db_is_the_archive_used(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WHRD_DB")
    archive = tmp_path / "elsewhere" / "archive.json"
    run.ok("config", "set", "db", str(archive))
    assert run.ok("where").stdout == f"{archive}\n"
    run.ok("add", "--title", "Radio turns three", "--date", "2017-01-26", "-l", "en")
    stored = json.loads(archive.read_text(encoding="utf-8"))
    assert "Radio turns three" in json.dumps(stored)


def test_db_with_a_tilde_is_under_home(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WHRD_DB")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    run.ok("config", "set", "db", "~/whrd/archive.json")
    assert read(config) == {"db": "~/whrd/archive.json"}
    assert run.ok("where").stdout == f"{tmp_path}/home/whrd/archive.json\n"


def recording_editor(tmp_path: Path, name: str) -> str:
    """An editor command that records that it ran (its marker file) and exits 3: nothing is saved."""
    script = tmp_path / f"{name}.py"
    script.write_text(
        f"import pathlib, sys\npathlib.Path({str(tmp_path / name)!r} + '.ran').write_text(sys.argv[1])\n"
        "sys.exit(3)\n"
    )
    return f"{sys.executable} {script}"


def test_editor_is_the_editor_run(run: Run, config: Path, tmp_path: Path, no_editor_env: None) -> None:
    run.ok("config", "set", "editor", recording_editor(tmp_path, "mine"))
    result = run("add", "--editor")
    assert result.exit_code == 1
    assert (tmp_path / "mine.ran").exists()
    assert "exited with status 3" in result.stderr


def test_the_editor_variable_wins_over_the_file(
    run: Run, config: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, no_editor_env: None
) -> None:
    run.ok("config", "set", "editor", recording_editor(tmp_path, "configured"))
    monkeypatch.setenv("EDITOR", recording_editor(tmp_path, "environment"))
    assert run("add", "--editor").exit_code == 1
    assert (tmp_path / "environment.ran").exists()
    assert not (tmp_path / "configured.ran").exists()


@pytest.fixture
def archive(run: Run) -> None:
    run.ok("add", "--title", "Radio turns three", "--date", "2017-01-26", "-l", "en", "-c", "HN")


def test_export_format_is_the_default_format(run: Run, config: Path, archive: None) -> None:
    run.ok("config", "set", "export.format", "json")
    out = run.ok("export", "-o", "-").stdout
    assert [row["title"] for row in json.loads(out)] == ["Radio turns three"]


def test_the_format_option_and_the_output_extension_win_over_the_file(
    run: Run, config: Path, archive: None, tmp_path: Path
) -> None:
    run.ok("config", "set", "export.format", "json")
    assert run.ok("export", "-f", "csv", "-o", "-").stdout.lstrip("\ufeff").startswith("id,title,")
    run.ok("export", "-o", str(tmp_path / "week.html"))
    assert (tmp_path / "week.html").read_text(encoding="utf-8").lstrip().lower().startswith("<!doctype html")


def test_export_base_url_is_the_feeds_address(run: Run, config: Path, archive: None) -> None:
    run.ok("config", "set", "export.base_url", "https://example.org/feeds/whrd.atom")
    feed = run.ok("export", "-f", "atom", "-o", "-").stdout
    assert '<link rel="self" type="application/atom+xml" href="https://example.org/feeds/whrd.atom"/>' in feed


def test_a_configured_base_url_does_not_break_other_formats(run: Run, config: Path, archive: None) -> None:
    run.ok("config", "set", "export.base_url", "https://example.org/feeds/whrd.atom")
    assert "Radio turns three" in run.ok("export", "-f", "md", "-o", "-").stdout


@pytest.fixture
def seven(run: Run, add: Callable[..., int]) -> list[str]:
    titles = [f"Bulletin number {n}" for n in range(7)]
    for n, title in enumerate(titles):
        add(title, f"2020-01-0{n + 1}", "-l", "en")
    return titles


def shown(out: str, titles: list[str]) -> list[str]:
    return [title for title in titles if title in out]


def test_list_limit_is_the_rows_on_a_terminal(
    run: Run, config: Path, seven: list[str], stdout_terminal: None
) -> None:
    assert len(shown(run.ok("list").stdout, seven)) == 7  # 50 by default
    run.ok("config", "set", "list.limit", "3")
    assert shown(run.ok("list").stdout, seven) == seven[-3:]  # newest first: the three last dates
    assert len(shown(run.ok("list", "--limit", "5").stdout, seven)) == 5  # the option wins
    assert len(shown(run.ok("list", "--all").stdout, seven)) == 7


def test_list_limit_leaves_a_pipe_whole(run: Run, config: Path, seven: list[str]) -> None:
    run.ok("config", "set", "list.limit", "3")
    assert len(run.ok("list").stdout.splitlines()) == 7


def test_the_largest_limit_is_the_options(run: Run) -> None:
    assert LIST_LIMIT_MAX == MAX_LIMIT == 1_000_000_000


# -- precedence: option > environment > file > default -------------------------------------------


def test_db_option_beats_environment_beats_file(run: Run, config: Path, tmp_path: Path, db: Path) -> None:
    run.ok("config", "set", "db", str(tmp_path / "from-file.json"))
    assert run.ok("where").stdout == f"{db}\n"  # WHRD_DB (conftest) wins over the file
    assert run.ok("--db", str(tmp_path / "opt.json"), "where").stdout == f"{tmp_path}/opt.json\n"
    assert run.ok("where", "--db", str(tmp_path / "opt.json")).stdout == f"{tmp_path}/opt.json\n"


def test_locale_environment_beats_file_beats_system(
    run: Run, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    run.ok("config", "set", "locale", "en")
    monkeypatch.setenv("LANG", "es_MX.UTF-8")
    assert run.ok("list", "--help").stdout.startswith("Usage: ")  # the file beats LANG
    run.ok("config", "set", "locale", "es")
    monkeypatch.setenv("WHRD_LANG", "en")
    assert run.ok("list", "--help").stdout.startswith("Usage: ")  # WHRD_LANG beats the file
    assert run.json("config", "list")["locale"] == {"value": "en", "source": "env", "env": "WHRD_LANG"}


def test_set_says_when_the_environment_wins(run: Run, config: Path, tmp_path: Path) -> None:
    result = run.ok("config", "set", "db", str(tmp_path / "a.json"))
    assert result.stderr.splitlines()[1] == "Note: $WHRD_DB wins over the config file in this run."


# -- refusals: one line, exit 1, the file's bytes unchanged -------------------------------------------

BEFORE = b'# my settings\nlocale = "en"  # English for now\n\n[list]\nlimit = 20\n'


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        ("list.limit", "many", "list.limit takes a whole number from 1 to 1000000000, not 'many'."),
        ("list.limit", "0", "list.limit takes a whole number from 1 to 1000000000, not '0'."),
        (
            "list.limit",
            "1000000001",
            "list.limit takes a whole number from 1 to 1000000000, not '1000000001'.",
        ),
        ("list.limit", "-3", "list.limit takes a whole number from 1 to 1000000000, not '-3'."),
        (
            "locale",
            "fr",
            "locale takes en or es (or a name: español, castellano, spanish, inglés, english), not 'fr'.",
        ),
        ("db", "", "db takes the path of an archive file (absolute, or starting with ~), not ''."),
        (
            "editor",
            "code 'unclosed",
            'editor takes a command line, such as nano or "code --wait", not "code \'unclosed".',
        ),
        ("editor", "  ", "editor takes a command line, such as nano or \"code --wait\", not '  '."),
        (
            "export.format",
            "pdf",
            "export.format takes one of md, html, listing, json, jsonl, csv, atom, not 'pdf'.",
        ),
        (
            "export.format",
            "bibtex",
            "export.format takes one of md, html, listing, json, jsonl, csv, atom, not 'bibtex'.",
        ),
        (
            "export.base_url",
            "ftp://example.org/feed",
            "export.base_url takes an http(s) address such as "
            "https://example.org/whrd/feed.atom, not 'ftp://example.org/feed'.",
        ),
        (
            "export.base_url",
            "example.org/feed",
            "export.base_url takes an http(s) address such as "
            "https://example.org/whrd/feed.atom, not 'example.org/feed'.",
        ),
        (
            "colour",
            "red",
            "Unknown key 'colour'. Keys: locale, db, editor, export.format, export.base_url, list.limit.",
        ),
        (
            "list.limt",
            "3",
            "Unknown key 'list.limt'. Did you mean: list.limit? Keys: locale, db, editor, "
            "export.format, export.base_url, list.limit.",
        ),
        (
            "export",
            "md",
            f"Unknown key 'export'. Did you mean: export.format? Keys: {KEYS}.",
        ),
    ],
)
def test_a_bad_value_or_key_is_refused_and_the_file_untouched(
    run: Run, config: Path, key: str, value: str, message: str
) -> None:
    config.write_bytes(BEFORE)
    result = run("config", "set", "--", key, value)  # `--`: a value may start with -
    assert (result.exit_code, result.stdout, result.stderr) == (1, "", f"Error: {message}\n")
    assert config.read_bytes() == BEFORE


def test_an_unknown_key_is_refused_by_get_and_unset(run: Run, config: Path) -> None:
    config.write_bytes(BEFORE)
    for verb in ("get", "unset"):
        result = run("config", verb, "colour")
        assert result.exit_code == 1
        assert result.stderr.startswith("Error: Unknown key 'colour'. Keys: locale, db,")
    assert config.read_bytes() == BEFORE


def test_a_refused_set_creates_no_file(run: Run, config: Path) -> None:
    assert run("config", "set", "list.limit", "many").exit_code == 1
    assert not config.exists()


# -- a hand-edited file ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            "[list]\nlimit = 'many'\n",
            'In the config file {path}, list.limit takes a whole number from 1 to 1000000000, not "many". '
            "Fix it with 'whrd config set list.limit VALUE' or 'whrd config unset list.limit'.",
        ),
        (
            "[list]\nlimit = true\n",
            "In the config file {path}, list.limit takes a whole number from 1 to 1000000000, not true. "
            "Fix it with 'whrd config set list.limit VALUE' or 'whrd config unset list.limit'.",
        ),
        (
            "db = 'relative/archive.json'\n",
            "In the config file {path}, db takes the path of an archive file (absolute, or starting with ~), "
            'not "relative/archive.json". '
            "Fix it with 'whrd config set db VALUE' or 'whrd config unset db'.",
        ),
        (
            "colour = 'red'\n",
            "The config file {path} has an unknown key 'colour'; known: locale, db, editor, "
            "export.format, export.base_url, list.limit.",
        ),
        ("list = 3\n", "In the config file {path}, list is a section: write [list] and its keys under it."),
        (
            "[list\n",
            "The config file {path} is not valid TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 6). Mend it in a text editor, or set it aside and start an empty one "
            "with 'whrd config reset'.",
        ),
    ],
)
def test_a_hand_broken_file_is_one_error_line(
    run: Run, config: Path, seven: list[str], stdout_terminal: None, text: str, message: str
) -> None:
    config.write_text(text, encoding="utf-8")
    before = config.read_bytes()
    for argv in (("list",), ("config", "list"), ("config", "set", "editor", "nano")):
        result = run(*argv)
        assert (result.exit_code, result.stdout) == (1, ""), argv
        assert result.stderr == f"Error: {message.format(path=config)}\n", argv
    assert config.read_bytes() == before
    assert run.ok("config", "path").stdout == f"{config}\n"  # where to fix it


def test_unset_fixes_a_bad_value_and_a_typo(run: Run, config: Path) -> None:
    config.write_text("# keep me\neditor = 'nano'\n[list]\nlimit = 'many'\nlimt = 3\n", encoding="utf-8")
    assert run("config", "set", "list.limit", "3").exit_code == 1  # the typo is still wrong: refused
    run.ok("config", "unset", "list.limit")  # a removal may leave other problems, to fix in turn
    assert run("tags").stderr.startswith(f"Error: The config file {config} has an unknown key 'limt'")
    run.ok("config", "unset", "list.limt")  # a key the file holds may be removed, known or not
    assert read(config) == {"editor": "nano"}
    assert config.read_text(encoding="utf-8").startswith("# keep me\n")


def test_a_broken_file_does_not_stop_config_path_without_whrd_db(
    run: Run, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("WHRD_DB")
    config.write_text("[list\n", encoding="utf-8")
    assert run.ok("config", "path").stdout == f"{config}\n"
    result = run("where")
    assert result.exit_code == 1 and "is not valid TOML" in result.stderr


# -- how the file is written ----------------------------------------------------------------------------


def test_set_keeps_comments_and_layout(run: Run, config: Path) -> None:
    config.write_bytes(BEFORE)
    run.ok("config", "set", "list.limit", "30")
    run.ok("config", "set", "editor", "nano")
    run.ok("config", "set", "export.format", "html")
    assert config.read_text(encoding="utf-8") == (
        '# my settings\nlocale = "en"  # English for now\neditor = "nano"\n\n[list]\nlimit = 30\n\n'
        '[export]\nformat = "html"\n'
    )
    run.ok("config", "unset", "export.format")
    assert config.read_text(encoding="utf-8") == (
        '# my settings\nlocale = "en"  # English for now\neditor = "nano"\n\n[list]\nlimit = 30\n'
    )


def test_a_layout_line_editing_cannot_follow_is_written_afresh(run: Run, config: Path) -> None:
    config.write_text('# a comment\nexport = { format = "md" }\n', encoding="utf-8")
    run.ok("config", "set", "export.base_url", "https://example.org/feed.atom")
    assert read(config) == {"export": {"format": "md", "base_url": "https://example.org/feed.atom"}}


def test_the_file_is_written_0600_by_a_rename(run: Run, config: Path) -> None:
    config.write_bytes(BEFORE)
    os.chmod(config, 0o644)
    inode = config.stat().st_ino
    run.ok("config", "set", "list.limit", "30")
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert config.stat().st_ino != inode  # a new file renamed over the old, not written in place
    assert sorted(p.name for p in config.parent.iterdir() if p.name.startswith((".config", "config"))) == [
        "config.toml"
    ]


def test_a_failed_write_leaves_the_old_file(run: Run, config: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    config.write_bytes(BEFORE)

    def no_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("whrd_cli.storage.atomic.os.fsync", no_disk)
    result = run("config", "set", "list.limit", "30")
    assert (result.exit_code, result.stderr) == (
        1,
        f"Error: Cannot write the config file {config}: No space left on device.\n",
    )
    assert config.read_bytes() == BEFORE
    assert [p.name for p in config.parent.iterdir() if "config" in p.name] == ["config.toml"]


def test_a_new_file_is_made_in_a_new_folder(
    run: Run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "xdg" / "whrd" / "config.toml"
    monkeypatch.setenv("WHRD_CONFIG", str(target))
    run.ok("config", "set", "locale", "es")
    assert read(target) == {"locale": "es"}
    assert stat.S_IMODE(target.stat().st_mode) == 0o600


def test_a_linked_file_stays_linked(run: Run, config: Path, tmp_path: Path) -> None:
    real = tmp_path / "dotfiles" / "whrd.toml"
    real.parent.mkdir()
    real.write_bytes(BEFORE)
    config.symlink_to(real)
    run.ok("config", "set", "list.limit", "30")
    assert config.is_symlink()
    assert read(real) == {"locale": "en", "list": {"limit": 30}}


# -- in Spanish (the catalog holds tools/parts/config.json once merged) -------------------------------


def test_spanish_messages_have_no_english_left(
    run: Run, config: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.spanish import english_left

    monkeypatch.setenv("WHRD_LANG", "es")

    def prose(text: str) -> str:  # key names are data, not words (`list.limit` holds "list")
        text = text.replace("Error: ", "")  # the same word in Spanish
        for key in KEYS.split(", "):
            text = text.replace(key, "KEY")
        return text

    said = [
        run("config", "set", "list.limit", "mucho"),
        run("config", "set", "colour", "rojo"),
        run("config", "get", "export.base_url"),
        run.ok("config", "set", "list.limit", "20"),
        run.ok("config", "get", "export.format"),
        run.ok("config", "unset", "locale"),
        run.ok("config", "list"),
    ]
    config.write_text("[list]\nlimit = 'x'\n", encoding="utf-8")
    said.append(run("config", "list"))
    assert said[0].stderr == "Error: list.limit admite un número entero de 1 a 1000000000, no 'mucho'.\n"
    assert said[-1].exit_code == 1 and said[-1].stderr.startswith(
        f"Error: En el archivo de configuración {config},"
    )
    assert said[-2].stdout.splitlines()[0].split() == ["locale", "es", "$WHRD_LANG"]
    for result in said:
        assert english_left(prose(result.stdout + result.stderr)) == [], result.stdout + result.stderr
    assert run.ok("config", "--help").stdout.startswith("Uso: whrd config ")
