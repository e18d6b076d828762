"""The store: atomic, serialised, never clobbering a file that is not an archive, ids never reused."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from whrd_cli.errors import ArchiveError, DuplicateError, NotFoundError
from whrd_cli.model import Bulletin
from whrd_cli.store import Archive, load_archive_file


def bulletin(n: int, **extra: object) -> Bulletin:
    return Bulletin.create(title=f"Bulletin number {n}", date="2020-01-01", lang="en", **extra)  # type: ignore[arg-type]


def test_new_archive_is_private_and_valid(tmp_path: Path) -> None:
    path = tmp_path / "sub" / "dir" / "a.json"
    archive = Archive(path)
    assert archive.add(bulletin(1)) == 1
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    meta = data["meta"]["1"]
    assert re.fullmatch(r"[0-9a-f]{32}", meta.pop("uid"))  # the archive's stable id (Atom ids)
    assert meta == {"app": "whrd", "schema": 1, "next_id": 2}
    assert data["bulletins"]["1"]["title"] == "Bulletin number 1"


def test_existing_mode_is_kept(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add(bulletin(1))
    path.chmod(0o640)
    Archive(path).add(bulletin(2))
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_ids_are_never_reused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    archive = Archive(path)
    ids = [archive.add(bulletin(n)) for n in range(3)]
    assert ids == [1, 2, 3]
    Archive(path).delete([3])
    assert Archive(path).add(bulletin(9)) == 4
    Archive(path).delete([1])
    assert [e.id for e in Archive(path).entries()] == [2, 4]


def test_batch_is_one_write_and_skips_duplicates(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    result = Archive(path).add_many([bulletin(n) for n in range(500)])
    assert result.writes == 1
    assert result.added == list(range(1, 501))
    again = Archive(path).add_many([bulletin(n) for n in range(502)])
    assert again.writes == 1
    assert len(again.skipped) == 500 and again.added == [501, 502]
    same_batch = Archive(path).add_many([bulletin(1000), bulletin(1000)])
    assert len(same_batch.added) == 1 and len(same_batch.skipped) == 1


def test_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = tmp_path / "new" / "a.json"
    result = Archive(path).add_many([bulletin(1), bulletin(2)], dry_run=True)
    assert len(result.added) == 2
    assert not path.parent.exists()


def test_duplicate_add_names_existing_id(tmp_path: Path) -> None:
    archive = Archive(tmp_path / "a.json")
    archive.add(bulletin(1))
    with pytest.raises(DuplicateError) as info:
        archive.add(Bulletin.create(title="BULLETIN number 1!", date="1 January 2020", lang="en"))
    assert info.value.existing_id == 1
    assert archive.add(bulletin(1), force=True) == 2


def test_update_and_delete_keep_backups(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    archive = Archive(path)
    archive.add_many([bulletin(n) for n in range(3)])
    before = path.read_bytes()
    archive.update(1, {"title": "Renamed"})
    assert path.with_name("a.json.bak").read_bytes() == before
    assert Archive(path).get(1).bulletin.title == "Renamed"
    Archive(path).delete([2])
    Archive(path).delete([3])
    backups = sorted(p.name for p in tmp_path.iterdir() if ".bak" in p.name)
    assert backups == ["a.json.bak", "a.json.bak.1", "a.json.bak.2"]
    for backup in backups:
        assert stat.S_IMODE((tmp_path / backup).stat().st_mode) == 0o600


def test_delete_is_all_or_nothing(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(n) for n in range(3)])
    before = path.read_bytes()
    with pytest.raises(NotFoundError, match="99"):
        Archive(path).delete([1, 99])
    assert path.read_bytes() == before


def test_update_cannot_duplicate_another(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(1), bulletin(2)])
    with pytest.raises(DuplicateError):
        Archive(path).update(2, {"title": "Bulletin number 1"})


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"", "is empty"),
        (b"[1, 2, 3]", "not a whrd archive"),
        (b'{"_default": {"1": {"a": 1}}}', "not a whrd archive"),
        (b'{"meta": {"1": {"app": "whrd", "schema": 99}}}', "newer whrd"),
        (b'{"meta": {"1": {"app": "whrd", "schema": 1}}, "bulletins": []}', "damaged"),
        (b"\x89PNG\r\n\x1a\n\x00\x00binary", "not valid JSON"),
    ],
)
def test_refuses_files_that_are_not_archives(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "a.json"
    path.write_bytes(content)
    with pytest.raises(ArchiveError, match=message):
        Archive(path).add(bulletin(1))
    with pytest.raises(ArchiveError, match=message):
        load_archive_file(path)
    assert path.read_bytes() == content


def test_read_only_archive_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add(bulletin(1))
    path.chmod(0o400)
    before = path.read_bytes()
    with pytest.raises(ArchiveError, match="read-only"):
        Archive(path).add(bulletin(2))
    assert path.read_bytes() == before


def test_stale_temp_files_are_cleaned(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add(bulletin(1))
    stale = tmp_path / ".a.json.whrd-tmp-dead"
    stale.write_text("half a write")
    Archive(path).add(bulletin(2))
    assert not stale.exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.json", "a.json.lock"]


def test_lock_timeout_is_a_clean_error(tmp_path: Path) -> None:
    from filelock import FileLock

    path = tmp_path / "a.json"
    Archive(path).add(bulletin(1))
    before = path.read_bytes()
    with FileLock(f"{path}.lock"), pytest.raises(ArchiveError, match="locked by another"):
        Archive(path, lock_timeout=0.2).add(bulletin(2))
    assert path.read_bytes() == before


def test_symlinked_archive_stays_a_symlink(tmp_path: Path) -> None:
    real = tmp_path / "real.json"
    link = tmp_path / "link.json"
    Archive(real).add(bulletin(1))
    link.symlink_to(real)
    Archive(link).add(bulletin(2))
    assert link.is_symlink()
    assert len(Archive(real)) == 2


# -- crash safety and concurrency: real processes -------------------------------------------------

WRITER = r"""
import sys
from whrd_cli.model import Bulletin
from whrd_cli.store import Archive
path, start = sys.argv[1], int(sys.argv[2])
archive = Archive(path, lock_timeout=60)
n = start
while True:
    archive = Archive(path, lock_timeout=60)
    if n % 3 == 2:
        ids = [e.id for e in archive.entries()][:5]
        if ids:
            archive.delete(ids)
    else:
        archive.add_many([
            Bulletin.create(title=f"Item {n} {k}", date="2020-01-01", lang="en", summary="x" * 400)
            for k in range(50)
        ])
    n += 1
"""


def test_killed_writer_never_corrupts(tmp_path: Path) -> None:
    """SIGKILL a writer at random moments; the archive must always load whole."""
    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(n) for n in range(200)])
    script = tmp_path / "writer.py"
    script.write_text(WRITER)
    kills = 0
    for round_ in range(25):
        proc = subprocess.Popen([sys.executable, str(script), str(path), str(round_ * 1000)])
        time.sleep(0.15 + (round_ % 5) * 0.05)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        kills += 1
        data = load_archive_file(path)  # raises if the file is not whole
        assert data is not None and "bulletins" in data
    assert kills == 25
    # The next write cleans whatever temp files the killed writers left.
    Archive(path).add(bulletin(99999))
    assert not list(tmp_path.glob(".a.json.whrd-tmp-*"))


def test_concurrent_adds_all_land(tmp_path: Path) -> None:
    """Eight `whrd add` processes at once: every bulletin lands, with distinct ids."""
    path = tmp_path / "a.json"
    env = {**os.environ, "WHRD_DB": str(path), "WHRD_LOCK_TIMEOUT": "60"}
    procs = []
    for n in range(8):
        for k in range(3):
            procs.append(
                subprocess.Popen(
                    [
                        sys.executable,
                        "-m",
                        "whrd_cli",
                        "add",
                        "--title",
                        f"Process {n} item {k}",
                        "--date",
                        "2021-05-05",
                        "--lang",
                        "en",
                    ],
                    env=env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                )
            )
    outputs = [p.communicate() for p in procs]
    assert all(p.returncode == 0 for p in procs), outputs
    ids = sorted(int(out.strip()) for out, _err in outputs)
    assert ids == list(range(1, 25))
    titles = {e.bulletin.title for e in Archive(path).entries()}
    assert len(titles) == 24


def test_update_many_duplicates_in_one_write(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(n) for n in range(300)])
    changed = [bulletin(n, summary=f"new summary {n}") for n in range(300)]
    result = Archive(path).add_many(changed, on_duplicate="update")
    assert result.writes == 1 and len(result.updated) == 300
    for entry in Archive(path).entries():
        assert entry.bulletin.summary == f"new summary {entry.bulletin.title.split()[-1]}"


def test_update_keeps_what_the_input_lacks_and_backs_up(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add(
        Bulletin.create(
            title="Threats in Tegucigalpa",
            date="2021-08-03",
            lang="en",
            countries=["HN"],
            tags=["WHRDAlert"],
            category="alert",
            url="https://example.org/x",
            source="network",
            private="contact only through the coordinator",
            summary="Old text.",
        )
    )
    before = path.read_bytes()
    # As a listing without tags, or a CSV with only some columns, would give it:
    bare = Bulletin.create(title="Threats in Tegucigalpa", date="2021-08-03", lang="en", summary="New text.")
    result = Archive(path).add_many([bare], on_duplicate="update")
    assert result.updated == [1]
    b = Archive(path).get(1).bulletin
    assert (b.summary, b.countries, b.tags, b.category) == ("New text.", ("HN",), ("WHRDAlert",), "alert")
    assert (b.url, b.source, b.private) == (
        "https://example.org/x",
        "network",
        "contact only through the coordinator",
    )
    assert path.with_name("a.json.bak").read_bytes() == before
