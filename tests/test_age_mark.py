"""The trust mark of an encrypted archive covers its age header (and payload nonce) and its size,
not all its ciphertext (`storage.trust.Digest`). That is only safe because every read decrypts the
whole payload and age refuses any change to it: these tests alter the payload under an intact
mark and require the same clean refusal as before, the file untouched, on every read path (small
archives decrypted here, big ones by a child while this process parses)."""

from __future__ import annotations

import hashlib
import json
import os
import random
import shutil
from pathlib import Path

import pyrage
import pytest
from pyrage import x25519

from marks import sha_mark
from whrd_cli import workers
from whrd_cli.crypto import convert, keys
from whrd_cli.errors import ArchiveError
from whrd_cli.model import Bulletin
from whrd_cli.storage import light_sealed, names, trust
from whrd_cli.store import Archive

PASS = "a passphrase of five words"


def mark_read_in_pieces(folder: Path, data: bytes) -> bytes:
    """The mark of `data` written to a file and read back as a big archive is (`names.Sealed`, a
    piece at a time)."""
    path = folder / "c.age"
    path.write_bytes(data)
    with open(path, "rb") as fh:
        sealed = names.Sealed(os.dup(fh.fileno()), len(data))
    digest = trust.new_digest()
    trust.feed(digest, sealed)
    return trust.mark_of(digest)


def _pieces(data: bytes, rng: random.Random) -> list[bytes]:
    out, at = [], 0
    while at < len(data):
        size = rng.choice((1, 2, 5, 17, 300, 4096, 70_000))
        out.append(data[at : at + size])
        at += size
    return out


@pytest.mark.parametrize("recipients", [1, 3, 900])  # 900: a header past the first 64 KB read
def test_the_digest_is_the_oracle_whatever_the_pieces(recipients: int, tmp_path: Path) -> None:
    rng = random.Random(recipients)
    to = [x25519.Identity.generate().to_public() for _ in range(recipients)]
    ciphertext = pyrage.encrypt(bytes(rng.getrandbits(8) for _ in range(200_000)), to)
    plain = json.dumps({"bulletins": {"1": {"title": "age-encryption.org/v1"}}}).encode()
    for data in (ciphertext, plain, b"age-encryption.org/v1\n-> X25519 cut short"):
        for _ in range(4):
            digest = trust.new_digest()
            pieces = _pieces(data, rng)
            half = len(pieces) // 2
            for piece in pieces[:half]:
                digest.update(piece)
            twin = digest.copy()  # (the resumed hash of a light write copies it midway)
            for piece in pieces[half:]:
                digest.update(piece)
                twin.update(piece)
            assert trust.mark_of(digest) == trust.mark_of(twin) == sha_mark(data)
    assert mark_read_in_pieces(tmp_path, ciphertext) == sha_mark(ciphertext)
    assert sha_mark(ciphertext) != b"2:" + hashlib.sha256(ciphertext).hexdigest().encode()


@pytest.mark.parametrize("recipients", [1, 900])
def test_a_big_file_fed_whole_or_in_megabytes_gets_the_age_mark(recipients: int, tmp_path: Path) -> None:
    """A ciphertext of a few megabytes read whole (an archive under 8 MB is hashed as one bytes
    object), or from its file a megabyte at a time after a header past the first 64 KB: the mark is
    still the header's, not every byte's (else such an archive would never be trusted)."""
    to = [x25519.Identity.generate().to_public() for _ in range(recipients)]
    ciphertext = pyrage.encrypt(random.Random(7).randbytes(3 << 20), to)
    whole = trust.new_digest()
    whole.update(ciphertext)
    assert trust.mark_of(whole) == mark_read_in_pieces(tmp_path, ciphertext) == sha_mark(ciphertext)
    assert sha_mark(ciphertext).startswith(b"2:age")


def _encrypted(path: Path, count: int) -> bytes:
    Archive(path).add_many(
        [
            Bulletin.create(title=f"Defensora {n} amenazada", date="2024-01-02", private=f"nota {n}")
            for n in range(count)
        ]
    )
    convert.encrypt_archive(path, PASS)
    data = path.read_bytes()
    assert trust.read_mark(path) == sha_mark(data)
    return data


def _tamper(path: Path, how: str) -> bytes:
    """Change the payload in place (the inode, and so the mark, kept): one byte flipped, the last
    bytes cut, bytes appended. Only a flip leaves the mark right; age must refuse all three."""
    data = bytearray(path.read_bytes())
    if how == "flip":
        data[len(data) * 2 // 3] ^= 0x20
    elif how == "cut":
        del data[-40:]
    else:
        data += b"\x00" * 40
    with open(path, "r+b") as fh:
        fh.write(data)
        fh.truncate()
    return bytes(data)


@pytest.fixture(scope="module")
def sealed_template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, object]:
    """One encrypted archive of 300 bulletins and its identity, made once (scrypt ~1.5 s each)."""
    path = tmp_path_factory.mktemp("template") / "a.json"
    _encrypted(path, 300)
    return path, keys.identity_for(path)


@pytest.mark.parametrize("big", [False, True])
@pytest.mark.parametrize("how", ["flip", "cut", "append"])
@pytest.mark.parametrize("command", ["add", "edit", "read"])
def test_an_altered_payload_under_an_intact_mark_is_refused(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sealed_template: tuple[Path, object],
    big: bool,
    how: str,
    command: str,
) -> None:
    template, identity = sealed_template
    path = tmp_path / "a.json"
    for suffix in ("", ".key.age"):  # copies keep the mark: user attributes are copied too
        shutil.copy2(f"{template}{suffix}", f"{path}{suffix}")
    assert trust.read_mark(path) == sha_mark(path.read_bytes())
    monkeypatch.setitem(keys._unwrapped, Path(os.path.realpath(path)), identity)  # (unlocked)
    if big:  # decrypted by a child while this process parses (the ciphertext left in its file)
        monkeypatch.setattr(light_sealed, "APART", 1000)
        monkeypatch.setattr(names, "MAPPED", 1000)
        monkeypatch.setattr(workers, "cores", lambda: 2)
    damaged = _tamper(path, how)
    if how == "flip":
        assert trust.read_mark(path) == sha_mark(damaged)  # the mark cannot see it: age must
    others = sorted(p.name for p in tmp_path.iterdir())
    with pytest.raises(ArchiveError, match="damaged"):
        if command == "add":
            Archive(path).add(Bulletin.create(title="Nuevo", date="2024-03-04", lang="es"))
        elif command == "edit":
            Archive(path).update(5, {"summary": "editado"})
        else:
            Archive(path).get(5)
    assert path.read_bytes() == damaged
    assert sorted(p.name for p in tmp_path.iterdir()) == others


def test_an_older_full_hash_mark_is_read_in_full_once_then_replaced(tmp_path: Path) -> None:
    """An encrypted archive marked by an older whrd (SHA-256 of all its ciphertext) is not trusted
    by the new rule: it is checked in full, and the write leaves the new mark."""
    path = tmp_path / "a.json"
    data = _encrypted(path, 40)
    os.setxattr(path, trust.ATTR, b"2:" + hashlib.sha256(data).hexdigest().encode())
    Archive(path).add(Bulletin.create(title="Nuevo", date="2024-03-04", lang="es"))
    after = path.read_bytes()
    assert trust.read_mark(path) == sha_mark(after)
    plain = json.loads(pyrage.decrypt(after, [keys.identity_for(path)]))
    assert len(plain["bulletins"]) == 41
