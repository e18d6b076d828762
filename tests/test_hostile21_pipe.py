"""Hostile review (session 21) of the big encrypted read through a pipe (`light_sealed`: a child
decrypts and sends the plain text into this process's own memory while it parses), in this
process so the decrypting child is this test's own child (`processes.children`): the child
killed mid-stream, the file cut short while it is read, a plain text larger than the room made
for it. Thresholds and steps are lowered so a ~400 KB archive takes the path in many steps.

Oracles: `pyrage.decrypt` with `json.loads`, `marks.sha_mark`, sha256 of the files beside the
archive, /proc for the children left behind."""

from __future__ import annotations

import hashlib
import json
import mmap
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pyrage
import pytest

from marks import sha_mark
from processes import children
from whrd_cli import workers
from whrd_cli.crypto import convert, keys
from whrd_cli.errors import ArchiveError
from whrd_cli.model import Bulletin
from whrd_cli.storage import light_sealed, names
from whrd_cli.store import Archive

PASS = "a passphrase of five words"
SRC = Path(__file__).resolve().parents[1] / "src"


def _encrypted(path: Path, count: int = 300) -> None:
    Archive(path).add_many(
        [
            Bulletin.create(title=f"Defensora {n} amenazada", date="2024-01-02", summary="ñandú " * 200)
            for n in range(count)
        ]
    )
    convert.encrypt_archive(path, PASS)


def _plain(path: Path) -> dict[str, Any]:
    return json.loads(pyrage.decrypt(path.read_bytes(), [keys.identity_for(path)]))  # type: ignore[no-any-return]


def _files(folder: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.is_file()}


@pytest.fixture
def big(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, request: pytest.FixtureRequest) -> Path:
    path = tmp_path / "a.json"
    _encrypted(path, getattr(request, "param", 300))
    monkeypatch.setattr(light_sealed, "APART", 1000)
    monkeypatch.setattr(names, "MAPPED", 1000)
    monkeypatch.setattr(workers, "cores", lambda: 2)
    monkeypatch.setattr(light_sealed, "_STEP", 8192)
    monkeypatch.setattr(light_sealed, "_SEGMENT", 32768)
    return path


def _on_first_segment(monkeypatch: pytest.MonkeyPatch, act: Any) -> list[int]:
    """Run `act(new children)` when the parent parses its first segment (the child mid-stream)."""
    before = children()
    acted: list[int] = []
    real = light_sealed._segment

    def segment(*args: Any) -> Any:
        if not acted:
            new = children() - before
            acted.extend(new or {0})
            act(new)
        return real(*args)

    monkeypatch.setattr(light_sealed, "_segment", segment)
    return acted


@pytest.mark.parametrize("command", ["add", "read"])
def test_the_decrypting_child_killed_mid_stream_falls_back_to_a_whole_read(
    big: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    before = children()

    def kill(new: set[int]) -> None:
        for pid in new:
            os.kill(pid, signal.SIGKILL)

    killed = _on_first_segment(monkeypatch, kill)
    if command == "add":
        Archive(big).add(Bulletin.create(title="Nueva tras la muerte", date="2024-03-04", lang="es"))
        tables = _plain(big)
        assert len(tables["bulletins"]) == 301
        assert list(tables["bulletins"].values())[-1]["title"] == "Nueva tras la muerte"
        assert os.getxattr(big, "user.whrd.sound") == sha_mark(big.read_bytes())
    else:
        assert Archive(big).get(299).bulletin.title == "Defensora 298 amenazada"
    assert killed and killed != [0]  # the child was there, and was killed mid-stream
    assert children() <= before


@pytest.mark.parametrize("big", [2500], indirect=True)
@pytest.mark.parametrize("command", ["add", "read"])
def test_the_file_cut_short_while_the_child_reads_it_is_damaged(
    big: Path, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    """`truncate` of the archive in place while the child decrypts it (~3.5 MB: the child reads a
    megabyte at a time, and cannot be more than the pipe's megabyte ahead of the parse): a clean
    damaged error (the whole read that follows sees the cut file), nothing written, no child left."""
    before = children()
    size = big.stat().st_size
    cut = (1 << 20) + 100
    assert size > 3 * cut
    acted = _on_first_segment(monkeypatch, lambda _new: os.truncate(big, cut))
    others = {k: v for k, v in _files(big.parent).items() if k != big.name}
    with pytest.raises(ArchiveError, match="damaged"):
        if command == "add":
            Archive(big).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
        else:
            Archive(big).get(5)
    assert acted
    assert {k: v for k, v in _files(big.parent).items() if k != big.name} == others
    assert big.stat().st_size == cut
    assert children() <= before


@pytest.mark.parametrize("room", [100_000, 300_000])
def test_a_plain_text_larger_than_its_room_falls_back(
    big: Path, monkeypatch: pytest.MonkeyPatch, room: int
) -> None:
    """Less room than the plain text (never so with age's own sizes): the parent stops at the end
    of its room, finds more, and reads the plain way; the result is the whole archive."""
    real = light_sealed._memory
    monkeypatch.setattr(light_sealed, "_memory", lambda _size: real(room))
    before = children()
    Archive(big).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
    assert len(_plain(big)["bulletins"]) == 301
    assert children() <= before


_OVERFLOW = """
import sys
from pathlib import Path
from whrd_cli import workers
from whrd_cli.crypto import keys
from whrd_cli.storage import light_sealed, names
from whrd_cli.store import Archive
light_sealed.APART = names.MAPPED = 1000
workers.cores = lambda: 2
real = light_sealed._memory
light_sealed._memory = lambda size: real(4096)
keys.use_passphrase_fd(int(sys.argv[2]))
from whrd_cli.model import Bulletin
Archive(Path(sys.argv[1])).add(Bulletin.create(title="Nueva", date="2024-03-04", lang="es"))
print(len(Archive(Path(sys.argv[1])).select()))
"""


def test_a_plain_text_far_larger_than_its_room_does_not_hang(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    _encrypted(path, 1500)  # ~2 MB of plain text: more than the 1 MB pipe and the child's buffer
    read, write = os.pipe()
    os.write(write, (PASS + "\n").encode())
    os.close(write)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _OVERFLOW, str(path), str(read)],
            capture_output=True,
            text=True,
            env={**os.environ, "PYTHONPATH": str(SRC)},
            pass_fds=(read,),
            timeout=15,
        )
    except subprocess.TimeoutExpired:
        done = None
    finally:
        os.close(read)
    assert done is not None, "hung"
    assert done.returncode == 0 and done.stdout.strip() == "1501", done.stderr


def test_room_is_private_and_larger_than_any_plain_text(tmp_path: Path) -> None:
    """The memory the plain text goes into is this process's own (a fork's child does not see it),
    and an age file's plain text is always shorter than its ciphertext (the room's size)."""
    room = light_sealed._memory(1 << 16)
    room[:5] = b"antes"
    pid = os.fork()
    if pid == 0:  # pragma: no cover (the child)
        room[:5] = b"hijo!"
        os._exit(0)
    os.waitpid(pid, 0)
    assert room[:5] == b"antes"
    assert isinstance(room, mmap.mmap)
    for size in (0, 1, 65536, 65537, 300_000):
        to = [pyrage.x25519.Identity.generate().to_public()]
        assert len(pyrage.encrypt(b"x" * size, to)) > size
