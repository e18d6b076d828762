"""`whrd doctor` on the files beside the archive: file modes, stale temp files and locks, the
search index, the backups; and what `--fix` repairs (and what it leaves). The oracles are the
file system itself (os.stat, os.listdir, the index's own SQLite meta), never doctor's code."""

from __future__ import annotations

import fcntl
import json
import os
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from conftest import Run


@pytest.fixture
def archive(run: Run, db: Path) -> Path:
    """A sound archive written by whrd (0600, a fresh index, a lock file, no backup yet)."""
    run.ok("add", "--title", "Defender threatened in Tela", "--date", "2024-03-01", "--country", "HN")
    run.ok("add", "--title", "Radio back on air", "--date", "2024-03-02", "--country", "GT")
    return db


def doctor(run: Run, *args: str) -> tuple[int, dict[str, Any]]:
    result = run("doctor", "--json", *args)
    return result.exit_code, json.loads(result.stdout)


def kinds(data: dict[str, Any]) -> set[tuple[str, str]]:
    return {(c["check"], f["kind"]) for c in data["checks"] for f in c["findings"]}


def mode(path: Path) -> int:
    return path.stat().st_mode & 0o777


def index_matches_archive(db: Path) -> bool:
    """The index records the archive's current inode, size and mtime (read straight from SQLite)."""
    conn = sqlite3.connect(f"{db}.search.sqlite")
    try:
        meta = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    finally:
        conn.close()
    st = db.stat()
    return (int(meta["ino"]), int(meta["size"]), int(meta["mtime_ns"])) == (
        st.st_ino,
        st.st_size,
        st.st_mtime_ns,
    )


def test_whrd_s_own_files_pass(run: Run, archive: Path) -> None:
    assert doctor(run) == (0, doctor(run)[1])
    code, data = doctor(run)
    assert (code, kinds(data)) == (0, set())


def test_a_readable_archive_is_a_problem_and_fix_makes_it_0600(run: Run, archive: Path) -> None:
    os.chmod(archive, 0o644)
    os.chmod(f"{archive}.lock", 0o666)
    code, data = doctor(run)
    assert code == 1
    modes = next(c for c in data["checks"] if c["check"] == "modes")["findings"]
    assert {(f["path"], f["severity"], f["value"]) for f in modes} == {
        (str(archive), "problem", "0644"),
        (f"{archive}.lock", "warning", "0666"),
    }
    before = archive.read_bytes()
    code, data = doctor(run, "--fix")
    assert code == 0
    assert (mode(archive), mode(Path(f"{archive}.lock"))) == (0o600, 0o600)
    assert {f["kind"] for f in data["fixed"]} == {"file-mode"}
    assert archive.read_bytes() == before
    assert kinds(data) == set()


def test_a_readable_config_file_is_a_warning(run: Run, archive: Path, tmp_path: Path) -> None:
    config = tmp_path / "config.toml"
    config.write_text("")
    os.chmod(config, 0o644)
    code, data = doctor(run)
    assert code == 1  # a warning is a finding
    assert ("modes", "file-mode") in kinds(data)


def test_a_stale_temp_file_is_found_and_fix_removes_only_it(run: Run, archive: Path) -> None:
    stale = archive.with_name(f".{archive.name}.whrd-tmp-dead")
    stale.write_bytes(b'{"half": ')
    living = archive.with_name(f".{archive.name}.whrd-tmp-alive")
    living.write_bytes(b"")
    held = os.open(living, os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)  # a writer still at work holds its temp file's lock
    try:
        code, data = doctor(run)
        assert code == 1  # a warning is a finding
        temps = next(c for c in data["checks"] if c["check"] == "temp-files")["findings"]
        assert [f["path"] for f in temps] == [str(stale)]
        code, data = doctor(run, "--fix")
        assert [f["path"] for f in data["fixed"]] == [str(stale)]
        assert not stale.exists() and living.exists()
    finally:
        os.close(held)


def test_an_orphan_lock_is_found_and_removed(run: Run, db: Path) -> None:
    lock = Path(f"{db}.lock")
    lock.write_bytes(b"")
    os.chmod(lock, 0o600)
    code, data = doctor(run)
    assert (code, kinds(data)) == (1, {("lock", "orphan-lock")})
    code, data = doctor(run, "--fix")
    assert [f["kind"] for f in data["fixed"]] == ["orphan-lock"]
    assert os.listdir(db.parent) == []


def test_a_held_lock_is_reported_and_left(run: Run, archive: Path) -> None:
    held = os.open(f"{archive}.lock", os.O_RDONLY)
    fcntl.flock(held, fcntl.LOCK_EX)
    try:
        code, data = doctor(run, "--fix")
        assert code == 1  # a warning is a finding
        assert ("lock", "lock-held") in kinds(data)
        assert Path(f"{archive}.lock").exists()
    finally:
        os.close(held)


def test_a_free_lock_beside_an_archive_is_normal(run: Run, archive: Path) -> None:
    assert Path(f"{archive}.lock").exists()
    assert ("lock", "orphan-lock") not in kinds(doctor(run)[1])


def test_a_stale_index_is_a_warning_and_fix_rebuilds_it(run: Run, archive: Path) -> None:
    data = archive.read_bytes()
    archive.unlink()
    archive.write_bytes(data)  # edited by hand: a new inode, the same bulletins
    os.chmod(archive, 0o600)
    assert not index_matches_archive(archive)
    code, report = doctor(run)
    assert (code, kinds(report)) == (1, {("index", "index-stale")})
    code, report = doctor(run, "--fix")
    assert (code, [f["kind"] for f in report["fixed"]], kinds(report)) == (0, ["index-rebuilt"], set())
    assert index_matches_archive(archive)
    assert archive.read_bytes() == data


def test_a_missing_index_and_one_that_is_not_a_database(run: Run, archive: Path) -> None:
    index = Path(f"{archive}.search.sqlite")
    index.unlink()
    assert kinds(doctor(run)[1]) == set()  # built on demand by the next search: no finding
    index.write_bytes(b"not sqlite at all")
    os.chmod(index, 0o600)
    assert kinds(doctor(run)[1]) == {("index", "index-damaged")}
    doctor(run, "--fix")
    assert index_matches_archive(archive)


def test_an_index_of_another_version(run: Run, archive: Path) -> None:
    conn = sqlite3.connect(f"{archive}.search.sqlite")
    with conn:
        conn.execute("UPDATE meta SET value = 'whrd-search-index 1' WHERE key = 'version'")
    conn.close()
    (found,) = [f for c in doctor(run)[1]["checks"] for f in c["findings"]]
    assert found["kind"] == "index-version"
    assert "(whrd-search-index 1)" in found["message"]


def test_an_unreadable_backup_is_a_problem(run: Run, archive: Path) -> None:
    run.ok("delete", "2", "--yes")  # a destructive write keeps a backup
    good = Path(f"{archive}.bak")
    assert good.exists()
    assert doctor(run)[0] == 0
    broken = Path(f"{archive}.bak.1")
    broken.write_bytes(b'{"meta": {"1": {"app": "whrd", "sch')
    os.chmod(broken, 0o600)
    code, data = doctor(run)
    assert code == 1
    (found,) = next(c for c in data["checks"] if c["check"] == "backups")["findings"]
    assert (found["kind"], found["path"]) == ("unreadable-backup", str(broken))
    assert f"{broken} is not valid JSON" in found["message"]


def test_fix_leaves_a_damaged_archive_and_its_stale_index_alone(run: Run, archive: Path) -> None:
    data = json.loads(archive.read_text())
    data["bulletins"]["1"]["date"] = "2024-02-30"
    archive.write_text(json.dumps(data))
    os.chmod(archive, 0o600)
    before = archive.read_bytes()
    index_before = Path(f"{archive}.search.sqlite").read_bytes()
    code, report = doctor(run, "--fix")
    assert code == 3
    assert report["fixed"] == []
    assert archive.read_bytes() == before
    assert Path(f"{archive}.search.sqlite").read_bytes() == index_before


def test_the_terminal_report(run: Run, archive: Path, stdout_terminal: None) -> None:
    os.chmod(archive, 0o640)
    result = run("doctor")
    assert result.exit_code == 1
    lines = result.stdout.splitlines()
    assert lines[0] == "✓ Archive shape and schema"
    assert "✗ File modes" in lines
    flat = " ".join(result.stdout.split())  # Rich folds a long path at the width
    assert (
        f"✗ File modes ✗ {archive} has mode 0640: other users may read the bulletins in it (expected 0600)."
        in flat
    )
    assert lines[-1] == "1 problem, 0 warnings."
    fixed = run("doctor", "--fix")
    assert fixed.exit_code == 0
    assert " ".join(fixed.stdout.split()).startswith(
        f"✓ Made {archive} readable by its owner only (0600). ✓ Archive"
    )
