"""Leftover 2 of the 21st session: a config file that is not valid TOML (or not UTF-8) cannot be
mended by any `config` verb that edits keys, so every command's error names the file and the way
out, and `whrd config reset` sets the file aside (its bytes kept beside it, never deleted) and
starts an empty one, after a yes on a terminal or with --yes."""

from __future__ import annotations

import hashlib
import os
import stat
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.conftest import Run

BROKEN = b'# my settings\nlocale = "es"\neditor = nano\n[list]\nlimit = 20\n'
NOT_UTF8 = b'locale = "es"\n# caf\xe9\n'
MEND_EN = "Mend it in a text editor, or set it aside and start an empty one with 'whrd config reset'."
MEND_ES = "Corríjalo en un editor de texto, o apártelo y empiece uno vacío con 'whrd config reset'."


@pytest.fixture
def config(tmp_path: Path) -> Path:
    return Path(os.environ["WHRD_CONFIG"])


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _kept(config: Path) -> list[Path]:
    return sorted(config.parent.glob(config.name + ".*.bak"))


@pytest.mark.parametrize("content", [BROKEN, NOT_UTF8])
@pytest.mark.parametrize(
    "argv",
    [
        ("list",),
        ("config", "list"),
        ("config", "get", "locale"),
        ("config", "unset", "editor"),
        ("config", "set", "locale", "en"),
    ],
)
@pytest.mark.parametrize(("lang", "mend"), [("en", MEND_EN), ("es", MEND_ES)])
def test_every_command_names_the_file_and_the_way_out(
    run: Run, config: Path, content: bytes, argv: tuple[str, ...], lang: str, mend: str
) -> None:
    config.write_bytes(content)
    result = run(*argv, env={"WHRD_LANG": lang})
    assert result.exit_code == 1
    lines = result.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: ")
    assert str(config) in lines[0] and lines[0].endswith(mend)
    assert config.read_bytes() == content


@pytest.mark.parametrize("content", [BROKEN, NOT_UTF8, b'locale = "en"\n'])
def test_reset_keeps_the_bytes_beside_and_starts_an_empty_file(
    run: Run, config: Path, content: bytes
) -> None:
    config.write_bytes(content)
    before = hashlib.sha256(content).hexdigest()
    result = run("config", "reset", "--yes")
    assert result.exit_code == 0, result.stderr
    [kept] = _kept(config)
    assert _sha(kept) == before  # the user's bytes, all of them
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert config.read_bytes() == b"" and stat.S_IMODE(config.stat().st_mode) == 0o600
    assert result.stderr == (
        f"Set the config file aside as {kept}; {config} is now empty, so whrd's defaults apply.\n"
    )
    assert result.stdout == ""
    # The way out works: every command runs again, and config set writes the fresh file.
    assert run("list").exit_code == 0
    run.ok("config", "set", "list.limit", "20")
    assert config.read_text() == "[list]\nlimit = 20\n"
    assert _sha(kept) == before


def test_reset_in_spanish(run: Run, config: Path) -> None:
    config.write_bytes(BROKEN)
    result = run("config", "reset", "--yes", env={"WHRD_LANG": "es"})
    [kept] = _kept(config)
    assert result.exit_code == 0
    assert result.stderr == (
        f"Se apartó el archivo de configuración como {kept}; {config} está vacío ahora, "
        "así que rigen los valores por omisión de whrd.\n"
    )


def test_reset_off_a_terminal_needs_yes_and_changes_nothing(run: Run, config: Path) -> None:
    config.write_bytes(BROKEN)
    for lang, line in [
        ("en", "Error: Refusing to reset the config file without confirmation: add --yes.\n"),
        ("es", "Error: No se restablece el archivo de configuración sin confirmación: agregue --yes.\n"),
    ]:
        result = run("config", "reset", env={"WHRD_LANG": lang})
        assert (result.exit_code, result.stderr) == (1, line)
    assert config.read_bytes() == BROKEN and _kept(config) == []


@pytest.mark.usefixtures("stdin_terminal")
@pytest.mark.parametrize(("lang", "no", "yes"), [("en", "n", "y"), ("es", "no", "sí")])
def test_reset_on_a_terminal_asks(run: Run, config: Path, lang: str, no: str, yes: str) -> None:
    config.write_bytes(BROKEN)
    refused = run("config", "reset", input=f"{no}\n", env={"WHRD_LANG": lang})
    assert refused.exit_code == 1
    assert config.read_bytes() == BROKEN and _kept(config) == []
    done = run("config", "reset", input=f"{yes}\n", env={"WHRD_LANG": lang})
    assert done.exit_code == 0, done.stderr
    [kept] = _kept(config)
    assert kept.read_bytes() == BROKEN and config.read_bytes() == b""


def test_reset_without_a_file_or_with_an_empty_one_keeps_nothing(run: Run, config: Path) -> None:
    result = run("config", "reset", "--yes")
    assert (result.exit_code, result.stderr) == (
        0,
        f"There is no config file at {config}; nothing to set aside.\n",
    )
    assert not config.exists()
    config.write_bytes(b"")
    result = run("config", "reset", "--yes")
    assert result.stderr == f"The config file {config} is already empty; nothing to set aside.\n"
    assert _kept(config) == []


def test_reset_of_a_folder_is_one_line_and_changes_nothing(run: Run, config: Path) -> None:
    config.mkdir()
    result = run("config", "reset", "--yes")
    assert result.exit_code == 1 and result.stderr.startswith(f"Error: Cannot read the config file {config}")
    assert config.is_dir() and _kept(config) == []


def test_a_linked_config_stays_linked_and_its_target_is_kept(run: Run, config: Path, tmp_path: Path) -> None:
    dotfiles = tmp_path / "dotfiles"
    dotfiles.mkdir()
    target = dotfiles / "whrd.toml"
    target.write_bytes(BROKEN)
    config.symlink_to(target)
    run.ok("config", "reset", "--yes")
    [kept] = _kept(config)
    assert kept.read_bytes() == BROKEN and not kept.is_symlink()
    assert config.is_symlink() and target.read_bytes() == b""


def test_two_resets_in_one_second_never_overwrite_a_kept_file(tmp_path: Path) -> None:
    from whrd_cli.config_edit import set_aside

    path = tmp_path / "config.toml"
    now = datetime(2026, 11, 29, 15, 30, 12, tzinfo=timezone.utc)
    kept = []
    for content in (b"first = [\n", b"second = {\n", b"third\n"):
        path.write_bytes(content)
        kept.append(set_aside(path, now))
    assert [p.name for p in kept if p] == [
        "config.toml.2026-11-29T153012Z.bak",
        "config.toml.2026-11-29T153012Z-2.bak",
        "config.toml.2026-11-29T153012Z-3.bak",
    ]
    assert [p.read_bytes() for p in kept if p] == [b"first = [\n", b"second = {\n", b"third\n"]
    assert set_aside(tmp_path / "absent.toml", now) is None


@pytest.mark.parametrize("failing_write", [1, 2])  # the copy, then the emptying
def test_a_failed_reset_loses_nothing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, failing_write: int
) -> None:
    import errno

    from whrd_cli.config_edit import set_aside
    from whrd_cli.errors import InputError
    from whrd_cli.storage import atomic

    real = atomic.write_atomic
    calls = []

    def write(path: Path, payload: bytes, **kw: object) -> None:
        calls.append(path)
        if len(calls) == failing_write:
            raise OSError(errno.ENOSPC, "No space left on device")
        real(path, payload, **kw)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic, "write_atomic", write)
    path = tmp_path / "config.toml"
    path.write_bytes(BROKEN)
    with pytest.raises(InputError, match=r"^Cannot set the config file .* aside: .*; it was not changed\.$"):
        set_aside(path, datetime(2026, 1, 1, tzinfo=timezone.utc))
    assert path.read_bytes() == BROKEN
    assert [p.read_bytes() for p in _kept(path)] == ([] if failing_write == 1 else [BROKEN])
