"""Work spread over the machine's cores: one job in this process, the others in forked children.

An import of 100,000 bulletins spends most of its time in Python validating records and working
out search stems, one record after another, while a second core sits idle. `fork_map` runs such
jobs at once: the children are copies of this process (`os.fork`: they see its data without it
being sent), each sends its result back pickled through a private pipe, and leaves with
`os._exit`. Nothing a child does is ever needed for correctness: a child that fails, is killed or
sends something unreadable has its job run again here, so an error is raised exactly as a run in
one process would raise it. Where fork is not the norm (Windows, macOS) or there is one core, every
job runs here, one after another.

A child writes nothing but its pipe (the one exception, `crypto.early`, writes age ciphertext
into the temp file of this process's atomic write): no terminal, no lock of its own. It holds
plain text only in memory, as this process does, and inherits its limits (no core dumps).
"""

from __future__ import annotations

import contextlib
import mmap
import os
import signal
import struct
import sys
import warnings
from collections.abc import Callable, Iterator, Sequence
from functools import partial
from itertools import pairwise
from typing import Any, BinaryIO, TypeVar

J = TypeVar("J")
R = TypeVar("R")

# Called by a job as it goes, with how many of its items are done (for a progress bar).
Tick = Callable[[int], None]

MAX_WORKERS = 4  # more processes than this gain little on the work sizes whrd has
_SLOT = struct.Struct("q")


def cores() -> int:
    """How many processes `fork_map` may run at once: the cores this process may use (1 where
    fork is not safe to use)."""
    if not hasattr(os, "fork") or not sys.platform.startswith("linux"):
        return 1
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 1
    return max(1, min(usable, MAX_WORKERS))


def shares(size: int, *, least: int) -> int:
    """Into how many jobs to cut `size` items: one per core, but never jobs under `least` items
    (a fork and a pickle cost more than a small job saves)."""
    return max(1, min(cores(), size // max(least, 1)))


def spans(count: int, *, least: int, first: float = 1.0) -> list[tuple[int, int]]:
    """`range(count)` cut into one (start, end) span per core (`shares`); the first, run here,
    `first` times the size of each other one."""
    parts = shares(count, least=least)
    if parts <= 1:
        return [(0, count)]
    share = first / (first + parts - 1)
    cuts = [0, *(int(count * (share + (1 - share) * k / (parts - 1))) for k in range(parts - 1)), count]
    return list(pairwise(cuts))


class Progress:
    """How far every job has got, readable here while the children work (shared memory).

    `report(done)`, if given, is called with the jobs' total each time the first job (the one run
    here) ticks: a progress bar drawn here then counts the children's work too."""

    def __init__(self, jobs: int, report: Tick | None = None) -> None:
        self._memory = mmap.mmap(-1, _SLOT.size * max(jobs, 1))
        self._report = report

    def tick(self, job: int) -> Tick:
        report = self._report if job == 0 else None

        def set_done(done: int) -> None:
            _SLOT.pack_into(self._memory, _SLOT.size * job, done)
            if report is not None:
                report(self.done())

        return set_done

    def done(self) -> int:
        return sum(
            _SLOT.unpack_from(self._memory, offset)[0] for offset in range(0, len(self._memory), _SLOT.size)
        )


def fork_map(
    work: Callable[[J, Tick], R],
    jobs: Sequence[J],
    progress: Progress | None = None,
    *,
    pack: Callable[[R], object] | None = None,
    unpack: Callable[[Any], R] | None = None,
) -> list[R]:
    """`[work(job, tick) for job in jobs]`, the first job here and each other one in a child at the
    same time; the results in the jobs' order. `tick(done)` records a job's progress in `progress`.

    A child sends `pack(result)` and this process keeps `unpack(what it sent)`: plain tuples pickle
    in a fraction of the time of objects with their own state (the results of 50,000 records)."""
    progress = progress or Progress(len(jobs))
    if len(jobs) <= 1 or cores() <= 1:
        return [work(job, progress.tick(index)) for index, job in enumerate(jobs)]
    children: list[tuple[int, int]] = []  # (pid, read end of its pipe)
    try:
        for index in range(1, len(jobs)):
            send = partial(_send_one, work, jobs[index], progress.tick(index), pack)
            try:
                children.append(start_child(send))
            except OSError:  # no more processes or pipes to be had: the other jobs are done here
                break
        results = [work(jobs[0], progress.tick(0))]
        for index, (pid, fd) in enumerate(children, start=1):
            children[index - 1] = (pid, -1)  # `_receive` closes the pipe, whatever happens: once
            received = _receive(fd)
            _pid, status = os.waitpid(pid, 0)
            children[index - 1] = (0, -1)
            if received is None or status != 0:  # the child failed: its job, once more, here
                results.append(work(jobs[index], progress.tick(index)))
            else:
                results.append(unpack(received[0]) if unpack else received[0])  # type: ignore[arg-type]
        for index in range(len(results), len(jobs)):
            results.append(work(jobs[index], progress.tick(index)))
        return results
    finally:
        reap(children)


class Later:
    """`compute()` started in a child (`fork_call`): `result()` waits for it, or computes it here
    if the child failed; `cancel()` stops the child when the result is no longer wanted."""

    def __init__(self, compute: Callable[[], Any]) -> None:
        self._compute = compute
        self._children: list[tuple[int, int]] = []
        if cores() > 1:
            send = partial(_send_one, lambda _job, _tick: compute(), None, lambda _done: None, None)
            with contextlib.suppress(OSError):  # no process or pipe to be had: computed here
                self._children.append(start_child(send))

    def result(self) -> Any:
        if not self._children:
            return self._compute()
        try:
            pid, fd = self._children[0]
            self._children[0] = (pid, -1)  # `_receive` closes the pipe, whatever happens: once
            received = _receive(fd)
            _pid, status = os.waitpid(pid, 0)
            self._children.clear()
        finally:
            self.cancel()
        return self._compute() if received is None or status != 0 else received[0]

    def cancel(self) -> None:
        reap(self._children)
        self._children.clear()


def fork_call(compute: Callable[[], Any]) -> Later:
    """`compute()` started in a child now, its result taken later (`Later.result`)."""
    return Later(compute)


def fork_shared(make: Callable[[J], R], jobs: Sequence[J]) -> Iterator[R]:
    """`make(job)` for each job, in no set order, shared between a child and this process so that
    both finish together whatever a job costs to make and to use. The child makes jobs from the
    first on; this process uses each as it comes and, whenever none is ready, makes the last job
    not yet taken (the search index: rows worked out on both cores while this process also writes
    them into SQLite). One job, or one core: made here.

    A thread here takes the child's results off its pipe as they come, up to `_AHEAD` of them, so
    that the child runs on while this process is busy (a result is larger than a pipe holds). The
    child stops before `limit` (shared memory, written only here); a job it had started when this
    process took it is made twice and the child's copy never read: no lock, at most one job's
    work lost."""
    if len(jobs) <= 1 or cores() <= 1:
        yield from map(make, jobs)
        return
    limit = mmap.mmap(-1, _SLOT.size)
    _SLOT.pack_into(limit, 0, len(jobs))
    try:
        children = [start_child(partial(_send_below, make, jobs, limit))]
    except OSError:  # no process or pipe to be had: made here
        yield from map(make, jobs)
        return
    import pickle
    import queue
    import threading

    inbox: queue.Queue[bytearray | None] = queue.Queue(maxsize=_AHEAD)
    reader = threading.Thread(target=_drain, args=(children[0][1], inbox), name="whrd-rows", daemon=True)
    reader.start()
    top, got = len(jobs), 0  # jobs from `top` on are made here; the child's come in order
    try:
        while got < top:
            if got < top - 1 and inbox.empty():
                top -= 1
                _SLOT.pack_into(limit, 0, top)
                yield make(jobs[top])
                continue
            body = inbox.get()
            try:
                item = pickle.loads(body) if body is not None else None
            except Exception:
                item = body = None
            if body is None:  # it failed: the rest is made here
                break
            got += 1
            yield item  # type: ignore[misc]  # (what `make` returned, pickled)
    finally:
        _stop(children, reader, inbox)
    yield from map(make, jobs[got:top])


_AHEAD = 4  # results a child may send before this process takes them (each ~1.5 MB of rows)


def _send_below(make: Callable[[J], R], jobs: Sequence[J], limit: mmap.mmap, out: BinaryIO) -> None:
    import pickle

    for number, job in enumerate(jobs):
        if number >= _SLOT.unpack_from(limit, 0)[0]:
            return
        data = pickle.dumps(make(job), protocol=pickle.HIGHEST_PROTOCOL)
        out.write(_SLOT.pack(len(data)))
        out.write(data)
        out.flush()  # each result goes as soon as it is made


def _drain(fd: int, inbox: Any) -> None:
    """In a thread: each result the child sends (its size, then its pickle) into `inbox`, then
    None once it sends no more (it ended, or failed mid-way)."""
    while True:
        try:
            head = _exactly(fd, _SLOT.size)
            body = None if head is None else _exactly(fd, _SLOT.unpack(head)[0])
        except OSError:
            body = None
        inbox.put(body)
        if body is None:
            return


def _stop(children: list[tuple[int, int]], reader: Any, inbox: Any) -> None:
    """The child killed (its pipe then ends), its reader let finish, then the child reaped."""
    import queue

    for pid, _fd in children:
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
    while reader.is_alive():  # it may wait to put a result: take them
        with contextlib.suppress(queue.Empty):
            inbox.get(timeout=0.01)
    reap(children)


def _exactly(fd: int, size: int) -> bytearray | None:
    buffer = bytearray(size)
    view, done = memoryview(buffer), 0
    while done < size:
        got = os.readv(fd, [view[done:]])
        if not got:
            return None
        done += got
    return buffer


def _send_one(
    work: Callable[[J, Tick], R], job: J, tick: Tick, pack: Callable[[R], object] | None, out: BinaryIO
) -> None:
    import pickle

    result = work(job, tick)
    pickle.dump(pack(result) if pack else result, out, protocol=pickle.HIGHEST_PROTOCOL)


def start_child(send: Callable[[BinaryIO], None], keep: Sequence[int] = ()) -> tuple[int, int]:
    """A child that runs `send(its end of a new pipe)` and leaves: its pid, and this end. It
    keeps no file of this process open but the pipe and `keep` (read-only files it reads)."""
    import fcntl  # (POSIX only: `cores()` is 1 elsewhere, and nothing forks)

    read_end, write_end = os.pipe()
    with contextlib.suppress(OSError, AttributeError):  # a larger pipe lets the child run ahead
        fcntl.fcntl(write_end, fcntl.F_SETPIPE_SZ, 1 << 20)
    parent, prctl = os.getpid(), _prctl()
    # A Ctrl-C held back across the fork: one landing in the child before it takes SIGINT's default
    # would be raised inside Python's own after-fork code, which prints a traceback.
    held = signal.pthread_sigmask(signal.SIG_BLOCK, {signal.SIGINT})
    with warnings.catch_warnings():  # Python 3.12+ warns of fork in a threaded process: the child
        warnings.simplefilter("ignore", DeprecationWarning)  # only computes, touching no lock
        try:
            pid = os.fork()
        except BaseException:  # no process to be had: its pipe is not wanted either
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            os.close(read_end)
            os.close(write_end)
            raise
    if pid == 0:  # the child: compute, send, leave without running anything of the parent's
        code = 1
        try:
            _die_with(parent, prctl)
            _keep_only(write_end, *keep)
            with contextlib.suppress(ValueError):  # (not possible off the main thread)
                signal.signal(signal.SIGINT, signal.SIG_DFL)  # Ctrl-C ends it at once, as its parent
            signal.pthread_sigmask(signal.SIG_SETMASK, held)
            with open(write_end, "wb", closefd=True) as out:
                send(out)
            code = 0
        finally:
            os._exit(code)
    os.close(write_end)
    try:
        signal.pthread_sigmask(signal.SIG_SETMASK, held)  # (a Ctrl-C held back is raised here)
    except BaseException:
        reap([(pid, read_end)])  # (not wanted any more: stopped before the caller knows of it)
        raise
    return pid, read_end


_PRCTL: list[Any] = []  # libc's prctl, once looked up (None: not to be had)


def _prctl() -> Any:
    """libc's prctl, looked up in this process before it forks: a child that imported ctypes itself
    would start its work ~2 ms later, each time (the decrypting child's first megabyte is what
    an encrypted `add` waits for)."""
    if not _PRCTL:
        try:
            import ctypes

            _PRCTL.append(ctypes.CDLL(None, use_errno=True).prctl)
        except (ImportError, OSError, AttributeError):
            _PRCTL.append(None)
    return _PRCTL[0]


def _die_with(parent: int, prctl: Any) -> None:
    """In a child: be killed as soon as `parent` ends, however it ends (a SIGKILLed whrd's children
    would otherwise compute on, holding its plain text, until they next write to their pipe)."""
    pr_set_pdeathsig = 1
    if prctl is not None:
        with contextlib.suppress(OSError):
            prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # it ended before the line above: leave now
        os._exit(1)


def _keep_only(pipe: int, *keep: int) -> None:
    """In a child: close every file this process had open but the standard streams, `pipe` and
    `keep`. The archive's lock above all: a child must not keep it held if its parent is killed
    (a lock is held while any process has its file open), nor hold the other children's pipes."""
    for name in os.listdir("/proc/self/fd"):
        fd = int(name)
        if fd > 2 and fd != pipe and fd not in keep:
            with contextlib.suppress(OSError):  # (the listing's own descriptor is gone already)
                os.close(fd)


def _receive(fd: int) -> tuple[object] | None:
    """A child's result, or None when what it sent is not a whole pickle (it died, or failed)."""
    import pickle  # (here, not at the top: an encrypted read or write forks, and pickles nothing)

    with open(fd, "rb", closefd=True) as stream:
        try:
            return (pickle.load(stream),)
        except Exception:
            return None


def reap(children: list[tuple[int, int]]) -> None:
    """Children still running when this process leaves `fork_map` early (an error, Ctrl-C) are
    stopped and waited for: none is left behind."""
    for pid, fd in children:
        if pid <= 0:
            continue
        if fd >= 0:
            with contextlib.suppress(OSError):
                os.close(fd)
        with contextlib.suppress(OSError):
            os.kill(pid, signal.SIGKILL)
        with contextlib.suppress(OSError):
            os.waitpid(pid, 0)
