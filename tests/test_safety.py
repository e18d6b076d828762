"""What a hostile tester found (issue 12): private text in the search index, lost backups, files
the user may not write, damaged archives half-written, stray temp and lock files, reads that write.

Every test compares bytes on disk before and after, against what the test itself wrote."""

from __future__ import annotations

import errno
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pytest
from tests.conftest import Run

import whrd_cli
from whrd_cli.search import index as ix

SECRET = "Contact Ana Quispe at +504 9988-7766 safehouse"


def _files_beside(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.iterdir()) if p.is_file()}


# -- 1. the search index never holds a private note -------------------------------------------------


def test_the_search_index_never_holds_a_private_note(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    run.ok("add", "--title", "Another radio", "--date", "2024-01-03")
    assert run.json("search", "radio")  # builds the index
    run.ok("edit", "2", "--private", SECRET + " (second)")  # an in-place update of the index
    assert run.json("search", "radio")
    index_files = [p for p in db.parent.iterdir() if p.name.startswith(db.name + ix.SUFFIX)]
    assert [p.name for p in index_files] == [db.name + ix.SUFFIX]
    for path in index_files:
        data = path.read_bytes()
        assert SECRET.encode() not in data and b"safehouse" not in data
    with sqlite3.connect(ix.index_path(db)) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(records)")]
    assert columns == ["id", "record"]


def test_search_private_still_shows_the_note_from_the_archive(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    run.ok("add", "--title", "Another radio", "--date", "2024-01-03")
    for _ in range(2):  # the first search rebuilds the index, the second answers from it
        hits = run.json("search", "radio", "--private")
        assert {hit["title"]: hit["private"] for hit in hits} == {
            "Radio station threatened": SECRET,
            "Another radio": None,
        }
        assert all("private" not in hit for hit in run.json("search", "radio"))
        plain = run.ok("search", "radio", "--private").stdout
        assert "safehouse" not in plain
    assert ix.is_fresh(db)


def _old_index(db: Path) -> None:
    """An index as whrd wrote it before version 3: a `records.private` column holding the note."""
    st = os.stat(db)
    path = ix.index_path(db)
    with sqlite3.connect(path) as conn:
        conn.executescript(
            "CREATE TABLE meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
            "CREATE TABLE records(id INTEGER PRIMARY KEY, record TEXT NOT NULL, private TEXT);"
        )
        values = {"version": "whrd-search-index 2 _fts1", "ino": st.st_ino, "size": st.st_size}
        values["mtime_ns"] = st.st_mtime_ns
        conn.executemany("INSERT INTO meta VALUES (?, ?)", list(values.items()))
        conn.execute("INSERT INTO records VALUES (1, '{}', ?)", (SECRET,))
    conn.close()
    os.chmod(path, 0o600)
    assert SECRET.encode() in path.read_bytes()


def test_an_index_of_an_older_version_is_replaced_by_the_next_search(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    ix.index_path(db).unlink()
    _old_index(db)
    assert [hit["title"] for hit in run.json("search", "radio")] == ["Radio station threatened"]
    assert SECRET.encode() not in ix.index_path(db).read_bytes()
    assert ix.is_fresh(db)


def test_an_older_index_that_cannot_be_rebuilt_is_removed(db: Path, run: Run) -> None:
    from filelock import FileLock

    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    ix.index_path(db).unlink()
    _old_index(db)
    with FileLock(f"{db}.lock"):  # another whrd is writing: the search cannot rebuild the index
        assert [hit["title"] for hit in run.json("search", "radio")] == ["Radio station threatened"]
    assert not ix.index_path(db).exists()


# -- 2. backups: rotated only once the new one is written; a refused operation touches none --------


def _backups(db: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(db.parent.glob(db.name + ".bak*"))}


@pytest.fixture
def three_backups(db: Path, run: Run) -> dict[str, bytes]:
    """An archive with a full set of backups, each a different generation."""
    for n in range(1, 4):
        run.ok("add", "--title", f"Bulletin {n}", "--date", f"2024-01-0{n}")
    for n in range(1, 4):
        run.ok("edit", str(n), "--summary", f"Edited {n}")
    found = _backups(db)
    assert sorted(found) == ["archive.json.bak", "archive.json.bak.1", "archive.json.bak.2"]
    assert len(set(found.values())) == 3
    return found


REFUSED = [
    (["edit", "9", "--title", "X"], 1, "Error: No bulletin with id 9. See the ids with 'whrd list'.\n"),
    (["delete", "2", "9", "--yes"], 1, "Error: No bulletin with id 9. See the ids with 'whrd list'.\n"),
    (
        ["edit", "2", "--title", "Bulletin 1", "--date", "2024-01-01"],
        1,
        "Error: Bulletin 1 already has this date, title and language; use --force to keep both.\n",
    ),
    (
        ["edit", "2", "--lang", "zz"],
        1,
        "Error: Unknown language 'zz': give an ISO 639-1 code such as en or es, "
        "or a name: español, castellano, spanish, inglés, english.\n",  # --lang takes names (issue 13)
    ),
]


@pytest.mark.parametrize(("args", "code", "message"), REFUSED)
def test_a_refused_operation_changes_no_backup(
    db: Path, run: Run, three_backups: dict[str, bytes], args: list[str], code: int, message: str
) -> None:
    archive = db.read_bytes()
    result = run(*args)
    assert (result.exit_code, result.stderr) == (code, message)
    assert db.read_bytes() == archive
    assert _backups(db) == three_backups


def test_a_damaged_archive_changes_no_backup(db: Path, run: Run, three_backups: dict[str, bytes]) -> None:
    data = json.loads(db.read_bytes())
    data["bulletins"]["2"]["summary"] = 5
    db.write_text(json.dumps(data))
    damaged = db.read_bytes()
    for args in (["edit", "1", "--title", "New"], ["delete", "3", "--yes"], ["reindex"]):
        result = run(*args)
        assert (result.exit_code, result.stderr) == (
            3,
            f"Error: Bulletin 2 in {db} has a 'summary' that is not text. "
            "Fix it by hand, or restore a backup (ARCHIVE.bak).\n",
        )
        assert db.read_bytes() == damaged
        assert _backups(db) == three_backups


def _full_disk(monkeypatch: pytest.MonkeyPatch, victim: str) -> None:
    """Writing the file whose name ends with `victim` fails half-way: no space left on device."""
    from whrd_cli.storage import atomic

    real = atomic.write_atomic

    def write_atomic(path: Path, payload: bytes | Iterable[bytes], **kwargs: object) -> None:
        if path.name.endswith(victim):
            with atomic.atomic_file(path) as fh:
                fh.write((payload if isinstance(payload, bytes) else b"".join(payload))[:10])
                raise OSError(errno.ENOSPC, "No space left on device")
        real(path, payload, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(atomic, "write_atomic", write_atomic)


@pytest.mark.parametrize("victim", [".bak", "archive.json"])
def test_a_full_disk_loses_no_backup(
    db: Path, run: Run, three_backups: dict[str, bytes], monkeypatch: pytest.MonkeyPatch, victim: str
) -> None:
    archive = db.read_bytes()
    with monkeypatch.context() as patched:
        _full_disk(patched, victim)
        for _attempt in range(3):  # each failed edit used to cost a generation
            result = run("edit", "2", "--title", "Renamed on a full disk")
            what = "a backup beside" if victim == ".bak" else "the archive"
            assert (result.exit_code, result.stderr) == (
                3,
                f"Error: Cannot write {what} {db}: No space left on device.\n",
            )
            assert db.read_bytes() == archive
            assert _backups(db) == three_backups
            assert not list(db.parent.glob(".*whrd-tmp-*"))
    run.ok("edit", "2", "--title", "Renamed at last")
    after = _backups(db)
    assert after["archive.json.bak"] == archive
    assert after["archive.json.bak.1"] == three_backups["archive.json.bak"]
    assert after["archive.json.bak.2"] == three_backups["archive.json.bak.1"]


# -- 3 and 9. files this user may not write or read: as a user without root's powers --------------

SRC = Path(whrd_cli.__file__).resolve().parents[1]  # the whrd under test, in the child too
# Root without the powers that let it read and write anyone's files: an ordinary user to the
# kernel, who can still start this Python (under /root, which `nobody` cannot enter).
UNPRIVILEGED = ["setpriv", "--bounding-set", "-dac_override,-dac_read_search,-fowner"]


def _can_drop_privileges() -> str | None:
    """None when this test run can act as an ordinary user, else why not."""
    if os.geteuid() != 0:
        return "needs root, to give a file to another user and drop its own powers"
    if shutil.which("setpriv") is None:
        return "needs setpriv (util-linux) to drop root's powers"
    probe = subprocess.run([*UNPRIVILEGED, "true"], capture_output=True, check=False)
    if probe.returncode != 0:
        return "cannot drop capabilities here (setpriv failed)"
    return None


def as_user(
    db: Path | None, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`whrd [--db DB] ARGS` as a process with an ordinary user's access rights."""
    reason = _can_drop_privileges()
    if reason:
        pytest.skip(reason)
    full_env = {**os.environ, "PYTHONPATH": str(SRC), **(env or {})}
    db_args = ["--db", str(db)] if db is not None else []
    return subprocess.run(
        [*UNPRIVILEGED, sys.executable, "-m", "whrd_cli", *db_args, *args],
        capture_output=True,
        text=True,
        env=full_env,
        check=False,
    )


def _snapshot(db: Path) -> tuple[list[str], bytes, tuple[int, int, int, int]]:
    st = db.stat()
    return (
        sorted(p.name for p in db.parent.iterdir()),
        db.read_bytes(),
        (st.st_ino, st.st_uid, st.st_mode, st.st_mtime_ns),
    )


@pytest.mark.parametrize(
    "args",
    [
        ["add", "--title", "Replaced?", "--date", "2024-02-02"],
        ["edit", "1", "--title", "Replaced?"],
        ["delete", "1", "--yes"],
        ["reindex"],
    ],
)
def test_an_archive_of_another_user_is_never_replaced(db: Path, run: Run, args: list[str]) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02")
    os.chown(db, 65534, 65534)  # nobody's file, 0644, in a folder this user owns
    db.chmod(0o644)
    before = _snapshot(db)
    done = as_user(db, *args)
    assert (done.returncode, done.stdout, done.stderr) == (
        3,
        "",
        f"Error: You may not write the archive {db} (its owner or permissions forbid it); "
        "whrd will not change it.\n",
    )
    assert _snapshot(db) == before


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["show", "1"],
        ["search", "radio"],
        ["stats"],
        ["export", "-o", "-"],
        ["edit", "1", "--title", "X"],
    ],
)
def test_an_unreadable_archive_is_exit_3_whichever_way_it_is_named(
    db: Path, run: Run, args: list[str]
) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02")
    db.chmod(0o000)
    before = _snapshot(db)
    message = f"Error: Cannot read the archive {db}: Permission denied.\n"
    by_option = as_user(db, *args)
    by_env = as_user(None, *args, env={"WHRD_DB": str(db)})
    assert (by_option.returncode, by_option.stderr) == (3, message)
    assert (by_env.returncode, by_env.stderr) == (3, message)
    assert _snapshot(db) == before


# -- 5. one validation before anything is written: a damaged archive is exit 3, and nothing lands ---

DAMAGE = [
    (
        "country code",
        lambda t: t["bulletins"]["1"].update(countries=["HN", "Honduras"]),
        "Bulletin 1 in {db} has a country that is not an ISO code such as HN: 'Honduras'.",
    ),
    (
        "added",
        lambda t: t["bulletins"]["2"].update(added="yesterday"),
        "Bulletin 2 in {db} has an 'added' that is not a UTC time such as 2024-06-15T10:00:00Z.",
    ),
    (
        "summary",
        lambda t: t["bulletins"]["1"].update(summary=5),
        "Bulletin 1 in {db} has a 'summary' that is not text.",
    ),
    (
        "tags",
        lambda t: t["bulletins"]["2"].update(tags=["ok", 7]),
        "Bulletin 2 in {db} has 'tags' that is not a list of text.",
    ),
    (
        "countries",
        lambda t: t["bulletins"]["1"].update(countries=["HN", None]),
        "Bulletin 1 in {db} has 'countries' that is not a list of text.",
    ),
    (
        "date",
        lambda t: t["bulletins"]["2"].update(date="2020-13-45"),
        "Bulletin 2 in {db} has a 'date' that is not a real date written YYYY-MM-DD: '2020-13-45'.",
    ),
    ("title", lambda t: t["bulletins"]["1"].update(title="   "), "Bulletin 1 in {db} has no valid 'title'."),
    (
        "next_id",
        lambda t: t["meta"]["1"].update(next_id="three"),
        "The meta record of {db} has a 'next_id' that is not a whole number from 1 to 1000000000000000.",
    ),
    (
        "key",
        lambda t: t["bulletins"].update({"99999999999999999999": t["bulletins"].pop("2")}),
        "Bulletin '99999999999999999999' in {db} has an id that is not a whole number "
        "from 1 to 999999999999999.",
    ),
    (
        "leading zero",
        lambda t: t["bulletins"].update({"01": t["bulletins"].pop("2")}),
        "Bulletin '01' in {db} has an id that is not a whole number from 1 to 999999999999999.",
    ),
    (
        "truncated",
        lambda t: t["bulletins"]["1"].update(truncated="yes"),
        "Bulletin 1 in {db} has a 'truncated' that is not true or false.",
    ),
]

WRITES = [
    ["add", "--title", "Added to a damaged archive", "--date", "2024-03-03"],
    ["edit", "1", "--title", "Edited"],
    ["delete", "1", "--yes"],
    ["reindex"],
]


@pytest.mark.parametrize(("name", "damage", "message"), DAMAGE, ids=[d[0] for d in DAMAGE])
def test_a_damaged_archive_refuses_every_write_before_writing(
    db: Path, run: Run, name: str, damage: object, message: str, tmp_path: Path
) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--tag", "Radio")
    run.ok("add", "--title", "Mining in Olancho", "--date", "2024-01-03", "-c", "Honduras")
    data = json.loads(db.read_bytes())
    damage(data)  # type: ignore[operator]
    db.write_text(json.dumps(data))
    listing = tmp_path / "in.jsonl"
    listing.write_text('{"title": "Imported", "date": "2024-05-05"}\n')
    before = _files_beside(db)
    expected = "Error: " + message.format(db=db) + " Fix it by hand, or restore a backup (ARCHIVE.bak).\n"
    for args in [*WRITES, ["import", str(listing)]]:
        for _retry in range(2):  # a retry must not add a second copy either
            result = run(*args)
            assert (result.exit_code, result.stdout, result.stderr) == (3, "", expected), args
            assert _files_beside(db) == before, args


def test_reads_of_a_damaged_archive_are_exit_3_not_a_bug(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02")
    data = json.loads(db.read_bytes())
    data["bulletins"]["1"]["date"] = "2020-13-45"
    db.write_text(json.dumps(data))
    result = run("show", "1")
    assert (result.exit_code, result.stderr) == (
        3,
        f"Error: Bulletin 1 in {db} has a 'date' that is not a real date written YYYY-MM-DD: '2020-13-45'. "
        "Fix it by hand, or restore a backup (ARCHIVE.bak).\n",
    )


def test_the_sound_check_and_its_description_agree() -> None:
    """The C-speed check and the descriptive walk apply the same rules: every damage found by one
    is found by the other, and a sound table passes both."""
    from whrd_cli.storage import check

    sound = {
        "1": {
            "title": "T",
            "date": "2024-02-29",
            "summary": "",
            "countries": ["HN"],
            "tags": [],
            "truncated": False,
        },
        "22": {"title": "U", "date": "2023-01-01", "lang": "es", "private": None, "_fts1": 12},
    }
    for table in (sound, {}):
        assert check._looks_sound(table) and check._describe(table, Path("a")) is None
    broken = [
        {"0": sound["1"]},
        {"": sound["1"]},
        {"١": sound["1"]},  # an Arabic-Indic digit: int() reads it, but it is not an id
        {"1": {**sound["1"], "date": "2023-02-29"}},
        {"1": {**sound["1"], "date": "２０２４-01-01"}},
        {"1": {**sound["1"], "title": ""}},
        {"1": {k: v for k, v in sound["1"].items() if k != "title"}},
        {"1": {k: v for k, v in sound["1"].items() if k != "date"}},
        {"1": {**sound["1"], "tags": "HN"}},
        {"1": {**sound["1"], "tags": [["nested"]]}},
        {"1": {**sound["1"], "lang": 1}},
        {"1": {**sound["1"], "truncated": 1}},
        {"1": {**sound["1"], "extra": "x"}},
        {"1": ["not", "a", "record"]},
    ]
    for table in broken:
        assert not check._looks_sound(table), table
        assert check._describe(table, Path("a")) is not None, table


# -- 7. temp files of killed writers are cleaned; a living writer's are not ------------------------


def test_the_next_write_cleans_every_temp_file_a_killed_whrd_left(db: Path, run: Run) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02")
    run.ok("edit", "1", "--title", "Radio station threatened again")  # a backup exists
    names = [
        f".{db.name}.whrd-tmp-dead1",
        f".{db.name}.bak.whrd-tmp-dead2",
        f".{db.name}.whrd-tmp-index-dead3",
    ]
    for name in names:
        (db.parent / name).write_bytes(b"half of a killed write, private text included")
    run.ok("add", "--title", "Another", "--date", "2024-01-03")  # not destructive: no backup written
    assert not [name for name in names if (db.parent / name).exists()]
    assert not list(db.parent.glob(".*whrd-tmp*"))


KILLED_BACKUP = r"""
import os, signal, sys
from pathlib import Path
from whrd_cli.store import Archive

path = Path(sys.argv[1])
real_replace = os.replace


def replace(src, dst, *args, **kwargs):
    if Path(dst).name.endswith(".bak"):  # the new backup is complete in its temp file
        print("killed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst, *args, **kwargs)


os.replace = replace
Archive(path).update(1, {"title": "Renamed while killed"})
"""


def test_a_killed_backup_leaves_a_temp_file_the_next_write_removes(
    db: Path, run: Run, tmp_path: Path
) -> None:
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02")
    script = tmp_path / "killer.py"
    script.write_text(KILLED_BACKUP)
    done = subprocess.run(
        [sys.executable, str(script), str(db)],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    assert (done.returncode, done.stdout) == (-9, "killed\n"), done.stderr
    assert len(list(db.parent.glob(f".{db.name}.bak.whrd-tmp-*"))) == 1
    run.ok("add", "--title", "Another", "--date", "2024-01-03")
    assert not list(db.parent.glob(".*whrd-tmp*"))


def test_an_export_cleans_stale_temps_of_its_output_but_not_a_living_writers(
    db: Path, run: Run, tmp_path: Path
) -> None:
    from whrd_cli.storage.atomic import atomic_file

    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02")
    out_dir = tmp_path / "out"
    out_dir.mkdir()
    out = out_dir / "digest [week].md"  # glob characters in the name, too
    stale = out_dir / f".{out.name}.whrd-tmp-dead"
    stale.write_bytes(b"a killed export")
    other = out_dir / ".other.md.whrd-tmp-dead"  # another target's: not this export's to judge
    other.write_bytes(b"another file's temp")
    with atomic_file(out) as living:  # a second export to the same path, still writing
        living.write(b"the other export")
        run.ok("export", "-o", str(out), "--force")
        assert not stale.exists() and other.exists()
        assert out.read_bytes().startswith(b"# ")
    assert out.read_bytes() == b"the other export"  # the living writer's temp file survived
    assert sorted(p.name for p in out_dir.iterdir()) == [".other.md.whrd-tmp-dead", out.name]


# -- 10. reads and exports never write the archive; refusals leave no lock file --------------------

FORMATS = ["md", "html", "listing", "json", "jsonl", "csv", "atom"]
READS = [
    ["list"],
    ["list", "--json", "--private"],
    ["show", "1"],
    ["search", "radio"],
    ["search", "radio", "--json", "--private"],
    ["stats"],
    ["stats", "--by", "country"],
    ["countries"],
    ["tags"],
    ["where"],
    *(["export", "-o", "-", "-f", fmt] for fmt in FORMATS),
    ["export", "-o", "-", "-f", "md", "--include-private"],
]


def _legacy_archive(db: Path, run: Run) -> None:
    """An archive as an older whrd left it: no `uid` in its meta record."""
    run.ok("add", "--title", "Radio station threatened", "--date", "2024-01-02", "--private", SECRET)
    run.ok("add", "--title", "Radio in Olancho", "--date", "2024-01-03", "-c", "Honduras", "--tag", "Radio")
    data = json.loads(db.read_bytes())
    del data["meta"]["1"]["uid"]
    db.write_text(json.dumps(data))


def _state(db: Path) -> tuple[list[str], bytes, int, int]:
    st = db.stat()
    return sorted(p.name for p in db.parent.iterdir()), db.read_bytes(), st.st_mtime_ns, st.st_ino


def test_reads_and_exports_never_write_the_archive(db: Path, run: Run, tmp_path: Path) -> None:
    _legacy_archive(db, run)
    run.ok("search", "radio")  # the search index, derived and beside the archive, is built once
    out = tmp_path / "elsewhere"
    out.mkdir()
    listing = out / "in.jsonl"
    listing.write_text('{"title": "Imported", "date": "2024-05-05"}\n')
    before = _state(db)
    for args in READS:
        run.ok(*args)
        assert _state(db) == before, args
    for fmt in FORMATS:
        run.ok("export", "-o", str(out / f"digest.{fmt}"), "-f", fmt)
        assert _state(db) == before, fmt
    run.ok("import", str(listing), "--dry-run")
    assert _state(db) == before


def test_reads_other_than_search_create_nothing_beside_the_archive(db: Path, run: Run) -> None:
    _legacy_archive(db, run)
    for name in (f"{db.name}.lock", f"{db.name}{ix.SUFFIX}"):
        (db.parent / name).unlink()
    before = _state(db)
    assert before[0] == [db.name]
    for args in READS:
        if args[0] != "search":
            run.ok(*args)
            assert _state(db) == before, args


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"", "{db} is empty, so it is not a whrd archive; remove it or choose another --db path."),
        (b'{"notes": []}', "{db} is a JSON file but not a whrd archive; whrd will not touch it."),
        (b"{broken", "{db} is not valid JSON (corrupt?); whrd will not touch it."),
    ],
)
def test_a_refused_write_on_a_foreign_file_leaves_no_lock_behind(
    db: Path, run: Run, content: bytes, message: str
) -> None:
    db.write_bytes(content)
    for args in (
        ["add", "--title", "Radio", "--date", "2024-01-02"],
        ["edit", "1", "--title", "X"],
        ["delete", "1", "--yes"],
        ["reindex"],
        ["search", "radio"],
    ):
        result = run(*args)
        assert (result.exit_code, result.stderr) == (3, "Error: " + message.format(db=db) + "\n"), args
        assert sorted(p.name for p in db.parent.iterdir()) == [db.name], args
        assert db.read_bytes() == content


def test_concurrent_exports_to_one_file_all_succeed(db: Path, run: Run, tmp_path: Path) -> None:
    """Each export cleans the stale temps of its output as it starts: never the other's live one."""
    for n in range(30):
        run.ok("add", "--title", f"Bulletin {n}", "--date", "2024-01-02", "--summary", "words " * 200)
    out = tmp_path / "out" / "digest.md"
    out.parent.mkdir()
    env = {**os.environ, "PYTHONPATH": str(SRC), "WHRD_DB": str(db)}
    command = [sys.executable, "-m", "whrd_cli", "export", "-o", str(out), "--force"]
    for _round in range(4):
        procs = [subprocess.Popen(command, env=env, stderr=subprocess.PIPE) for _ in range(4)]
        errors = [proc.communicate()[1] for proc in procs]
        assert [proc.returncode for proc in procs] == [0] * 4, errors
    assert [p.name for p in out.parent.iterdir()] == ["digest.md"]
