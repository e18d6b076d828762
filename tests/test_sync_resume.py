"""A sync killed mid-way keeps what landed and the next one finishes the job; a write from another
process during a sync is never lost. Real processes and a real server: the sync runs in a child
process that kills itself (SIGKILL) at a fixed point of the replication, named by the batch and
the step, so the test knows exactly where it died and can prove it was mid-sync."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from conftest import Run
from couch_server import CouchServer
from sync_helpers import SRC, Coordinator

BATCH = 5
TOTAL = 23

SCRIPT = """
import os, signal, sys, time
from pathlib import Path
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive
from whrd_cli.sync.http import CouchClient, parse_url
from whrd_cli.sync.remote import get_remote, read_tables
from whrd_cli.sync.replicate import sync

path, step, batch, mode, folder = sys.argv[1:6]
archive = Archive(path, lock_timeout=30, followers=(SearchIndex(),))
remote = get_remote(read_tables(archive), "hub")

def on_event(what, number):
    if (what, number) != (step, int(batch)):
        return
    if mode == "kill":
        os.kill(os.getpid(), signal.SIGKILL)
    Path(folder, "paused").touch()  # mode "pause": wait until the test says go
    while not Path(folder, "go").exists():
        time.sleep(0.02)

with CouchClient(parse_url(remote.url)[0]) as client:
    result = sync(archive, remote, client, batch_size=int(sys.argv[6]), on_event=on_event)
print(result.pull.received if result.pull else 0, result.push.sent if result.push else 0)
"""


def _sync_process(
    person: Coordinator, step: str, batch: int, mode: str, folder: Path, batch_size: int = BATCH
) -> subprocess.Popen[str]:
    env = {**os.environ, "PYTHONPATH": SRC}
    return subprocess.Popen(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(person.path),
            step,
            str(batch),
            mode,
            str(folder),
            str(batch_size),
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture
def published(run: Run, tmp_path: Path, couch_server: CouchServer) -> tuple[str, Coordinator]:
    """A database holding TOTAL bulletins that Ana pushed."""
    url = couch_server.create()
    ana = Coordinator(run, tmp_path / "ana.json")
    ana.ok("remote", "add", "hub", url)
    lines = [
        json.dumps({"title": f"Bulletin number {n}", "date": f"2023-01-{n + 1:02d}", "countries": ["HN"]})
        for n in range(TOTAL)
    ]
    (tmp_path / "corpus.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ana.ok("import", str(tmp_path / "corpus.jsonl"))
    assert ana.ok("sync").stderr.strip() == f"hub: 0 received, {TOTAL} sent."
    return url, ana


@pytest.mark.parametrize(
    ("step", "batch", "landed", "resumed"),
    [
        # Killed with batch 3 fetched and not yet written: batches 1-2 landed and were checkpointed.
        ("fetched", 3, 2 * BATCH, TOTAL - 2 * BATCH),
        # Killed right after batch 2's write, before its checkpoint: batch 2 is read again
        # (from batch 1's checkpoint) and found already here, so it is not received twice.
        ("merged", 2, 2 * BATCH, TOTAL - 2 * BATCH),
    ],
)
def test_a_pull_killed_mid_sync_is_finished_by_the_next_sync(
    run: Run,
    tmp_path: Path,
    published: tuple[str, Coordinator],
    step: str,
    batch: int,
    landed: int,
    resumed: int,
) -> None:
    url, ana = published
    bea = Coordinator(run, tmp_path / "bea.json")
    bea.ok("remote", "add", "hub", url)
    child = _sync_process(bea, step, batch, "kill", tmp_path)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    assert len(bea.bulletins()) == landed  # some landed, not all: the kill was mid-sync
    out = bea.ok("sync", "--batch-size", str(BATCH)).stderr.strip()
    assert out == f"hub: {resumed} received, 0 sent."
    assert {u: b["rev"] for u, b in bea.by_uid().items()} == {u: b["rev"] for u, b in ana.by_uid().items()}
    assert bea.ok("sync").stderr.strip() == "hub: 0 received, 0 sent."


def test_a_push_killed_mid_sync_is_finished_by_the_next_sync(
    run: Run, tmp_path: Path, couch_server: CouchServer
) -> None:
    url = couch_server.create()
    ana = Coordinator(run, tmp_path / "ana.json")
    ana.ok("remote", "add", "hub", url)
    for n in range(12):
        ana.add(f"Pushed {n}", f"2023-02-{n + 1:02d}")
    child = _sync_process(ana, "sent", 2, "kill", tmp_path)
    child.communicate(timeout=120)
    assert child.returncode == -signal.SIGKILL
    name = url.rsplit("/", 1)[1]
    assert len(couch_server.all_docs(name)) == 2 * BATCH
    assert ana.ok("sync").stderr.strip() == f"hub: 0 received, {12 - 2 * BATCH} sent."
    assert len(couch_server.all_docs(name)) == 12


def test_adds_from_other_processes_during_a_sync_all_land(
    run: Run, tmp_path: Path, published: tuple[str, Coordinator]
) -> None:
    """The sync pauses with batch 2 fetched (a network wait): three `whrd add` processes run and
    finish meanwhile (the lock is free), then the sync writes batch 2 and the rest. Nothing lost."""
    url, _ana = published
    bea = Coordinator(run, tmp_path / "bea.json")
    bea.ok("remote", "add", "hub", url)
    child = _sync_process(bea, "fetched", 2, "pause", tmp_path)
    deadline = time.monotonic() + 120
    while not (tmp_path / "paused").exists():
        assert child.poll() is None, child.communicate()
        assert time.monotonic() < deadline
        time.sleep(0.02)
    adds = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "whrd_cli",
                "--db",
                str(bea.path),
                "add",
                "--title",
                f"Local {n}",
                "--date",
                "2024-06-01",
            ],
            env={**os.environ, "PYTHONPATH": SRC, "WHRD_LOCK_TIMEOUT": "60"},
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(3)
    ]
    assert [p.wait(timeout=120) for p in adds] == [0, 0, 0]  # done while the sync waits
    (tmp_path / "go").touch()
    stdout, stderr = child.communicate(timeout=120)
    assert child.returncode == 0, stderr
    assert stdout.split() == [str(TOTAL), "3"]  # it received everything and sent the three adds
    titles = [b["title"] for b in bea.bulletins()]
    assert len(titles) == TOTAL + 3
    assert {f"Local {n}" for n in range(3)} <= set(titles)


def test_adds_racing_a_sync_all_land(run: Run, tmp_path: Path, published: tuple[str, Coordinator]) -> None:
    """No pause: `whrd add` processes start while a sync of many small batches is writing."""
    url, _ana = published
    bea = Coordinator(run, tmp_path / "bea.json")
    bea.ok("remote", "add", "hub", url)
    env = {**os.environ, "PYTHONPATH": SRC, "WHRD_LOCK_TIMEOUT": "60"}
    sync = subprocess.Popen(
        [sys.executable, "-m", "whrd_cli", "--db", str(bea.path), "sync", "--batch-size", "2"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    adds = [
        subprocess.Popen(
            [
                sys.executable,
                "-m",
                "whrd_cli",
                "--db",
                str(bea.path),
                "add",
                "--title",
                f"Racing {n}",
                "--date",
                "2024-06-02",
            ],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for n in range(4)
    ]
    assert [p.wait(timeout=180) for p in adds] == [0, 0, 0, 0]
    assert sync.wait(timeout=180) == 0, sync.communicate()
    titles = {b["title"] for b in bea.bulletins()}
    assert len(titles) == TOTAL + 4
    assert {f"Racing {n}" for n in range(4)} <= titles
