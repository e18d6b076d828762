"""The crypto commands a person answers on a terminal (run under a pseudo-terminal, stdlib `pty`):
`encrypt` asks twice and asks again when the two differ, `wipe` wipes only when the archive's
file name is typed, in English and in Spanish. Oracles: the files on disk and pyrage."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from test_crypto import PASS, SRC, TITLE, Whrd, _plain


def _converse(argv: list[str], env: dict[str, str], replies: list[tuple[str, str | None]]) -> tuple[int, str]:
    """Run `argv` on a pty; each time the next `trigger` appears in what it said, type its answer
    (None: type nothing, only wait for it)."""
    import pty

    pid, fd = pty.fork()
    if pid == 0:
        try:
            os.execve(argv[0], argv, env)
        finally:
            os._exit(127)
    said, at, pending = b"", 0, list(replies)
    deadline = time.monotonic() + 90
    try:
        while time.monotonic() < deadline:
            try:
                piece = os.read(fd, 1024)
            except OSError:
                break
            if not piece:
                break
            said += piece
            while pending and pending[0][0].encode() in said[at:]:
                at = said.index(pending[0][0].encode(), at) + len(pending[0][0])
                answer = pending.pop(0)[1]
                if answer is not None:
                    os.write(fd, answer.encode() + b"\r")
    finally:
        os.close(fd)
    _pid, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status), said.decode(errors="replace")


def _argv(db: Path, *args: str) -> list[str]:
    return [sys.executable, "-m", "whrd_cli", "--db", str(db), *args]


@pytest.mark.parametrize(
    ("lang", "new", "again", "differ"),
    [("en", "New passphrase", "again:", "differ"), ("es", "Nueva frase", "otra vez:", "no coinciden")],
)
def test_encrypt_asks_twice_and_again_when_they_differ(
    tmp_path: Path, lang: str, new: str, again: str, differ: str
) -> None:
    db = tmp_path / "archive.json"
    whrd = Whrd(db, None)
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--lang", "es")
    env = {**whrd.env, "WHRD_LANG": lang, "PYTHONPATH": str(SRC)}
    replies = [(new, PASS), (again, PASS + " typo"), (differ, None), (new, PASS), (again, PASS)]
    code, said = _converse(_argv(db, "encrypt"), env, replies)
    assert code == 0, said
    assert differ in said and PASS not in said  # no echo
    assert TITLE in str(_plain(db))  # the passphrase typed twice the same opens it


@pytest.mark.parametrize(("lang", "nothing"), [("en", "Nothing was wiped"), ("es", "No se borró nada")])
def test_wipe_wipes_only_when_the_file_name_is_typed(tmp_path: Path, lang: str, nothing: str) -> None:
    db = tmp_path / "archive.json"
    whrd = Whrd(db, None)
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--lang", "es")
    whrd.ok("encrypt", passphrases=(PASS,))
    env = {**whrd.env, "WHRD_LANG": lang, "PYTHONPATH": str(SRC)}
    before = sorted(p.name for p in tmp_path.iterdir())
    for wrong in ("", "archive", "ARCHIVE.JSON", "archive.json.key.age"):
        code, said = _converse(_argv(db, "wipe"), env, [("archive.json", wrong)])
        assert code == 1 and nothing in said, said
        assert sorted(p.name for p in tmp_path.iterdir()) == before
    code, said = _converse(_argv(db, "wipe"), env, [("archive.json", "archive.json")])
    assert code == 0, said
    assert list(tmp_path.iterdir()) == []
