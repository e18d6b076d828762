"""What `whrd sync` costs (issue 18), against a real CouchDB-protocol server on loopback
(PouchDB Server, as in the tests), each sync a whole `whrd` process as a person runs it:

- first push: an archive of N bulletins (built by `whrd import` from the benchmark corpus) syncs
  with an empty database (target at 10,000: under 30 s);
- first pull: a new, empty archive syncs the N bulletins down from that database;
- the sync right after (it reads back what the first one sent, finds nothing missing);
- a no-change sync (target at 10,000: under 1 s).

Medians of `--runs` rounds (each round a fresh database and fresh copies of the archive).

    python bench/sync.py --corpus DIR/corpus-10000-s8-v2.jsonl [--runs 3] [--encrypted]

The server comes from `$WHRD_POUCHDB_SERVER` (as the tests; `.ci/run` installs it).
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from couch_server import CouchServer, server_executable  # noqa: E402

PASS = "benchmark passphrase, not a secret"


def whrd(db: Path, *args: str, env: dict[str, str]) -> tuple[float, str, str]:
    """One whrd command as a process: its wall time in seconds, its stderr and stdout."""
    start = time.perf_counter()
    read, write = os.pipe()
    os.write(write, ((PASS + "\n") * 3).encode())
    os.close(write)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "whrd_cli", "--db", str(db), "--passphrase-fd", str(read), *args],
            env=env,
            capture_output=True,
            text=True,
            pass_fds=(read,),
            stdin=subprocess.DEVNULL,
        )
    finally:
        os.close(read)
    elapsed = time.perf_counter() - start
    if done.returncode:
        raise SystemExit(f"whrd {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return elapsed, done.stderr.strip(), done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--encrypted", action="store_true", help="encrypted archives (sealed documents)")
    args = parser.parse_args()
    executable = server_executable()
    if executable is None:
        raise SystemExit("PouchDB Server not found: set WHRD_POUCHDB_SERVER (see .ci/run)")
    work = Path(tempfile.mkdtemp(prefix="whrd-bench-sync-"))
    shm = "/dev/shm" if Path("/dev/shm").is_dir() else None
    runtime = Path(tempfile.mkdtemp(prefix="whrd-bench-xdg-", dir=shm))
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update(
        PYTHONPATH=str(ROOT / "src"),
        WHRD_CONFIG=str(work / "config.toml"),
        XDG_RUNTIME_DIR=str(runtime),
        WHRD_LOCK_TIMEOUT="60",
    )
    server = CouchServer(executable, work / "server")
    server.start()
    rows: dict[str, list[float]] = {}
    try:
        base = work / "base.json"
        whrd(base, "import", str(args.corpus), env=env)
        count = len(args.corpus.read_text(encoding="utf-8").splitlines())
        for n in range(args.runs):
            url = server.create()
            ana, bea = work / f"ana{n}.json", work / f"bea{n}.json"
            shutil.copy(base, ana)
            if args.encrypted:
                for db in (ana, bea):
                    if db == bea:
                        whrd(db, "add", "--title", "Seed", "--date", "2024-01-01", env=env)
                    whrd(db, "encrypt", env=env)
                    whrd(db, "unlock", "--for", "1h", env=env)
                keys = {db: whrd(db, "recipients", "list", env=env)[2].split()[0] for db in (ana, bea)}
                whrd(ana, "recipients", "add", keys[bea], env=env)
                whrd(bea, "recipients", "add", keys[ana], env=env)
            for db in (ana, bea):
                whrd(db, "remote", "add", "hub", url, env=env)
            steps = [
                ("first sync: push N to an empty database", ana),
                ("first sync: pull N into a new archive", bea),
                ("the sync after (reads back its own push)", ana),
                ("no-change sync", ana),
                ("no-change sync (the other archive)", bea),
            ]
            for label, db in steps:
                seconds, said, _out = whrd(db, "sync", env=env)
                rows.setdefault(label, []).append(seconds)
                print(f"run {n + 1}: {label}: {seconds:.2f} s  ({said.splitlines()[0] if said else ''})")
    finally:
        server.stop()
        shutil.rmtree(runtime, ignore_errors=True)
    kind = "encrypted" if args.encrypted else "plain"
    print(f"\n{count} bulletins, {kind} archives, medians of {args.runs} runs (wall time of whole processes)")
    print("| sync | median | runs |")
    print("|---|---:|---|")
    for label, values in rows.items():
        runs = ", ".join(f"{v:.2f}" for v in values)
        print(f"| {label} | {statistics.median(values):.2f} s | {runs} |")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
