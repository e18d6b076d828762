"""Processes the tests start: this test process's children, read from /proc (tests of work done
in forked children check that none is left behind); a program run on a real pseudo-terminal with
keys typed at its prompt; `whrd` itself in its own process, as a shell starts it."""

from __future__ import annotations

import os
import pty
import select
import signal
import subprocess
import sys
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any


def children() -> set[int]:
    """The pids of this process's children, zombies included."""
    found = set()
    for name in os.listdir("/proc"):
        if name.isdigit():
            try:
                stat = Path(f"/proc/{name}/stat").read_text()
            except OSError:
                continue
            if int(stat.rsplit(")", 1)[1].split()[1]) == os.getpid():
                found.add(int(name))
    return found


def reading_its_terminal(pid: int) -> bool:
    """Whether `pid` sleeps in a system call on its fd 0 (a `read` of the terminal at a prompt).

    /proc/PID/syscall names the call and its arguments, the fd first; where it cannot be read (no
    permission to trace), a process asleep after its prompt showed is the best sign there is."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    if state != "S":
        return False
    try:
        call = Path(f"/proc/{pid}/syscall").read_text().split()
    except OSError:
        return True
    return len(call) > 1 and call[1] == "0x0"


def on_a_terminal(
    argv: Sequence[str], keys: bytes, env: dict[str, str], *, wait_for: bytes, timeout: float = 60.0
) -> tuple[int, bytes]:
    """Run `argv` on a pseudo-terminal (its controlling terminal, as a shell would), type `keys`
    once `wait_for` has shown and the program waits in a read of its terminal, and return (exit
    code, screen). ^C on a terminal is SIGINT, sent by the pty.

    Why the keys wait for the read, and are typed once. Python acts on a signal between two
    bytecodes: a SIGINT that lands after `input()` last looked but before its read() blocks is noted
    and never acted upon, and the read waits for a key for ever (the prompt shows before the read
    starts, and a loaded machine widens the gap). A process asleep in the read is woken by the
    signal. A second ^C, typed in case the first was lost, can land while the first is handled
    (slow on a loaded machine) and turn a clean exit into a traceback.

    Never a test that hangs: at `timeout` the program is killed, and its exit code says so."""
    pid, leader = pty.fork()
    if pid == 0:  # the child: the program itself (never back into pytest)
        try:
            os.execve(argv[0], list(argv), env)
        finally:
            os._exit(127)
    screen = b""
    typed = False
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            # Until the keys are typed the child is watched every 50 ms; after, only its output.
            ready, _, _ = select.select([leader], [], [], left if typed else min(left, 0.05))
            if ready:
                try:
                    chunk = os.read(leader, 4096)
                except OSError:  # EIO: every copy of the terminal is closed (the child is ending)
                    break
                if not chunk:
                    break
                screen += chunk
            if not typed and wait_for in screen and reading_its_terminal(pid):
                os.write(leader, keys)
                typed = True
        return _exit_code(pid, deadline), screen
    finally:
        os.close(leader)


def _exit_code(pid: int, deadline: float) -> int:
    """`pid`'s exit code once it has exited, waited for until `deadline` (it may still be ending
    when its terminal closes: its files are closed before it becomes a zombie); then killed."""
    try:
        ended = os.pidfd_open(pid)
    except (AttributeError, OSError):  # no pidfd (old kernel or Python): ask every 10 ms
        ended = None
    try:
        while (left := deadline - time.monotonic()) > 0:
            if ended is not None:
                select.select([ended], [], [], left)
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                return os.waitstatus_to_exitcode(status)
            if ended is None:
                time.sleep(0.01)
    finally:
        if ended is not None:
            os.close(ended)
    os.kill(pid, signal.SIGKILL)
    _, status = os.waitpid(pid, 0)
    return os.waitstatus_to_exitcode(status)


SRC = Path(__file__).resolve().parents[1] / "src"


def whrd_process(
    db: Path,
    *args: str,
    passphrases: Sequence[str] = (),
    es: bool = False,
    env: Mapping[str, str] | None = None,
    program: Sequence[str] = ("-m", "whrd_cli"),
    popen: bool = False,
    timeout: float = 120,
) -> Any:
    """`whrd --db DB ARGS` in its own process, as a shell would start it: this checkout's source,
    stdin closed, no session of the test runner's (`XDG_RUNTIME_DIR` only when `env` gives it).

    `passphrases`, one a line, are on a pipe that `--passphrase-fd` names; `es` speaks Spanish;
    `program` is what Python runs (`-c SCRIPT` to change whrd before it starts); `popen` gives
    the running process (a Popen) instead of its CompletedProcess."""
    environ = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    environ |= {"PYTHONPATH": str(SRC), **(env or {})}
    if es:
        environ["WHRD_LANG"] = "es"
    command = [sys.executable, *program, "--db", str(db)]
    fds: tuple[int, ...] = ()
    read = None
    if passphrases:
        read, write = os.pipe()
        os.write(write, "".join(p + "\n" for p in passphrases).encode())
        os.close(write)
        command += ["--passphrase-fd", str(read)]  # pass_fds keeps the number in the child
        fds = (read,)
    options: dict[str, Any] = {"env": environ, "stdin": subprocess.DEVNULL, "pass_fds": fds, "text": True}
    try:
        if popen:
            return subprocess.Popen(
                [*command, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, **options
            )
        return subprocess.run([*command, *args], capture_output=True, timeout=timeout, **options)
    finally:
        if read is not None:
            os.close(read)  # the child has its own copy
