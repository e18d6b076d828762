"""`whrd wipe` (issue 16): what it removes and in which order (the session's key first, then the
identity file: a crypto-erase from the first step on; then the archive, its backups, the index,
the lock and temp files), seen by recording every unlink of a real `whrd wipe --yes`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from test_crypto import PASS, SRC, Whrd, _encrypted

RECORDER = r"""
import os, sys
real = os.unlink
def unlink(path, *args, **kwargs):
    real(path, *args, **kwargs)
    print("UNLINK", os.fspath(path), flush=True)  # only what was really removed
os.unlink = unlink
sys.argv = ["whrd", *sys.argv[1:]]
from whrd_cli.__main__ import main
main()
"""


def test_wipe_removes_the_key_first_then_everything_of_the_archive(tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", passphrases=(PASS,))
    whrd.ok("edit", "1", "--tag", "x")  # a backup
    whrd.ok("edit", "1", "--tag", "y")  # a second one
    whrd.ok("search", "Zapoteca")  # the index, in the tmpfs
    stale = tmp_path / ".archive.json.whrd-tmp-killed"  # a killed writer's temp file
    stale.write_bytes(b"age-encryption.org/v1\n...")
    other = tmp_path / "notes.txt"
    other.write_text("not whrd's")
    script = tmp_path / "recorder.py"
    script.write_text(RECORDER)
    done = subprocess.run(
        [sys.executable, str(script), "--db", str(db), "wipe", "--yes"],
        capture_output=True,
        text=True,
        env={**whrd.env, "PYTHONPATH": str(SRC)},
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    removed = [Path(line.split(" ", 1)[1]) for line in done.stdout.splitlines() if line.startswith("UNLINK ")]
    session = [p for p in removed if p.parent.name == "whrd" and p.parent.parent == runtime.resolve()]
    assert session[0].name.endswith(".key") and removed[0] == session[0]  # the unwrapped key first
    assert any(p.name.endswith(".search.sqlite") for p in session)
    on_disk = [p.name for p in removed if p.parent == tmp_path]
    assert on_disk[:2] == ["archive.json.key.age", "archive.json"]  # the identity, then the archive
    assert on_disk.index("archive.json.bak") < on_disk.index("archive.json.lock")
    assert on_disk.index("archive.json.bak.1") < on_disk.index("archive.json.lock")
    assert on_disk.index("archive.json.lock") < on_disk.index(stale.name)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt", "recorder.py"]
    assert list((runtime / "whrd").iterdir()) == []
    assert Whrd(db, runtime)("list").stdout == ""  # nothing left to list
