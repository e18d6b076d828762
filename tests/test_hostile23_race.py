"""Hostile review 23 of f5ae733: readers running while a writer writes. The index's transaction is
now open across the archive's fsync, backup and rename; a reader (search, `show`, `list`, `stats`)
in another process must still answer as SOME version of the archive that existed (never a mix of
two, never a traceback). The writer keeps a copy of every version it wrote; each answer is then
compared with the in-memory answers of every version (the oracle: the archive searched, read and
listed without any index)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.corpus import CORPUS, bulletin

from whrd_cli.search.query import parse_query
from whrd_cli.search.rank import search
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)
SRC = str(Path(__file__).resolve().parents[1] / "src")
ROOT = str(Path(__file__).resolve().parents[1])
QUERIES = ["radio", "defensora OR defenders", "title:radio -country:SV"]
IDS = [2, 6, 12, 13]

WRITER = r"""
import shutil, sys
from pathlib import Path
from whrd_cli.model import Bulletin
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive

db, versions, rounds = Path(sys.argv[1]), Path(sys.argv[2]), int(sys.argv[3])
archive = Archive(db, followers=(SearchIndex(),))
shutil.copy(db, versions / "0000.json")
number = 0
for n in range(rounds):
    step = n % 4
    if step == 0:
        archive.add(Bulletin.create(title=f"Radio defenders meet {n}", date="2024-03-03", lang="en"))
    elif step == 1:
        archive.update(2, {"title": f"Community radio celebrates {n} years"})
    elif step == 2:
        made = [Bulletin.create(title=f"Radio {n} {k}", date="2024-03-04", lang="en") for k in range(3)]
        archive.add_many(made)
    else:
        ids = sorted(doc_id for doc_id, _raw in archive.select())
        archive.delete([ids[-1]])
    number += 1
    shutil.copy(db, versions / f"{number:04d}.json")
(versions / "done").touch()
"""

READER = r"""
import json, sys, traceback
from pathlib import Path
import msgspec
from whrd_cli.search import reads
from whrd_cli.search.query import parse_query
from whrd_cli.search.service import SearchIndex, get_entry, search_archive
from whrd_cli.errors import NotFoundError
from whrd_cli.store import Archive

db, versions, out = Path(sys.argv[1]), Path(sys.argv[2]), open(sys.argv[3], "w")
queries, ids = json.loads(sys.argv[4]), json.loads(sys.argv[5])
n = 0
while not (versions / "done").exists() or n < 20:
    n += 1
    archive = Archive(db, followers=(SearchIndex(),))
    try:
        query = queries[n % len(queries)]
        hits = search_archive(archive, parse_query(query)).hits
        out.write(json.dumps(["search", query, [[h.id, h.score] for h in hits]]) + "\n")
        doc_id = ids[n % len(ids)]
        try:
            entry = msgspec.to_builtins(get_entry(archive, doc_id).bulletin)
        except NotFoundError:
            entry = None
        out.write(json.dumps(["show", doc_id, entry]) + "\n")
        listed = reads.listed(db, None, by="date", reverse=False, limit=None)
        if listed is not None:
            rows, count = listed
            brief = [[i, r.get("title"), r.get("rev")] for i, r in rows]
            out.write(json.dumps(["list", None, brief + [count]]) + "\n")
        counted = reads.counted(db)
        if counted is not None:
            brief = [[i, r.get("date"), r.get("lang")] for i, r in counted]
            out.write(json.dumps(["stats", None, brief]) + "\n")
    except BaseException:
        out.write(json.dumps(["error", None, traceback.format_exc()]) + "\n")
out.close()
"""


def oracle(copy: Path) -> dict[str, Any]:
    """Every answer a reader may give, computed from one version of the archive in memory."""
    archive = Archive(copy)
    items = archive.select()
    found: dict[str, Any] = {}
    for query in QUERIES:
        hits = search(items, parse_query(query)).hits
        found[json.dumps(["search", query])] = [[hit.id, hit.score] for hit in hits]
    import msgspec

    present = dict(items)
    for doc_id in IDS:
        entry = msgspec.to_builtins(archive.get(doc_id).bulletin) if doc_id in present else None
        found[json.dumps(["show", doc_id])] = entry
    found["list-set"] = sorted([i, r.get("title"), r.get("rev")] for i, r in items)  # (its order: elsewhere)
    found[json.dumps(["stats", None])] = [[i, r.get("date"), r.get("lang")] for i, r in sorted(items)]
    return json.loads(json.dumps(found))  # as the reader's answers came: through JSON


def test_readers_beside_a_writer_see_whole_versions(db: Path, tmp_path: Path) -> None:
    Archive(db, followers=INDEXED).add_many([bulletin(*row) for row in CORPUS])
    versions = tmp_path / "versions"
    versions.mkdir()
    out = tmp_path / "reads.jsonl"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, ROOT])}
    writer = subprocess.Popen([sys.executable, "-c", WRITER, str(db), str(versions), "80"], env=env)
    reader = subprocess.Popen(
        [
            sys.executable,
            "-c",
            READER,
            str(db),
            str(versions),
            str(out),
            json.dumps(QUERIES),
            json.dumps(IDS),
        ],
        env=env,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert writer.wait(timeout=300) == 0
    _out, err = reader.communicate(timeout=300)
    assert reader.returncode == 0 and err == ""
    oracles = [oracle(copy) for copy in sorted(versions.glob("*.json"))]
    assert len(oracles) == 81
    reads = [json.loads(line) for line in out.read_text().splitlines()]
    kinds = {kind for kind, _arg, _value in reads}
    assert "error" not in kinds, [value for kind, _a, value in reads if kind == "error"][:1]
    assert {"search", "show", "list", "stats"} <= kinds  # the index answered some of each
    versions_seen: set[int] = set()
    for kind, arg, value in reads:
        if kind == "list":
            rows, count = value[:-1], value[-1]
            assert count == len(rows)
            matches = [n for n, o in enumerate(oracles) if sorted(rows) == o["list-set"]]
        else:
            matches = [n for n, o in enumerate(oracles) if o[json.dumps([kind, arg])] == value]
        assert matches, (kind, arg, value)  # the answer of some version, never a mix
        versions_seen.update(matches)
    assert len(versions_seen) > 10  # the reads did run beside the writes
