"""An append to a big encrypted archive encrypted from the moment the archive is read
(`crypto.early`): a child encrypts the stored bulletins into the write's temp file while whrd works
the change out; the write sends it the rest. Thresholds are lowered (`light_sealed.APART`,
`names.MAPPED`) so a small archive takes the big-archive path.

Oracles: `pyrage.decrypt` with the archive's identity (and with an extra recipient's), the `age`
tool where it is installed, `orjson.dumps` of what `json.loads` reads (the bytes a write of those
tables must be), the trust mark recomputed from the file (`marks.sha_mark`), the process table
(no child left) and the folder's listing (no temp file left). Each test also proves which path
the write took (the early child's file, or the whole encrypted again)."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import orjson
import pyrage
import pytest
from pyrage import x25519
from tests.corpus import CORPUS, bulletin
from tests.faults import open_session

from marks import sha_mark
from processes import children
from whrd_cli import workers
from whrd_cli.crypto import codec, convert, early, keys
from whrd_cli.errors import DuplicateError
from whrd_cli.storage import atomic, light, light_sealed, names
from whrd_cli.store import Archive

NEW = bulletin(
    "es", "2024-05-05", "Amenazas contra una locutora en Gracias «Lempira»", "La siguieron a su casa."
)
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def sealed(
    db: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """An encrypted archive of the corpus with an open session, read the big-archive way."""
    return sealed_copy("corpus", _corpus, db, runtime, monkeypatch, tmp_path_factory)


def _corpus(archive: Path) -> None:
    Archive(archive).add_many([bulletin(*row) for row in CORPUS])


PASS = "a passphrase of five words"
_TEMPLATES: dict[str, tuple[Path, str]] = {}


def sealed_copy(
    name: str,
    build: Any,
    db: Path,
    runtime: Path,
    monkeypatch: pytest.MonkeyPatch,
    factory: pytest.TempPathFactory,
) -> Path:
    """The archive `build(path)` makes, encrypted once per test run (scrypt costs ~1 s each way,
    wrapping and unwrapping), copied to `db` with its identity file and trust mark; a session open
    for it, the big-archive thresholds lowered."""
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    if name not in _TEMPLATES:
        source = factory.mktemp(f"sealed-{name}") / "archive.json"
        build(source)
        convert.encrypt_archive(source, PASS)
        _TEMPLATES[name] = (source, convert.unwrapped(source, PASS))
    source, identity = _TEMPLATES[name]
    for copied in source.parent.iterdir():
        if copied.name.startswith(source.name) and not copied.name.endswith(".lock") and copied.is_file():
            shutil.copy2(copied, db.parent / (db.name + copied.name[len(source.name) :]))
    with contextlib.suppress(OSError):
        os.setxattr(db, "user.whrd.sound", os.getxattr(source, "user.whrd.sound"))
    open_session(runtime, db, identity)
    monkeypatch.setattr(light_sealed, "APART", 1000)
    monkeypatch.setattr(names, "MAPPED", 1000)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    assert db.stat().st_size > 1000
    return db


def took(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """One entry per encrypted append: True when the early child's temp file was the write's."""
    used: list[bool] = []
    real = light.finish_early

    def spy(*args: Any) -> Any:
        temp = real(*args)
        used.append(temp is not None)
        return temp

    monkeypatch.setattr(light, "finish_early", spy)
    return used


def plain_text(db: Path, identity: Any = None) -> bytes:
    return pyrage.decrypt(db.read_bytes(), [identity or x25519.Identity.from_str(str(keys.identity_for(db)))])


def temps(db: Path) -> list[Path]:
    return [p for p in db.parent.iterdir() if atomic.TMP_MARK in p.name]


def assert_written_whole(db: Path, before: dict[str, Any], *titles: str) -> dict[str, Any]:
    """The new archive is the old one with bulletins of `titles` appended, byte for byte as a
    write of its tables gives them, marked sound, with no temp file beside it."""
    text = plain_text(db)
    tables = json.loads(text)
    assert text == orjson.dumps(tables)
    old = before["bulletins"]
    assert list(tables["bulletins"])[: len(old)] == list(old)
    assert all(tables["bulletins"][key] == value for key, value in old.items())
    assert [tables["bulletins"][key]["title"] for key in list(tables["bulletins"])[len(old) :]] == list(
        titles
    )
    assert os.getxattr(db, "user.whrd.sound") == sha_mark(db.read_bytes())
    assert temps(db) == []
    return tables  # type: ignore[no-any-return]


def test_an_append_is_encrypted_early_and_reads_back_as_written(
    sealed: Path, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    used = took(monkeypatch)
    before = json.loads(plain_text(sealed))
    kids = children()
    Archive(sealed).add(NEW)
    assert used == [True]
    assert children() == kids
    assert_written_whole(sealed, before, NEW.title)
    # The mark it left is trusted: the next append reads the archive light, and encrypts early again.
    loads: list[bool] = []
    real_load = light.load
    monkeypatch.setattr(light, "load", lambda path: loads.append(True) or real_load(path))
    second = bulletin("en", "2024-05-06", "A second alert after the first", "Follow-up.")
    Archive(sealed).add(second)
    assert used == [True, True] and loads == [True]
    assert_written_whole(sealed, before, NEW.title, second.title)
    if shutil.which("age"):  # the age tool reads it as it reads any age file
        key = tmp_path / "identity.txt"
        key.write_text(str(keys.identity_for(sealed)) + "\n")
        out = subprocess.run(["age", "-d", "-i", str(key), str(sealed)], capture_output=True, check=True)
        assert out.stdout == plain_text(sealed)


def test_extra_recipients_can_read_what_it_wrote(sealed: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    other = x25519.Identity.generate()
    convert.change_recipients(sealed, lambda found: [*found, str(other.to_public())])
    used = took(monkeypatch)
    before = json.loads(plain_text(sealed))
    Archive(sealed).add(NEW)
    assert used == [True]
    assert_written_whole(sealed, before, NEW.title)
    assert plain_text(sealed, other) == plain_text(sealed)


def test_a_refused_append_leaves_no_child_and_no_temp_file(
    sealed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    started: list[Any] = []
    real_start = early.start
    monkeypatch.setattr(early, "start", lambda *a: started.append(real_start(*a)) or started[-1])
    Archive(sealed).add(NEW)
    before = sealed.read_bytes()
    kids = children()
    with pytest.raises(DuplicateError):
        Archive(sealed).add(NEW)
    assert len(started) == 2 and started[-1] is not None  # (the child was started, then stopped)
    assert children() == kids
    assert temps(sealed) == []
    assert sealed.read_bytes() == before


def test_a_child_that_fails_has_the_whole_encrypted_here(
    sealed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_args: Any) -> None:
        os._exit(3)  # as a child killed mid-way: its temp file holds part of the archive

    monkeypatch.setattr(early, "_encrypt", broken)
    used, lost = took(monkeypatch), []
    real_forked = codec._forked
    monkeypatch.setattr(codec, "_forked", lambda *a: lost.append(True) or real_forked(*a))
    real_threaded = codec._threaded
    monkeypatch.setattr(codec, "_threaded", lambda *a: lost.append(False) or real_threaded(*a))
    before = json.loads(plain_text(sealed))
    kids = children()
    Archive(sealed).add(NEW)
    assert used == [] and lost == [False]  # ForkLost: written again, encrypted in this process
    assert children() == kids
    assert_written_whole(sealed, before, NEW.title)


def test_recipients_changed_since_the_read_are_encrypted_to_as_before(
    sealed: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    other = x25519.Identity.generate()
    real_names = codec.recipient_names
    monkeypatch.setattr(codec, "recipient_names", lambda *a: [*real_names(*a), str(other.to_public())])
    real_recipients = codec._recipients
    monkeypatch.setattr(
        codec, "_recipients", lambda path, tables: [*real_recipients(path, tables), other.to_public()]
    )
    monkeypatch.setattr(early, "start", _start_with_its_own_recipients(real_recipients))
    used = took(monkeypatch)
    before = json.loads(plain_text(sealed))
    Archive(sealed).add(NEW)
    assert used == [False]  # the child guessed the old recipients: stopped, the whole encrypted again
    assert_written_whole(sealed, before, NEW.title)
    assert plain_text(sealed, other) == plain_text(sealed)


def _start_with_its_own_recipients(recipients: Any) -> Any:
    """`early.start` as it was when the read saw fewer recipients than the write has."""
    real_start = early.start

    def start(*args: Any) -> Any:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(codec, "_recipients", recipients)
            return real_start(*args)

    return start


KILL = r"""
import os, signal, sys, runpy
from whrd_cli import workers
from whrd_cli.storage import light, light_sealed, names
light_sealed.APART = names.MAPPED = 1000
workers.cores = lambda: 2
real_load = light.load
def load(path):
    found = real_load(path)
    if found is not None and found[1].early is not None:
        print(f"KILLED-AT early pid={found[1].early._pid}", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    return found
light.load = load
sys.argv = ["whrd", *sys.argv[1:]]
runpy.run_module("whrd_cli", run_name="__main__")
"""


def test_a_writer_killed_while_its_child_encrypts_leaves_the_archive_as_it_was(
    sealed: Path, runtime: Path
) -> None:
    before = sealed.read_bytes()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "XDG_RUNTIME_DIR": str(runtime)}
    args = ["--db", str(sealed), "add", "--title", NEW.title, "--date", "2024-05-05"]
    done = subprocess.run(
        [sys.executable, "-c", KILL, *args], capture_output=True, text=True, env=env, timeout=120
    )
    assert done.returncode == -signal.SIGKILL, done.stderr
    assert "KILLED-AT early pid=" in done.stdout  # (the kill landed while the child was started)
    pid = int(done.stdout.split("pid=")[1].split()[0])
    _gone(pid)  # it died with its parent
    assert sealed.read_bytes() == before
    left = temps(sealed)
    assert all(p.read_bytes()[:21] in (b"age-encryption.org/v1"[: p.stat().st_size], b"") for p in left)
    assert all(NEW.title.encode() not in p.read_bytes() for p in sealed.parent.iterdir() if p.is_file())
    # The next write cleans what the killed one left, and lands.
    Archive(sealed).add(NEW)
    assert temps(sealed) == []
    assert json.loads(plain_text(sealed))["bulletins"][str(len(CORPUS) + 1)]["title"] == NEW.title


def _gone(pid: int) -> None:
    import time

    for _ in range(200):
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return
        if state == "Z":
            return
        time.sleep(0.05)
    raise AssertionError(f"the encrypting child {pid} outlived its parent")
