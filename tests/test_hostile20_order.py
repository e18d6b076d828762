"""Hostile review (session 20) of the file order (bulletins first, meta last) and the resumed
trust mark: an archive an older whrd wrote (meta first, marked) through every writing command of
the real CLI, in separate processes; hand edits that keep the mark; `show`'s conflict hint.

Oracles: `json.loads` of the file (key order kept), `hashlib.sha256` of its bytes against the
xattr, `pyrage` with the identity unwrapped by pyrage itself, `doctor`'s exit code.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import orjson
import pytest

from marks import sha_mark
from processes import whrd_process
from whrd_cli.storage import trust

PASS = "una frase de paso larga 2026"


def whrd(
    db: Path, *args: str, es: bool = False, passphrase: str | None = None
) -> subprocess.CompletedProcess[str]:
    asked = (passphrase,) * 3 if passphrase is not None else ()  # as many times as any command asks
    return whrd_process(db, *args, es=es, passphrases=asked)


def ok(db: Path, *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    done = whrd(db, *args, **kw)
    assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr)
    return done


def order(data: bytes) -> list[str]:
    return list(json.loads(data))


def older(db: Path) -> bytes:
    """Rewrite the archive as an older whrd did: meta first, compact, and marked sound."""
    tables = json.loads(db.read_bytes())
    data = orjson.dumps({"meta": tables["meta"], **{k: v for k, v in tables.items() if k != "meta"}})
    db.write_bytes(data)
    trust.set_mark_on(db, sha_mark(data))
    assert order(data)[0] == "meta"
    return data


def base(db: Path) -> None:
    ok(db, "add", "--title", "Defensora lenca amenazada", "--date", "2024-03-08", "--country", "HN")
    ok(
        db,
        "add",
        "--title",
        "Radio comunitaria cumple tres años",
        "--date",
        "2024-03-09",
        "--country",
        "GT",
        "--lang",
        "en",
    )
    ok(db, "add", "--title", "Carta abierta por Berta", "--date", "2024-03-10", "--country", "MX")
    ok(db, "edit", "1", "--title", "Defensora lenca liberada")
    if trust.read_mark(db) is None:
        pytest.skip("no user extended attributes here: nothing is marked")


def assert_sound(db: Path) -> dict[str, Any]:
    data = db.read_bytes()
    tables = json.loads(data)
    names = list(tables)
    assert names[0] == "bulletins" and names[-1] == "meta", names
    assert trust.read_mark(db) == sha_mark(data)
    doctor = whrd(db, "doctor")
    assert doctor.returncode == 0, (doctor.stdout, doctor.stderr)
    return tables


def _restore_args(db: Path) -> list[str]:
    versions = json.loads(ok(db, "history", "1", "--json").stdout)
    rows = versions if isinstance(versions, list) else versions["versions"]
    return ["restore", "1", rows[-1]["rev"], "--yes"]


COMMANDS: dict[str, Any] = {
    "add": lambda db, tmp: ["add", "--title", "Nueva alerta", "--date", "2024-04-01"],
    "import": lambda db, tmp: ["import", str(tmp)],
    "edit": lambda db, tmp: ["edit", "2", "--add-tag", "radio"],
    "delete": lambda db, tmp: ["delete", "3", "--yes"],
    "undo": lambda db, tmp: ["undo", "--yes"],
    "restore": lambda db, tmp: _restore_args(db),
    "purge": lambda db, tmp: ["purge", "--history", "--before", "2100-01-01", "--yes"],
    "link": lambda db, tmp: ["link", "1", "2", "--translation"],
    "doctor --fix": lambda db, tmp: ["doctor", "--fix"],
    "reindex": lambda db, tmp: ["reindex"],
}


@pytest.mark.parametrize("es", [False, True])
@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_a_meta_first_archive_through_every_writing_command(tmp_path: Path, command: str, es: bool) -> None:
    db = tmp_path / "archive.json"
    base(db)
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"title": "Importada «sí»", "date": "2024-05-05", "lang": "es"}) + "\n")
    args = COMMANDS[command](db, source)
    was = older(db)
    ok(db, *args, es=es)
    if command == "doctor --fix":  # nothing to fix: the archive is left as it was
        assert db.read_bytes() == was and trust.read_mark(db) == sha_mark(was)
    else:
        assert assert_sound(db)["bulletins"]
    # and the next add, read light from the new layout, is still sound
    ok(db, "add", "--title", "Después", "--date", "2024-06-01", es=es)
    assert_sound(db)


def test_a_meta_first_archive_merges_a_bundle(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    ok(other, "add", "--title", "De la otra red", "--date", "2024-02-02")
    bundle = tmp_path / "b.whrd"
    ok(other, "export", "-f", "bundle", "-o", str(bundle))
    db = tmp_path / "archive.json"
    base(db)
    older(db)
    ok(db, "merge", str(bundle), "--yes")
    tables = assert_sound(db)
    assert "De la otra red" in {b["title"] for b in tables["bulletins"].values()}
    # an older archive merged as it is, into a new one
    third = tmp_path / "third.json"
    ok(third, "add", "--title", "Tercera", "--date", "2024-02-03")
    older(db)
    ok(third, "merge", str(db), "--yes")
    assert_sound(third)


def test_a_meta_first_archive_encrypted_and_decrypted(tmp_path: Path) -> None:
    import pyrage
    from pyrage import passphrase, x25519

    db = tmp_path / "archive.json"
    base(db)
    plain_before = json.loads(older(db))
    ok(db, "encrypt", passphrase=PASS)
    data = db.read_bytes()
    assert data.startswith(b"age-encryption.org/v1\n") and trust.read_mark(db) == sha_mark(data)
    text = passphrase.decrypt(db.with_name(db.name + ".key.age").read_bytes(), PASS).decode()
    identity = x25519.Identity.from_str(text.strip())
    plain = pyrage.decrypt(data, [identity])
    assert order(plain)[0] == "bulletins" and order(plain)[-1] == "meta"
    assert json.loads(plain)["bulletins"] == plain_before["bulletins"]
    assert b"Defensora lenca" not in data
    ok(db, "add", "--title", "Cifrada", "--date", "2024-06-02", passphrase=PASS)
    assert trust.read_mark(db) == sha_mark(db.read_bytes())
    assert whrd(db, "doctor", passphrase=PASS).returncode == 0
    ok(db, "decrypt", "--yes", passphrase=PASS)
    tables = assert_sound(db)
    assert "Cifrada" in {b["title"] for b in tables["bulletins"].values()}
