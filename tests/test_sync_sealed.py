"""Encrypted archives sync end to end encrypted: the server's files hold none of their text
(grepped, beside a plain archive's sync whose text the same grep does find), coordinators who
share recipients read each other's bulletins and notes, and a sealed document this archive
cannot open is skipped with a warning. Real processes (passphrases through --passphrase-fd)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from couch_server import CouchServer
from sync_helpers import SRC

PASS = "correct horse battery staple for sync"
TITLE = "Defensora Zapoteca amenazada en Oaxaca"
NOTE = "nota privada: refugio en casa de Lucía 4471"
PLAIN_TITLE = "Radio comunitaria Xolotl allanada"


class Whrd:
    """`whrd --db ARCHIVE …` as a process, the passphrase on a pipe (`--passphrase-fd`)."""

    def __init__(self, db: Path, runtime: Path | None = None) -> None:
        self.db = db
        self.env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
        self.env["PYTHONPATH"] = SRC
        if runtime is not None:  # a session: the passphrase's scrypt (~1.5 s) paid once
            self.env["XDG_RUNTIME_DIR"] = str(runtime)

    def __call__(self, *args: str, passphrase: bool = True) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "whrd_cli", "--db", str(self.db)]
        read, write = os.pipe()
        os.write(write, ((PASS + "\n") * 3).encode() if passphrase else b"")
        os.close(write)
        try:
            return subprocess.run(
                [*command, "--passphrase-fd", str(read), *args],
                capture_output=True,
                text=True,
                env=self.env,
                stdin=subprocess.DEVNULL,
                pass_fds=(read,),
                timeout=180,
            )
        finally:
            os.close(read)

    def ok(self, *args: str) -> subprocess.CompletedProcess[str]:
        done = self(*args)
        assert done.returncode == 0, (args, done.returncode, done.stdout, done.stderr)
        return done

    def public_key(self) -> str:
        return self.ok("recipients", "list").stdout.split()[0]


@pytest.fixture
def runtime() -> Iterator[Path | None]:
    """A private $XDG_RUNTIME_DIR on a tmpfs for unlock sessions (None where there is none:
    every command then unwraps the identity with the passphrase, only slower)."""
    shm = Path("/dev/shm")
    if not shm.is_dir() or not os.access(shm, os.W_OK):
        yield None
        return
    folder = Path(tempfile.mkdtemp(prefix="whrd-test-sync-", dir=shm))
    try:
        yield folder
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _encrypted(folder: Path, name: str, runtime: Path | None) -> Whrd:
    whrd = Whrd(folder / f"{name}.json", runtime)
    whrd.ok("add", "--title", f"First of {name}", "--date", "2024-01-01")
    whrd.ok("encrypt")
    if runtime is not None:
        whrd.ok("unlock", "--for", "1h")
    return whrd


def _grep(folder: Path, text: str) -> list[Path]:
    """Files under `folder` holding `text` (UTF-8), read as bytes: no tool of whrd's involved."""
    needle = text.encode("utf-8")
    return [p for p in folder.rglob("*") if p.is_file() and needle in p.read_bytes()]


def test_an_encrypted_archive_leaves_no_text_on_the_server(
    tmp_path: Path, couch_server: CouchServer, runtime: Path | None
) -> None:
    sealed_url, plain_url = couch_server.create(), couch_server.create()
    sealed_db, plain_db = sealed_url.rsplit("/", 1)[1], plain_url.rsplit("/", 1)[1]
    ana = _encrypted(tmp_path, "ana", runtime)
    bea = _encrypted(tmp_path, "bea", runtime)
    ana.ok("recipients", "add", bea.public_key())
    bea.ok("recipients", "add", ana.public_key())
    ana.ok("add", "--title", TITLE, "--date", "2024-03-08", "--country", "MX", "--private", NOTE)
    ana.ok("remote", "add", "hub", sealed_url, "--private")  # notes go too: sealed like the rest
    assert ana.ok("sync").stderr.strip() == "hub: 0 received, 2 sent."

    # The control: a plain archive's sync to the same server, whose text the same grep finds.
    plain = Whrd(tmp_path / "plain.json")
    plain.ok("add", "--title", PLAIN_TITLE, "--date", "2024-03-09")
    plain.ok("remote", "add", "hub", plain_url)
    plain.ok("sync")
    assert _grep(couch_server.data / plain_db, PLAIN_TITLE)

    for text in (TITLE, NOTE, "Oaxaca", "Lucía", "First of ana"):
        assert _grep(couch_server.data / sealed_db, text) == []
    for doc in couch_server.all_docs(sealed_db):
        assert set(doc) <= {"_id", "_rev", "sealed", "whrd", "_deleted"}, doc

    # Bea shares recipients with Ana: she reads the bulletins, the private note included.
    bea.ok("remote", "add", "hub", sealed_url, "--private")
    assert bea.ok("sync").stderr.strip() == "hub: 2 received, 1 sent."
    shown = {b["title"]: b for b in json.loads(bea.ok("list", "--json", "--private").stdout)}
    assert shown[TITLE]["private"] == NOTE
    assert shown[TITLE]["countries"] == ["MX"]
    assert ana.ok("sync").stderr.strip() == "hub: 1 received, 0 sent."

    # Cris is encrypted to other keys, and the plain archive holds none: sealed documents are
    # skipped, counted, and said in one line; nothing else is lost.
    cris = _encrypted(tmp_path, "cris", runtime)
    cris.ok("remote", "add", "hub", sealed_url)
    out = cris.ok("sync").stderr.splitlines()
    assert out[0] == "hub: 0 received, 1 sent."
    assert out[1] == "Warning: 3 documents are sealed for keys this archive does not hold: skipped."
    plain.ok("remote", "add", "sealed", sealed_url)
    out = plain.ok("sync", "sealed").stderr.splitlines()
    assert out == [
        "sealed: 0 received, 1 sent.",
        "Warning: 4 documents are sealed for keys this archive does not hold: skipped.",
    ]
    # The other way round: an encrypted archive takes in sealed documents only, so a plain one
    # (which whoever runs the server could have written) is left out.
    out = bea.ok("sync").stderr.splitlines()
    assert out[0] == "hub: 0 received, 0 sent."
    assert out[1:] == [
        "Warning: 1 document is sealed for keys this archive does not hold: skipped.",
        "Warning: 1 document is not sealed, and this archive is encrypted: skipped "
        "(only what the network's keys sealed is taken in).",
    ]
    assert PLAIN_TITLE not in bea.ok("list").stdout
