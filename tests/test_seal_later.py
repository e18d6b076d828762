"""An import's soundness check run in another process while the archive is written (issue 14):
the file is marked exactly when it would have been (the mark is the SHA-256 of its bytes, checked
here with hashlib), never when the check says no, and no child is left behind."""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

import pytest

from whrd_cli import workers
from whrd_cli.model import Bulletin
from whrd_cli.storage import trust
from whrd_cli.store import Archive

pytestmark = pytest.mark.skipif(workers.cores() < 2, reason="one core here: the check runs in this process")


def _bulletins(count: int) -> list[Bulletin]:
    return [
        Bulletin.create(title=f"Alerta {n}", date="2024-02-03", lang="es", countries=["HN"])
        for n in range(count)
    ]


def _mark(path: Path) -> bytes | None:
    try:
        return os.getxattr(path, trust.ATTR)
    except OSError:
        return None


def _oracle_mark(path: Path) -> bytes:
    return trust.RULES + b":" + hashlib.sha256(path.read_bytes()).hexdigest().encode()


@pytest.fixture
def archive(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Archive:
    monkeypatch.setattr(trust, "CHECK_APART", 5)
    path = tmp_path / "a.json"
    path.write_text("")  # does this file system keep user attributes?
    try:
        os.setxattr(path, trust.ATTR, b"x")
    except OSError:
        pytest.skip("no user extended attributes here: whrd never marks files")
    path.unlink()
    return Archive(path)


def test_a_big_write_is_marked_after_its_check_in_another_process(archive: Archive) -> None:
    before = set(os.listdir("/proc"))
    archive.add_many(_bulletins(20))
    assert _mark(archive.path) == _oracle_mark(archive.path)
    assert len(json.loads(archive.path.read_bytes())["bulletins"]) == 20
    assert not {p for p in set(os.listdir("/proc")) - before if p.isdigit() and _is_child(p)}


def _is_child(pid: str) -> bool:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1]) == os.getpid()
    except OSError:
        return False


def test_a_big_write_the_check_refuses_is_not_marked(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(trust, "sound_after", lambda *args: False)
    archive.add_many(_bulletins(20))
    assert _mark(archive.path) is None
    assert len(json.loads(archive.path.read_bytes())["bulletins"]) == 20  # written all the same


def test_a_check_whose_child_dies_is_done_here(archive: Archive, monkeypatch: pytest.MonkeyPatch) -> None:
    parent = os.getpid()
    real = trust.sound_after

    def dying(*args: object) -> bool:
        if os.getpid() != parent:
            os._exit(9)
        return real(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(trust, "sound_after", dying)
    archive.add_many(_bulletins(20))
    assert _mark(archive.path) == _oracle_mark(archive.path)


def test_a_write_that_fails_after_the_check_began_leaves_no_child(
    archive: Archive, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whrd_cli.storage import atomic

    def failing(*args: object, **kwargs: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(atomic, "write_atomic", failing)
    with pytest.raises(Exception, match="No space left"):
        archive.add_many(_bulletins(20))
    assert not archive.path.exists()
    assert not [p for p in os.listdir("/proc") if p.isdigit() and _is_child(p)]


def test_revs_worked_out_on_several_cores_are_those_one_process_works_out(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Each new bulletin's rev is the MD5 of its body as the revisions module defines it (the
    oracle recomputes it with hashlib over the stored body), uids are new and distinct, and a
    bulletin that brings its uid and rev keeps them."""
    from whrd_cli import history

    monkeypatch.setattr(history, "_APART", 10)
    archive = Archive(tmp_path / "a.json")
    given = Bulletin.create(title="Traída", date="2024-01-01", lang="es", uid="a" * 32, rev="3-" + "b" * 32)
    archive.add_many([*_bulletins(60), given])
    stored = json.loads(archive.path.read_bytes())["bulletins"]
    uids = [raw["uid"] for raw in stored.values()]
    assert len(set(uids)) == 61
    for raw in stored.values():
        if raw["uid"] == "a" * 32:
            assert raw["rev"] == "3-" + "b" * 32
            continue
        body = {k: v for k, v in raw.items() if k != "rev" and not k.startswith("_")}
        payload = json.dumps([None, False, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        assert raw["rev"] == "1-" + hashlib.md5(payload.encode()).hexdigest()
