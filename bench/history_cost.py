"""What history costs (issue 15), measured on a copy of a benchmark archive:

1. space: the archive's growth after 100 edits of one bulletin, beside that bulletin's size and
   the archive's (history must cost the bulletin's versions, not copies of the archive);
2. time: read commands before and after issue 15, the two source trees interleaved in one run
   (CPU time of whole processes, medians), each on an archive of its own schema built from the
   same corpus (the code before issue 15 refuses a schema-2 archive).

    python bench/history_cost.py --corpus bench/corpora/corpus-10000-s8-v2.jsonl \\
        --before-src /tmp/before15/src [--runs 9]

`--before-src` is a checkout of whrd before issue 15 (`git worktree add /tmp/before15 8a19216`).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
READS = (
    ["list", "--country", "Honduras", "--limit", "50"],
    ["show", "5"],
    ["stats"],
    ["search", "defensoras", "--limit", "20"],
    ["list", "--private", "--limit", "50"],  # reads the archive itself (old versions skipped?)
)


def whrd(src: Path, db: Path, *args: str, quiet: bool = True) -> float:
    """Run one whrd command as a process; its CPU time in ms."""
    # Bytecode cached, as after `pip install` (a fresh compile of every module would be timed).
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env = {**clean, "PYTHONPATH": str(src), "WHRD_DB": str(db), "WHRD_CONFIG": str(db) + ".none.toml"}
    out = subprocess.DEVNULL if quiet else None
    proc = subprocess.Popen([sys.executable, "-m", "whrd_cli", *args], stdout=out, stderr=out, env=env)
    _, status, usage = os.wait4(proc.pid, 0)
    if status:
        raise SystemExit(f"whrd {' '.join(args)} failed ({status}) with {src}")
    return (usage.ru_utime + usage.ru_stime) * 1000


def space(src: Path, corpus: Path, work: Path) -> str:
    db = work / "space.json"
    whrd(src, db, "import", str(corpus))
    before = db.stat().st_size
    bulletin = json.loads(db.read_text(encoding="utf-8"))["bulletins"]["5"]
    size = len(json.dumps(bulletin, ensure_ascii=False).encode())
    sys.path.insert(0, str(src))
    from whrd_cli.store import Archive  # the tree measured (a library call: 100 edits in seconds)

    archive = Archive(db)
    for n in range(100):
        archive.update(5, {"summary": f"{bulletin.get('summary', '')} (correction {n})"})
    growth = db.stat().st_size - before
    return (
        f"100 edits of one bulletin ({size:,} bytes): the archive ({before / 1e6:.1f} MB) grew by "
        f"{growth:,} bytes = {growth / size:.0f}× the bulletin, {growth / before * 100:.2f} % of the archive"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--corpus", type=Path, required=True)
    parser.add_argument("--before-src", type=Path, required=True)
    parser.add_argument("--runs", type=int, default=9)
    parser.add_argument("--no-space", action="store_true", help="skip the 100 edits (slow at 100k)")
    args = parser.parse_args()
    now_src = ROOT / "src"
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if not args.no_space:
            print(space(now_src, args.corpus, work))
        dbs = {}
        for name, src in (("before", args.before_src), ("after", now_src)):
            db = work / f"{name}.json"
            whrd(src, db, "import", str(args.corpus))
            whrd(src, db, "search", "warm")  # the index in place
            dbs[name] = (src, db)
        print(f"\n| command ({args.runs} runs, CPU) | before issue 15 | after | change |")
        print("|---|---:|---:|---:|")
        for read in READS:
            times: dict[str, list[float]] = {"before": [], "after": []}
            for _ in range(args.runs):
                for name, (src, db) in dbs.items():
                    times[name].append(whrd(src, db, *read))
            old, new = statistics.median(times["before"]), statistics.median(times["after"])
            print(f"| `{' '.join(read)}` | {old:.0f} ms | {new:.0f} ms | {(new / old - 1) * 100:+.1f} % |")
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
