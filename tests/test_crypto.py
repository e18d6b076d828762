"""Encryption at rest (issue 16), end to end through real `whrd` processes: passphrases go in
through `--passphrase-fd` (a pipe), sessions into a tmpfs folder of the test's own.

Oracles are independent of whrd's code: the file's first bytes (age's header), `pyrage` and the
`age` command-line tool decrypting with the identity, `json` parsing what comes out, and a byte
grep of every file on disk for a known title and private note.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from processes import whrd_process

PASS = "correct horse battery staple"
TITLE = "Defensora Zapoteca amenazada en Oaxaca"
NOTE = "nota privada: refugio en casa de Lucía 4471"
AGE_HEADER = b"age-encryption.org/v1\n"
SRC = Path(__file__).resolve().parents[1] / "src"


class Whrd:
    """`whrd --db ARCHIVE …` as a separate process, a passphrase (or several) on fd 3 if given."""

    def __init__(self, db: Path, runtime: Path | None) -> None:
        self.db = db
        self.env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        self.env["PYTHONPATH"] = str(SRC)
        if runtime is not None:
            self.env["XDG_RUNTIME_DIR"] = str(runtime)

    def __call__(self, *args: str, passphrases: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        return whrd_process(self.db, *args, passphrases=passphrases, env=self.env)

    def ok(self, *args: str, passphrases: tuple[str, ...] = ()) -> subprocess.CompletedProcess[str]:
        done = self(*args, passphrases=passphrases)
        assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr)
        return done


def _encrypted(db: Path, runtime: Path | None) -> Whrd:
    whrd = Whrd(db, runtime)
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--country", "MX", "--private", NOTE)
    whrd.ok("add", "--title", "Second bulletin", "--date", "2024-03-09", "--country", "HN")
    whrd.ok("encrypt", passphrases=(PASS,))
    return whrd


def _identity(db: Path) -> Any:
    """The archive's identity, unwrapped with pyrage itself (not whrd's code)."""
    from pyrage import passphrase, x25519

    text = passphrase.decrypt(db.with_name(db.name + ".key.age").read_bytes(), PASS).decode()
    return x25519.Identity.from_str(text.strip())


def _plain(db: Path, path: Path | None = None) -> dict[str, Any]:
    import pyrage

    return json.loads(pyrage.decrypt((path or db).read_bytes(), [_identity(db)]))


def _holding(folder: Path, *texts: str) -> list[Path]:
    """Every file under `folder` whose bytes hold any of `texts` (UTF-8, or JSON-escaped)."""
    needles = [t.encode() for t in texts] + [json.dumps(t)[1:-1].encode() for t in texts]
    return [p for p in folder.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)]


def test_an_encrypted_archive_round_trips_and_leaves_no_plain_text(tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    assert db.read_bytes().startswith(AGE_HEADER)
    assert db.with_name("archive.json.key.age").read_bytes().startswith(AGE_HEADER)
    assert {b["title"] for b in _plain(db)["bulletins"].values()} == {TITLE, "Second bulletin"}
    whrd.ok("unlock", "--for", "1h", passphrases=(PASS,))
    assert "unlocked until" in whrd.ok("where").stderr
    # Every kind of write and read, without a passphrase now: the session opens it.
    whrd.ok("add", "--title", "Third", "--date", "2024-03-10", "--private", NOTE + " bis")
    whrd.ok("edit", "1", "--tag", "oaxaca")
    whrd.ok("delete", "2", "--yes")
    assert TITLE in whrd.ok("search", "Zapoteca").stdout
    assert TITLE in whrd.ok("list").stdout
    assert "oaxaca" in whrd.ok("show", "1").stdout
    assert list(tmp_path.glob("archive.json.bak*")), "destructive writes keep backups"
    assert _holding(tmp_path, TITLE, NOTE, "Zapoteca") == []
    for backup in tmp_path.glob("archive.json.bak*"):
        assert backup.read_bytes().startswith(AGE_HEADER)
        assert "bulletins" in _plain(db, backup)
    assert any(p.name.endswith(".search.sqlite") for p in (runtime / "whrd").iterdir())
    whrd.ok("lock")
    assert list((runtime / "whrd").iterdir()) == []
    stored = _plain(db)["bulletins"]
    assert sorted(b["title"] for b in stored.values()) == sorted([TITLE, "Third"])
    assert stored["1"]["tags"] == ["oaxaca"] and stored["1"]["private"] == NOTE
    # Back to plain: the same bulletins, readable by json, and the identity file gone.
    whrd.ok("decrypt", "--yes", passphrases=(PASS,))
    assert json.loads(db.read_bytes())["bulletins"] == stored
    assert not db.with_name("archive.json.key.age").exists()
    assert all(not b.read_bytes().startswith(AGE_HEADER) for b in tmp_path.glob("archive.json.bak*"))


def test_encrypt_removes_the_plain_index_and_reencrypts_old_backups(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = Whrd(db, None)
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--private", NOTE)
    whrd.ok("edit", "1", "--title", TITLE + " II")  # a plain backup
    whrd.ok("search", "Zapoteca")  # a plain index beside the archive
    assert _holding(tmp_path, TITLE)
    whrd.ok("encrypt", passphrases=(PASS,))
    assert _holding(tmp_path, TITLE, NOTE) == []
    assert not (tmp_path / "archive.json.search.sqlite").exists()
    assert _plain(db, tmp_path / "archive.json.bak")["bulletins"]["1"]["title"] == TITLE
    # No session (no tmpfs here): a search works in memory and writes no index anywhere.
    found = whrd.ok("search", "Zapoteca", passphrases=(PASS,))
    assert TITLE in found.stdout
    assert _holding(tmp_path, TITLE, NOTE) == []
    assert whrd("unlock", passphrases=(PASS,)).returncode == 1  # and unlock says why not


def test_locked_wrong_passphrase_and_damage_are_different_clean_errors(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    before = db.read_bytes()
    locked = whrd("list")
    assert locked.returncode == 4 and "whrd unlock" in locked.stderr and "Traceback" not in locked.stderr
    assert whrd("add", "--title", "x", "--date", "2024-01-01").returncode == 4
    wrong = whrd("list", passphrases=("not the passphrase",))
    assert wrong.returncode == 4 and "Wrong passphrase" in wrong.stderr
    db.write_bytes(before[:-40])  # truncated ciphertext
    damaged = whrd("add", "--title", "x", "--date", "2024-01-01", passphrases=(PASS,))
    assert damaged.returncode == 3 and "damaged" in damaged.stderr and "Traceback" not in damaged.stderr
    assert db.read_bytes() == before[:-40]  # nothing overwritten
    db.write_bytes(before)
    key = db.with_name("archive.json.key.age")
    wrapped = key.read_bytes()
    key.unlink()
    missing = whrd("list", passphrases=(PASS,))
    assert missing.returncode == 3 and "identity file" in missing.stderr
    key.write_bytes(wrapped)
    assert TITLE in whrd.ok("list", passphrases=(PASS,)).stdout


def test_an_expired_session_locks_again(tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", "--for", "2s", passphrases=(PASS,))
    assert TITLE in whrd.ok("list").stdout
    time.sleep(2.2)
    expired = whrd("list")
    assert expired.returncode == 4 and "expired" in expired.stderr
    assert list((runtime / "whrd").iterdir()) == []  # its key and index went with it


def test_passphrase_change_rewraps_only_the_identity(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    archive = db.read_bytes()
    whrd.ok("passphrase", passphrases=(PASS, "a brand new long passphrase here"))
    assert db.read_bytes() == archive
    assert whrd("list", passphrases=(PASS,)).returncode == 4
    assert TITLE in whrd.ok("list", passphrases=("a brand new long passphrase here",)).stdout


def test_recipients_and_encrypted_export(tmp_path: Path) -> None:
    from pyrage import decrypt, x25519

    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    recovery = x25519.Identity.generate()
    public = str(recovery.to_public())
    whrd.ok("recipients", "add", public, passphrases=(PASS,))
    assert public in whrd.ok("recipients", "list", passphrases=(PASS,)).stdout
    assert TITLE in decrypt(db.read_bytes(), [recovery]).decode()  # the recovery key opens it
    assert whrd("recipients", "add", "age1nonsense", passphrases=(PASS,)).returncode == 1
    out = tmp_path / "digest.md"
    plain = whrd.ok("export", "-o", str(out), passphrases=(PASS,))
    assert "plain text" in plain.stderr
    whrd.ok("export", "-o", str(tmp_path / "sealed.md"), "--encrypt-to", public, passphrases=(PASS,))
    sealed = (tmp_path / "sealed.md.age").read_bytes()
    assert sealed.startswith(AGE_HEADER) and TITLE in decrypt(sealed, [recovery]).decode()
    whrd.ok("recipients", "remove", public, passphrases=(PASS,))
    with pytest.raises(Exception, match="No matching keys"):
        decrypt(db.read_bytes(), [recovery])


def test_an_export_of_a_damaged_encrypted_archive_is_one_line(tmp_path: Path) -> None:
    """The plain-text warning comes only with an export written, never before a refusal."""
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    db.write_bytes(db.read_bytes()[:-40])  # truncated ciphertext
    out = tmp_path / "digest.md"
    refused = whrd("export", "-o", str(out), passphrases=(PASS,))
    assert refused.returncode == 3 and not out.exists()
    assert len(refused.stderr.strip().splitlines()) == 1 and "plain text" not in refused.stderr


def test_wipe_removes_everything_key_first_and_fast(tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", passphrases=(PASS,))
    whrd.ok("edit", "1", "--tag", "x")
    whrd.ok("search", "Zapoteca")
    (tmp_path / "other.txt").write_text("not whrd's")
    assert whrd("wipe").returncode == 1  # off a terminal: needs --yes
    started = time.monotonic()
    whrd.ok("wipe", "--yes")
    assert time.monotonic() - started < 5  # a process start included; the wipe itself is ms
    assert sorted(p.name for p in tmp_path.iterdir()) == ["other.txt"]
    assert list((runtime / "whrd").iterdir()) == []


def test_help_does_not_load_pyrage() -> None:
    code = (
        "import sys\nfrom whrd_cli.cli import app\n"
        "try:\n    app(['--help'], prog_name='whrd')\nexcept SystemExit:\n    pass\n"
        "print('PYRAGE', 'pyrage' in sys.modules)"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, check=True)
    assert "PYRAGE False" in out.stdout


def test_eight_concurrent_writers_on_an_encrypted_archive_lose_nothing(tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", passphrases=(PASS,))
    command = [sys.executable, "-m", "whrd_cli", "--db", str(db), "add", "--date", "2024-05-01", "--title"]
    writers = [
        subprocess.Popen(
            [*command, f"Concurrent {n}"], env=whrd.env, stdout=subprocess.PIPE, stderr=subprocess.PIPE
        )
        for n in range(8)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0] * 8
    titles = {b["title"] for b in _plain(db)["bulletins"].values()}
    assert {f"Concurrent {n}" for n in range(8)} <= titles
    assert [p for p in tmp_path.iterdir() if ".whrd-tmp-" in p.name] == []


def test_the_editor_form_of_an_encrypted_archive_stays_in_the_tmpfs(tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", passphrases=(PASS,))
    seen = tmp_path / "seen.txt"
    editor = tmp_path / "editor.sh"
    editor.write_text(f'#!/bin/sh\nfor a in "$@"; do last="$a"; done\necho "$last" > {seen}\n')
    editor.chmod(0o700)
    whrd.env["EDITOR"] = str(editor)
    whrd("edit", "1")  # the editor saves nothing: no change
    draft = Path(seen.read_text().strip())
    assert draft.parent == (runtime / "whrd").resolve() and "archive" not in draft.name
    assert not draft.exists()
    assert [p for p in tmp_path.iterdir() if ".draft-" in p.name] == []
    state = whrd.ok("where").stderr
    assert "encrypted, unlocked until" in state
    whrd.ok("lock")
    assert "encrypted, locked" in whrd.ok("where").stderr


def test_unlock_again_asks_and_keeps_the_open_sessions_index(tmp_path: Path, runtime: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", "--for", "1h", passphrases=(PASS,))
    whrd.ok("search", "Zapoteca")
    index = next(p for p in (runtime / "whrd").iterdir() if p.name.endswith(".search.sqlite"))
    built = index.stat().st_ino
    assert whrd("unlock", "--for", "2h").returncode == 4  # no passphrase given: not extended
    assert whrd("unlock", "--for", "2h", passphrases=("wrong",)).returncode == 4
    whrd.ok("unlock", "--for", "2h", passphrases=(PASS,))
    assert index.stat().st_ino == built  # the same index file: not dropped, not rebuilt
    assert TITLE in whrd.ok("search", "Zapoteca").stdout


def test_a_purge_of_an_encrypted_archive_rewrites_its_backups_as_ciphertext(
    tmp_path: Path, runtime: Path
) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", "--for", "1h", passphrases=(PASS,))
    whrd.ok("edit", "2", "--summary", "Something else")  # backups of the encrypted archive now
    whrd.ok("edit", "1", "--summary", "A later version")
    backups = sorted(tmp_path.glob("archive.json.bak*"))
    assert backups and all(b.read_bytes().startswith(AGE_HEADER) for b in backups)
    done = whrd.ok("delete", "1", "--purge", "--yes")
    assert "rewritten" in done.stderr
    for backup in sorted(tmp_path.glob("archive.json.bak*")):
        assert backup.read_bytes().startswith(AGE_HEADER), backup  # never plain text
        assert TITLE not in json.dumps(_plain(db, backup))  # and the purged bulletin is gone
    assert _holding(tmp_path, TITLE, NOTE) == []


def test_an_add_to_an_encrypted_archive_keeps_the_stored_bytes(
    tmp_path: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The light append (storage.light) reads an encrypted archive too: its mark hashes the
    ciphertext. Oracle: the archive decrypted with pyrage before and after, by json."""
    from whrd_cli.model import Bulletin
    from whrd_cli.storage import light
    from whrd_cli.storage.plan import OnDuplicate
    from whrd_cli.store import Archive

    db = tmp_path / "a.json"
    whrd = _encrypted(db, runtime)
    whrd.ok("unlock", passphrases=(PASS,))
    whrd.ok("add", "--title", "Third", "--date", "2024-03-10")  # a write by whrd: the file is marked
    before = _plain(db)
    kept: list[int] = []
    original = light.spliced
    monkeypatch.setattr(
        light, "spliced", lambda data, source: (kept.append(len(source.keys)), original(data, source))[1]
    )
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    Archive(db).add_many(
        [Bulletin.create(title="Cuarta defensora", date="2024-03-11")], on_duplicate=OnDuplicate.ADD
    )
    assert kept == [3]  # the three stored bulletins kept as bytes, not re-encoded
    assert db.read_bytes().startswith(b"age-encryption.org/v1") and _holding(tmp_path, TITLE) == []
    after = _plain(db)
    assert list(after["bulletins"])[:3] == list(before["bulletins"])
    assert all(after["bulletins"][k] == v for k, v in before["bulletins"].items())
    assert after["bulletins"]["4"]["title"] == "Cuarta defensora"
    assert whrd.ok("list", "--json").stdout.count('"uid"') == 4
    damaged = db.read_bytes()  # a changed ciphertext (same size) is read in full, and refused
    db.write_bytes(damaged[:-20] + bytes(b ^ 1 for b in damaged[-20:]))
    refused = whrd("add", "--title", "Fifth", "--date", "2024-03-12")
    assert refused.returncode == 3 and "damaged" in refused.stderr
