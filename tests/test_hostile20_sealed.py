"""Hostile review (session 20) of big encrypted archives: mapped ciphertext, a child decrypting
while the parent parses (`light_sealed`), through real `whrd` processes whose thresholds are
lowered (`light_sealed.APART`, `names.MAPPED`) so a small archive takes the big-archive path.

Oracles: `pyrage.decrypt` with the identity pyrage itself unwraps, `json.loads`, `hashlib.sha256`
against the trust mark, sha256 of the files a refused command must leave alone, a byte grep of
every file on disk for a known title, and the process's exit status (a signal is never clean).
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import signal
import time
from pathlib import Path
from typing import Any

import pytest

from marks import sha_mark
from processes import whrd_process

SRC = Path(__file__).resolve().parents[1] / "src"
PASS = "una frase de paso larga 2026"
TITLE = "Defensora Zapoteca amenazada en Oaxaca"
LOW = (
    "import sys, runpy\n"
    "from whrd_cli import workers\n"
    "from whrd_cli.storage import light_sealed, names\n"
    "light_sealed.APART = names.MAPPED = 1000\n"
    "workers.cores = lambda: 2\n"
    "sys.argv = ['whrd', *sys.argv[1:]]\n"
    "runpy.run_module('whrd_cli', run_name='__main__')\n"
)


def whrd(
    db: Path,
    *args: str,
    passphrase: str | None = PASS,
    es: bool = False,
    env: dict[str, str] | None = None,
    popen: bool = False,
) -> Any:
    """`whrd --db DB …` in its own process, big-archive thresholds lowered, a passphrase on a pipe."""
    asked = (passphrase,) * 3 if passphrase is not None else ()  # as many times as any command asks
    return whrd_process(
        db, *args, passphrases=asked, es=es, env=env, program=("-c", LOW), popen=popen, timeout=180
    )


def ok(db: Path, *args: str, **kw: Any) -> Any:
    done = whrd(db, *args, **kw)
    assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr)
    return done


def refused(done: Any, code: int) -> None:
    """One clean line on stderr, the exit code given, no traceback."""
    assert done.returncode == code, (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr


def identity(db: Path) -> Any:
    from pyrage import passphrase, x25519

    text = passphrase.decrypt(db.with_name(db.name + ".key.age").read_bytes(), PASS).decode()
    return x25519.Identity.from_str(text.strip())


def plain(db: Path) -> dict[str, Any]:
    import pyrage

    return json.loads(pyrage.decrypt(db.read_bytes(), [identity(db)]))  # type: ignore[no-any-return]


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.iterdir()) if p.is_file()
    }


def holding(folder: Path, text: str) -> list[Path]:
    needles = [text.encode(), json.dumps(text)[1:-1].encode()]
    return [p for p in folder.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def unlocked(db: Path, runtime: Path) -> dict[str, Any]:
    """A session (no scrypt per command), and a long lock timeout: keyword arguments for `whrd`."""
    env = {"XDG_RUNTIME_DIR": str(runtime), "WHRD_LOCK_TIMEOUT": "120"}
    ok(db, "unlock", "--for", "1h", env=env)
    return {"env": env, "passphrase": None}


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An encrypted archive of 300 bulletins (~400 KB: far past the lowered thresholds), made by
    the library (fast), then encrypted by the real CLI."""
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    db = tmp_path_factory.mktemp("sealed") / "archive.json"
    titles = [TITLE, *(f'Boletín {n} ,"{n + 1}":{{ «ñ» \\ }}' for n in range(1, 300))]
    Archive(db).add_many(
        [
            Bulletin.create(title=t, date=f"2024-03-{1 + n % 28:02d}", summary="ñandú " * 200)
            for n, t in enumerate(titles)
        ]
    )
    Archive(db).update(3, {"summary": "editada una vez"})  # a history table after the bulletins
    ok(db, "encrypt", passphrase=PASS)
    return db


@pytest.fixture
def sealed(template: Path, tmp_path: Path) -> Path:
    db = tmp_path / "archive.json"
    for source in template.parent.iterdir():
        if source.name.startswith("archive.json") and source.is_file():
            shutil.copy2(source, tmp_path / source.name)  # (modes kept: doctor checks them)
    mark = os.getxattr(template, "user.whrd.sound") if hasattr(os, "getxattr") else None
    if mark:
        os.setxattr(db, "user.whrd.sound", mark)
    assert db.stat().st_size > 300_000
    return db


def test_edit_delete_export_match_pyrage_and_json(sealed: Path, tmp_path: Path) -> None:
    before = plain(sealed)
    ok(sealed, "edit", "3", "--title", "Título editado «sí»")
    after = plain(sealed)
    assert after["bulletins"]["3"]["title"] == "Título editado «sí»"
    for key, value in before["bulletins"].items():
        if key != "3":
            assert after["bulletins"][key] == value
    assert next(iter(after)) == "bulletins" and list(after)[-1] == "meta"
    assert os.getxattr(sealed, "user.whrd.sound") == sha_mark(sealed.read_bytes())
    ok(sealed, "delete", "5", "7", "--yes", es=True)
    after = plain(sealed)
    assert "5" not in after["bulletins"] and "7" not in after["bulletins"] and len(after["bulletins"]) == 298
    ok(sealed, "add", "--title", "Añadida al final", "--date", "2024-06-01")
    after = plain(sealed)
    assert list(after["bulletins"].values())[-1]["title"] == "Añadida al final"
    elsewhere = tmp_path / "exports"
    elsewhere.mkdir()
    out = elsewhere / "out.json"
    ok(sealed, "export", "-f", "json", "-o", str(out))
    exported = json.loads(out.read_text())
    rows = exported if isinstance(exported, list) else exported.get("bulletins", exported)
    assert {r["title"] for r in rows} == {b["title"] for b in after["bulletins"].values()}
    out.unlink()
    doctor = whrd(sealed, "doctor")
    assert doctor.returncode == 0, doctor.stdout
    assert holding(tmp_path, TITLE) == []  # no plain text on disk


@pytest.mark.parametrize("mark", ["stale", "follows"])
@pytest.mark.parametrize("damage", ["truncated", "flipped", "header"])
@pytest.mark.parametrize("command", ["edit", "delete", "add", "list", "show"])
def test_damaged_ciphertext_is_one_clean_line(sealed: Path, damage: str, command: str, mark: str) -> None:
    """Damaged ciphertext, its mark left stale or set to the damaged bytes' hash (a copy that kept
    its xattrs: the light and trusted paths are then taken, and the child's failure must fall back
    to the plain read's clean error)."""
    data = bytearray(sealed.read_bytes())
    if damage == "truncated":
        del data[len(data) // 2 :]
    elif damage == "flipped":
        data[len(data) // 2] ^= 0x40
    else:
        data[30] ^= 0x01
    sealed.write_bytes(bytes(data))
    if mark == "follows":
        os.setxattr(sealed, "user.whrd.sound", sha_mark(bytes(data)))
    files = digests(sealed.parent)
    args = {
        "edit": ("edit", "3", "--title", "x"),
        "delete": ("delete", "3", "--yes"),
        "add": ("add", "--title", "x", "--date", "2024-01-01"),
        "list": ("list",),
        "show": ("show", "3"),
    }[command]
    done = whrd(sealed, *args)
    assert done.returncode in (3, 4) and done.returncode != 0
    refused(done, done.returncode)
    assert digests(sealed.parent) == files


@pytest.mark.parametrize("es", [False, True])
def test_a_wrong_passphrase_is_one_clean_line(sealed: Path, es: bool) -> None:
    files = digests(sealed.parent)
    for args in (("edit", "3", "--title", "x"), ("add", "--title", "x", "--date", "2024-01-01"), ("list",)):
        done = whrd(sealed, *args, passphrase="otra frase equivocada", es=es)
        refused(done, 4)
    assert digests(sealed.parent) == files


def test_a_file_replaced_while_read_is_either_version(sealed: Path, tmp_path: Path, runtime: Path) -> None:
    """Another archive renamed over this one while commands read it: each write lands on one
    version, the file always decrypts, and its mark is its sha256."""
    env = unlocked(sealed, runtime)
    other = tmp_path / "other.json"
    other.write_bytes(sealed.read_bytes())
    for n in range(6):
        process = whrd(sealed, "add", "--title", f"Carrera {n}", "--date", "2024-01-01", popen=True, **env)
        time.sleep(0.08 * n)
        os.replace(other, sealed)  # a new inode under the name, as a sync tool would do
        other.write_bytes(sealed.read_bytes())
        _out, err = process.communicate(timeout=120)
        assert process.returncode in (0, 3), (process.returncode, err)
        assert "Traceback" not in err
        plain(sealed)
    # A write after the race is sound
    ok(sealed, "add", "--title", "Final", "--date", "2024-01-01")
    assert os.getxattr(sealed, "user.whrd.sound") == sha_mark(sealed.read_bytes())


def test_sigkill_mid_write_leaves_old_or_new_decryptable(sealed: Path, runtime: Path) -> None:
    env = unlocked(sealed, runtime)
    titles: set[str] = {b["title"] for b in plain(sealed)["bulletins"].values()}
    for n, delay in enumerate(0.1 + 0.06 * k for k in range(12)):
        process = whrd(sealed, "add", "--title", f"Matada {n}", "--date", "2024-01-01", popen=True, **env)
        time.sleep(delay)
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
        now = {b["title"] for b in plain(sealed)["bulletins"].values()}
        assert now in (titles, titles | {f"Matada {n}"})
        titles = now
        assert os.getxattr(sealed, "user.whrd.sound") == sha_mark(sealed.read_bytes())
    assert holding(sealed.parent, TITLE) == []
    assert whrd(sealed, "doctor").returncode in (0, 1)
    assert ok(sealed, "list")


def _eight_adds_at_once(db: Path, env: dict[str, str], title: str) -> None:
    """Eight `whrd add` processes started together (titles `TITLE 0` … `TITLE 7`); each must land."""
    processes = [
        whrd(
            db, "add", "--title", f"{title} {n}", "--date", "2024-01-01", passphrase=None, popen=True, env=env
        )
        for n in range(8)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err


def test_eight_adds_at_once_on_an_encrypted_archive(sealed: Path, runtime: Path) -> None:
    env = unlocked(sealed, runtime)["env"]
    count = len(plain(sealed)["bulletins"])
    _eight_adds_at_once(sealed, env, "A la vez")
    tables = plain(sealed)
    assert len(tables["bulletins"]) == count + 8
    assert {f"A la vez {n}" for n in range(8)} <= {b["title"] for b in tables["bulletins"].values()}
    assert os.getxattr(sealed, "user.whrd.sound") == sha_mark(sealed.read_bytes())
    ok(sealed, "lock", env=env, passphrase=None)


@pytest.mark.parametrize("layout", ["new", "meta-first"])
def test_eight_adds_at_once_on_a_plain_archive(tmp_path: Path, layout: str) -> None:
    import orjson

    db = tmp_path / "plain.json"
    env = {"WHRD_LOCK_TIMEOUT": "120"}
    ok(db, "add", "--title", TITLE, "--date", "2024-01-01", passphrase=None)
    if layout == "meta-first":  # as an older whrd left it, marked
        tables = json.loads(db.read_bytes())
        older = orjson.dumps({"meta": tables["meta"], **{k: v for k, v in tables.items() if k != "meta"}})
        db.write_bytes(older)
        os.setxattr(db, "user.whrd.sound", sha_mark(older))
    for _round in range(2):
        _eight_adds_at_once(db, env, f"A la vez {_round}")
    data = db.read_bytes()
    tables = json.loads(data)
    assert len(tables["bulletins"]) == 17 and sorted(map(int, tables["bulletins"])) == list(range(1, 18))
    assert os.getxattr(db, "user.whrd.sound") == sha_mark(data)
    assert whrd(db, "doctor", passphrase=None).returncode == 0
