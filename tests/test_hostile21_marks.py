"""Hostile review (session 21) of the trust mark of encrypted archives (`storage.trust.Digest`:
the age header, payload nonce and size, not the whole ciphertext), through the library.

Oracles: `marks.sha_mark` (the mark computed apart), `pyrage.decrypt` with `json.loads`, and a
spy on `check.damage_in` that records how many bulletins each full soundness check saw (a write
of a trusted archive checks only what it touched: one bulletin)."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyrage
import pytest
from pyrage import x25519

from marks import sha_mark
from test_age_mark import mark_read_in_pieces
from whrd_cli import workers
from whrd_cli.crypto import convert, keys
from whrd_cli.errors import ArchiveError
from whrd_cli.model import Bulletin
from whrd_cli.storage import check, light_sealed, names, trust
from whrd_cli.store import Archive

PASS = "a passphrase of five words"
ATTR = "user.whrd.sound"


def _encrypted(path: Path, count: int, summary: str = "ñandú " * 20) -> bytes:
    Archive(path).add_many(
        [
            Bulletin.create(title=f"Defensora {n} amenazada", date="2024-01-02", summary=summary)
            for n in range(count)
        ]
    )
    convert.encrypt_archive(path, PASS)
    data = path.read_bytes()
    assert os.getxattr(path, ATTR) == sha_mark(data)
    return data


@pytest.fixture
def checked(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many bulletins each `check.damage_in` call saw, in order."""
    seen: list[int] = []
    real = check.damage_in

    def spy(tables: Any, path: Any) -> Any:
        seen.append(len((tables or {}).get("bulletins") or {}))
        return real(tables, path)

    monkeypatch.setattr(check, "damage_in", spy)
    return seen


def _plain(path: Path) -> dict[str, Any]:
    return json.loads(pyrage.decrypt(path.read_bytes(), [keys.identity_for(path)]))  # type: ignore[no-any-return]


def _big(monkeypatch: pytest.MonkeyPatch) -> None:
    """The big-archive paths (ciphertext left in its file, a child decrypting) for a small file."""
    monkeypatch.setattr(light_sealed, "APART", 1000)
    monkeypatch.setattr(names, "MAPPED", 1000)
    monkeypatch.setattr(workers, "cores", lambda: 2)


@pytest.mark.parametrize("where", ["bytes", "one-core"])
def test_an_encrypted_archive_of_two_megabytes_is_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checked: list[int], where: str
) -> None:
    path = tmp_path / "a.json"
    data = _encrypted(path, 1500, summary="x" * 1000)
    assert 1 << 20 < len(data) < names.MAPPED  # read whole, as bytes (not `Sealed`)
    if where == "one-core":  # left in its file (as past 8 MB), but no child to decrypt it
        _big(monkeypatch)
        monkeypatch.setattr(workers, "cores", lambda: 1)
    checked.clear()  # (the encryption's own checks)
    Archive(path).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    assert checked == [1]  # the added bulletin only: the archive read was trusted
    assert os.getxattr(path, ATTR) == sha_mark(path.read_bytes())
    digest = trust.new_digest()
    digest.update(data)
    assert trust.mark_of(digest) == sha_mark(data)


def test_a_big_archive_with_a_header_past_64_kb_is_trusted(tmp_path: Path) -> None:
    to = [x25519.Identity.generate().to_public() for _ in range(800)]
    data = pyrage.encrypt(b"x" * (3 << 20), to)
    assert data.index(b"\n--- ") > 1 << 16
    assert mark_read_in_pieces(tmp_path, data) == sha_mark(data)


@pytest.mark.parametrize("big", [False, True])
def test_an_older_backup_copied_over_with_its_xattr_is_that_backup(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, big: bool
) -> None:
    """`cp --preserve=xattr archive.json.bak archive.json`: a real whrd file, marked for its own
    bytes: accepted, and what is read is the backup's content (not the archive's)."""
    path = tmp_path / "a.json"
    _encrypted(path, 300)
    backup = tmp_path / "older.json"
    subprocess.run(["cp", "--preserve=xattr", str(path), str(backup)], check=True)
    Archive(path).update(5, {"summary": "después de la copia"})
    if big:
        _big(monkeypatch)
    subprocess.run(["cp", "--preserve=xattr", str(backup), str(path)], check=True)
    assert os.getxattr(path, ATTR) == sha_mark(path.read_bytes())
    assert Archive(path).get(5).bulletin.summary != "después de la copia"
    Archive(path).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    tables = _plain(path)
    assert len(tables["bulletins"]) == 301 and tables["bulletins"]["5"]["summary"] != "después de la copia"
    assert os.getxattr(path, ATTR) == sha_mark(path.read_bytes())


@pytest.mark.parametrize("big", [False, True])
def test_a_mark_copied_onto_another_version_is_not_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checked: list[int], big: bool
) -> None:
    """`setfattr` of one version's mark onto another (same identity, same size): the header differs,
    so the archive is checked in full; a version made unsound by hand (re-encrypted with pyrage,
    a bulletin with no date) is then refused, never trusted."""
    path = tmp_path / "a.json"
    _encrypted(path, 300)
    old_mark = os.getxattr(path, ATTR)
    tables = _plain(path)
    del tables["bulletins"]["7"]["date"]
    identity = keys.identity_for(path)
    path.write_bytes(pyrage.encrypt(json.dumps(tables).encode(), [identity.to_public()]))
    os.setxattr(path, ATTR, old_mark)
    if big:
        _big(monkeypatch)
    before = path.read_bytes()
    checked.clear()
    with pytest.raises(ArchiveError):
        Archive(path).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    assert checked and checked[0] >= 300  # checked in full, not trusted
    assert path.read_bytes() == before


def _header_end(data: bytes) -> int:
    return data.index(b"\n", data.index(b"\n--- ") + 1) + 1 + 16


@pytest.mark.parametrize("big", [False, True])
@pytest.mark.parametrize("how", ["header", "header-and-nonce"])
def test_a_header_from_another_version_on_a_payload_is_damaged(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, big: bool, how: str
) -> None:
    """The header (and nonce) of one whrd-written version on the payload of the next, the mark
    set to what those bytes hash to: the file key differs, age refuses it, nothing is written."""
    path = tmp_path / "a.json"
    first = _encrypted(path, 300)
    Archive(path).update(5, {"summary": "otra"})
    second = path.read_bytes()
    cut_first, cut_second = _header_end(first), _header_end(second)
    if how == "header":
        forged = first[: cut_first - 16] + second[cut_second - 16 :]
    else:
        forged = first[:cut_first] + second[cut_second:]
    path.write_bytes(forged)
    os.setxattr(path, ATTR, sha_mark(forged))
    if big:
        _big(monkeypatch)
    others = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir() if p.is_file()}
    with pytest.raises(ArchiveError, match="damaged"):
        Archive(path).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    with pytest.raises(ArchiveError, match="damaged"):
        Archive(path).get(5)
    after = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in tmp_path.iterdir() if p.is_file()}
    assert after == others


def test_the_mark_of_an_age_cli_file_with_many_recipients_matches_the_oracle(tmp_path: Path) -> None:
    """A header the Go `age` CLI wrote (its own stanza layout; 800 recipients: past 64 KB), hashed
    in pieces of every size the writers and readers use."""
    if shutil.which("age") is None or shutil.which("age-keygen") is None:
        pytest.skip("no age CLI")
    recipients = [str(x25519.Identity.generate().to_public()) for _ in range(800)]
    source = tmp_path / "plain"
    source.write_bytes(os.urandom(300_000))
    out = tmp_path / "out.age"
    args = ["age", "-o", str(out)]
    for recipient in recipients:
        args += ["-r", recipient]
    subprocess.run([*args, str(source)], check=True)
    data = out.read_bytes()
    for size in (1, 7, 4096, 1 << 16, len(data)):
        digest = trust.new_digest()
        for at in range(0, len(data), size):
            digest.update(data[at : at + size])
        assert trust.mark_of(digest) == sha_mark(data)


def _strict_head(data: bytes) -> int:
    """An age header's end (and nonce's) parsed by the spec, apart from `marks.sha_mark`: the
    version line, stanzas (`-> ` and arguments, then base64 lines of 64 columns ending with a
    shorter one), then `--- ` and a 43-column MAC."""
    lines = data.split(b"\n")
    assert lines[0] == b"age-encryption.org/v1"
    at, number = len(lines[0]) + 1, 1
    while lines[number].startswith(b"-> "):
        at += len(lines[number]) + 1
        number += 1
        while True:
            body = lines[number]
            assert all(c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/" for c in body)
            at += len(body) + 1
            number += 1
            if len(body) < 64:
                break
    assert lines[number].startswith(b"--- ") and len(lines[number]) == 4 + 43
    return at + len(lines[number]) + 1 + 16


def test_grease_stanzas_never_end_the_header_early() -> None:
    """pyrage (rage) adds a grease stanza with random arguments to every header; hash many, whole
    and a byte at a time, against the spec's own header end."""
    import hashlib as hl

    to = [x25519.Identity.generate().to_public() for _ in range(2)]
    for number in range(200):
        data = pyrage.encrypt(b"p" * number * 7, to)
        end = _strict_head(data)
        expected = b"2:age%d-" % len(data) + hl.sha256(data[:end]).hexdigest().encode()
        whole, bytewise = trust.new_digest(), trust.new_digest()
        whole.update(data)
        for at in range(len(data)):
            bytewise.update(data[at : at + 1])
        assert trust.mark_of(whole) == trust.mark_of(bytewise) == expected == sha_mark(data)


def _many_recipients(path: Path, count: int, bulletins: int = 300) -> list[Any]:
    """An encrypted archive written to `count` extra recipients (a header of ~100 bytes each: past
    64 KB from ~700); their identities."""
    _encrypted(path, bulletins, summary="x" * 1000)
    identities = [x25519.Identity.generate() for _ in range(count)]
    texts = [str(identity.to_public()) for identity in identities]
    convert.change_recipients(path, lambda old: [*old, *texts])
    return identities


@pytest.mark.parametrize("big", [True])  # (the small path: the same reads, ~10 s more)
def test_an_archive_with_800_recipients_reads_and_writes_right(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, big: bool
) -> None:
    path = tmp_path / "a.json"
    identities = _many_recipients(path, 800)
    data = path.read_bytes()
    assert data.index(b"\n--- ") > 1 << 16
    assert os.getxattr(path, ATTR) == sha_mark(data)
    if big:
        _big(monkeypatch)
    Archive(path).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    Archive(path).update(5, {"summary": "editada con 800"})
    after = path.read_bytes()
    assert os.getxattr(path, ATTR) == sha_mark(after)
    tables = json.loads(pyrage.decrypt(after, [identities[-1]]))  # the last recipient opens it
    assert len(tables["bulletins"]) == 301 and tables["bulletins"]["5"]["summary"] == "editada con 800"
    flipped = bytearray(after)
    flipped[-100] ^= 1
    with open(path, "r+b") as fh:
        fh.write(flipped)
    with pytest.raises(ArchiveError, match="damaged"):
        Archive(path).add(Bulletin.create(title="Otra", date="2024-03-05", lang="es"))
    assert path.read_bytes() == bytes(flipped)


def test_a_big_archive_with_800_recipients_is_trusted(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, checked: list[int]
) -> None:
    path = tmp_path / "a.json"
    _many_recipients(path, 800, 1500)  # ~2 MB: the Digest sees 64 KB, then a megabyte
    assert path.stat().st_size > 2 << 20
    _big(monkeypatch)
    checked.clear()
    Archive(path).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    assert checked == [1]
