"""The store: atomic, serialised, never clobbering a file that is not an archive, ids never reused."""

from __future__ import annotations

import json
import os
import re
import signal
import stat
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

from whrd_cli.errors import ArchiveError, DuplicateError, NotFoundError
from whrd_cli.model import Bulletin
from whrd_cli.storage.check import load_archive_file
from whrd_cli.storage.plan import OnDuplicate
from whrd_cli.store import Archive


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
    assert meta == {"app": "whrd", "schema": 2, "next_id": 2}
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


def test_dry_run_writes_nothing_and_gives_no_ids(tmp_path: Path) -> None:
    path = tmp_path / "new" / "a.json"
    result = Archive(path).add_many([bulletin(1), bulletin(2), bulletin(1)], dry_run=True)
    assert result.outcomes == [("added", None), ("added", None), ("skipped", None)]
    assert (result.added, result.skipped, result.writes) == ([], [], 0)
    assert not path.parent.exists()
    Archive(path).add(bulletin(2))
    again = Archive(path).add_many([bulletin(1), bulletin(2)], dry_run=True)
    assert again.outcomes == [("added", None), ("skipped", 1)]  # only the archive's ids are named


def test_on_duplicate_policies(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add(bulletin(1, summary="old"))
    same = bulletin(1, summary="new")
    assert Archive(path).add_many([same], on_duplicate=OnDuplicate.SKIP).outcomes == [("skipped", 1)]
    assert Archive(path).get(1).bulletin.summary == "old"
    with pytest.raises(DuplicateError, match=r"^Bulletin 1 already has"):
        Archive(path).add_many([bulletin(2), same], on_duplicate=OnDuplicate.ERROR)
    assert len(Archive(path)) == 1  # the batch was refused whole
    assert Archive(path).add_many([same], on_duplicate=OnDuplicate.UPDATE).outcomes == [("updated", 1)]
    assert Archive(path).get(1).bulletin.summary == "new"
    assert Archive(path).add_many([same], on_duplicate=OnDuplicate.ADD).outcomes == [("added", 2)]
    # The CLI's option values are the enum's values.
    assert [p.value for p in OnDuplicate] == ["skip", "update", "error", "add"]


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

KILLER = r"""
import os, signal, sys
from pathlib import Path
from whrd_cli.model import Bulletin
from whrd_cli.storage import atomic
from whrd_cli.store import Archive

path, op, point = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
replaced = []
real_replace, real_fsync_dir = os.replace, atomic.fsync_dir


def die() -> None:
    print(point, flush=True)  # proof that the kill happened here, and nowhere else
    os.kill(os.getpid(), signal.SIGKILL)


def replace(src, dst, *args, **kwargs):
    if point == "before-replace" and Path(dst) == path:  # the archive's rename, not a backup's
        die()
    real_replace(src, dst, *args, **kwargs)
    replaced.append(Path(dst))


def fsync_dir(folder):
    if point == "before-folder-fsync" and replaced[-1:] == [path]:
        die()
    real_fsync_dir(folder)


os.replace, atomic.fsync_dir = replace, fsync_dir
archive = Archive(path)
if op == "add":
    archive.add_many([Bulletin.create(title=f"Killed {k}", date="2020-02-02", lang="en") for k in range(50)])
elif op == "update":
    archive.update(1, {"title": "Renamed while killed"})
elif op == "undo":  # undoes the edit made before: the old title back, and a journal entry saying so
    archive.undo()
elif op == "purge":
    archive.purge([1])
else:
    archive.delete([1, 2])
print("finished", flush=True)
"""

# What each write changes, as seen in a parsed archive.
LANDED = {
    "add": lambda tables: sum(r["title"].startswith("Killed ") for r in tables["bulletins"].values()) == 50,
    "update": lambda tables: tables["bulletins"]["1"]["title"] == "Renamed while killed",
    "delete": lambda tables: "1" not in tables["bulletins"] and "2" not in tables["bulletins"],
    # The change and its history land together, in one file: never one without the other.
    "undo": lambda tables: (
        tables["bulletins"]["1"]["title"] == "Bulletin number 0"
        and any(entry["undoes"] == 2 for entry in tables["journal"].values())
    ),
    "purge": lambda tables: (
        "1" not in tables["bulletins"] and all(not entry["bodies"] for entry in tables["history"].values())
    ),
}


@pytest.mark.parametrize("op", sorted(LANDED))
@pytest.mark.parametrize("point", ["before-replace", "before-folder-fsync"])
def test_writer_killed_mid_write_leaves_old_or_new_whole(tmp_path: Path, op: str, point: str) -> None:
    """SIGKILL a writer at a named point inside the archive's atomic write: after the temp file is
    complete but before it is renamed over the archive, and after the rename but before the folder
    is fsynced. The archive is then the old one or the new one, whole, and the next write cleans up."""
    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(n) for n in range(200)])
    Archive(path).update(1, {"title": "Edited before the kill"})
    for stale in tmp_path.glob("a.json.bak*"):
        stale.unlink()
    old = path.read_bytes()
    script = tmp_path / "killer.py"
    script.write_text(KILLER)
    done = subprocess.run(
        [sys.executable, str(script), str(path), op, point], capture_output=True, text=True, check=False
    )
    assert (done.returncode, done.stdout) == (-signal.SIGKILL, f"{point}\n"), done.stderr
    temps = list(tmp_path.glob(".a.json.whrd-tmp-*"))
    if point == "before-replace":  # mid-write: the new archive is complete in its temp file only
        assert path.read_bytes() == old
        assert len(temps) == 1 and LANDED[op](json.loads(temps[0].read_bytes()))
    else:  # mid-write: renamed, the folder not yet synced
        assert not temps
        assert LANDED[op](json.loads(path.read_bytes()))
    landed = point != "before-replace"
    tables = load_archive_file(path)  # whole and readable, old or new
    assert tables is not None and LANDED[op](tables) == landed
    if op not in ("add", "purge"):  # a destructive write kept the old archive first
        assert path.with_name("a.json.bak").read_bytes() == old
    if op == "purge":  # a purge keeps no copy of what it removes
        assert not path.with_name("a.json.bak").exists()
    # The next write takes the lock, removes the killed writer's temp file and builds on what is there.
    new_id = Archive(path).add(bulletin(99999))
    assert new_id == (251 if op == "add" and landed else 201)
    assert not list(tmp_path.glob(".a.json.whrd-tmp-*"))
    tables = load_archive_file(path)
    assert tables is not None and LANDED[op](tables) == landed and str(new_id) in tables["bulletins"]


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


# -- the archive's stable id ---------------------------------------------------------------------


def _without_uid(path: Path) -> bytes:
    """Make `path` an archive from before archives had their own id; its bytes."""
    data = json.loads(path.read_text())
    del data["meta"]["1"]["uid"]
    path.write_text(json.dumps(data))
    return path.read_bytes()


def test_stable_id_never_writes_and_the_next_write_stamps_the_same(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(1), bulletin(2)])
    old = _without_uid(path)
    from_path = uuid.uuid5(uuid.NAMESPACE_URL, path.resolve().as_uri()).hex
    assert Archive(path).stable_id() == from_path
    assert path.read_bytes() == old and not path.with_name("a.json.bak").exists()
    Archive(path).update(1, {"title": "Bulletin number 1"})  # changes nothing: nothing written
    assert path.read_bytes() == old
    Archive(path).delete([2])  # an ordinary write stamps the id it has been giving
    assert json.loads(path.read_text())["meta"]["1"]["uid"] == from_path
    assert Archive(path).stable_id() == from_path
    moved = tmp_path / "moved.json"
    path.rename(moved)  # once stamped, the id travels with the file
    assert Archive(moved).stable_id() == from_path


def test_stable_id_of_a_new_archive_is_its_own(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    Archive(a).add(bulletin(1))
    Archive(b).add(bulletin(1))
    uid = json.loads(a.read_text())["meta"]["1"]["uid"]
    assert Archive(a).stable_id() == uid != Archive(b).stable_id()
    Archive(a).add(bulletin(2))
    assert json.loads(a.read_text())["meta"]["1"]["uid"] == uid  # never changed by a write


def test_stamping_fails_with_the_write_not_alone(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add(bulletin(1))
    old = _without_uid(path)
    with pytest.raises(NotFoundError):
        Archive(path).delete([7])
    with pytest.raises(DuplicateError):
        Archive(path).add(bulletin(1))
    assert path.read_bytes() == old


# -- a library, not a process ----------------------------------------------------------------------


def test_damage_describes_a_hand_broken_archive(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(1), bulletin(2)])
    assert Archive(path).damage() is None
    data = json.loads(path.read_text())
    data["bulletins"]["2"]["countries"] = "HN"
    path.write_text(json.dumps(data))
    assert Archive(path).damage() == f"Bulletin 2 in {path} has 'countries' that is not a list of text."
    path.write_text("{broken")
    assert Archive(path).damage() == f"{path} is not valid JSON (corrupt?); whrd will not touch it."


def test_reading_leaves_the_gc_alone_and_keeps_nothing(tmp_path: Path) -> None:
    import gc
    import tracemalloc

    path = tmp_path / "a.json"
    Archive(path).add_many([bulletin(n, summary="words " * 40) for n in range(3000)])
    frozen = gc.get_freeze_count()
    tracemalloc.start()
    try:
        baseline = tracemalloc.get_traced_memory()[0]
        archive = Archive(path)
        assert len(archive.entries()) == 3000
        assert gc.isenabled() and gc.get_freeze_count() == frozen
        loaded = tracemalloc.get_traced_memory()[0] - baseline
        del archive
        left = tracemalloc.get_traced_memory()[0] - baseline
    finally:
        tracemalloc.stop()
    assert loaded > 2_000_000  # the parse was measured
    assert left < loaded / 20  # and once the archive is dropped, nothing holds it
