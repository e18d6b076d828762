"""Atomic writes of an encrypted archive (issue 16): a `whrd` killed with SIGKILL at a named point
inside a write leaves an archive that always decrypts, to its old content or its new, whole; the
temp file it leaves is ciphertext only, and the next write cleans it.

Each kill is proven to land where it says: the killed process prints the point's name right
before it kills itself, and the test checks what only that point leaves on disk (half a temp
file, a complete temp file, a renamed archive). The oracle is pyrage with the identity unwrapped
by the test, and `json` on what comes out.
"""

from __future__ import annotations

import json
import shutil
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from faults import open_session
from test_crypto import NOTE, PASS, SRC, TITLE, Whrd

KILLER = r"""
import os, signal, sys
from pathlib import Path

point, target = sys.argv[1], Path(sys.argv[2])
sys.argv = ["whrd", *sys.argv[3:]]
from whrd_cli.storage import atomic

real_write, real_replace, real_fsync_dir = atomic.write_atomic, os.replace, atomic.fsync_dir
replaced = []


def die():
    print(point, flush=True)  # proof that the kill happened here, and nowhere else
    os.kill(os.getpid(), signal.SIGKILL)


def write_atomic(path, payload, **kwargs):
    if point == "mid-write" and Path(path) == target:
        pieces = (payload,) if isinstance(payload, bytes) else payload

        def cut():
            for piece in pieces:
                if len(piece) > 1024:  # half of the first real piece (not age's header), then the kill
                    yield piece[: len(piece) // 2]
                    die()
                yield piece

        payload = cut()
    return real_write(path, payload, **kwargs)


def replace(src, dst, *args, **kwargs):
    if point == "before-replace" and Path(dst) == target:
        die()
    real_replace(src, dst, *args, **kwargs)
    replaced.append(Path(dst))


def fsync_dir(folder):
    if point == "before-folder-fsync" and replaced[-1:] == [target]:
        die()
    real_fsync_dir(folder)


atomic.write_atomic, os.replace, atomic.fsync_dir = write_atomic, replace, fsync_dir
from whrd_cli.__main__ import main

main()
print("finished", flush=True)
"""

BULLETINS = 300  # ~120 KB: age writes it in several 64 KiB chunks


@pytest.fixture(scope="module")
def template() -> Iterator[tuple[Path, str]]:
    """An encrypted archive of 300 bulletins (one private note among them), its identity file,
    and the identity's text (unwrapped with pyrage, not whrd)."""
    from pyrage import passphrase

    folder = Path(tempfile.mkdtemp(prefix="whrd-kill-"))
    try:
        db = folder / "archive.json"
        rows = [
            {"title": f"Bulletin number {n}", "date": "2020-01-01", "lang": "en"} for n in range(BULLETINS)
        ]
        rows[0] = {"title": TITLE, "date": "2024-03-08", "lang": "es", "private": NOTE}
        source = folder / "seed.jsonl"
        source.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
        whrd = Whrd(db, None)
        whrd.ok("import", str(source))
        source.unlink()
        whrd.ok("encrypt", passphrases=(PASS,))
        text = passphrase.decrypt(db.with_name("archive.json.key.age").read_bytes(), PASS).decode()
        yield db, text.strip()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _open(data: bytes, identity: str) -> dict[str, Any]:
    from pyrage import decrypt, x25519

    return json.loads(decrypt(data, [x25519.Identity.from_str(identity)]))


def _titles(tables: dict[str, Any]) -> set[str]:
    return {b["title"] for b in tables["bulletins"].values()}


OPS: dict[str, tuple[tuple[str, ...], Any]] = {
    "add": (
        ("add", "--title", "Killed add", "--date", "2024-05-02", "--lang", "en"),
        lambda t: "Killed add" in _titles(t),
    ),
    "edit": (
        ("edit", "2", "--title", "Renamed while killed"),
        lambda t: t["bulletins"]["2"]["title"] == "Renamed while killed",
    ),
    "delete": (("delete", "3", "--yes"), lambda t: "3" not in t["bulletins"]),
}
CASES = [
    (op, point, "archive") for op in OPS for point in ("mid-write", "before-replace", "before-folder-fsync")
]
CASES += [(op, "mid-write", "backup") for op in ("edit", "delete")]


@pytest.mark.parametrize(("op", "point", "what"), CASES)
def test_a_writer_killed_at_a_named_point_leaves_old_or_new_ciphertext(
    tmp_path: Path, runtime: Path, template: tuple[Path, str], op: str, point: str, what: str
) -> None:
    source, identity = template
    db = tmp_path / "archive.json"
    shutil.copyfile(source, db)
    shutil.copyfile(source.with_name("archive.json.key.age"), tmp_path / "archive.json.key.age")
    open_session(runtime, db, identity)
    whrd = Whrd(db, runtime)
    whrd.ok("edit", "1", "--tag", "before")  # one backup already, encrypted
    old = db.read_bytes()
    old_backup = db.with_name("archive.json.bak").read_bytes()
    target = db if what == "archive" else db.with_name("archive.json.bak")
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    args, landed = OPS[op]
    done = subprocess.run(
        [sys.executable, str(script), point, str(target), "--db", str(db), *args],
        capture_output=True,
        text=True,
        env={**whrd.env, "PYTHONPATH": str(SRC)},
        stdin=subprocess.DEVNULL,
        check=False,
        timeout=120,
    )
    assert (done.returncode, done.stdout) == (-signal.SIGKILL, f"{point}\n"), done.stderr
    temps = sorted(p for p in tmp_path.iterdir() if ".whrd-tmp-" in p.name)
    now = _open(db.read_bytes(), identity)  # always decrypts, whole
    if point == "before-folder-fsync":  # renamed: the new archive, no temp file
        assert landed(now) and not temps
    else:  # the old archive, byte for byte, and the killed write's temp file beside it
        assert db.read_bytes() == old and not landed(now)
        mine = [t for t in temps if t.name.startswith(f".{target.name}.whrd-tmp-")]
        assert len(mine) == 1
        if what == "backup":  # the backup is kept from inside the archive's own write: its new
            (new,) = set(temps) - set(mine)  # content is complete in its temp file, not renamed
            assert landed(_open(new.read_bytes(), identity))
        else:
            assert temps == mine
        partial = mine[0].read_bytes()
        assert partial.startswith(b"age-encryption.org/v1\n")  # ciphertext from its first byte
        if point == "before-replace":  # complete: it decrypts to the new archive
            assert landed(_open(partial, identity))
        else:  # cut short: age refuses it (so it was mid-write)
            with pytest.raises(Exception):  # noqa: B017 (pyrage.DecryptError)
                _open(partial, identity)
    if what == "backup":  # killed while keeping the backup: the old backups are untouched
        assert db.with_name("archive.json.bak").read_bytes() == old_backup
    for path in tmp_path.iterdir():  # nothing on disk holds the plain text
        if path.is_file():
            assert TITLE.encode() not in path.read_bytes() and NOTE.encode() not in path.read_bytes(), path
    # The next write takes the lock, cleans the temp file, and builds on what is there.
    whrd.ok("add", "--title", "After the kill", "--date", "2024-05-03", "--lang", "en")
    after = _open(db.read_bytes(), identity)
    assert "After the kill" in _titles(after) and landed(after) == (point == "before-folder-fsync")
    assert [p for p in tmp_path.iterdir() if ".whrd-tmp-" in p.name] == []
