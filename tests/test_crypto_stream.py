"""The streamed encryption of an archive write (`crypto.codec.encrypted_pieces`): what it yields
is one age file that pyrage itself decrypts to exactly the pieces given, and a writer that stops
early (an error while encoding, a closed generator, a bad recipient) never leaves its thread
waiting. The oracle is `pyrage.decrypt` with the identity, and the pieces joined."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from pyrage import decrypt, x25519

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
