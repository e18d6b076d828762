"""Review of the workers (hostile tests): a child must not outlive a whrd killed with SIGKILL
(it would keep computing on plain text of an encrypted archive, in memory, for seconds), and a
child's pipe is closed once only when its parent is interrupted while receiving."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from whrd_cli import workers

pytestmark = pytest.mark.skipif(workers.cores() < 2, reason="one core here: nothing runs in a child")

SRC = str(Path(__file__).resolve().parents[1] / "src")


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_a_child_does_not_outlive_its_parent_killed() -> None:
    script = textwrap.dedent(
        """
        import os, time
        from whrd_cli import workers
        def slow(job, tick):
            time.sleep(30 if job else 60)
            return job
        workers.fork_map(slow, [0, 1])
        """
    )
    env = {**os.environ, "PYTHONPATH": SRC}
    parent = subprocess.Popen([sys.executable, "-c", script], env=env)
    try:
        deadline = time.monotonic() + 10
        children: list[int] = []
        while time.monotonic() < deadline and not children:
            time.sleep(0.05)
            with open(f"/proc/{parent.pid}/task/{parent.pid}/children") as listing:
                children = [int(pid) for pid in listing.read().split()]
        assert children, "no child was started"
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 2
        while time.monotonic() < deadline and any(map(_alive, children)):
            time.sleep(0.05)
        survivors = [pid for pid in children if _alive(pid)]
        for pid in survivors:
            os.kill(pid, signal.SIGKILL)
        assert not survivors, "a child kept running after its parent was killed"
    finally:
        if parent.poll() is None:
            parent.kill()
            parent.wait()


def test_an_interrupted_receive_does_not_close_the_pipe_twice(monkeypatch: pytest.MonkeyPatch) -> None:
    closed: list[int] = []
    real_close = os.close

    def counting_close(fd: int) -> None:
        closed.append(fd)
        real_close(fd)

    real_waitpid = os.waitpid

    def interrupted_waitpid(pid: int, options: int) -> tuple[int, int]:
        if options == 0 and not interrupted:
            interrupted.append(pid)
            raise KeyboardInterrupt
        return real_waitpid(pid, options)

    interrupted: list[int] = []
    monkeypatch.setattr(workers.os, "waitpid", interrupted_waitpid)
    received: list[int] = []
    real_receive = workers._receive

    def receive(fd: int) -> tuple[object] | None:
        received.append(fd)
        monkeypatch.setattr(workers.os, "close", counting_close)
        return real_receive(fd)

    monkeypatch.setattr(workers, "_receive", receive)
    with pytest.raises(KeyboardInterrupt):
        workers.fork_map(lambda job, _tick: job, [0, 1])
    monkeypatch.setattr(workers.os, "close", real_close)
    assert received
    # `_receive` closed the pipe (its file object does): closing its number again could close
    # another file opened meanwhile under the same number.
    assert received[0] not in closed, "the pipe of a child was closed twice"


def test_a_fork_that_fails_leaves_no_pipe_open(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_fork() -> int:
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(workers.os, "fork", no_fork)
    before = set(os.listdir("/proc/self/fd"))
    assert workers.fork_map(lambda job, _tick: job * 2, [1, 2, 3]) == [2, 4, 6]
    assert sorted(workers.fork_shared(lambda job: job + 1, [1, 2, 3])) == [2, 3, 4]
    assert workers.fork_call(lambda: 7).result() == 7
    leaked = set(os.listdir("/proc/self/fd")) - before
    assert not leaked, f"pipes left open after a failed fork: {sorted(leaked)}"
