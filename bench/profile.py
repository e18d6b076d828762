"""Where a whrd command's time goes, as a fresh process: phases, imports, and a sampled profile.

    python bench/profile.py phases  --db ARCHIVE -- list --country Honduras
    python bench/profile.py imports --db ARCHIVE -- show 5000
    python bench/profile.py tree    --db ARCHIVE -- stats          # needs pyinstrument

`phases` runs the command K times, each in a new interpreter, and reports the median wall time of
each phase: interpreter start-up (`python -c pass`, measured apart), `import typer`, importing
whrd's CLI (and everything it imports at module level), building the Click command from the Typer
app, and, inside the command, exclusive time in the archive read, the JSON parse, the filter,
the search, building `Bulletin`s, and the rest (option parsing, rendering, writing output).
Imports made lazily inside a phase count in that phase; `imports` shows which they are.

`imports` aggregates `python -X importtime` over K runs (medians) and groups the cost by
top-level package. `tree` prints a pyinstrument call tree of one run (in-process; pyinstrument is
a profiling tool, not a whrd dependency: `pip install pyinstrument`).
"""

from __future__ import annotations

import sys
import time

# The child that times one command must import nothing whrd might import, or whrd's own import
# time would look smaller than it is: it runs before the rest of this file's imports.
_CHILD = __name__ == "__main__" and sys.argv[1:2] == ["_phase"]

if not _CHILD:
    import argparse
    import collections
    import json
    import os
    import re
    import statistics
    import subprocess
    import tempfile
    from pathlib import Path

    sys.path.insert(0, str(Path(__file__).resolve().parent))
    import generate  # bench/ is a folder of scripts, not a package

# (module, attribute path, label): wrapped with an exclusive timer. Missing ones are skipped, so
# this keeps working while the code moves.
PROBES = (
    ("whrd_cli.storage.check", "_loads", "JSON parse (orjson)"),
    ("whrd_cli.storage.check", "load_archive_file", "archive read + schema check"),
    ("whrd_cli.storage.light", "load", "light read for an append (keys only)"),
    ("whrd_cli.storage.check", "damage_in", "archive check before a write"),
    ("whrd_cli.filters", "Filter.build", "filter options (dates, countries)"),
    ("whrd_cli.store", "Archive.select", "filter scan"),
    ("whrd_cli.store", "to_bulletin", "build Bulletin objects"),
    ("whrd_cli.search.rank", "run", "search (match + rank)"),
    ("whrd_cli.search.index", "open_fresh", "search: open the index, check it is fresh"),
    ("whrd_cli.search.highlight", "highlight", "search highlight"),
    ("whrd_cli.stats", "scan", "stats: one pass over the archive"),
    ("whrd_cli.stats", "overview", "stats counting"),
    ("whrd_cli.stats", "count_by", "stats counting"),
    ("whrd_cli.stats", "chart_span", "stats chart span (a second pass)"),
    ("whrd_cli.render", "make_console", "Rich console (import + build)"),
    ("whrd_cli.export", "select", "export: select + sort (Entry, Bulletin)"),
    ("whrd_cli.digest.context", "digest_context", "export: digest context"),
    ("whrd_cli.export", "render", "export: render the digest"),
    ("whrd_cli.export", "write_file", "export: render into the file (streamed)"),
    ("whrd_cli.importer", "read_inputs", "import: read + validate records"),
    ("whrd_cli.model", "Bulletin.from_dict", "import: Bulletin.from_dict"),
    ("whrd_cli.store", "plan_adds", "import: plan (dedupe keys)"),
    ("whrd_cli.records", "stored_form", "import: stored form"),
    ("whrd_cli.search.index", "update", "write: search index (SQLite)"),
    ("whrd_cli.storage.tinydb_adapter", "AtomicJSONStorage._flush", "write: orjson dumps + atomic write"),
)


def _pass_startup(runs: int) -> float:
    times = []
    for _ in range(runs):
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", "pass"], check=True)
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def _child_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONDONTWRITEBYTECODE", "PYTHONPYCACHEPREFIX")}
    env["PYTHONPYCACHEPREFIX"] = str((generate.CORPORA / "pycache").resolve())
    return env


def _reset(db: Path | None, source: Path | None, fresh: bool) -> None:
    """Before each run of a writing command: remove the archive (`--fresh`, for `import`), or link
    it anew with a copy of its search index (`--copy-from`, for `add`): every run does the same work."""
    if db is None or not (fresh or source):
        return
    import shutil

    for name in (db, Path(f"{db}.search.sqlite"), Path(f"{db}.lock"), Path(f"{db}.search.sqlite-journal")):
        name.unlink(missing_ok=True)
    if source is not None:
        # A hard link, as bench/run.py's `add` row: the same inode, stat and trust mark, so the
        # copy of the index is fresh for it; whrd's write replaces the link, never the original.
        try:
            os.link(source, db)
        except OSError:
            shutil.copyfile(source, db)
        index = Path(f"{source}.search.sqlite")
        if index.exists():
            shutil.copyfile(index, f"{db}.search.sqlite")


def phases(
    args: list[str], runs: int, db: Path | None = None, source: Path | None = None, fresh: bool = False
) -> None:
    results: list[dict[str, float]] = []
    for _ in range(runs + 1):  # the first run warms caches and is dropped
        _reset(db, source, fresh)
        with tempfile.NamedTemporaryFile(suffix=".json") as out:
            started = time.perf_counter()
            subprocess.run(
                [sys.executable, __file__, "_phase", out.name, "--", *args],
                stdout=subprocess.DEVNULL,
                stdin=subprocess.DEVNULL,
                check=False,
                env=_child_env(),
            )
            wall = time.perf_counter() - started
            marks = json.loads(Path(out.name).read_text() or "{}")
        marks["this process, wall (+ the profiler's own start)"] = wall
        results.append(marks)
    results = results[1:]
    startup = _pass_startup(runs)
    labels: list[str] = []
    for marks in results:
        labels += [k for k in marks if k not in labels]
    print(f"whrd {' '.join(args)}  (median of {runs} fresh processes)")
    print(f"  {'python -c pass (interpreter start-up)':48s} {startup * 1000:7.1f} ms")
    for label in labels:
        value = statistics.median(m.get(label, 0.0) for m in results)
        print(f"  {label:48s} {value * 1000:7.1f} ms")


def _phase_child(out: str, args: list[str]) -> None:
    clock = time.perf_counter
    marks: dict[str, float] = {}
    started = clock()
    from whrd_cli.__main__ import short_lived_process

    short_lived_process()  # the GC and keep-alive policy of a real run
    marks["whrd's process policy (GC off)"] = clock() - started
    started = clock()
    import typer

    marks["import typer (and its Click)"] = clock() - started
    mark = clock()
    import whrd_cli.cli as cli

    marks["import whrd_cli.cli (module-level imports)"] = clock() - mark

    import importlib

    acc: dict[str, float] = {}
    stack: list[list] = []  # [label, started]

    def wrap(owner: object, name: str, label: str) -> None:
        original = owner.__dict__.get(name) if isinstance(owner, type) else getattr(owner, name, None)
        if original is None:
            return
        is_static = isinstance(original, staticmethod)
        is_class = isinstance(original, classmethod)
        func = original.__func__ if (is_static or is_class) else original

        def timed(*a: object, **k: object) -> object:
            now = clock()
            if stack:
                parent = stack[-1]
                acc[parent[0]] = acc.get(parent[0], 0.0) + now - parent[1]
            stack.append([label, now])
            try:
                return func(*a, **k)
            finally:
                end = clock()
                acc[label] = acc.get(label, 0.0) + end - stack.pop()[1]
                if stack:
                    stack[-1][1] = end

        replacement: object = timed
        if is_static:
            replacement = staticmethod(timed)
        elif is_class:
            replacement = classmethod(timed)
        setattr(owner, name, replacement)

    for module_name, attr, label in PROBES:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            continue
        owner: object = module
        *path, name = attr.split(".")
        for part in path:
            owner = getattr(owner, part, None)
        if owner is not None:
            wrap(owner, name, label)

    mark = clock()
    command = typer.main.get_command(cli.app)
    marks["build the Click command from the Typer app"] = clock() - mark
    mark = clock()
    try:
        command.main(args=args, prog_name="whrd", standalone_mode=False)
    except SystemExit:
        pass
    except Exception as exc:  # a usage error: say it once, the timings are still written
        print(f"whrd failed: {type(exc).__name__}: {exc}", file=sys.stderr)
    finally:
        sys.stdout.flush()
        total = clock() - mark
        inner = dict(acc)
        marks.update({f"  {k}": v for k, v in inner.items()})
        marks["  rest of the command (options, render, output)"] = total - sum(inner.values())
        marks["run the command (all of the above indented)"] = total
        import json

        with open(out, "w") as fh:
            json.dump(marks, fh)


def imports(args: list[str], runs: int, top: int) -> None:
    whrd = generate.whrd_command()
    per_run: list[dict[str, tuple[int, int, int]]] = []
    for _ in range(runs + 1):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", *whrd[-1:], *args]
            if whrd[0].endswith("whrd")
            else [sys.executable, "-X", "importtime", "-m", "whrd_cli", *args],
            capture_output=True,
            text=True,
            check=False,
            env=_child_env(),
        )
        found: dict[str, tuple[int, int, int]] = {}
        for line in done.stderr.splitlines():
            m = re.match(r"import time:\s+(\d+) \|\s+(\d+) \|( *)(\S+)", line)
            if m:
                found[m[4]] = (int(m[1]), int(m[2]), len(m[3]) // 2)
        per_run.append(found)
    per_run = per_run[1:]
    names = list(per_run[-1])
    med = {
        n: (
            statistics.median(r[n][0] for r in per_run if n in r),
            statistics.median(r[n][1] for r in per_run if n in r),
            per_run[-1][n][2],
        )
        for n in names
    }
    total = sum(v[0] for v in med.values())
    print(f"whrd {' '.join(args)}: {len(med)} modules imported, {total / 1000:.1f} ms of imports")
    print("  (-X importtime adds its own overhead; compare the shares, not the absolute sum)")
    groups: dict[str, float] = collections.defaultdict(float)
    counts: dict[str, int] = collections.Counter()
    for name, (self_us, _cum, _depth) in med.items():
        head = name.split(".")[0]
        if head == "whrd_cli":
            head = ".".join(name.split(".")[:2])
        groups[head] += self_us
        counts[head] += 1
    print("by package (self time):")
    for head, us in sorted(groups.items(), key=lambda kv: -kv[1])[:top]:
        print(f"  {head:32s} {us / 1000:6.1f} ms  {counts[head]:3d} modules")
    print("heaviest imports (cumulative, as first imported):")
    for name, (self_us, cum_us, depth) in sorted(med.items(), key=lambda kv: -kv[1][1])[:top]:
        print(f"  {'  ' * depth}{name:44s} cum {cum_us / 1000:6.1f} ms  self {self_us / 1000:5.1f} ms")


def tree(args: list[str]) -> None:
    try:
        from pyinstrument import Profiler
    except ImportError:
        raise SystemExit("pyinstrument is not installed: pip install pyinstrument") from None
    profiler = Profiler(interval=0.0005)
    profiler.start()
    import typer

    import whrd_cli.cli as cli

    command = typer.main.get_command(cli.app)
    stdout = sys.stdout
    sys.stdout = open(os.devnull, "w")  # noqa: SIM115
    try:
        command.main(args=args, prog_name="whrd", standalone_mode=False)
    except SystemExit:
        pass
    finally:
        sys.stdout.close()
        sys.stdout = stdout
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=False))


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if "--" not in argv:
        raise SystemExit("usage: profile.py {phases,imports,tree} [--db ARCHIVE] [--runs N] -- WHRD ARGS…")
    split = argv.index("--")
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=("phases", "imports", "tree"))
    parser.add_argument("--db", type=Path, help="archive to run against")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=25)
    parser.add_argument("--fresh", action="store_true", help="remove the archive before each run (import)")
    parser.add_argument("--copy-from", type=Path, help="link this archive (copy its index) as --db, each run")
    args = parser.parse_args(argv[:split])
    command = argv[split + 1 :]
    if args.db:
        command = ["--db", str(args.db), *command]
    if args.mode == "phases":
        phases(command, args.runs, args.db, args.copy_from, args.fresh)
    elif args.mode == "imports":
        imports(command, args.runs, args.top)
    else:
        tree(command)
    return 0


if __name__ == "__main__":
    if _CHILD:
        _phase_child(sys.argv[2], sys.argv[4:])
        import os as _os

        _os._exit(0)  # as whrd's own entry point does: no heap teardown (~45 ms at 100k)
    sys.exit(main())
