"""The replication API (issue 18): `sync.docs` (documents out, `_revs_diff`, what changed) and
`Archive.merge_docs` (documents in).

Oracles: CouchDB documents written out here by hand, with the winners CouchDB's documentation
gives ("the revision with the longest history wins; on a tie, the greater rev id; a deleted leaf
never wins over a live one"); revs recomputed with hashlib and json (the documented digest); the
archive file's bytes and the journal's length for "nothing written".
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from whrd_cli.store import Archive
from whrd_cli.sync import docs as sd

UID = "0123456789abcdef0123456789abcdef"
UID2 = "fedcba9876543210fedcba9876543210"


def doc(rev: str, *ancestors: str, uid: str = UID, deleted: bool = False, **fields: Any) -> dict[str, Any]:
    """A CouchDB document as a replica sends it (`_revisions` newest first)."""
    pos = int(rev.split("-")[0])
    ids = [rev.split("-", 1)[1], *(a.split("-", 1)[1] for a in ancestors)]
    out: dict[str, Any] = {"_id": uid, "_rev": rev, "_revisions": {"start": pos, "ids": ids}}
    if deleted:
        out["_deleted"] = True
        return out
    out.update({"type": "whrd.bulletin", "whrd": 1, "title": "Defensora detenida", "date": "2024-03-01"})
    out.update({"lang": "es", "countries": ["HN"], "tags": [], "summary": ""})
    out.update(fields)
    return out


def digest(parent: str | None, body: dict[str, Any], deleted: bool = False) -> str:
    payload = json.dumps([parent, deleted, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    depth = 1 if parent is None else int(parent.split("-")[0]) + 1
    return f"{depth}-{hashlib.md5(payload.encode()).hexdigest()}"


def journal_len(path: Path) -> int:
    return len(json.loads(path.read_bytes()).get("journal", {}))


def test_a_new_bulletin_arrives_with_its_rev_kept(db: Path) -> None:
    report = Archive(db).merge_docs([doc("3-c", "2-b", "1-a", title="Llega de otra réplica")])
    assert report.added == [UID] and report.written and report.ids == {UID: 1}
    arch = Archive(db)
    entry = arch.get(1)
    assert entry.bulletin.title == "Llega de otra réplica"
    assert entry.bulletin.rev == "3-c" and entry.bulletin.uid == UID  # opaque: never recomputed
    # Its path is kept, so it is sent on whole.
    (out,) = list(sd.outgoing(arch._tables()))
    assert out["_revisions"] == {"start": 3, "ids": ["c", "b", "a"]}


def test_couchdb_winner_rules(db: Path) -> None:
    # Two edits of 1-a: same depth, the greater rev id wins (CouchDB docs, "Replication and conflict model").
    Archive(db).merge_docs([doc("2-aaa", "1-a", title="Versión A"), doc("2-bbb", "1-a", title="Versión B")])
    arch = Archive(db)
    assert arch.get(1).bulletin.title == "Versión B"
    report = Archive(db).merge_docs([doc("3-fff", "2-aaa", "1-a", deleted=True)])
    # A deeper but deleted leaf does not win over a live one: still B, and A's branch closed.
    assert Archive(db).get(1).bulletin.title == "Versión B" and report.updated == []
    # A deeper live leaf wins.
    report = Archive(db).merge_docs([doc("3-111", "2-bbb", "1-a", title="Versión C")])
    assert report.updated == [UID] and Archive(db).get(1).bulletin.title == "Versión C"
    leaves = sd.leaf_revs(Archive(db)._tables())
    assert leaves == {UID: ["3-111", "3-fff"]}


def test_a_conflict_is_reported_and_both_texts_kept(db: Path) -> None:
    report = Archive(db).merge_docs([doc("2-aaa", "1-a", title="A"), doc("2-bbb", "1-a", title="B")])
    assert report.conflicts == [UID]
    tables = Archive(db)._tables()
    sent = {d["_rev"]: d["title"] for d in sd.outgoing(tables)}
    assert sent == {"2-bbb": "B", "2-aaa": "A"}  # the loser's body is kept and sent on


def test_same_docs_twice_change_nothing(db: Path) -> None:
    docs = [doc("2-aaa", "1-a", title="A"), doc("2-bbb", "1-a", title="B"), doc("1-e", uid=UID2)]
    Archive(db).merge_docs(docs)
    before = db.read_bytes()
    report = Archive(db).merge_docs(docs)
    assert not report.written and report.unchanged == 2 and not report.changed
    assert db.read_bytes() == before


def test_the_docs_an_archive_sends(run: Any, db: Path) -> None:
    run.ok("add", "--title", "Defensora detenida", "-d", "2024-03-01", "-c", "HN", "--private", "nota")
    run.ok("edit", "1", "--title", "Defensora liberada")
    tables = Archive(db)._tables()
    raw = tables["bulletins"]["1"]
    (out,) = list(sd.outgoing(tables))
    assert out["_id"] == raw["uid"] and out["_rev"] == raw["rev"]
    first = json.loads(db.read_bytes())["history"][raw["uid"]]["bodies"]
    (rev1,) = first
    assert out["_revisions"] == {"start": 2, "ids": [raw["rev"][2:], rev1[2:]]}
    assert out["type"] == "whrd.bulletin" and out["whrd"] == 1
    assert "private" not in out and "uid" not in out and "id" not in out and "_key" not in out
    assert out["title"] == "Defensora liberada" and out["countries"] == ["HN"]
    # The body sent is what the rev hashes (with the uid and the private note it left out).
    body = {k: v for k, v in out.items() if not k.startswith("_") and k not in ("type", "whrd")}
    assert digest(rev1, {**body, "uid": raw["uid"], "private": "nota"}) == raw["rev"]
    (with_private,) = list(sd.outgoing(tables, private=True))
    assert with_private["private"] == "nota"
    run.ok("delete", "1", "--yes")
    (tomb,) = list(sd.outgoing(Archive(db)._tables()))
    assert tomb["_deleted"] is True and tomb["_rev"].startswith("3-") and "title" not in tomb
    assert tomb["_revisions"]["ids"][1:] == [raw["rev"][2:], rev1[2:]]


def test_keep_narrows_what_is_sent_but_tombstones_of_sent_bulletins_go(run: Any, db: Path) -> None:
    run.ok("add", "--title", "En Honduras", "-d", "2024-03-01", "-c", "HN")
    run.ok("add", "--title", "En Guatemala", "-d", "2024-03-01", "-c", "GT")
    run.ok("add", "--title", "Otra en Guatemala", "-d", "2024-03-02", "-c", "GT")
    run.ok("delete", "1", "3", "--yes")
    keep = lambda body: "HN" in body.get("countries", ())  # noqa: E731
    sent = list(sd.outgoing(Archive(db)._tables(), keep=keep))
    uids = {Archive(db).uid_of(1)}
    assert {d["_id"] for d in sent} == uids and sent[0]["_deleted"] is True
    live = [d["title"] for d in sd.outgoing(Archive(db)._tables(), keep=keep) if not d.get("_deleted")]
    assert live == []
    all_live = [d["title"] for d in sd.outgoing(Archive(db)._tables()) if not d.get("_deleted")]
    assert all_live == ["En Guatemala"]


def test_revs_diff_answers_as_couchdb(db: Path) -> None:
    Archive(db).merge_docs([doc("2-aaa", "1-a"), doc("2-bbb", "1-a")])
    tables = Archive(db)._tables()
    answer = sd.revs_diff(tables, {UID: ["2-aaa", "3-ccc", "1-a"], UID2: ["1-f"], "other": []})
    assert answer == {
        UID: {"missing": ["3-ccc"], "possible_ancestors": ["2-bbb", "2-aaa"]},
        UID2: {"missing": ["1-f"]},
    }
    assert sd.revs_diff(tables, {UID: ["2-aaa"]}) == {}
    assert sd.revs_diff(tables, {UID: ["junk"]}) == {UID: {"missing": ["junk"]}}


def test_changed_since_names_what_changed(run: Any, db: Path) -> None:
    uids, _first = sd.changed_since(Archive(db)._tables(), None)
    assert uids is None
    run.ok("add", "--title", "Uno", "-d", "2024-03-01")
    run.ok("add", "--title", "Dos", "-d", "2024-03-02")
    uids, cp = sd.changed_since(Archive(db)._tables(), None)
    assert uids is None and cp.startswith("2:")
    assert sd.changed_since(Archive(db)._tables(), cp) == ([], cp)
    run.ok("edit", "1", "--title", "Uno bis")
    uids, cp2 = sd.changed_since(Archive(db)._tables(), cp)
    assert uids == [Archive(db).uid_of(1)] and cp2.startswith("3:")
    run.ok("add", "--title", "Tres", "-d", "2024-03-03")
    run.ok("delete", "2", "--yes")
    uids, _ = sd.changed_since(Archive(db)._tables(), cp2)
    assert sorted(uids or []) == sorted([Archive(db).uid_of(3), Archive(db).uid_of(2)])
    # A checkpoint this archive does not hold (another copy's, or older than the journal): all.
    assert sd.changed_since(Archive(db)._tables(), "2:1999-01-01T00:00:00Z")[0] is None
    assert sd.changed_since(Archive(db)._tables(), "junk")[0] is None
    # A merge that only adds a conflicting leaf is still a change to send on.
    uid = Archive(db).uid_of(3)
    raw = Archive(db)._tables()["bulletins"]["3"]
    _, cp3 = sd.changed_since(Archive(db)._tables(), None)
    assert raw["rev"].startswith("1-")
    Archive(db).merge_docs([doc("1-0", uid=uid, title="Tres, otra", date="2024-03-03")])
    assert Archive(db).get(3).bulletin.title == "Tres"  # "0" < a 32-hex md5: loses
    assert sd.changed_since(Archive(db)._tables(), cp3)[0] == [uid]


def test_undo_refuses_a_merge_whole(run: Any, db: Path) -> None:
    """Undoing a merge would make deletes and reverts that travel back to the archives the
    versions came from: undo stops there and says so (one line, nothing written)."""
    run.ok("add", "--title", "Local", "-d", "2024-03-01")
    run.ok("add", "--title", "Se borrará", "-d", "2024-03-02")
    tables = Archive(db)._tables()
    one, two = tables["bulletins"]["1"], tables["bulletins"]["2"]
    incoming = [
        doc("1-e", uid=UID2, title="Nueva"),
        doc(f"2-{'f' * 32}", one["rev"], uid=one["uid"], title="Local, editada allá", date="2024-03-01"),
        doc(f"2-{'e' * 32}", two["rev"], uid=two["uid"], deleted=True),
    ]
    report = Archive(db).merge_docs(incoming, command="merge")
    assert report.added == [UID2] and report.updated == [one["uid"]] and report.deleted == [two["uid"]]
    assert journal_len(db) == 3
    assert json.loads(db.read_bytes())["journal"]["3"]["command"] == "merge"
    assert run.json("list")[0]["title"] in ("Nueva", "Local, editada allá")
    before = db.read_bytes()
    refused = run("undo", "--yes")
    assert refused.exit_code == 1 and refused.stderr.startswith("Error: Operation #3 took in other archives")
    assert db.read_bytes() == before


def test_a_deleted_bulletin_edited_elsewhere_comes_back(run: Any, db: Path) -> None:
    run.ok("add", "--title", "Borrada aquí", "-d", "2024-03-01")
    raw = Archive(db)._tables()["bulletins"]["1"]
    run.ok("delete", "1", "--yes")
    # The other side edited it, twice: deeper than our tombstone (2-…), so it wins, as in CouchDB.
    edit2, edit3 = f"2-{'1' * 32}", f"3-{'2' * 32}"
    report = Archive(db).merge_docs(
        [doc(edit3, edit2, raw["rev"], uid=raw["uid"], title="Editada allá", date="2024-03-01")]
    )
    assert report.revived == [raw["uid"]] and report.ids == {raw["uid"]: 1}
    assert Archive(db).get(1).bulletin.title == "Editada allá"
    assert "ok: Revision chains" in run("doctor").stdout


def test_private_note_kept_when_the_other_side_sent_none(run: Any, db: Path) -> None:
    run.ok("add", "--title", "Con nota", "-d", "2024-03-01", "--private", "solo aquí")
    raw = Archive(db)._tables()["bulletins"]["1"]
    edited = doc(f"2-{'f' * 32}", raw["rev"], uid=raw["uid"], title="Editada", date="2024-03-01")
    Archive(db).merge_docs([edited])
    assert Archive(db).get(1).bulletin.private == "solo aquí"
    Archive(db).merge_docs(
        [doc(f"3-{'f' * 32}", f"2-{'f' * 32}", raw["rev"], uid=raw["uid"], title="E", private="otra")]
    )
    assert Archive(db).get(1).bulletin.private == "otra"


def test_bad_documents_are_skipped_with_a_reason_and_the_rest_lands(db: Path) -> None:
    incoming: list[Any] = [
        doc("1-a", title=""),  # no title: invalid as an import
        doc("1-b", uid=UID2),
        {"_id": "_design/app", "_rev": "1-e", "views": {}},
        {"_id": "c" * 32, "_rev": "1-e", "type": "other"},
        doc("1-c", uid="d" * 32, whrd=2),
        doc("2-c", uid="e" * 32) | {"_revisions": {"start": 2, "ids": ["zz", "a"]}},
        "not a document",
        doc("1-d", uid="f" * 32, countries=["Atlantis"]),
    ]
    report = Archive(db).merge_docs(incoming)
    assert report.added == [UID2]
    reasons = dict(report.skipped)
    assert len(report.skipped) == 7
    assert "title" in reasons[UID] and "newer whrd" in reasons["d" * 32]
    assert "_revisions" in reasons["e" * 32] and reasons["c" * 32] == "not a whrd bulletin"
    assert reasons["?"] == "not a whrd bulletin"


def test_likely_duplicates_are_reported_not_merged(run: Any, db: Path) -> None:
    run.ok("add", "--title", "Defensora detenida", "-d", "2024-03-01", "-l", "es")
    report = Archive(db).merge_docs([doc("1-abc", uid=UID2)])
    assert report.added == [UID2] and report.duplicates == {UID2: 1}
    assert len(Archive(db)) == 2


def test_a_dry_run_writes_nothing(db: Path) -> None:
    Archive(db).merge_docs([doc("1-a")])
    before = db.read_bytes()
    report = Archive(db).merge_docs([doc("2-b", "1-a", title="Nueva"), doc("1-e", uid=UID2)], dry_run=True)
    assert report.updated == [UID] and report.added == [UID2] and not report.written
    assert db.read_bytes() == before


def test_an_unknown_tombstone_is_kept_so_it_is_not_resurrected(db: Path) -> None:
    Archive(db).merge_docs([doc("2-b", "1-a", deleted=True) | {"type": "whrd.bulletin", "whrd": 1}])
    assert len(Archive(db)) == 0
    Archive(db).merge_docs([doc("1-a", title="Vieja")])
    assert len(Archive(db)) == 0  # its older version arrived late: still deleted
    assert sd.leaf_revs(Archive(db)._tables()) == {UID: ["2-b"]}


@pytest.mark.parametrize("limit", [2])
def test_stemming_keeps_the_newest_revisions(db: Path, limit: int) -> None:
    from whrd_cli.sync.merging import merge_into

    tables: dict[str, Any] = {"bulletins": {}, "meta": {"1": {"next_id": 1}}}
    merge_into(tables, [doc("4-d", "3-c", "2-b", "1-a")], limit=limit)
    (out,) = list(sd.outgoing(tables))
    assert out["_revisions"] == {"start": 4, "ids": ["d", "c"]}
