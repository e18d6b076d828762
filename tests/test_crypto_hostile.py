"""Issue 16 under hostile use, in English and in Spanish: each refusal is one clean line with its
own exit code, and changes nothing on disk (every file of the archive's folder and of the session
compared byte for byte before and after, backups included).

Oracles: the bytes of the files, exit codes, and the words of each message (in the language asked).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from test_crypto import PASS, TITLE, Whrd, _encrypted

NEW = "another long passphrase of five words"
WHRD = (sys.executable, "-m", "whrd_cli")


def _snapshot(*folders: Path) -> dict[str, bytes]:
    """Every file under the folders, by path: the oracle that nothing was written."""
    return {
        str(p): p.read_bytes()
        for folder in folders
        if folder.exists()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _clean(done: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    """One error line (no traceback), the exit code, and the expected words in it."""
    lines = [ln for ln in done.stderr.splitlines() if ln.strip()]
    assert done.returncode == code, (done.returncode, done.stderr)
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])


def _with_backups(db: Path, runtime: Path | None) -> Whrd:
    whrd = _encrypted(db, runtime)
    whrd.ok("edit", "2", "--summary", "A first change", passphrases=(PASS,))  # backups, encrypted
    whrd.ok("edit", "2", "--summary", "A second change", passphrases=(PASS,))
    assert len(list(db.parent.glob("archive.json.bak*"))) == 2
    return whrd


# The same refusal in each language: (English words, Spanish words).
WRONG = ("Wrong passphrase", "Frase de contraseña incorrecta")
EXPIRED = ("has expired", "venció")
MISSING = ("identity file", "Falta el archivo de identidad")
DAMAGED = ("encrypted but damaged", "cifrado pero dañado")
KEY_DAMAGED = ("identity file", "está dañado")


@pytest.mark.parametrize("lang", ["en", "es"])
def test_four_failures_are_four_clean_errors_and_write_nothing(
    tmp_path: Path, runtime: Path, lang: str
) -> None:
    db = tmp_path / "archive.json"
    whrd = _with_backups(db, runtime)
    whrd.env["WHRD_LANG"] = lang
    pick = 0 if lang == "en" else 1
    write = ("edit", "1", "--title", "Never written")

    # 1. A wrong passphrase (exit 4), for a read and for a write.
    before = _snapshot(tmp_path, runtime)
    for args in (("list",), write, ("delete", "1", "--yes")):
        _clean(whrd(*args, passphrases=("not it",)), 4, WRONG[pick])
    assert _snapshot(tmp_path, runtime) == before

    # 2. An expired session (exit 4): it says so, and says to unlock again.
    whrd.ok("unlock", "--for", "1s", passphrases=(PASS,))
    time.sleep(1.2)
    before = _snapshot(tmp_path)
    _clean(whrd(*write), 4, EXPIRED[pick], "whrd unlock")
    assert _snapshot(tmp_path) == before
    assert list((runtime / "whrd").iterdir()) == []  # the expired key and its index are gone
    _clean(whrd("list"), 4, "whrd unlock")  # and then: locked, as any closed archive

    # 3. The identity file missing (exit 3): names the file; nothing else is touched.
    key = db.with_name("archive.json.key.age")
    wrapped = key.read_bytes()
    key.unlink()
    before = _snapshot(tmp_path)
    for args in (("list",), write):
        _clean(whrd(*args, passphrases=(PASS,)), 3, MISSING[pick], str(key))
    assert _snapshot(tmp_path) == before
    # …and a damaged one (exit 3), not a wrong passphrase.
    key.write_bytes(wrapped[: len(wrapped) // 2])
    before = _snapshot(tmp_path)
    _clean(whrd(*write, passphrases=(PASS,)), 3, KEY_DAMAGED[pick])
    assert _snapshot(tmp_path) == before
    key.write_bytes(wrapped)

    # 4. Truncated ciphertext (exit 3): the archive, then a backup; no backup is rotated.
    good = db.read_bytes()
    db.write_bytes(good[: len(good) - 100])
    before = _snapshot(tmp_path)
    for args in (("list",), write, ("undo", "--yes")):
        _clean(whrd(*args, passphrases=(PASS,)), 3, DAMAGED[pick])
    assert _snapshot(tmp_path) == before
    db.write_bytes(good)
    assert TITLE in whrd.ok("list", passphrases=(PASS,)).stdout  # all four leave it whole


@pytest.mark.parametrize("lang", ["en", "es"])
def test_crypto_commands_refuse_hostile_input_before_asking_or_writing(
    tmp_path: Path, runtime: Path, lang: str
) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, runtime)
    whrd.env["WHRD_LANG"] = lang
    es = lang == "es"
    before = _snapshot(tmp_path, runtime)
    # Encrypt twice: refused before a passphrase is asked (none could be, off a terminal).
    _clean(whrd("encrypt"), 1, "ya está cifrado" if es else "encrypted already")
    # A recipient that is not an age key; a removal of a key that is not a recipient.
    _clean(whrd("recipients", "add", "ssh-ed25519 AAAAC3Nz", passphrases=(PASS,)), 1, "age")
    _clean(whrd("recipients", "add", "", passphrases=(PASS,)), 1, "age")
    stranger = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    _clean(whrd("recipients", "remove", stranger, passphrases=(PASS,)), 1, stranger)
    # A wipe off a terminal without --yes; a decrypt without --yes.
    _clean(whrd("wipe"), 1, "--yes")
    _clean(whrd("decrypt"), 1, "--yes")
    # A duration that is not one.
    for bad in ("0m", "abc", "-1h", ""):
        _clean(whrd("unlock", "--for", bad, passphrases=(PASS,)), 1)
    # A passphrase change with the wrong current one: refused before a new one is asked.
    done = whrd("passphrase", passphrases=("not it", NEW, NEW))
    _clean(done, 4, WRONG[1 if es else 0])
    # An empty new passphrase.
    _clean(whrd("passphrase", passphrases=(PASS, "")), 1)
    assert _snapshot(tmp_path, runtime) == before


@pytest.mark.parametrize("lang", ["en", "es"])
def test_crypto_commands_on_a_plain_archive_say_it_is_plain(tmp_path: Path, lang: str) -> None:
    db = tmp_path / "archive.json"
    whrd = Whrd(db, None)
    whrd.env["WHRD_LANG"] = lang
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--lang", "es")
    before = _snapshot(tmp_path)
    plain = "no está cifrado" if lang == "es" else "not encrypted"
    for args in (("decrypt", "--yes"), ("unlock",), ("lock",), ("passphrase",), ("recipients", "list")):
        _clean(whrd(*args, passphrases=(PASS,)), 1, plain)
    # `where` says the archive is plain text, so nobody takes it for protected.
    done = whrd.ok("where")
    assert done.stdout == f"{db}\n" and plain in done.stderr
    assert _snapshot(tmp_path) == before


def test_unlock_without_a_tmpfs_says_so_and_every_command_asks(tmp_path: Path) -> None:
    """$XDG_RUNTIME_DIR on a disk folder: no session is kept there (it would be plain on disk)."""
    disk = tmp_path / "not-tmpfs"
    disk.mkdir(mode=0o700)
    db = tmp_path / "a" / "archive.json"
    db.parent.mkdir()
    whrd = _encrypted(db, disk)
    for lang, words in (("en", "memory-only"), ("es", "solo en memoria")):
        whrd.env["WHRD_LANG"] = lang
        _clean(whrd("unlock", passphrases=(PASS,)), 1, words)
    whrd.env.pop("WHRD_LANG")
    assert list(disk.rglob("*")) == []  # not even the whrd folder
    assert TITLE in whrd.ok("search", "Zapoteca", passphrases=(PASS,)).stdout
    whrd.ok("edit", "1", "--tag", "x", passphrases=(PASS,))
    assert list(disk.rglob("*")) == []  # no index, no draft, no key: nothing there
    _clean(whrd("list"), 4, "whrd unlock")


def test_no_passphrase_from_the_environment_or_the_command_line(tmp_path: Path) -> None:
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    for name in ("WHRD_PASSPHRASE", "PASSPHRASE", "AGE_PASSPHRASE", "WHRD_PASSWORD"):
        whrd.env[name] = PASS
    _clean(whrd("list"), 4, "whrd unlock")
    refused = whrd("--passphrase", PASS, "list")
    assert refused.returncode == 2 and PASS not in refused.stderr.replace(f"'{PASS}'", "")
    assert whrd("--passphrase-fd", "notanumber", "list").returncode == 2
    bad_fd = whrd("--passphrase-fd", "97", "list")
    assert bad_fd.returncode == 4 and "Traceback" not in bad_fd.stderr, bad_fd.stderr


def test_core_dumps_are_off_while_an_encrypted_archive_is_open(tmp_path: Path) -> None:
    """The process that opens an encrypted archive has RLIMIT_CORE 0 (a crash writes no plain text)."""
    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    probe = tmp_path / "probe.py"
    probe.write_text(
        "import atexit, os, resource, sys\n"
        "from whrd_cli.storage import check\n"
        "real = check.load_archive_file\n"
        "def load(*a, **k):\n"
        "    found = real(*a, **k)\n"
        "    sys.stderr.write(f'CORE {resource.getrlimit(resource.RLIMIT_CORE)}\\n')\n"
        "    return found\n"
        "check.load_archive_file = load\n"
        "sys.argv = ['whrd', *sys.argv[1:]]\n"
        "from whrd_cli.__main__ import main\n"
        "main()\n"
    )
    read, write = os.pipe()
    os.write(write, (PASS + "\n").encode())
    os.close(write)
    try:
        done = subprocess.run(
            [sys.executable, str(probe), "--db", str(db), "--passphrase-fd", str(read), "list"],
            capture_output=True,
            text=True,
            env=whrd.env,
            pass_fds=(read,),
            stdin=subprocess.DEVNULL,
            check=False,
        )
    finally:
        os.close(read)
    assert done.returncode == 0 and TITLE in done.stdout, done.stderr
    assert "CORE (0, 0)" in done.stderr


def test_recovery_key_opens_the_archive_after_the_identity_file_is_lost(tmp_path: Path) -> None:
    """The missing-identity error points at the way out: a recovery recipient opens it with pyrage."""
    from pyrage import decrypt, x25519

    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    recovery = x25519.Identity.generate()
    whrd.ok("recipients", "add", str(recovery.to_public()), passphrases=(PASS,))
    db.with_name("archive.json.key.age").unlink()
    done = whrd("list", passphrases=(PASS,))
    _clean(done, 3, "age -d -i")
    assert TITLE in decrypt(db.read_bytes(), [recovery]).decode()


def test_encrypt_decrypt_and_recipients_keep_the_archive_marked_sound(tmp_path: Path) -> None:
    """The rewritten archive carries whrd's mark of a sound file (SHA-256 of its bytes, or of an
    age file's header: computed apart, `marks.sha_mark`), so the next write does not check every
    bulletin again (~1 s at 100k)."""
    import errno

    from pyrage import x25519

    from marks import sha_mark

    db = tmp_path / "archive.json"
    whrd = Whrd(db, None)
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--lang", "es")

    def marked() -> bool:
        try:
            mark = os.getxattr(db, "user.whrd.sound")
        except OSError as exc:
            if exc.errno == errno.ENODATA:  # no mark on this file
                return False
            pytest.skip(f"no user extended attributes on this file system ({exc})")
        return mark == sha_mark(db.read_bytes())

    assert marked()
    whrd.ok("encrypt", passphrases=(PASS,))
    assert marked()
    whrd.ok("recipients", "add", str(x25519.Identity.generate().to_public()), passphrases=(PASS,))
    assert marked()
    whrd.ok("decrypt", "--yes", passphrases=(PASS,))
    assert marked() and db.read_bytes().startswith(b"{")
    # A damaged archive is encrypted all the same, but never marked sound.
    tables = json.loads(db.read_bytes())
    tables["bulletins"]["1"]["date"] = "2024-02-31"
    db.write_bytes(json.dumps(tables).encode())
    whrd.ok("encrypt", passphrases=(PASS,))
    assert not marked()


def test_two_encrypts_at_once_one_wins_the_other_is_refused_cleanly(tmp_path: Path) -> None:
    """Both pass the first check while the archive is plain, then queue on its lock (held here
    until both wait): the second finds it encrypted (exit 1), never a bug, and the archive opens
    with the winner's passphrase."""
    from filelock import FileLock

    db = tmp_path / "archive.json"
    whrd = Whrd(db, None)
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--lang", "es")
    whrd.env["WHRD_LOCK_TIMEOUT"] = "60"
    phrases = ("first of two long passphrases", "second of two long passphrases")
    lock = FileLock(f"{db}.lock")
    lock.acquire()
    try:
        runs = []
        for phrase in phrases:
            read, write = os.pipe()
            os.write(write, (phrase + "\n").encode())
            os.close(write)
            command = [
                sys.executable,
                "-m",
                "whrd_cli",
                "--db",
                str(db),
                "--passphrase-fd",
                str(read),
                "encrypt",
            ]
            runs.append(
                subprocess.Popen(
                    command,
                    env=whrd.env,
                    stdin=subprocess.DEVNULL,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    pass_fds=(read,),
                )
            )
            os.close(read)
        time.sleep(3)  # both started and waiting on the lock (either way the outcome is the same)
    finally:
        lock.release()
    done = [(run.wait(timeout=120), run.stderr.read() if run.stderr else "") for run in runs]
    assert sorted(code for code, _err in done) == [0, 1], done
    loser = next(err for code, err in done if code == 1)
    assert "encrypted already" in loser and "Traceback" not in loser and "bug" not in loser
    winner = phrases[[code for code, _err in done].index(0)]
    assert TITLE in whrd.ok("list", passphrases=(winner,)).stdout


@pytest.mark.parametrize("lang", ["en", "es"])
def test_export_encrypt_to_a_bad_key_writes_nothing_and_to_stdout_only_ciphertext(
    tmp_path: Path, lang: str
) -> None:
    from pyrage import decrypt, x25519

    db = tmp_path / "archive.json"
    whrd = _encrypted(db, None)
    whrd.env["WHRD_LANG"] = lang
    before = _snapshot(tmp_path)
    out = tmp_path / "digest.md"
    for bad in ("age1nonsense", "", "ssh-ed25519 AAAA"):
        _clean(whrd("export", "-o", str(out), "--encrypt-to", bad, passphrases=(PASS,)), 1, "age")
    assert _snapshot(tmp_path) == before
    reader = x25519.Identity.generate()
    key = str(reader.to_public())
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "whrd_cli",
            "--db",
            str(db),
            "export",
            "--encrypt-to",
            str(reader.to_public()),
        ],
        capture_output=True,
        env=whrd.env,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    assert done.returncode == 4  # locked, no passphrase: nothing exported
    read, write = os.pipe()
    os.write(write, (PASS + "\n").encode())
    os.close(write)
    try:
        done = subprocess.run(
            [*WHRD, "--db", str(db), "--passphrase-fd", str(read), "export", "-o", "-", "--encrypt-to", key],
            capture_output=True,
            cwd=tmp_path,
            env=whrd.env,
            stdin=subprocess.DEVNULL,
            pass_fds=(read,),
            check=False,
        )
    finally:
        os.close(read)
    assert done.returncode == 0 and done.stdout.startswith(b"age-encryption.org/v1\n")
    assert TITLE.encode() not in done.stdout and TITLE in decrypt(done.stdout, [reader]).decode()
    assert _snapshot(tmp_path) == before


def test_lock_of_no_archive_says_there_is_none(tmp_path: Path) -> None:
    whrd = Whrd(tmp_path / "none.json", None)
    _clean(whrd("lock"), 1, "no archive")
    assert list(tmp_path.iterdir()) == []
