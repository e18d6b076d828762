"""Hostile review (session 21): an encrypted archive's payload altered under a mark that still
matches (the mark covers the age header, nonce and size only), through real `whrd` processes, the
small-archive path and the big one (thresholds lowered: a child decrypts while whrd parses).

Same-size changes keep the mark right by themselves (a byte flipped, two 64 KB chunks swapped, a
chunk written twice); the others (the last chunk cut, another file's last chunk put in its place,
another version's header) have the mark set to what their bytes hash to, as a copy that kept its
xattrs would. Oracles: exit status 3 and one line on stderr, sha256 of every file beside the
archive, a byte grep of the folder for a title (no plain text on disk), `marks.sha_mark`."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from marks import sha_mark
from processes import whrd_process

SRC = Path(__file__).resolve().parents[1] / "src"
PASS = "una frase de paso larga 2026"
TITLE = "Defensora Zapoteca amenazada"
ATTR = "user.whrd.sound"
CHUNK = 65536 + 16  # an age payload chunk and its tag
RUN = (
    "import sys, runpy\n"
    "sys.argv = ['whrd', *sys.argv[1:]]\n"
    "runpy.run_module('whrd_cli', run_name='__main__')\n"
)
LOW = (
    "from whrd_cli import workers\n"
    "from whrd_cli.storage import light_sealed, names\n"
    "light_sealed.APART = names.MAPPED = 1000\n"
    "workers.cores = lambda: 2\n" + RUN
)


def whrd(db: Path, *args: str, big: bool = False, es: bool = False, env: dict[str, str] | None = None) -> Any:
    """`whrd --db DB …` in its own process, the passphrase on a pipe (three times: `passphrase` asks
    for the old one and the new one twice)."""
    return whrd_process(
        db,
        *args,
        passphrases=(PASS,) * 3,
        env={"WHRD_LANG": "es" if es else "en", **(env or {})},
        program=("-c", LOW if big else RUN),
        timeout=180,
    )


def digests(folder: Path) -> dict[str, str]:
    return {
        p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.rglob("*")) if p.is_file()
    }


def holding(folder: Path, text: str) -> list[str]:
    needles = [text.encode(), json.dumps(text)[1:-1].encode()]
    return [p.name for p in folder.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def head_end(data: bytes) -> int:
    """Where an age payload's chunks start: after the `--- MAC` line and the 16-byte nonce."""
    return data.index(b"\n", data.index(b"\n--- ") + 1) + 1 + 16


@pytest.fixture(scope="module")
def versions(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, bytes]:
    """An encrypted archive of 300 bulletins (~580 KB: nine payload chunks) in a folder with its
    identity file, backup and search index, and the ciphertext of two versions (v1, then v2)."""
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    db = tmp_path_factory.mktemp("hostile21") / "archive.json"
    Archive(db).add_many(
        [
            Bulletin.create(title=f"{TITLE} {n}", date=f"2024-03-{1 + n % 28:02d}", summary="ñandú " * 200)
            for n in range(300)
        ]
    )
    Archive(db).update(3, {"summary": "editada"})
    assert whrd(db, "encrypt").returncode == 0
    first = db.read_bytes()
    assert whrd(db, "edit", "4", "--title", "Otra versión").returncode == 0
    return db, first, db.read_bytes()


def tampered(how: str, first: bytes, second: bytes) -> bytes:
    """`second` altered: see the module's docstring."""
    start = head_end(second)
    chunks = [second[at : at + CHUNK] for at in range(start, len(second), CHUNK)]
    assert len(chunks) >= 5
    if how == "flip":
        changed = bytearray(second)
        changed[len(changed) * 2 // 3] ^= 0x20
        return bytes(changed)
    if how == "swap":
        chunks[1], chunks[2] = chunks[2], chunks[1]
    elif how == "twice":
        chunks[2] = chunks[1]
    elif how == "cut":
        chunks = chunks[:-1]
    elif how == "foreign-last":  # v1's last chunk (another file key) where v2's was
        body = first[head_end(first) :]
        chunks = [*chunks[:-1], body[len(body) // CHUNK * CHUNK :]]
    elif how == "header":  # v1's header and nonce on v2's chunks
        return first[: head_end(first)] + second[start:]
    elif how == "header-only":  # v1's header, v2's nonce and chunks
        return first[: head_end(first) - 16] + second[start - 16 :]
    elif how == "rewrapped":  # the first stanza's body line split in two (age's lines are 64 columns)
        lines = second[: start - 16].split(b"\n")
        lines[2:3] = [lines[2][:20], lines[2][20:]]
        return b"\n".join(lines) + second[start - 16 :]
    elif how == "crlf":  # a tool that turned the header's line ends into CRLF
        return second[: start - 16].replace(b"\n", b"\r\n") + second[start - 16 :]
    return second[:start] + b"".join(chunks)


COMMANDS: dict[str, tuple[str, ...]] = {
    "add": ("add", "--title", "Nueva", "--date", "2024-01-01", "--lang", "es"),
    "import": ("import", "IN"),
    "edit": ("edit", "3", "--title", "Cambiada"),
    "delete": ("delete", "3", "--yes"),
    "undo": ("undo", "--yes"),
    "link": ("link", "3", "4", "--translation"),
    "export": ("export", "-f", "json", "-o", "OUT"),
    "show": ("show", "3"),
    "list": ("list",),
    "search": ("search", "Zapoteca"),
    "doctor": ("doctor",),
    "reindex": ("reindex",),
    "decrypt": ("decrypt", "--yes"),
    "recipients": ("recipients", "add", "RECIPIENT"),
    "history": ("history", "3"),
}
HOWS = ["flip", "swap", "twice", "cut", "foreign-last", "header", "header-only", "rewrapped", "crlf"]


def _cases() -> list[Any]:
    """Every alteration on both paths; the commands shared out between them (each command meets
    every alteration once on one path or the other, and Spanish every other time)."""
    names = list(COMMANDS)
    cases = []
    for number, how in enumerate(HOWS):
        for big in (False, True):
            start = (number * 2 + big) % 3
            picked = names[start::3]
            cases.append(pytest.param(how, big, picked, id=f"{how}-{'big' if big else 'small'}"))
    return cases


@pytest.fixture(scope="module")
def session(
    versions: tuple[Path, bytes, bytes], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[Path, Path]]:
    """One folder, unlocked once for the module (no scrypt per command: the session is keyed by
    the archive's path, and every case copies the same archive and identity there)."""
    if not Path("/dev/shm").is_dir():
        pytest.skip("no tmpfs at /dev/shm for a session")
    runtime = Path(tempfile.mkdtemp(prefix="whrd-test-xdg-", dir="/dev/shm"))
    folder = tmp_path_factory.mktemp("session")
    _restore(versions[0], folder)
    db = folder / "archive.json"
    done = whrd(db, "unlock", "--for", "1h", env={"XDG_RUNTIME_DIR": str(runtime)})
    if done.returncode != 0:
        shutil.rmtree(runtime, ignore_errors=True)
        pytest.skip(f"no session here: {done.stderr}")
    try:
        yield db, runtime
    finally:
        shutil.rmtree(runtime, ignore_errors=True)


def _restore(template: Path, folder: Path) -> None:
    for file in folder.iterdir():
        if file.is_file():
            file.unlink()
    for file in template.parent.iterdir():
        if file.is_file():
            shutil.copy2(file, folder / file.name)


@pytest.mark.parametrize(("how", "big", "commands"), _cases())
def test_an_altered_payload_is_one_clean_damaged_line(
    versions: tuple[Path, bytes, bytes],
    session: tuple[Path, Path],
    tmp_path: Path,
    how: str,
    big: bool,
    commands: list[str],
) -> None:
    from pyrage import x25519

    template, first, second = versions
    damaged = tampered(how, first, second)
    source = tmp_path / "in.json"
    source.write_text(json.dumps([{"title": "Importada", "date": "2024-02-02", "lang": "es"}]))
    recipient = str(x25519.Identity.generate().to_public())
    db, runtime = session
    folder = db.parent
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    for number, command in enumerate(commands):
        _restore(template, folder)
        with open(db, "r+b") as fh:  # in place: the inode (and its xattr) kept
            fh.write(damaged)
            fh.truncate()
        os.setxattr(db, ATTR, sha_mark(damaged))
        before = digests(folder) | digests(runtime)
        swap = {"IN": str(source), "OUT": str(tmp_path / f"{command}.out"), "RECIPIENT": recipient}
        args = [swap.get(arg, arg) for arg in COMMANDS[command]]
        es = number % 2 == 1
        done = whrd(db, *args, big=big, es=es, env=env)
        assert done.returncode == 3, (command, done.returncode, done.stdout, done.stderr)
        assert "Traceback" not in done.stderr + done.stdout
        if command == "doctor":  # a report on stdout, its problem named
            assert ("dañado" if es else "damaged") in done.stdout, done.stdout
        else:
            lines = done.stderr.strip().splitlines()
            assert len(lines) == 1, (command, done.stderr)
            assert ("dañado" if es else "damaged") in lines[0], (command, lines)
        assert digests(folder) | digests(runtime) == before, command
        assert not (tmp_path / f"{command}.out").exists()
        assert holding(folder, TITLE) == []  # no plain text beside the archive


def test_the_unaltered_versions_are_read_by_every_path(
    versions: tuple[Path, bytes, bytes], tmp_path: Path
) -> None:
    """The control: v2 itself (and v1's chunks under v1's own header) are read and written."""
    template, first, _second = versions
    for big in (False, True):
        folder = tmp_path / ("big" if big else "small")
        folder.mkdir()
        for file in template.parent.iterdir():
            if file.is_file():
                shutil.copy2(file, folder / file.name)
        db = folder / "archive.json"
        assert whrd(db, "show", "4", big=big).returncode == 0
        done = whrd(db, "add", "--title", "Control", "--date", "2024-01-01", "--lang", "es", big=big, es=True)
        assert done.returncode == 0, done.stderr
        assert os.getxattr(db, ATTR) == sha_mark(db.read_bytes())
        db.write_bytes(first)
        os.setxattr(db, ATTR, sha_mark(first))
        shown = whrd(db, "show", "4", big=big)
        assert shown.returncode == 0 and "Otra versión" not in shown.stdout


def _age_plain(db: Path, folder: Path) -> dict[str, Any]:
    """The archive decrypted by the Go `age` CLI with the identity unwrapped by pyrage."""
    from pyrage import passphrase

    key = folder / "identity.txt"
    key.write_bytes(passphrase.decrypt(db.with_name(db.name + ".key.age").read_bytes(), PASS))
    key.chmod(0o600)
    try:
        done = subprocess.run(["age", "-d", "-i", str(key), str(db)], capture_output=True, check=True)
    finally:
        key.unlink()
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _copy(template: Path, folder: Path) -> Path:
    folder.mkdir()
    for file in template.parent.iterdir():
        if file.is_file():
            shutil.copy2(file, folder / file.name)
    return folder / template.name


def test_eight_adds_at_once_on_the_big_path_none_lost(
    versions: tuple[Path, bytes, bytes], tmp_path: Path, runtime: Path
) -> None:
    if shutil.which("age") is None:
        pytest.skip("no age CLI")
    db = _copy(versions[0], tmp_path / "folder")
    env = {"XDG_RUNTIME_DIR": str(runtime), "WHRD_LOCK_TIMEOUT": "120"}
    assert whrd(db, "unlock", "--for", "1h", env=env).returncode == 0
    environ = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"} | {
        "PYTHONPATH": str(SRC),
        **env,
    }
    adding = [sys.executable, "-c", LOW, "--db", str(db), "add", "--title"]
    processes = [
        subprocess.Popen(
            [*adding, f"A la vez {n}", "--date", "2024-01-01", "--lang", "es"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            env=environ | {"WHRD_LANG": "es" if n % 2 else "en"},
        )
        for n in range(8)
    ]
    for process in processes:
        _out, err = process.communicate(timeout=300)
        assert process.returncode == 0, err
    tables = _age_plain(db, tmp_path)
    titles = [b["title"] for b in tables["bulletins"].values()]
    assert len(titles) == 308 and {f"A la vez {n}" for n in range(8)} <= set(titles)
    assert os.getxattr(db, ATTR) == sha_mark(db.read_bytes())
    assert whrd(db, "doctor", env=env).returncode == 0
    assert holding(db.parent, TITLE) == []


@pytest.mark.parametrize("big", [False, True])
def test_an_old_full_hash_mark_is_read_in_full_once_then_re_marked(
    versions: tuple[Path, bytes, bytes], tmp_path: Path, big: bool
) -> None:
    """The mark an older whrd left (SHA-256 of all the ciphertext): the write reads in full and
    leaves the new mark; under that old mark a flipped payload is still refused."""
    db = _copy(versions[0], tmp_path / "ok")
    os.setxattr(db, ATTR, b"2:" + hashlib.sha256(db.read_bytes()).hexdigest().encode())
    done = whrd(db, "add", "--title", "Tras la marca vieja", "--date", "2024-01-01", "--lang", "es", big=big)
    assert done.returncode == 0, done.stderr
    assert os.getxattr(db, ATTR) == sha_mark(db.read_bytes())
    assert os.getxattr(db, ATTR).startswith(b"2:age%d-" % db.stat().st_size)
    assert whrd(db, "show", "301", big=big, es=True).returncode == 0
    bad = _copy(versions[0], tmp_path / "bad")
    flipped = bytearray(bad.read_bytes())
    flipped[len(flipped) // 2] ^= 1
    bad.write_bytes(bytes(flipped))
    os.setxattr(bad, ATTR, b"2:" + hashlib.sha256(flipped).hexdigest().encode())
    before = digests(bad.parent)
    done = whrd(bad, "edit", "3", "--title", "x", big=big, es=True)
    assert done.returncode == 3 and len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert "dañado" in done.stderr
    assert digests(bad.parent) == before


def test_bit_rot_under_a_fresh_index_is_caught_by_every_write_and_doctor(
    versions: tuple[Path, bytes, bytes], tmp_path: Path, runtime: Path
) -> None:
    """A byte of the payload changed with the inode, size and mtime kept (bit rot, or a tool that
    restores mtime) after a search built the session's index: the mark still matches and the index
    still looks fresh, but every write and `doctor` decrypt the whole file and refuse it."""
    db = _copy(versions[0], tmp_path / "folder")
    env = {"XDG_RUNTIME_DIR": str(runtime)}
    assert whrd(db, "unlock", "--for", "1h", env=env).returncode == 0
    assert whrd(db, "search", "Zapoteca", env=env).returncode == 0  # the index, in the session
    info = db.stat()
    rotten = bytearray(db.read_bytes())
    rotten[len(rotten) * 2 // 3] ^= 0x20
    with open(db, "r+b") as fh:
        fh.write(rotten)
    os.utime(db, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert os.getxattr(db, ATTR) == sha_mark(bytes(rotten))
    before = digests(db.parent)
    for number, args in enumerate(
        [
            ("add", "--title", "Nueva", "--date", "2024-01-01", "--lang", "es"),
            ("edit", "3", "--title", "x"),
            ("delete", "4", "--yes"),
            ("undo", "--yes"),
            ("reindex",),
        ]
    ):
        done = whrd(db, *args, env=env, es=number % 2 == 0)
        assert done.returncode == 3 and len(done.stderr.strip().splitlines()) == 1, (args, done.stderr)
    doctor = whrd(db, "doctor", env=env)
    assert doctor.returncode == 3 and "damaged" in doctor.stdout
    assert digests(db.parent) == before
