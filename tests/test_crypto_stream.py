"""The streamed encryption of an archive write (`crypto.codec.encrypted_pieces`): what it yields
is one age file that pyrage itself decrypts to exactly the pieces given, and a writer that stops
early (an error while encoding, a closed generator, a bad recipient) never leaves its thread
waiting. The oracle is `pyrage.decrypt` with the identity, and the pieces joined."""

from __future__ import annotations

import os
import signal
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from unittest import mock

import pyrage
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pyrage import decrypt, x25519

from faults import count_lost_children
from processes import children
from whrd_cli import workers
from whrd_cli.crypto import codec, keys
from whrd_cli.errors import ArchiveError


@pytest.fixture
def identity(tmp_path: Path) -> x25519.Identity:
    found = x25519.Identity.generate()
    keys.remember(tmp_path / "archive.json", found)
    yield found
    keys.forget(tmp_path / "archive.json")


def _threads() -> int:
    return sum(t.name == "whrd-age" for t in threading.enumerate())


def _settled(before: int) -> bool:
    deadline = time.monotonic() + 5
    while _threads() > before and time.monotonic() < deadline:
        time.sleep(0.01)
    return _threads() == before


@pytest.mark.parametrize(
    "pieces",
    [
        [b'{"meta":{}}'],
        [b"", b"{", b"", b'"a":1', b"}"],
        [bytes(range(256)) * 4000 for _ in range(30)],  # ~30 MB: many chunks, a full queue
        [b"x" * 8191, b"y" * 8193, b"z"],  # around age's and the reader's chunk sizes
    ],
)
def test_the_chunks_are_one_age_file_of_exactly_the_pieces(
    tmp_path: Path, identity: x25519.Identity, pieces: list[bytes]
) -> None:
    before = _threads()
    out = b"".join(codec.encrypted_pieces(tmp_path / "archive.json", {}, iter(pieces)))
    assert out.startswith(b"age-encryption.org/v1\n")
    assert decrypt(out, [identity]) == b"".join(pieces)
    assert _settled(before)


def test_every_recipient_of_the_meta_record_opens_it(tmp_path: Path, identity: x25519.Identity) -> None:
    other = x25519.Identity.generate()
    tables = {"meta": {"1": {"recipients": [str(other.to_public())]}}}
    out = b"".join(codec.encrypted_pieces(tmp_path / "archive.json", tables, [b"secret"]))
    assert decrypt(out, [other]) == b"secret" == decrypt(out, [identity])


def test_an_error_while_encoding_stops_the_thread(tmp_path: Path, identity: x25519.Identity) -> None:
    before = _threads()

    def pieces():  # type: ignore[no-untyped-def]
        for n in range(40):
            yield b"a" * 1_000_000
            if n == 20:
                raise ValueError("encoding failed")

    with pytest.raises(ValueError, match="encoding failed"):
        for _chunk in codec.encrypted_pieces(tmp_path / "archive.json", {}, pieces()):
            pass
    assert _settled(before)


def test_a_writer_that_gives_up_stops_the_thread(tmp_path: Path, identity: x25519.Identity) -> None:
    before = _threads()
    stream = codec.encrypted_pieces(tmp_path / "archive.json", {}, (b"b" * 1_000_000 for _ in range(60)))
    next(stream)
    stream.close()  # as when the disk is full and write_atomic stops reading
    assert _settled(before)


def test_a_recipient_that_is_not_an_age_key_is_refused_before_any_byte(
    tmp_path: Path, identity: x25519.Identity
) -> None:
    tables = {"meta": {"1": {"recipients": ["ssh-rsa AAAA"]}}}
    with pytest.raises(ArchiveError, match="not an age public key"):
        next(codec.encrypted_pieces(tmp_path / "archive.json", tables, [b"x"]))


# A big archive's write is encoded and encrypted in a child process (`fork=True`); its
# ciphertext must be the same age file of the same pieces, and a child lost mid-way must cost
# nothing but the time: ForkLost, then the store writes again here.


def _big_tables(count: int) -> dict[str, Any]:
    return {"meta": {"1": {}}, "bulletins": {str(n): {"title": f"t{n}"} for n in range(1, count + 1)}}


@pytest.fixture
def forking(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(codec, "FORK_FROM", 3)
    monkeypatch.setattr(workers, "cores", lambda: 2)


def test_a_big_write_is_encrypted_in_a_child_to_the_same_pieces(
    tmp_path: Path, identity: x25519.Identity, forking: None
) -> None:
    pieces = [bytes(range(256)) * 4000 for _ in range(30)]
    made_by: list[int] = []
    real = pyrage.encrypt_io

    def spying(reader: Any, writer: Any, recipients: Any) -> None:
        made_by.append(os.getpid())  # (a child's append is to its own copy of the list)
        real(reader, writer, recipients)

    before = children()
    with mock.patch.object(pyrage, "encrypt_io", spying):
        chunks = codec.encrypted_pieces(tmp_path / "archive.json", _big_tables(5), iter(pieces), fork=True)
        out = b"".join(chunks)
    assert made_by == []  # the spy ran in the child only: this process never encrypted
    assert decrypt(out, [identity]) == b"".join(pieces)
    assert children() == before


def test_a_child_lost_mid_way_raises_fork_lost_and_leaves_no_child(
    tmp_path: Path, identity: x25519.Identity, forking: None
) -> None:
    parent = os.getpid()

    def pieces() -> Iterator[bytes]:
        for n in range(40):
            if n == 20 and os.getpid() != parent:
                os.kill(os.getpid(), signal.SIGKILL)  # the OOM killer, say
            yield b"c" * 1_000_000

    before = children()
    got = 0
    with pytest.raises(codec.ForkLost):
        for chunk in codec.encrypted_pieces(tmp_path / "archive.json", _big_tables(5), pieces(), fork=True):
            got += len(chunk)
    assert 0 < got < 40_000_000
    assert children() == before


def test_the_store_writes_again_here_when_its_child_is_lost(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, forking: None
) -> None:
    """An encrypted archive's add whose encrypting child dies: the add lands all the same, and
    the file decrypts to the archive with the new bulletin (oracle: json and pyrage)."""
    import json

    from whrd_cli.crypto import convert
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    path = tmp_path / "a.json"
    archive = Archive(path)
    archive.add_many([Bulletin.create(title=f"Boletín {n}", date="2024-01-02", lang="es") for n in range(6)])
    convert.encrypt_archive(path, "a passphrase of five words")
    identity = keys.identity_for(path)
    parent = os.getpid()
    real = codec._Pieces.readinto

    def dying(self: Any, buffer: Any) -> int:
        if os.getpid() != parent:
            os._exit(3)
        return real(self, buffer)

    monkeypatch.setattr(codec._Pieces, "readinto", dying)
    lost = count_lost_children(monkeypatch)
    before = children()
    Archive(path).add(Bulletin.create(title="Added after a lost child", date="2024-02-03", lang="en"))
    assert lost == [True]  # the child was lost, and the add landed all the same
    assert children() == before
    tables = json.loads(decrypt(path.read_bytes(), [identity]))
    titles = [b["title"] for b in tables["bulletins"].values()]
    assert titles == [f"Boletín {n}" for n in range(6)] + ["Added after a lost child"]
    assert not [p for p in tmp_path.iterdir() if ".whrd-tmp-" in p.name]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(st.binary(max_size=3000), max_size=12),
    st.lists(st.integers(min_value=1, max_value=9000), min_size=1, max_size=20),
)
def test_the_reader_age_reads_gives_the_pieces_in_order(pieces: list[bytes], sizes: list[int]) -> None:
    """Whatever sizes age asks for, the plain pieces come out whole and in order, as views of an
    mmap or as bytes, empty ones skipped (oracle: their concatenation)."""
    import mmap
    from itertools import cycle

    whole = b"".join(pieces)
    mapped = mmap.mmap(-1, max(1, len(whole)))
    mapped[: len(whole)] = whole
    views = []
    start = 0
    for piece in pieces:
        views.append(memoryview(mapped)[start : start + len(piece)] if len(piece) % 2 else piece)
        start += len(piece)
    reader = codec._Pieces.reader(views)
    got = b""
    for size in cycle(sizes):
        chunk = reader.read(size)
        if not chunk:
            break
        got += chunk
    assert got == whole
    del views, reader
