"""Rolling backups are kept before the archive's rename; when that rename fails, they are put
back as they were (the oldest generation is only set aside until the archive lands)."""

from __future__ import annotations

import errno
import itertools
import os
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from whrd_cli.storage import atomic, backups


def files(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def expected_after_landing(before: dict[str, bytes], generations: int) -> dict[str, bytes]:
    """The files after a write that lands, simulated on a dict: from the oldest place up, each
    backup present moves one place down (the last place's is dropped), then the archive's old
    bytes become `.bak` and the archive holds the new ones."""
    names = ["a.json.bak"] + [f"a.json.bak.{n}" for n in range(1, generations)]
    after = dict(before)
    for older, newer in reversed(list(zip(names[1:], names[:-1], strict=True))):
        if newer in after:
            after[older] = after.pop(newer)
    after["a.json.bak"], after["a.json"] = before["a.json"], b"new archive"
    return after


# Every mix of backups present (holes included) for 1 to 3 generations.
STATES = [
    (generations, present)
    for generations in (1, 2, 3)
    for present in itertools.product((False, True), repeat=generations)
]


def setup(folder: Path, generations: int, present: tuple[bool, ...]) -> Path:
    archive = folder / "a.json"
    archive.write_bytes(b"old archive")
    for path, there in zip(backups.backup_paths(archive, generations), present, strict=True):
        if there:
            path.write_bytes(f"backup {path.name}".encode())
    return archive


@pytest.mark.parametrize(("generations", "present"), STATES)
@pytest.mark.parametrize("fails", ["archive rename", "backup rename", None])
def test_backups_move_only_when_the_archive_lands(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    generations: int,
    present: tuple[bool, ...],
    fails: str | None,
) -> None:
    archive = setup(tmp_path, generations, present)
    before = files(tmp_path)
    real_replace = os.replace

    def replace(src: Any, dst: Any) -> None:
        target = {"archive rename": archive, "backup rename": archive.with_name("a.json.bak")}.get(
            fails or ""
        )
        if Path(dst) == target and atomic.TMP_MARK in Path(src).name and "oldest" not in Path(src).name:
            raise OSError(errno.EIO, "Input/output error")
        real_replace(src, dst)

    monkeypatch.setattr(atomic.os, "replace", replace)
    monkeypatch.setattr(backups.os, "replace", replace)
    write = lambda: atomic.write_atomic(  # noqa: E731
        archive, b"new archive", before_replace=lambda: backups.keep_backup(archive, generations)
    )
    if fails is None:
        write()
        assert files(tmp_path) == expected_after_landing(before, generations)
    else:
        with pytest.raises(Exception, match="Input/output error"):
            write()
        assert files(tmp_path) == before  # nothing moved, nothing left aside


KILLED = """
import os, signal, sys
from pathlib import Path
from whrd_cli.storage import atomic, backups

archive = Path(sys.argv[1])
real = os.replace


def replace(src, dst):
    if Path(dst) == archive:
        print("killed before the archive's rename", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    real(src, dst)


atomic.os.replace = replace
atomic.write_atomic(archive, b"new archive", before_replace=lambda: backups.keep_backup(archive, 3))
"""


def test_a_write_killed_before_its_rename_leaves_the_oldest_aside_for_the_next_write(tmp_path: Path) -> None:
    archive = setup(tmp_path, 3, (True, True, True))
    done = subprocess.run([sys.executable, "-c", KILLED, str(archive)], capture_output=True, text=True)
    assert done.returncode == -signal.SIGKILL and "killed before the archive's rename" in done.stdout
    aside = [p.name for p in tmp_path.iterdir() if "oldest" in p.name]
    assert aside == [f".a.json.bak.2{atomic.TMP_MARK}oldest"]
    assert archive.read_bytes() == b"old archive"
    atomic.remove_stale_temps(backups.backup_paths(archive, 3)[-1])  # what the store's next write does
    assert not [p for p in tmp_path.iterdir() if "oldest" in p.name]
