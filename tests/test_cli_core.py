"""The core commands end to end through the real Typer app: add, list, show, edit, delete,
countries, tags, where; and every kind of bad input leaving the archive byte-identical."""

from __future__ import annotations

import importlib
import inspect
import json
import os
import pkgutil
import shlex
import stat
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import typer
from tests.conftest import Run
from typer.core import TyperGroup
from typer.main import get_group

from whrd_cli.cli import WhrdGroup
from whrd_cli.cli.boundary import EXIT_BUG, EXIT_INTERRUPTED
from whrd_cli.errors import EXIT_ARCHIVE, EXIT_INPUT, EXIT_LOCKED, EXIT_OK, EXIT_REMOTE, EXIT_USAGE


@pytest.fixture
def sample(add: Callable[..., int]) -> dict[str, int]:
    return {
        "radio": add(
            "Community radio turns five",
            "2019-02-14",
            "-c",
            "Honduras",
            "-k",
            "news",
            "-t",
            "Radio",
            "-t",
            "#WHRDs",
            "-s",
            "A station in Tegucigalpa.",
            "-l",
            "en",
        ),
        "alerta": add(
            "Amenazas contra defensora",
            "4 de marzo de 2018",
            "-c",
            "méxico",
            "-k",
            "#AlertaDefensoras",
            "-s",
            "Las defensoras denuncian.",
            "--private",
            "contact: X",
        ),
        "letter": add(
            "Letter to the congress",
            "2023-11-28",
            "-c",
            "HN",
            "-c",
            "SV",
            "-k",
            "OPEN LETTER",
            "-t",
            "whrds",
            "--url",
            "https://example.org/l",
        ),
        "old": add("Solidarity with families", "26/07/2016", "-c", "guatemala", "-l", "en"),
    }


def test_add_prints_id_and_stores_normalised(run: Run, sample: dict[str, int]) -> None:
    assert sample == {"radio": 1, "alerta": 2, "letter": 3, "old": 4}
    shown = run.json("show", "2", "--private")
    assert shown["date"] == "2018-03-04"
    assert shown["countries"] == ["MX"]
    assert shown["category"] == "alert"
    assert shown["lang"] == "es"
    assert shown["private"] == "contact: X"


def test_list_newest_first_with_filters(run: Run, sample: dict[str, int]) -> None:
    ids = lambda *args: [b["id"] for b in run.json("list", *args)]  # noqa: E731
    assert ids() == [3, 1, 2, 4]
    assert ids("--country", "Honduras") == [3, 1]
    assert ids("--country", "Honduras", "--country", "Mexico") == [3, 1, 2]
    assert ids("--country", "Mesoamerica", "--since", "2019") == [3, 1]
    assert ids("--category", "PRONUNCIAMIENTO") == []
    assert ids("--category", "alert", "--category", "news") == [1, 2]
    assert ids("--tag", "#whrds") == [3, 1]
    assert ids("--since", "2018", "--until", "2019-12") == [1, 2]
    assert ids("--since", "marzo 2018", "--until", "4 de marzo de 2018") == [2]
    assert ids("--lang", "es") == [2]
    assert ids("--sort", "title") == [2, 1, 3, 4]
    assert ids("--reverse") == [4, 2, 1, 3]
    assert ids("--limit", "2") == [3, 1]
    assert ids("--since", "7d") == []


def test_list_json_has_every_field_and_no_private_by_default(run: Run, sample: dict[str, int]) -> None:
    rows = run.json("list")
    assert set(rows[0]) == {
        "id",
        "title",
        "date",
        "category",
        "countries",
        "summary",
        "truncated",
        "tags",
        "lang",
        "url",
        "source",
        "added",
        "updated",
        "uid",
        "rev",
    }
    assert all(len(r["uid"]) == 32 and r["rev"].startswith("1-") for r in rows)
    assert all("private" not in r for r in rows)
    assert any(r.get("private") == "contact: X" for r in run.json("list", "--private"))
    assert not any(k.startswith("_") for r in rows for k in r)


def test_list_to_a_pipe_is_plain_lines(run: Run, sample: dict[str, int]) -> None:
    out = run.ok("list", "--country", "HN").stdout
    assert out.splitlines() == [
        "3\t2023-11-28\topen-letter\tHN,SV\tLetter to the congress",
        "1\t2019-02-14\tnews\tHN\tCommunity radio turns five",
    ]


def test_list_on_a_terminal_is_a_table_with_footer(
    run: Run, add: Callable[..., int], stdout_terminal: None
) -> None:
    for n in range(55):
        add(f"Bulletin {n}", "2020-01-01", "-l", "en")
    out = run.ok("list").stdout
    assert "Showing 50 of 55 bulletins" in out
    assert "Bulletin 54" in out
    out = run.ok("list", "--all").stdout
    assert "55 bulletins." in out


def test_list_user_text_is_never_markup(run: Run, add: Callable[..., int], stdout_terminal: None) -> None:
    add("[#WHRDAlert] and [/b] stay", "2020-01-01", "-l", "en")
    assert "[#WHRDAlert] and [/b] stay" in run.ok("list").stdout
    assert "[#WHRDAlert] and [/b] stay" in run.ok("show", "1").stdout


def test_show_panel(run: Run, sample: dict[str, int]) -> None:
    out = run.ok("show", "2").stdout
    assert "#AlertaDefensoras / Amenazas contra defensora" in out
    assert "4 de marzo de 2018" in out
    assert "Mexico" in out
    assert "contact: X" not in out
    assert "contact: X" in run.ok("show", "2", "--private").stdout
    assert "https://example.org/l" in run.ok("show", "3").stdout


def test_edit_fields_and_lists(run: Run, sample: dict[str, int]) -> None:
    run.ok(
        "edit",
        "1",
        "--title",
        "Radio turns five",
        "--add-tag",
        "Honduras",
        "--remove-tag",
        "radio",
        "--add-country",
        "Guatemala",
        "--remove-country",
        "honduras",
    )
    b = run.json("show", "1")
    assert b["title"] == "Radio turns five"
    assert b["tags"] == ["WHRDs", "Honduras"]
    assert b["countries"] == ["GT"]
    assert b["updated"] >= b["added"]
    run.ok("edit", "1", "--country", "SV", "--country", "NI", "--tag", "x", "--url", "")
    b = run.json("show", "1")
    assert (b["countries"], b["tags"], b["url"]) == (["SV", "NI"], ["x"], None)


def test_edit_in_editor(run: Run, sample: dict[str, int], tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text().replace('Title: Community radio turns five', 'Title: Edited in editor')\n"
        "p.write_text(t + 'Second paragraph.\\n')\n"
    )
    result = run("edit", "1", env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""})
    assert result.exit_code == 0, result.stderr
    b = run.json("show", "1")
    assert b["title"] == "Edited in editor"
    assert b["summary"].endswith("Second paragraph.")
    assert b["tags"] == ["Radio", "WHRDs"]


def test_add_with_editor(run: Run, tmp_path: Path) -> None:
    editor = tmp_path / "editor.py"
    editor.write_text(
        "import sys, pathlib\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text().replace('Title: ', 'Title: Written in the editor')\n"
        "t = t.replace('Date: ', 'Date: 15 diciembre, 2017').replace('Tags: ', 'Tags: #Agua, Territorio')\n"
        "p.write_text(t + 'Las defensoras del agua.\\n')\n"
    )
    result = run("add", "--editor", "--country", "MX", env={"EDITOR": f"{sys.executable} {editor}"})
    assert result.exit_code == 0, result.stderr
    b = run.json("show", result.stdout.strip())
    assert (b["title"], b["date"], b["countries"], b["tags"]) == (
        "Written in the editor",
        "2017-12-15",
        ["MX"],
        ["Agua", "Territorio"],
    )
    assert b["summary"] == "Las defensoras del agua."


def test_add_prompts_on_a_terminal(run: Run, stdin_terminal: None) -> None:
    result = run("add", "-l", "en", input="Prompted title\n26 January 2017\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    assert run.json("show", "1")["date"] == "2017-01-26"


def test_add_off_a_terminal_needs_fields(run: Run, db: Path) -> None:
    result = run("add", "--date", "2017-01-26")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: --title is required (or run on a terminal to be asked, or use --editor)."
    )
    assert not db.exists()


def test_duplicate_refused_then_forced(run: Run, add: Callable[..., int]) -> None:
    add("Same title", "2017-01-26", "-l", "en")
    result = run("add", "--title", "SAME title!", "--date", "26 January 2017", "-l", "en")
    assert result.exit_code == 1
    assert "Bulletin 1 already has this date, title and language" in result.stderr
    assert (
        run.ok("add", "--title", "Same title", "--date", "2017-01-26", "-l", "en", "--force").stdout == "2\n"
    )


def test_delete(run: Run, sample: dict[str, int], db: Path) -> None:
    result = run("delete", "1")
    assert result.exit_code == 1
    assert "add --yes" in result.stderr
    run.ok("delete", "1", "3", "--yes")
    assert [b["id"] for b in run.json("list")] == [2, 4]
    assert db.with_name("archive.json.bak").exists()
    assert run.ok("add", "--title", "After delete", "--date", "2020-01-01").stdout == "5\n"


def test_delete_confirms_on_a_terminal(run: Run, sample: dict[str, int], stdin_terminal: None) -> None:
    result = run("delete", "1", input="n\n")
    assert result.exit_code == 1
    assert len(run.json("list")) == 4
    run.ok("delete", "1", input="y\n")
    assert len(run.json("list")) == 3


def test_countries_and_tags(run: Run, sample: dict[str, int]) -> None:
    countries = {r["value"]: r["count"] for r in run.json("countries")}
    assert countries == {"HN": 2, "MX": 1, "SV": 1, "GT": 1}
    tags = {r["label"]: r["count"] for r in run.json("tags")}
    assert tags == {"WHRDs": 2, "Radio": 1}
    assert "Honduras" in run.ok("countries").stdout


def test_read_commands_on_a_missing_archive_create_nothing(run: Run, db: Path) -> None:
    for args in (["list"], ["countries"], ["tags"], ["list", "--json"]):
        result = run(*args)
        assert result.exit_code == 0
        assert not db.exists() and not db.parent.joinpath("archive.json.lock").exists()
    assert "does not exist yet" in run("list").stderr
    assert run("list", "--json").stdout.strip() == "[]"
    result = run("show", "1")
    assert result.exit_code == 1 and "does not exist yet" in result.stderr


def test_where_and_db_option(run: Run, tmp_path: Path, db: Path) -> None:
    assert run.ok("where").stdout.strip() == str(db)
    other = tmp_path / "elsewhere" / "mine.json"
    run.ok("--db", str(other), "add", "--title", "x", "--date", "2020-01-01")
    assert other.exists() and not db.exists()
    assert stat.S_IMODE(other.stat().st_mode) == 0o600


# -- bad input: one clean line, the right exit code, the archive byte-identical ----------------------

BAD_INPUT = [
    (["add", "--title", "x", "--date", "marzo 2018"], 1, "has no day"),
    (["add", "--title", "x", "--date", "31 February 2017"], 1, "not a real calendar date"),
    (["add", "--title", "x", "--date", "0001-01-01"], 1, "outside 1900-2100"),
    (["list", "--since", "0000"], 1, "not a date whrd can use"),
    (["list", "--since", "999999999d"], 1, "not a date whrd can use"),
    (["add", "--title", "x", "--date", "tomorrow"], 1, "Cannot read the date"),  # yesterday: issue 12
    (["add", "--title", "x", "--date", "2020-01-01", "-c", "Hondura"], 1, "Did you mean: Honduras?"),
    (["add", "--title", "   ", "--date", "2020-01-01"], 1, "title is empty"),
    (["add", "--title", "a\x1bb", "--date", "2020-01-01"], 1, "control character"),
    (["add", "--title", "x", "--date", "2020-01-01", "--url", "javascript:x"], 1, "http"),
    (["add", "--title", "x", "--date", "2020-01-01", "--lang", "klingon"], 1, "ISO 639-1"),
    (["show", "99"], 1, "No bulletin with id 99"),
    (["show", "abc"], 2, ""),
    (["edit", "99", "--title", "x"], 1, "No bulletin with id 99"),
    (["edit", "1", "--date", "soon"], 1, "Cannot read the date"),
    (["edit", "1", "--remove-country", "Narnia"], 1, "Unknown country"),
    (["delete", "1", "99", "--yes"], 1, "No bulletin with id 99"),
    (["list", "--since", "someday"], 1, "Cannot read the date"),
    (["list", "--country", "Atlantis"], 1, "Unknown country 'Atlantis'"),
    (["list", "--sort", "colour"], 1, "Unknown sort"),
    (["list", "--since", "2020", "--until", "2019"], 1, "is after --until"),
    (["list", "--limit", "0"], 2, ""),
    (["list", "--lang", "espanish"], 1, "ISO 639-1"),  # names work: issue 13
    (["frobnicate"], 2, ""),
]


@pytest.mark.parametrize(("args", "code", "message"), BAD_INPUT)
def test_bad_input_is_one_clean_line(
    run: Run, add: Callable[..., int], db: Path, args: list[str], code: int, message: str
) -> None:
    add("Existing", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    result = run(*args)
    assert result.exit_code == code
    if code == 1:
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    assert db.read_bytes() == before


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{corrupt", "not valid JSON"),
        (b'{"_default": {}}', "not a whrd archive"),
        (b'{"meta": {"1": {"app": "whrd", "schema": 7}}}', "newer whrd"),
    ],
)
@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "1"],
        ["countries"],
        ["add", "--title", "x", "--date", "2020-01-01"],
        ["edit", "1", "--title", "y"],
        ["delete", "1", "--yes"],
    ],
)
def test_archive_problems_exit_3_untouched(
    run: Run, db: Path, content: bytes, message: str, args: list[str]
) -> None:
    db.write_bytes(content)
    result = run(*args)
    assert result.exit_code == 3
    assert result.stderr.startswith("Error: ") and message in result.stderr
    assert db.read_bytes() == content
    assert sorted(p.name for p in db.parent.iterdir() if p.name.startswith("archive")) in (
        ["archive.json"],
        ["archive.json", "archive.json.lock"],
    )


def test_read_only_archive_exit_3(run: Run, add: Callable[..., int], db: Path) -> None:
    add("Existing", "2020-01-01")
    db.chmod(0o444)
    before = db.read_bytes()
    result = run("add", "--title", "y", "--date", "2020-01-02")
    assert result.exit_code == 3 and "read-only" in result.stderr
    assert db.read_bytes() == before
    assert run("list").exit_code == 0


def test_unwritable_folder_exit_3(run: Run, tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    result = run("--db", str(blocker / "a.json"), "add", "--title", "x", "--date", "2020-01-01")
    assert result.exit_code == 3 and "Not a directory" in result.stderr


def test_internal_errors_are_one_line(
    run: Run, add: Callable[..., int], monkeypatch: pytest.MonkeyPatch
) -> None:
    add("Existing", "2020-01-01")

    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret bulletin text")

    monkeypatch.setattr("whrd_cli.store.Archive.get", boom)
    monkeypatch.setattr("whrd_cli.search.service.get_entry", boom)  # `show` reads the index first
    result = run("show", "1")
    assert result.exit_code == 70
    assert "secret bulletin text" not in result.stderr
    assert "internal error (RuntimeError)" in result.stderr


def test_console_script_runs_as_a_module(tmp_path: Path) -> None:
    env = {**os.environ, "WHRD_DB": str(tmp_path / "a.json")}
    out = subprocess.run(
        [sys.executable, "-m", "whrd_cli", "--version"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 0 and out.stdout.startswith("whrd ")
    out = subprocess.run(
        [sys.executable, "-m", "whrd_cli", "show", "1"], capture_output=True, text=True, env=env
    )
    assert out.returncode == 1 and out.stderr.count("\n") == 1


def _defined_commands() -> dict[str, str]:
    """Every command the modules of `whrd_cli.cli` define (name -> module), found by walking the
    package: a source independent of the root's lazy table and of what `--help` prints."""
    import whrd_cli.cli as package

    defined: dict[str, str] = {}
    for info in pkgutil.iter_modules(package.__path__):
        module = importlib.import_module(f"whrd_cli.cli.{info.name}")
        commands = getattr(module, "app", None)
        if isinstance(commands, typer.Typer) and commands is not package.app:
            for name in get_group(commands).commands:
                assert name not in defined, f"{name} defined twice"
                defined[name] = info.name
    return defined


def test_the_command_modules_define_the_twenty_nine_commands() -> None:
    assert sorted(_defined_commands()) == sorted(
        [
            "add",
            "list",
            "show",
            "edit",
            "delete",
            "import",
            "search",
            "export",
            "stats",
            "countries",
            "tags",
            "reindex",
            "doctor",
            "where",
            "config",
            "history",
            "restore",
            "undo",
            "purge",
            *("encrypt", "decrypt", "unlock", "lock", "passphrase", "recipients", "wipe"),
            *("conflicts", "resolve", "merge"),  # issue 18
            *("link", "unlink", "thread"),
            *("remote", "sync"),  # issue 18
        ]
    )


def test_help_lists_every_command_with_its_summary(run: Run) -> None:
    defined = _defined_commands()
    out = run.ok("--help").stdout
    assert "Exit codes" in out
    commands = out.split("\nCommands:\n", 1)[1].split("\n\n", 1)[0]
    listing = [line.split(None, 1) for line in commands.splitlines() if line.strip()]
    listing = [(name, summary) for name, summary in listing if name != "help"]  # the root's own
    assert sorted(name for name, _summary in listing) == sorted(defined)
    for name, summary in listing:
        callback = get_group(importlib.import_module(f"whrd_cli.cli.{defined[name]}").app).commands[name]
        first_paragraph = " ".join(inspect.getdoc(callback.callback).split("\n\n")[0].split())
        assert first_paragraph.startswith(summary.removesuffix("...")), (name, summary)


@pytest.mark.parametrize("command", sorted(_defined_commands()))
def test_every_command_help_ends_with_an_example_that_parses(run: Run, command: str) -> None:
    """The example is the docstring's last line, printed as written (wrapped to the width), and
    its options exist: with --help appended, Click still rejects an unknown option first."""
    module = importlib.import_module(f"whrd_cli.cli.{_defined_commands()[command]}")
    doc = inspect.getdoc(get_group(module.app).commands[command].callback)
    example = doc.splitlines()[-1]
    assert example.startswith(f"Example: whrd {command}")
    out = run.ok(command, "--help").stdout
    assert out.startswith(f"Usage: whrd {command} ")
    paragraphs = [" ".join(p.split()) for p in out.split("\n\n")]
    assert [p for p in paragraphs if "Example:" in p] == [example]
    argv = shlex.split(example.removeprefix("Example: whrd "))
    if isinstance(get_group(module.app).commands[command], TyperGroup):  # `config set …`: the subcommand's
        assert run.ok(*argv, "--help").stdout.startswith(f"Usage: whrd {command} {argv[1]} ")
    else:
        assert run.ok(*argv, "--help").stdout == out


def test_sample_archive_is_valid(run: Run) -> None:
    sample = Path(__file__).resolve().parents[1] / "data" / "sample.json"
    if not sample.exists():
        pytest.skip("data/sample.json not built yet")
    rows = json.loads(run.ok("--db", str(sample), "list", "--json").stdout)
    assert len(rows) >= 20
    assert {r["lang"] for r in rows} == {"en", "es"}
    honduras = run.ok("--db", str(sample), "list", "--country", "Honduras").stdout
    assert honduras.count("\n") >= 4


def test_every_command_module_is_reachable_lazily() -> None:
    """Each command a module defines is in the root's lazy table, and nothing else is there."""
    assert _defined_commands() == WhrdGroup.lazy_commands


def _described(thing: Any, depth: int = 0) -> Any:
    """A Click command (its params, their types, its sub-commands) as plain comparable values:
    every attribute, a function by its name (the callbacks Typer wraps are new objects each time)."""
    if callable(thing) and hasattr(thing, "__qualname__") and not isinstance(thing, type):
        return ("function", getattr(thing, "__wrapped__", thing).__qualname__)
    if isinstance(thing, dict):
        return {key: _described(value, depth + 1) for key, value in thing.items()}
    if isinstance(thing, (list, tuple)):
        return [_described(value, depth + 1) for value in thing]
    if hasattr(thing, "__dict__") and not isinstance(thing, type) and depth < 8:
        return (type(thing), {key: _described(value, depth + 1) for key, value in vars(thing).items()})
    return thing


@pytest.mark.parametrize("name", sorted(WhrdGroup.lazy_commands))
def test_a_command_built_alone_is_the_one_typer_builds_with_its_module(name: str) -> None:
    """`whrd CMD` builds only CMD (Typer's group of a module makes every command in it): the
    same command as the module's whole group has, to its params, help and Rich settings."""
    from whrd_cli.cli import _built

    module = importlib.import_module(f"whrd_cli.cli.{WhrdGroup.lazy_commands[name]}")
    alone, grouped = _built(module.app, name), get_group(module.app).commands[name]
    assert alone is not None and _described(alone) == _described(grouped)


def test_a_read_command_loads_only_what_it_needs(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "from whrd_cli.cli import app\n"
        f"sys.argv = ['whrd', '--db', {str(tmp_path / 'a.json')!r}, 'list']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith(('whrd_cli.cli.', 'jinja2', 'snowball',"
        " 'rich.table', 'whrd_cli.digest', 'whrd_cli.importer'))))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == (
        "['whrd_cli.cli.boundary', 'whrd_cli.cli.browse', 'whrd_cli.cli.common', 'whrd_cli.cli.complete', "
        "'whrd_cli.cli.localize', 'whrd_cli.cli.options']"
    )


def test_help_loads_no_storage() -> None:
    """`whrd --help` imports every command module, and none of them the store, TinyDB or the lock."""
    code = (
        "import sys\n"
        "from whrd_cli.cli import app\n"
        "sys.argv = ['whrd', '--help']\n"
        "try:\n    app()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.split('.')[0] in ('tinydb', 'filelock', 'orjson')"
        " or m in ('whrd_cli.store', 'whrd_cli.filters')))\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip().splitlines()[-1] == "[]"


def test_broken_pipe_is_quiet(tmp_path: Path) -> None:
    env = {**os.environ, "WHRD_DB": str(tmp_path / "a.json")}
    rows = "\n".join(
        json.dumps({"title": f"Bulletin {n}", "date": "2020-01-01", "lang": "en"}) for n in range(3000)
    )
    subprocess.run(
        [sys.executable, "-m", "whrd_cli", "import", "-", "--format", "jsonl"],
        input=rows,
        text=True,
        env=env,
        check=True,
        capture_output=True,
    )
    out = subprocess.run(
        f"{sys.executable} -m whrd_cli list | head -1", shell=True, capture_output=True, text=True, env=env
    )
    assert out.stdout.count("\n") == 1
    assert out.stderr == ""


@pytest.mark.parametrize(
    ("name", "heading"), [("README.md", "Exit codes"), ("README.es.md", "Códigos de salida")]
)
def test_readme_documents_every_command_and_exit_code(run: Run, name: str, heading: str) -> None:
    readme = (Path(__file__).resolve().parents[1] / name).read_text(encoding="utf-8")
    assert [c for c in _defined_commands() if f"`whrd {c}`" not in readme] == []
    codes = {
        EXIT_OK,
        EXIT_INPUT,
        EXIT_USAGE,
        EXIT_ARCHIVE,
        EXIT_LOCKED,
        EXIT_REMOTE,
        EXIT_BUG,
        EXIT_INTERRUPTED,
    }
    section = readme.split(f"\n## {heading}\n", 1)[1].split("\n## ", 1)[0]
    cells = [line.split("|")[1].strip() for line in section.splitlines() if line.startswith("|")]
    assert [int(cell) for cell in cells if cell.isdigit()] == sorted(codes)
    words = " ".join(run.ok("--help").stdout.split())
    listed = words.split("Exit codes: ", 1)[1].split("; ")
    assert [int(part.split()[0]) for part in listed] == sorted(codes)


def test_concurrent_relative_edits_all_land(tmp_path: Path) -> None:
    """Five `edit --add-tag` processes at once: each works on the bulletin as it is in the lock."""
    env = {**os.environ, "WHRD_DB": str(tmp_path / "a.json"), "WHRD_LOCK_TIMEOUT": "60"}
    base = [sys.executable, "-m", "whrd_cli"]
    subprocess.run(
        [*base, "add", "--title", "Shared", "--date", "2020-01-01"], env=env, check=True, capture_output=True
    )
    procs = [
        subprocess.Popen(
            [*base, "edit", "1", "--add-tag", f"R{n}"],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(5)
    ]
    assert all(p.wait() == 0 for p in procs)
    out = subprocess.run([*base, "show", "1", "--json"], env=env, check=True, capture_output=True, text=True)
    assert sorted(json.loads(out.stdout)["tags"]) == [f"R{n}" for n in range(5)]


def test_editor_keeps_changes_made_meanwhile(run: Run, add: Callable[..., int], tmp_path: Path) -> None:
    add("Shared", "2020-01-01", "-l", "en")
    editor = tmp_path / "editor.py"
    # While the form is open, another process sets the url; the user only changes the source.
    editor.write_text(
        "import os, subprocess, sys, pathlib\n"
        "cmd = [sys.executable, '-m', 'whrd_cli', 'edit', '1', '--url', 'https://e.org/x']\n"
        "subprocess.run(cmd, check=True)\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "p.write_text(p.read_text().replace('Source: ', 'Source: the network'))\n"
    )
    result = run("edit", "1", env={"EDITOR": f"{sys.executable} {editor}", "VISUAL": ""})
    assert result.exit_code == 0, result.stderr
    b = run.json("show", "1")
    assert (b["url"], b["source"]) == ("https://e.org/x", "the network")


def test_edit_that_changes_nothing_says_so(run: Run, add: Callable[..., int]) -> None:
    add("Shared", "2020-01-01", "-l", "en")
    result = run("edit", "1", "--remove-tag", "absent")
    assert result.exit_code == 0
    assert "nothing changed" in result.stderr


def test_prompt_asks_again_after_a_bad_date(run: Run, stdin_terminal: None) -> None:
    result = run("add", "-l", "en", input="Prompted title\nmarzo 2018\n4 de marzo de 2018\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    assert "has no day" in result.stderr
    assert run.json("show", "1")["date"] == "2018-03-04"


def test_edit_without_options_or_editor_off_a_terminal(run: Run, add: Callable[..., int], db: Path) -> None:
    add("Shared", "2020-01-01", "-l", "en")
    before = db.read_bytes()
    result = run("edit", "1", env={"EDITOR": "", "VISUAL": ""})
    assert result.exit_code == 1 and "No editor" in result.stderr
    assert db.read_bytes() == before


def test_archive_with_a_bom_reads_and_a_fifo_is_refused(run: Run, add: Callable[..., int], db: Path) -> None:
    add("Shared", "2020-01-01", "-l", "en")
    db.write_bytes(b"\xef\xbb\xbf" + db.read_bytes())
    assert run.json("list")[0]["title"] == "Shared"
    fifo = db.parent / "fifo.json"
    os.mkfifo(fifo)
    result = run("--db", str(fifo), "list")
    assert result.exit_code == 3 and "not a regular file" in result.stderr


def test_title_sort_ignores_leading_punctuation(run: Run, add: Callable[..., int]) -> None:
    for title in ("¿Quién protege?", "“Ana” speaks", "Zapatistas", "Berta"):
        add(title, "2020-01-01", "-l", "es")
    assert [b["title"] for b in run.json("list", "--sort", "title")] == [
        "“Ana” speaks",
        "Berta",
        "¿Quién protege?",
        "Zapatistas",
    ]


# -- issue 12, item 16: interactive add asks every field and says what it recorded ----------------


def test_interactive_add_asks_every_field_again_after_a_mistake(
    run: Run, stdin_terminal: None, stdout_terminal: None
) -> None:
    answers = [
        "Water defenders threatened",
        "2017-02-30",  # not a real date: asked again
        "2017-02-28",
        "alert",
        "Hondura",  # unknown: asked again
        "Honduras, GT",
        "#Agua, Territorio",
        "The network warns of threats.",
        "klingon",  # not a language code: asked again
        "es",
    ]
    result = run("add", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "Added #1 — es · Alert · Honduras, Guatemala"
    for prompt in ("Title", "Date", "Category (news, alert,", "Countries", "Tags", "Summary", "Language"):
        assert f"\n{prompt}" in "\n" + result.stdout
    assert result.stderr.count("Error: ") == 3
    b = run.json("show", "1")
    assert (b["title"], b["date"], b["category"], b["countries"], b["tags"], b["summary"], b["lang"]) == (
        "Water defenders threatened",
        "2017-02-28",
        "alert",
        ["HN", "GT"],
        ["Agua", "Territorio"],
        "The network warns of threats.",
        "es",
    )


def test_enter_skips_the_optional_questions(run: Run, stdin_terminal: None) -> None:
    result = run("add", "--tag", "Given", input="Radio turns three\n2017-01-26\n\n\n\n\n")
    assert result.exit_code == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "1"  # a pipe gets the id only
    assert "Tags" not in result.stdout  # given on the command line: not asked
    b = run.json("show", "1")
    assert (b["category"], b["countries"], b["tags"], b["summary"], b["lang"]) == (
        None,
        [],
        ["Given"],
        "",
        "en",
    )


def test_edit_on_a_terminal_says_what_was_recorded(
    run: Run, add: Callable[..., int], stdout_terminal: None
) -> None:
    add("Letter", "2020-01-01", "-l", "en", "-c", "SV")
    result = run.ok("edit", "1", "--category", "open letter", "--add-country", "Honduras")
    assert result.stderr == "Updated #1 — en · Open letter · El Salvador, Honduras\n"


def test_removing_a_tag_that_is_not_there_says_so(run: Run, add: Callable[..., int]) -> None:
    add("Letter", "2020-01-01", "-l", "en", "-t", "Kept")
    result = run.ok("edit", "1", "--remove-tag", "NoSuchTag")
    assert result.stderr == "Bulletin 1 has no tag 'NoSuchTag'; nothing changed.\n"
    result = run.ok("edit", "1", "--remove-tag", "#nosuchtag", "--add-tag", "New", "--remove-country", "HN")
    assert result.stderr == (
        "Bulletin 1 had no tag 'nosuchtag'.\nBulletin 1 had no country HN.\nUpdated bulletin 1.\n"
    )


@pytest.fixture
def tegucigalpa(monkeypatch: pytest.MonkeyPatch) -> object:
    """The process's local time zone is Honduras (UTC-6, no summer time) for the test."""
    import time

    monkeypatch.setenv("TZ", "America/Tegucigalpa")
    time.tzset()
    yield None
    monkeypatch.undo()
    time.tzset()


def test_show_prints_times_in_the_local_zone(run: Run, add: Callable[..., int], tegucigalpa: object) -> None:
    from datetime import datetime, timedelta

    add("Kept", "2020-01-01", "-l", "en")
    added = run.json("show", "1")["added"]
    utc = datetime.fromisoformat(added.replace("Z", "+00:00"))
    expected = (utc - timedelta(hours=6)).strftime("%Y-%m-%d %H:%M") + " CST (UTC-06:00)"
    out = run.ok("show", "1").stdout
    assert f"Added      {expected}" in out, out
    assert added not in out


def test_stats_overview_has_a_none_country_row(
    run: Run, add: Callable[..., int], stdout_terminal: None
) -> None:
    add("About Honduras", "2020-01-01", "-l", "en", "-c", "HN")
    add("About nowhere", "2020-01-02", "-l", "en")
    add("Nowhere either", "2020-01-03", "-l", "en")
    rows = {r["label"]: r["count"] for r in run.json("stats")["by_country"]}
    assert rows == {"(none)": 2, "Honduras": 1}
    assert "(none)" in run.ok("stats").stdout


def test_import_dry_run_shows_what_it_read_at_any_width(
    run: Run, tmp_path: Path, stdout_terminal: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("whrd_cli.cli.common.is_terminal", lambda: True)
    listing = tmp_path / "l.txt"
    listing.write_text(
        "#WHRDAlert HONDURAS / Threats against a water defender\n\n"
        "The network warns of threats against a defender in Guatemala […]\n\n6 May 2021\n",
        encoding="utf-8",
    )
    for columns, expected in (("80", "en · Alert · HN, GT"), ("140", "en    Alert     HN GT")):
        monkeypatch.setenv("COLUMNS", columns)
        out = run.ok("import", str(listing), "--dry-run").stdout
        assert expected in out, out


def test_a_category_typed_at_the_prompt_is_checked_like_an_option(
    run: Run, db: Path, stdin_terminal: None
) -> None:
    # checked at its own question; a no asks the category again, keeping the other answers
    answers = ["Water defenders threatened", "2017-02-28", "statment", "n", "statement", "", "", "", "en"]
    result = run("add", input="\n".join(answers) + "\n")
    assert result.exit_code == 0, result.stderr
    assert result.stderr == (
        "Unknown category 'statment'. Did you mean: statement?\nStart a new category 'statment'? [y/N]:"
    )
    assert [b["category"] for b in run.json("list")] == ["statement"]
