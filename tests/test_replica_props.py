"""Replicas agree (issue 18): whatever order revisions reach three archives in, each ends with the
same winner and the same leaves, and a SIGKILL inside a merge's write leaves the old or the new
archive whole.

Oracles: the winner and leaves computed here from the set of revision paths delivered, by
CouchDB's documented rule (a leaf is a rev no delivered path names as an ancestor; the winner is
the live leaf, else any, with the greatest (depth, rev id)), never by `RevTree`; three real
archive files edited through `Archive` for the agreement test; the parsed file for the crash.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from whrd_cli.store import Archive
from whrd_cli.sync import docs as sd
from whrd_cli.sync.merging import merge_into

UID = "0123456789abcdef0123456789abcdef"


@st.composite
def forests(draw: Any) -> list[dict[str, Any]]:
    """Documents of one uid: a random revision tree (a few roots' worth of edits, tombstones
    among them), each document the path from the root to its rev, as replicas send them."""
    nodes: list[tuple[str, str | None]] = []
    for k in range(draw(st.integers(1, 9))):
        parent = draw(st.sampled_from([None, *[rev for rev, _ in nodes]])) if nodes else None
        depth = 1 if parent is None else int(parent.split("-")[0]) + 1
        if parent is None and nodes:
            parent = None if draw(st.booleans()) else nodes[0][0]
            depth = 1 if parent is None else int(parent.split("-")[0]) + 1
        rev = f"{depth}-{draw(st.sampled_from('0123456789abcdef'))}{k:02x}"
        nodes.append((rev, parent))
    parents = dict(nodes)
    docs = []
    for rev, _ in nodes:
        path, current = [], rev
        while current is not None:
            path.append(current.split("-", 1)[1])
            current = parents[current]
        deleted = draw(st.booleans()) and draw(st.booleans())
        doc: dict[str, Any] = {
            "_id": UID,
            "_rev": rev,
            "_revisions": {"start": int(rev.split("-")[0]), "ids": path},
        }
        doc.update({"type": "whrd.bulletin", "whrd": 1})
        if deleted:
            doc["_deleted"] = True
        else:
            doc.update({"title": f"Versión {rev}", "date": "2024-03-01", "lang": "es"})
        docs.append(doc)
    return docs


def oracle(delivered: list[dict[str, Any]]) -> tuple[set[str], str]:
    """(leaves, winner) of the union of the delivered paths, by CouchDB's documented rule."""
    revs: dict[str, bool] = {}
    inner: set[str] = set()
    for doc in delivered:
        start, ids = doc["_revisions"]["start"], doc["_revisions"]["ids"]
        path = [f"{start - i}-{h}" for i, h in enumerate(ids)]
        inner.update(path[1:])
        for rev in path:
            revs.setdefault(rev, False)
        revs[path[0]] = revs[path[0]] or bool(doc.get("_deleted"))
    leaves = {rev for rev in revs if rev not in inner}

    def order(rev: str) -> tuple[bool, int, str]:
        pos, digest = rev.split("-", 1)
        return (not revs[rev], int(pos), digest)

    return leaves, max(leaves, key=order)


def empty() -> dict[str, Any]:
    return {"bulletins": {}, "meta": {"1": {"next_id": 1}}}


def state(tables: dict[str, Any]) -> tuple[set[str], str, str | None]:
    leaves = sd.leaf_revs(tables)[UID]
    live = [raw for raw in tables["bulletins"].values() if raw["uid"] == UID]
    return set(leaves), leaves[0], live[0]["title"] if live else None


@settings(max_examples=150, deadline=None)
@given(docs=forests(), data=st.data())
def test_any_order_gives_the_same_winner_and_leaves_everywhere(docs: list[dict[str, Any]], data: Any) -> None:
    replicas = [empty(), empty(), empty()]
    delivered: list[dict[str, Any]] = []
    for tables in replicas:  # each receives some of the documents, in its own order, in batches
        mine = data.draw(st.permutations(docs))[: data.draw(st.integers(0, len(docs)))]
        delivered += mine
        cut = data.draw(st.integers(0, len(mine)))
        merge_into(tables, mine[:cut])
        merge_into(tables, mine[cut:])
    a, b, c = replicas
    for source, target in [(b, a), (c, a), (a, b), (a, c)]:  # then they sync through A
        merge_into(target, list(sd.outgoing(source)))
    if not delivered:
        assert all(not sd.leaf_revs(t) for t in replicas)
        return
    states = [state(t) for t in replicas]
    assert states[0] == states[1] == states[2]
    leaves, winner = oracle(delivered)
    assert states[0][0] == leaves and states[0][1] == winner
    deleted = any(d["_rev"] == winner and d.get("_deleted") for d in docs)
    assert states[0][2] == (None if deleted else f"Versión {winner}")
    assert merge_into(a, list(sd.outgoing(b))).changes == []  # agreed: nothing more to exchange


def add(path: Path, title: str) -> None:
    from whrd_cli.model import Bulletin

    Archive(path).add(Bulletin.create(title=title, date="2024-03-01", lang="es"))


def test_three_archives_edited_offline_agree(tmp_path: Path) -> None:
    a, b, c = (tmp_path / f"{n}.json" for n in "abc")
    add(a, "Defensora detenida")
    for other in (b, c):
        Archive(other).merge_docs(sd.outgoing(Archive(a)._tables()))
    Archive(b).update(1, {"title": "Defensora liberada (B)"})
    Archive(c).update(1, {"title": "Defensora liberada (C)"})
    Archive(a).delete([1])
    outs = {p: list(sd.outgoing(Archive(p)._tables())) for p in (a, b, c)}
    Archive(a).merge_docs(outs[c] + outs[b])
    Archive(b).merge_docs(outs[a])
    Archive(b).merge_docs(outs[c])
    Archive(c).merge_docs(outs[b] + outs[a])
    titles = {p: Archive(p).get(1).bulletin.title for p in (a, b, c)}
    revs = {p: sd.leaf_revs(Archive(p)._tables()) for p in (a, b, c)}
    assert len(set(titles.values())) == 1 and titles[a] in (
        "Defensora liberada (B)",
        "Defensora liberada (C)",
    )
    assert revs[a] == revs[b] == revs[c] and len(next(iter(revs[a].values()))) == 3
    assert Archive(a).merge_docs(outs[b] + outs[c]).written is False


KILLER = r"""
import os, signal, sys, json
from pathlib import Path
from whrd_cli.store import Archive

path, docs = Path(sys.argv[1]), json.loads(Path(sys.argv[2]).read_text())
real_replace = os.replace

def replace(src, dst, *args, **kwargs):
    if Path(dst) == path:
        print("killed", flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    real_replace(src, dst, *args, **kwargs)

os.replace = replace
Archive(path).merge_docs(docs)
"""


def test_a_merge_killed_in_its_write_leaves_the_old_archive_and_the_next_merge_lands(tmp_path: Path) -> None:
    path = tmp_path / "a.json"
    add(path, "Ya estaba")
    old = path.read_bytes()
    docs = [
        {
            "_id": f"{k:032x}",
            "_rev": "1-a",
            "type": "whrd.bulletin",
            "whrd": 1,
            "title": f"N{k}",
            "date": "2024-03-01",
        }
        for k in range(1, 40)
    ]
    (tmp_path / "docs.json").write_text(json.dumps(docs))
    (tmp_path / "k.py").write_text(KILLER)
    done = subprocess.run(
        [sys.executable, str(tmp_path / "k.py"), str(path), str(tmp_path / "docs.json")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert (done.returncode, done.stdout) == (-signal.SIGKILL, "killed\n"), done.stderr
    assert path.read_bytes() == old
    report = Archive(path).merge_docs(docs)
    assert len(report.added) == 39 and len(Archive(path)) == 40
    assert not list(tmp_path.glob(".a.json.whrd-tmp-*"))
