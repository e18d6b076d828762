"""Where `whrd export` may write (issue 12, item 4) and how many bulletins it takes (`--limit`).

`--force` replaces regular files only: a device node, a FIFO, a socket or a folder is refused with
one line and left as it was; a symlink is written through (the link stays, its target is replaced).
"""

from __future__ import annotations

import os
import socket
import stat
from pathlib import Path

import pytest
from tests.conftest import Run

from whrd_cli.errors import OutputError
from whrd_cli.export import check_output
from whrd_cli.model import Bulletin
from whrd_cli.store import Archive


@pytest.fixture
def archive(db: Path) -> Path:
    store = Archive(db)
    store.add_many(
        [
            Bulletin.create(title=f"Bulletin {n}", date=f"2020-01-{n:02d}", category="news", lang="en")
            for n in range(1, 8)
        ]
    )
    return db


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every regular file in `folder`, by name: an export must not change the archive or backups."""
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file() and not p.is_symlink()}


def refused(run: Run, out: Path, kind: str) -> None:
    result = run("export", "-f", "json", "-o", str(out), "--force")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stdout == ""
    assert result.stderr == (
        f"Error: {out} is {kind}, not a regular file; whrd writes exports only to files (-o - for stdout).\n"
    )


def test_a_fifo_is_refused_and_left_a_fifo(run: Run, archive: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    before = snapshot(tmp_path)
    refused(run, fifo, "a FIFO")
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert snapshot(tmp_path) == before


@pytest.mark.skipif(not hasattr(os, "geteuid") or os.geteuid() != 0, reason="mknod needs root")
def test_a_device_node_is_refused_and_stays_a_device(run: Run, archive: Path, tmp_path: Path) -> None:
    node = tmp_path / "null"  # a copy of /dev/null's node: a failing test cannot harm the real one
    os.mknod(node, stat.S_IFCHR | 0o666, os.makedev(1, 3))
    refused(run, node, "a character device")
    assert stat.S_ISCHR(os.lstat(node).st_mode)


def test_dev_null_itself_is_refused_before_any_write(db: Path) -> None:
    """Checked through the library's check alone, which writes nothing: an export that did not
    refuse would replace the system's /dev/null (the old code did, as root)."""
    with pytest.raises(OutputError) as refusal:
        check_output(Path("/dev/null"), force=True, archive_path=db)
    assert str(refusal.value) == (
        "/dev/null is a character device, not a regular file; whrd writes exports only to files "
        "(-o - for stdout)."
    )
    assert stat.S_ISCHR(os.lstat("/dev/null").st_mode)


def test_a_socket_is_refused(run: Run, archive: Path, tmp_path: Path) -> None:
    path = tmp_path / "s.sock"
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        refused(run, path, "a socket")
        assert stat.S_ISSOCK(os.lstat(path).st_mode)


def test_a_symlink_to_a_fifo_is_refused(run: Run, archive: Path, tmp_path: Path) -> None:
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    link = tmp_path / "out.json"
    link.symlink_to(fifo)
    refused(run, link, "a FIFO")
    assert link.is_symlink() and stat.S_ISFIFO(os.lstat(fifo).st_mode)


def test_a_folder_is_refused_even_with_force(run: Run, archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "out"
    folder.mkdir()
    result = run("export", "-o", str(folder), "--force")
    assert result.exit_code == 1
    assert result.stderr == f"Error: {folder} is a folder; give a file name with --output.\n"
    assert folder.is_dir() and not any(folder.iterdir())


def test_force_writes_through_a_symlink(run: Run, archive: Path, tmp_path: Path) -> None:
    real = tmp_path / "real" / "feed.json"
    real.parent.mkdir()
    real.write_text("old", encoding="utf-8")
    link = tmp_path / "feed.json"
    link.symlink_to(real)
    before = snapshot(tmp_path)
    refusal = run("export", "-o", str(link))
    assert refusal.exit_code == 1 and "already exists" in refusal.stderr
    run.ok("export", "-o", str(link), "--force")
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith('[\n  {\n    "id": 7,')
    assert snapshot(tmp_path) == before  # the archive and its neighbours untouched
    assert sorted(p.name for p in real.parent.iterdir()) == ["feed.json"]  # no temp file left


def test_a_dangling_symlink_is_written_through_with_force(run: Run, archive: Path, tmp_path: Path) -> None:
    real = tmp_path / "new.md"
    link = tmp_path / "link.md"
    link.symlink_to(real)
    assert run("export", "-o", str(link)).exit_code == 1  # it exists, as a link
    run.ok("export", "-o", str(link), "--force")
    assert link.is_symlink() and real.read_text(encoding="utf-8").startswith("# WHRD bulletins\n")


def test_a_symlink_loop_is_refused(run: Run, archive: Path, tmp_path: Path) -> None:
    loop = tmp_path / "loop.md"
    loop.symlink_to(loop)
    refused(run, loop, "a symlink loop")
    assert loop.is_symlink()


def test_stdout_is_dash(run: Run, archive: Path) -> None:
    result = run.ok("export", "-f", "jsonl", "-o", "-")
    assert len(result.stdout.splitlines()) == 7


# -- --limit ----------------------------------------------------------------------------------------


def test_limit_takes_the_newest_after_sorting(run: Run, archive: Path) -> None:
    result = run.ok("export", "-f", "jsonl", "-o", "-", "--limit", "3")
    dates = [line.split('"date": "')[1][:10] for line in result.stdout.splitlines()]
    assert dates == ["2020-01-07", "2020-01-06", "2020-01-05"]
    assert result.stderr == "Wrote 3 bulletins (jsonl) to stdout.\n"


def test_limit_matches_list_limit(run: Run, archive: Path) -> None:
    listed = [item["id"] for item in run.json("list", "--limit", "4")]
    exported = [
        int(line.split('"id": ')[1].split(",")[0])
        for line in run.ok("export", "-f", "jsonl", "-o", "-", "--limit", "4").stdout.splitlines()
    ]
    assert exported == listed == [7, 6, 5, 4]


def test_limit_larger_than_the_selection_takes_all(run: Run, archive: Path) -> None:
    assert len(run.ok("export", "-f", "jsonl", "-o", "-", "--limit", "100").stdout.splitlines()) == 7


@pytest.mark.parametrize("value", ["0", "-1"])
def test_limit_below_one_is_refused(run: Run, archive: Path, value: str) -> None:
    result = run("export", "-o", "-", "--limit", value)
    assert result.exit_code in (1, 2) and result.stdout == ""
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


# -- the digest's filter line -----------------------------------------------------------------------


def test_the_filter_line_shows_tags_as_given(run: Run, db: Path) -> None:
    Archive(db).add_many(
        [Bulletin.create(title="Tagged", date="2020-01-01", lang="en", tags=["WHRDs", "Mujeres_Defensoras"])]
    )
    result = run.ok("export", "-o", "-", "--tag", "#WHRDs", "--tag", "Mujeres_Defensoras", "--tag", "whrds")
    assert "- **Filters:** Tags: #WHRDs, #Mujeres_Defensoras\n" in result.stdout
    html = run.ok("export", "-f", "html", "-o", "-", "--tag", "WHRDs").stdout
    assert "#WHRDs" in html and "#whrds" not in html


def test_a_feed_keeps_its_id_whatever_the_tag_case(run: Run, db: Path) -> None:
    Archive(db).add_many([Bulletin.create(title="Tagged", date="2020-01-01", lang="en", tags=["WHRDs"])])
    upper = run.ok("export", "-f", "atom", "-o", "-", "--tag", "WHRDs").stdout
    lower = run.ok("export", "-f", "atom", "-o", "-", "--tag", "whrds").stdout
    feed_id = [line for line in upper.splitlines() if line.startswith("  <id>")]
    assert feed_id == [line for line in lower.splitlines() if line.startswith("  <id>")]


@pytest.mark.parametrize(
    ("text", "shown"),
    [
        ("#WHRDs", "#WHRDs"),
        ("Mujeres_Defensoras", "Mujeres_Defensoras"),
        ("_lead", "\\_lead"),
        ("a*b*c", "a\\*b\\*c"),
        ("[x](y)", "\\[x\\](y)"),
        ("<b>", "\\<b\\>"),
        ("AT&amp;T", "AT\\&amp;T"),
        ("# two\n# lines", "\\# two\n\\# lines"),
    ],
)
def test_md_inline_escapes_only_what_a_line_needs(text: str, shown: str) -> None:
    from whrd_cli.digest.escape import md_inline

    assert md_inline(text) == shown
