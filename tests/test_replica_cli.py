"""`whrd conflicts`, `resolve`, and what `show`, `doctor` and `purge` say of replicas (issue 18),
through the real CLI.

Oracles: conflicts made by hand-written CouchDB documents whose winner is known (the greater rev
id at equal depth); the archive file parsed with json for the tombstones `resolve` must leave
(CouchDB's way: the kept text a child of the winner, a deleted child under every other leaf);
command output and exit codes.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import pytest

from whrd_cli.store import Archive

UID = "0123456789abcdef0123456789abcdef"
WIN, LOSE = f"2-{'b' * 32}", f"2-{'a' * 32}"


def doc(rev: str, *ancestors: str, **fields: Any) -> dict[str, Any]:
    ids = [rev.split("-", 1)[1], *(a.split("-", 1)[1] for a in ancestors)]
    out = {"_id": UID, "_rev": rev, "_revisions": {"start": int(rev.split("-")[0]), "ids": ids}}
    out.update({"type": "whrd.bulletin", "whrd": 1, "date": "2024-03-01", "lang": "es"})
    return out | fields


@pytest.fixture
def conflicted(db: Path) -> Path:
    """Bulletin 1 in conflict: two coordinators' edits of one first version."""
    root = f"1-{'1' * 32}"
    Archive(db).merge_docs(
        [
            doc(root, title="Defensora detenida"),
            doc(LOSE, root, title="Defensora liberada", summary="Salió el lunes."),
            doc(WIN, root, title="Defensora liberada bajo fianza"),
        ]
    )
    return db


def leaves(db: Path) -> dict[str, bool]:
    """rev -> deleted, of every leaf of the bulletin's tree, read from the file (compact rows:
    [pos, hash, parent index or -1, deleted, has body]…)."""
    entry = json.loads(db.read_bytes())["history"][UID]
    from whrd_cli.revisions_tree import RevTree

    tree = RevTree.from_json(entry["tree"])
    return {leaf.rev: leaf.deleted for leaf in tree.leaves()}


def test_conflicts_lists_them_and_json_names_the_versions(run: Any, conflicted: Path) -> None:
    out = run.ok("conflicts").stdout
    assert out.startswith("1\tDefensora liberada bajo fianza\t2\t")
    data = run.json("conflicts")
    assert [(v["rev"], v["winner"]) for v in data[0]["versions"]] == [(WIN, True), (LOSE, False)]
    assert data[0]["uid"] == UID


def test_show_and_doctor_say_so(run: Any, conflicted: Path) -> None:
    shown = run("show", "1")
    assert shown.exit_code == 0 and "in conflict" in shown.stderr and "whrd resolve 1" in shown.stderr
    doctor = run("doctor")
    assert doctor.exit_code == 1 and "problem: Open conflicts: 1 bulletin in conflict" in doctor.stdout
    es = run("show", "1", env={"WHRD_LANG": "es"})
    assert "está en conflicto" in es.stderr


def test_resolve_to_a_pipe_shows_the_other_version_as_word_diff(run: Any, conflicted: Path) -> None:
    result = run("resolve", "1")
    assert result.exit_code == 1 and "--keep REV" in result.stderr
    assert "title: Defensora liberada[- bajo fianza-]" in result.stdout
    assert "summary: — → Salió el lunes." in result.stdout


def test_resolve_keep_the_loser_makes_it_a_child_of_the_winner_and_closes_the_other(
    run: Any, conflicted: Path
) -> None:
    run.ok("resolve", "1", "--keep", LOSE[:6])
    bulletin = run.json("show", "1")
    assert bulletin["title"] == "Defensora liberada" and bulletin["summary"] == "Salió el lunes."
    found = leaves(conflicted)
    live = [rev for rev, deleted in found.items() if not deleted]
    dead = [rev for rev, deleted in found.items() if deleted]
    assert live == [bulletin["rev"]] and bulletin["rev"].startswith("3-")
    assert len(dead) == 1 and dead[0].startswith("3-")
    tree = json.loads(conflicted.read_bytes())["history"][UID]["tree"]
    from whrd_cli.revisions_tree import RevTree

    t = RevTree.from_json(tree)
    assert t.parent(bulletin["rev"]) == WIN and t.parent(dead[0]) == LOSE
    assert run.json("conflicts") == []
    assert "in conflict" not in run("show", "1").stderr
    assert "problem:" not in run("doctor").stdout
    # One undoable operation: the winner's text back (the closed version stays closed).
    run.ok("undo", "--yes")
    assert run.json("show", "1")["title"] == "Defensora liberada bajo fianza"


def test_resolve_keep_the_winner_only_closes_the_others(run: Any, conflicted: Path) -> None:
    before = run.json("show", "1")
    result = run.ok("resolve", "1", "--keep", WIN, "--json")
    data = json.loads(result.stdout)
    assert data["before"] == data["after"] == WIN and len(data["closed"]) == 1
    assert run.json("show", "1")["rev"] == before["rev"]
    assert run.json("conflicts") == []


def test_resolve_with_a_merge_written_in_the_editor(run: Any, conflicted: Path, tmp_path: Path) -> None:
    script = tmp_path / "ed.py"
    script.write_text(
        "import pathlib, sys\n"
        "p = pathlib.Path(sys.argv[1])\n"
        "t = p.read_text(encoding='utf-8')\n"
        "(pathlib.Path(sys.argv[1]).parent.parent / 'seen.txt').write_text(t, encoding='utf-8')\n"
        "p.write_text(t.replace('bajo fianza', 'bajo fianza el lunes'), encoding='utf-8')\n"
    )
    result = run("resolve", "1", "--edit", env={"EDITOR": f"{sys.executable} {script}", "VISUAL": ""})
    assert result.exit_code == 0, result.stderr
    assert run.json("show", "1")["title"] == "Defensora liberada bajo fianza el lunes"
    seen = (tmp_path.parent / "seen.txt").read_text(encoding="utf-8")
    assert f"# {LOSE[:10]} title: Defensora liberada" in seen  # the other version, in comments
    assert run.json("conflicts") == []


def test_resolve_refuses_what_is_not_a_conflict(run: Any, conflicted: Path) -> None:
    run.ok("add", "--title", "Otra", "-d", "2024-03-02")
    result = run("resolve", "2", "--keep", "1")
    assert result.exit_code == 1 and "not in conflict" in result.stderr
    result = run("resolve", "1", "--keep", "9-abc")
    assert result.exit_code == 1 and "not one of the versions" in result.stderr


def test_purge_says_it_is_local_once_the_archive_has_merged(run: Any, conflicted: Path) -> None:
    run.ok("add", "--title", "Otra", "-d", "2024-03-02")
    result = run.ok("delete", "2", "--purge", "--yes")
    assert "This purge is local" in result.stderr


def test_purge_says_nothing_of_replicas_for_an_archive_that_never_merged(run: Any) -> None:
    run.ok("add", "--title", "Otra", "-d", "2024-03-02")
    result = run.ok("delete", "1", "--purge", "--yes")
    assert "This purge is local" not in result.stderr


def test_purge_says_it_is_local_when_the_archive_has_remotes(run: Any, db: Path) -> None:
    run.ok("add", "--title", "Otra", "-d", "2024-03-02")
    data = json.loads(db.read_bytes())
    data["meta"]["1"]["remotes"] = {"hub": {"url": "https://example.org/db"}}
    db.write_text(json.dumps(data))
    result = run.ok("delete", "1", "--purge", "--yes")
    assert "This purge is local" in result.stderr


def test_deleting_a_bulletin_in_conflict_closes_every_version(run: Any, conflicted: Path) -> None:
    run.ok("delete", "1", "--yes")
    assert all(leaves(conflicted).values()) and len(leaves(conflicted)) == 2
    assert "problem:" not in run("doctor").stdout
    from whrd_cli.sync import docs as sd

    sent = list(sd.outgoing(Archive(conflicted)._tables()))
    assert len(sent) == 2 and all(d.get("_deleted") for d in sent)  # nothing live left to win elsewhere
    run.ok("undo", "--yes")
    assert run.json("show", "1")["title"] == "Defensora liberada bajo fianza"


def test_resolve_asks_which_version_on_a_terminal(run: Any, conflicted: Path, stdin_terminal: None) -> None:
    result = run("resolve", "1", input="7\n2\n")
    assert result.exit_code == 0, result.stderr
    assert "Answer a number from 1 to 2" in result.stderr
    assert run.json("show", "1")["title"] == "Defensora liberada"


def test_a_resolve_is_a_change_to_send_on(run: Any, conflicted: Path) -> None:
    from whrd_cli.sync import docs as sd

    _, checkpoint = sd.changed_since(Archive(conflicted)._tables(), None)
    run.ok("resolve", "1", "--keep", WIN)  # the winner kept: only the other leaf gets a tombstone
    uids, _ = sd.changed_since(Archive(conflicted)._tables(), checkpoint)
    assert uids == [UID]
    sent = {d["_rev"]: bool(d.get("_deleted")) for d in sd.outgoing(Archive(conflicted)._tables(), [UID])}
    assert sent[WIN] is False and sum(sent.values()) == 1 and len(sent) == 2


def test_resolve_of_an_id_never_there_says_so(run: Any, conflicted: Path) -> None:
    missing = run("resolve", "99")
    assert (
        missing.exit_code == 1
        and missing.stderr == "Error: No bulletin with id 99, now or in the archive's history.\n"
    )
