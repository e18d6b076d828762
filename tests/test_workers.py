"""Work spread over cores (issue 14): `workers.fork_map` and `workers.fork_shared` give what one
process gives, whatever happens to a child, and leave no child behind; a JSONL import read in
parts and a search index built by two processes are the same as when one process does it all.

The oracles are independent of the code under test: plain `map` for the primitives, line numbers
planted by the test in the input for the JSONL parts, and the index's tables read back with SQL."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import sqlite3
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from processes import children
from whrd_cli import workers
from whrd_cli.formats import RecordErrors, jsonl

pytestmark = pytest.mark.skipif(workers.cores() < 2, reason="one core here: nothing runs in a child")


def _square_all(job: list[int], tick: workers.Tick) -> list[int]:
    tick(len(job))
    return [n * n for n in job]


def test_fork_map_gives_the_jobs_results_in_order_and_counts_progress() -> None:
    jobs = [list(range(k * 100, k * 100 + 100)) for k in range(4)]
    shown: list[int] = []
    progress = workers.Progress(len(jobs), report=shown.append)
    before = children()
    assert workers.fork_map(_square_all, jobs, progress) == [[n * n for n in job] for job in jobs]
    assert progress.done() == 400  # every job's count, the children's too (shared memory)
    assert shown and shown[-1] <= 400
    assert children() == before


def test_a_child_that_dies_has_its_job_done_here() -> None:
    parent = os.getpid()

    def work(job: int, tick: workers.Tick) -> int:
        if os.getpid() != parent and job == 2:
            os.kill(os.getpid(), signal.SIGKILL)  # killed before it sends anything
        if os.getpid() != parent and job == 3:
            os._exit(0)  # leaves "successfully" without a result
        return job * 10

    assert workers.fork_map(work, [0, 1, 2, 3]) == [0, 10, 20, 30]


def test_a_child_whose_job_raises_has_it_raised_here_as_one_process_would() -> None:
    def work(job: int, tick: workers.Tick) -> int:
        if job == 1:
            raise ValueError("bad job 1")
        return job

    before = children()
    with pytest.raises(ValueError, match="bad job 1"):
        workers.fork_map(work, [0, 1])
    assert children() == before


def test_an_error_here_stops_and_reaps_thechildren() -> None:
    def work(job: int, tick: workers.Tick) -> int:
        if job == 0:
            raise KeyboardInterrupt  # Ctrl-C while this process does its own job
        import time

        time.sleep(30)
        return job

    before = children()
    with pytest.raises(KeyboardInterrupt):
        workers.fork_map(work, [0, 1, 2])
    assert children() == before


def test_fork_shared_makes_every_job_once_on_both_sides() -> None:
    """Every job's result comes exactly once, whatever the order; when the child is slow the
    parent makes the last jobs (and only from the end), and both sides make some."""
    parent = os.getpid()

    def make(job: int) -> tuple[int, int]:
        if os.getpid() != parent:
            time.sleep(0.01)  # a slow child: the parent, idle, takes jobs from the end
        return job, os.getpid()

    jobs = list(range(40))
    got = list(workers.fork_shared(make, jobs))
    assert sorted(job for job, _pid in got) == jobs
    mine = sorted(job for job, pid in got if pid == parent)
    theirs = sorted(job for job, pid in got if pid != parent)
    assert mine and theirs
    assert mine == list(range(jobs[-1] - len(mine) + 1, jobs[-1] + 1)), "the parent takes from the end"
    assert max(theirs) < min(mine)


def test_fork_shared_when_making_is_cheap_the_child_makes_most() -> None:
    parent = os.getpid()

    def make(job: int) -> int:
        if os.getpid() == parent:
            time.sleep(0.02)  # this process is the slow one: the child gets ahead
        return job

    got = list(workers.fork_shared(make, list(range(30))))
    assert sorted(got) == list(range(30))


def test_fork_shared_makes_the_rest_here_when_the_child_dies() -> None:
    parent = os.getpid()

    def make(job: int) -> int:
        if os.getpid() != parent and job == 7:
            os.kill(os.getpid(), signal.SIGKILL)
        return -job

    before = children()
    assert sorted(workers.fork_shared(make, list(range(15)))) == sorted(-j for j in range(15))
    assert children() == before


def test_fork_shared_gets_large_results_whole() -> None:
    """Results far larger than a pipe's buffer arrive whole (a chunk of index rows is ~1 MB)."""
    jobs = list(range(6))
    got = sorted(workers.fork_shared(lambda job: (job, bytes([job]) * (3 << 20)), jobs))
    assert [job for job, _blob in got] == jobs
    assert all(blob == bytes([job]) * (3 << 20) for job, blob in got)


def test_fork_shared_left_early_reaps_its_child() -> None:
    before = children()
    stream: Iterator[int] = workers.fork_shared(lambda job: job, list(range(1000)))
    next(stream)
    stream.close()  # the consumer stops (an error while writing the rows)
    assert children() == before


def _lines(count: int, bad: dict[int, str], blank: set[int], ending: str) -> tuple[str, dict[int, str]]:
    """A JSONL text of `count` lines: line n (from 1) is blank, bad or a bulletin titled `t n`."""
    out = []
    for n in range(1, count + 1):
        if n in blank:
            out.append("   ")
        elif n in bad:
            out.append(bad[n])
        else:
            out.append(json.dumps({"title": f"t {n}", "date": "2024-01-02", "lang": "en"}))
    return ending.join(out) + ending, bad


@pytest.mark.parametrize("ending", ["\n", "\r\n"])
def test_a_jsonl_text_read_in_parts_locates_every_line_as_its_own(
    monkeypatch: pytest.MonkeyPatch, ending: str
) -> None:
    monkeypatch.setattr(jsonl, "_LEAST_PART", 1000)  # parts of ~15 lines: many cuts
    bad = {7: "{not json", 150: '{"title": "x"}', 151: '{"title": "", "date": "2024-01-02"}', 299: "[1]"}
    text, planted = _lines(300, bad, blank={1, 2, 40, 41, 42, 298, 300}, ending=ending)
    assert len(jsonl._parts(text, workers.shares(len(text), least=1000))) >= 2
    with pytest.raises(RecordErrors) as caught:
        jsonl.read_records(text, source="in.jsonl")
    assert [e.location.number for e in caught.value.errors] == sorted(planted)

    good = text
    for line in planted.values():
        good = good.replace(line + ending, "   " + ending, 1)
    records = jsonl.read_records(good, source="in.jsonl")
    blank = {1, 2, 40, 41, 42, 298, 300} | set(planted)
    assert [(r.location.number, r.bulletin.title) for r in records] == [
        (n, f"t {n}") for n in range(1, 301) if n not in blank
    ]


def test_a_jsonl_text_of_lone_carriage_returns_is_read_in_one_part() -> None:
    text = "\r".join(json.dumps({"title": f"t {n}", "date": "2024-01-02"}) for n in range(1, 50))
    assert len(jsonl._parts(text, 2)) == 1
    assert [r.location.number for r in jsonl.read_records(text, source="x")] == list(range(1, 50))


def test_the_progress_of_a_read_in_parts_reaches_the_number_of_lines(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(jsonl, "_LEAST_PART", 2000)
    text, _ = _lines(1000, {}, set(), "\n")
    seen: list[tuple[int, int]] = []
    jsonl.read_records(text, source="x", progress=lambda done, total: seen.append((done, total)))
    assert seen and all(total == 1000 for _done, total in seen)
    assert max(done for done, _total in seen) <= 1000


def _tables(path: Path) -> dict[str, list[tuple[object, ...]]]:
    conn = sqlite3.connect(path)
    try:
        return {
            name: conn.execute(f"SELECT rowid, * FROM {name} ORDER BY rowid").fetchall()
            for name in ("docs", "records", "links", "fts")
        }
    finally:
        conn.close()


def test_an_index_built_by_two_processes_holds_what_one_process_builds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from whrd_cli.search import index, index_rows

    monkeypatch.setattr(index_rows, "_CHUNK", 7)  # 300 bulletins: 43 chunks, some made here
    bulletins = {
        str(n): {
            "title": f"Defensoras del territorio {n}",
            "date": f"2024-01-{n % 28 + 1:02d}",
            "category": "alert" if n % 3 else "news",
            "countries": ["HN", "GT"][: n % 2 + 1],
            "summary": f"La comunidad {n} defiende el río. Mining threatens the community.",
            "truncated": False,
            "tags": ["AlertaDefensoras", f"t{n % 5}"],
            "lang": "es" if n % 2 else "en",
            "url": None,
            "source": None,
            "private": "never indexed",
            "uid": f"{n:032x}",
            "rev": f"1-{n:032x}",
            **({"links": {"translations": [f"{n + 1:032x}"]}} if n % 10 == 0 else {}),
        }
        for n in range(1, 301)
    }
    stamp = index.Stamp(1, 2, 3)
    index.rebuild(tmp_path / "two.json", bulletins, stamp)
    monkeypatch.setattr(workers, "cores", lambda: 1)
    index.rebuild(tmp_path / "one.json", bulletins, stamp)
    two, one = _tables(tmp_path / "two.json.search.sqlite"), _tables(tmp_path / "one.json.search.sqlite")
    assert len(one["docs"]) == 300 and len(one["links"]) == 30
    assert two == one
    assert "never indexed" not in json.dumps(two)


def test_records_read_in_parts_are_the_records_one_process_reads(monkeypatch: pytest.MonkeyPatch) -> None:
    """Field by field, with the dedupe key each carries (worked out in the child that read it)."""
    monkeypatch.setattr(jsonl, "_LEAST_PART", 1500)
    rows = [
        {
            "title": f"Defensoras  de Intibucá {n % 40}",
            "date": "2024-03-01",
            "countries": ["Honduras"],
            "tags": "a;b",
        }
        | ({"links": {"translations": [f"{n + 1:032x}"]}, "uid": f"{n:032x}"} if n % 7 == 0 else {})
        | ({"lang": "es"} if n % 2 else {"summary": "The community radio is back."})
        for n in range(400)
    ]
    text = "\n".join(json.dumps(row, ensure_ascii=n % 3 == 0) for n, row in enumerate(rows)) + "\n"
    parallel = jsonl.read_records(text, source="x")
    monkeypatch.setattr(workers, "cores", lambda: 1)
    alone = jsonl.read_records(text, source="x")
    assert parallel == alone
    assert [r.bulletin.key for r in parallel] == [r.bulletin.key for r in alone]
    assert [r.bulletin.links for r in parallel] == [r.bulletin.links for r in alone]


def test_an_import_read_in_parts_finds_duplicates_across_parts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from whrd_cli.cli import app

    monkeypatch.setattr(jsonl, "_LEAST_PART", 1500)
    lines = [json.dumps({"title": f"Alerta {n}", "date": "2024-01-02", "lang": "es"}) for n in range(100)]
    lines += [
        json.dumps({"title": f"ALERTA  {n}.", "date": "2024-01-02", "lang": "es"}) for n in range(0, 100, 10)
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = CliRunner().invoke(app, ["--db", str(tmp_path / "a.json"), "import", "--json", str(source)])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["added"] == 100
    assert json.loads(result.stdout)["skipped"] == 10


def test_json_and_csv_records_read_in_spans_are_located_and_reported_as_one_process_does(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from whrd_cli.formats import csv as csv_format
    from whrd_cli.formats import json as json_format

    monkeypatch.setattr(json_format, "_LEAST_SPAN", 20)
    monkeypatch.setattr(csv_format, "_LEAST_SPAN", 20)
    records = [{"title": f"Boletín {n}", "date": "2024-05-06", "lang": "es"} for n in range(1, 121)]
    assert [r.location.number for r in json_format.read_records(json.dumps(records), source="x")] == list(
        range(1, 121)
    )
    broken = [dict(r) for r in records]
    broken[4]["date"] = "not a date"  # record 5, in the first span
    broken[89] = [1]  # type: ignore[call-overload]  # record 90: not an object
    broken[118]["title"] = ""  # record 119, in the last span
    with pytest.raises(RecordErrors) as caught:
        json_format.read_records(json.dumps(broken), source="x")
    assert [e.location.number for e in caught.value.errors] == [5, 90, 119]

    # CSV: line 1 is the header; row n is on line n + 1. A row with too many cells is found while
    # parsing (before any span is validated); a bad date while validating, in another span.
    rows = ["title,date,lang"] + [f"Boletín {n},2024-05-06,es" for n in range(1, 121)]
    parsed = csv_format.read_records("\n".join(rows) + "\n", source="x")
    assert [(r.location.number, r.bulletin.title) for r in parsed] == [
        (n + 1, f"Boletín {n}") for n in range(1, 121)
    ]
    rows[10] = "Boletín 10,2024-05-06,es,extra"
    rows[100] = "Boletín 100,someday,es"
    with pytest.raises(RecordErrors) as caught:
        csv_format.read_records("\n".join(rows) + "\n", source="x")
    assert [e.location.number for e in caught.value.errors] == [11, 101]
    rows[100] = "Boletín 100,2024-05-06,es"
    with pytest.raises(RecordErrors) as caught:  # a parse error alone is still reported
        csv_format.read_records("\n".join(rows) + "\n", source="x")
    assert [e.location.number for e in caught.value.errors] == [11]


def test_no_process_to_be_had_means_the_work_is_done_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """fork failing (a process limit reached: EAGAIN) is no error: every job runs in this process."""

    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(os, "fork", no_fork)
    assert workers.fork_map(_square_all, [[1], [2], [3]]) == [[1], [4], [9]]
    assert sorted(workers.fork_shared(lambda job: job + 1, [1, 2, 3])) == [2, 3, 4]
    assert workers.fork_call(lambda: 42).result() == 42


def test_a_child_holds_no_file_of_its_parent_but_its_pipe(tmp_path: Path) -> None:
    """Above all not the archive's lock: a killed parent's children must not keep it held."""
    from whrd_cli.storage.lockfile import ArchiveLock

    lock = ArchiveLock(str(tmp_path / "a.json.lock"), timeout=0)
    lock.acquire()
    try:
        parent = os.getpid()

        def open_files(job: int, tick: workers.Tick) -> list[str] | None:
            if os.getpid() == parent:
                return None
            found = []
            for fd in os.listdir("/proc/self/fd"):
                with contextlib.suppress(OSError):  # the listing's own descriptor, closed by now
                    found.append(os.readlink(f"/proc/self/fd/{fd}") if int(fd) > 2 else "std")
            return found

        _here, child = workers.fork_map(open_files, [0, 1])
        assert child is not None  # it ran in a child
        others = [target for target in child if target != "std"]
        assert len(others) == 1 and others[0].startswith("pipe:"), child  # its pipe, nothing else
    finally:
        lock.release()
