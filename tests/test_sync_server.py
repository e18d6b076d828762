"""`whrd sync` against a real CouchDB-protocol server (PouchDB Server on 127.0.0.1): archives
agree after syncing through one database, conflicts get the same winner everywhere (the
server's own choice is the oracle), deletes travel as tombstones, a second sync moves nothing,
and the checkpoints are where the protocol puts them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from conftest import Run
from couch_server import CouchServer
from sync_helpers import Coordinator


@pytest.fixture
def db_url(couch_server: CouchServer) -> str:
    return couch_server.create()


def coordinator(run: Run, tmp_path: Path, name: str, url: str, *options: str) -> Coordinator:
    person = Coordinator(run, tmp_path / f"{name}.json")
    person.ok("remote", "add", "hub", url, *options)
    return person


def _db(url: str) -> str:
    return url.rsplit("/", 1)[1]


def _content(b: dict) -> dict:
    """What must agree across replicas: everything but the local short id."""
    return {k: v for k, v in b.items() if k != "id"}


def test_two_archives_agree_after_syncing_through_one_server(run: Run, tmp_path: Path, db_url: str) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("Defensora amenazada en Tegucigalpa", "2024-01-02", "-c", "HN", "--category", "alert")
    ana.add("Community radio raided", "2024-01-03", "-c", "GT")
    bea.add("Marcha en Ciudad de México", "2024-01-04", "-c", "MX")

    assert ana.ok("sync").stderr.strip() == "hub: 0 received, 2 sent."
    assert bea.ok("sync").stderr.strip() == "hub: 2 received, 1 sent."
    assert ana.ok("sync").stderr.strip() == "hub: 1 received, 0 sent."
    a, b = ana.by_uid(), bea.by_uid()
    assert len(a) == 3
    assert {u: _content(x) for u, x in a.items()} == {u: _content(x) for u, x in b.items()}

    # An edit on one side reaches the other, as a child revision (same uid, depth 2).
    uid = next(u for u, x in b.items() if x["title"].startswith("Community"))
    bea.ok("edit", str(b[uid]["id"]), "--add-tag", "radio")
    assert bea.ok("sync").stderr.strip() == "hub: 0 received, 1 sent."
    assert ana.ok("sync").stderr.strip() == "hub: 1 received, 0 sent."
    assert ana.by_uid()[uid]["tags"] == ["radio"]
    assert ana.by_uid()[uid]["rev"].startswith("2-")
    assert ana.by_uid()[uid]["rev"] == bea.by_uid()[uid]["rev"]


def test_a_sync_with_nothing_to_move_writes_nothing(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    for n in range(5):
        ana.add(f"Bulletin {n}", f"2024-02-0{n + 1}")
    ana.ok("sync")
    ana.ok("sync")  # reads back what it pushed: nothing to fetch
    seq = couch_server.request("GET", f"/{_db(db_url)}")["update_seq"]
    before = ana.path.read_bytes()
    assert ana.ok("sync").stderr.strip() == "hub: 0 received, 0 sent."
    assert couch_server.request("GET", f"/{_db(db_url)}")["update_seq"] == seq
    assert ana.path.read_bytes() == before  # not even a checkpoint or a time stamp to write


def test_three_archives_agree(run: Run, tmp_path: Path, db_url: str) -> None:
    people = [coordinator(run, tmp_path, name, db_url) for name in ("ana", "bea", "cris")]
    for n, person in enumerate(people):
        person.add(f"Bulletin of coordinator {n}", f"2024-05-0{n + 1}")
    for _round in range(2):
        for person in people:
            person.ok("sync")
    views = [{u: _content(x) for u, x in p.by_uid().items()} for p in people]
    assert len(views[0]) == 3
    assert views[0] == views[1] == views[2]


def test_concurrent_offline_edits_make_one_conflict_with_the_servers_winner(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("Shared alert", "2024-04-01", "-c", "HN")
    ana.ok("sync")
    bea.ok("sync")
    (uid,) = bea.by_uid()
    ana.ok("edit", "1", "--add-tag", "ana")  # both offline, each edits the same version
    bea.ok("edit", "1", "--add-tag", "bea")
    ana.ok("sync")
    assert bea.ok("sync").stderr.splitlines()[0] == "hub: 1 received, 1 sent, 1 conflict."
    ana.ok("sync")
    # The oracle: the server's own winner (PouchDB's winningRev) and its conflicts list.
    doc = couch_server.request("GET", f"/{_db(db_url)}/{uid}?conflicts=true")
    assert len(doc["_conflicts"]) == 1
    for person in (ana, bea):
        shown = person.by_uid()[uid]
        assert shown["rev"] == doc["_rev"]
        assert shown["tags"] == doc["tags"]
    assert ana.by_uid()[uid] == {**bea.by_uid()[uid], "id": ana.by_uid()[uid]["id"]}


def test_a_delete_travels_as_a_tombstone(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("To be deleted", "2024-04-02")
    ana.add("To be kept", "2024-04-03")
    ana.ok("sync")
    bea.ok("sync")
    gone = next(u for u, x in ana.by_uid().items() if x["title"] == "To be deleted")
    ana.ok("delete", "1", "--yes")
    assert ana.ok("sync").stderr.strip() == "hub: 0 received, 1 sent."
    assert bea.ok("sync").stderr.strip() == "hub: 1 received, 0 sent."
    assert [x["title"] for x in bea.bulletins()] == ["To be kept"]
    doc = couch_server.request("GET", f"/{_db(db_url)}/{gone}?revs=true&open_revs=all")
    (leaf,) = doc if isinstance(doc, list) else [doc]
    assert leaf["ok"]["_deleted"] is True
    assert leaf["ok"]["_revisions"]["start"] == 2


def _rep_id(archive_uid: str, url: str, direction: str) -> str:
    """The replication id as the checkpoint module's docstring documents it, computed here."""
    value = ["whrd-sync", 1, archive_uid, url, [], [], False, direction]
    return hashlib.md5(json.dumps(value, separators=(",", ":")).encode()).hexdigest()


def test_checkpoints_are_on_both_sides_under_the_documented_id(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    ana.add("One", "2024-04-04")
    ana.ok("sync")
    ana.add("Two", "2024-04-05")
    ana.ok("sync")
    meta = ana.tables()["meta"]["1"]
    for direction in ("pull", "push"):
        rep_id = _rep_id(meta["uid"], db_url, direction)
        server_side = couch_server.request("GET", f"/{_db(db_url)}/_local/{rep_id}")
        archive_side = meta["sync"][rep_id]
        assert server_side["session_id"] == archive_side["session_id"]
        assert server_side["source_last_seq"] == archive_side["source_last_seq"]
        assert archive_side["remote"] == "hub"
    push = meta["sync"][_rep_id(meta["uid"], db_url, "push")]
    newest = max(ana.tables()["journal"], key=int)
    assert push["source_last_seq"].startswith(f"{newest}:")
    assert meta["remotes"]["hub"]["last_sync"]


def test_dry_run_writes_nothing_on_either_side(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("Waiting", "2024-04-06")
    bea.add("Also waiting", "2024-04-07")
    ana.ok("sync")
    before = bea.path.read_bytes()
    seq = couch_server.request("GET", f"/{_db(db_url)}")["update_seq"]
    out = bea.ok("sync", "--dry-run")
    assert out.stderr.strip() == (
        "hub: would receive 1, would send 1. (Dry run: nothing was written on either side.)"
    )
    assert bea.path.read_bytes() == before
    assert couch_server.request("GET", f"/{_db(db_url)}")["update_seq"] == seq
    rep_id = _rep_id(bea.tables()["meta"]["1"]["uid"], db_url, "pull")
    answer = couch_server.request("GET", f"/{_db(db_url)}/_local/{rep_id}")
    assert answer == {"error": "not_found", "reason": "missing"}


def test_pull_only_and_push_only(run: Run, tmp_path: Path, db_url: str) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("From Ana", "2024-04-08")
    bea.add("From Bea", "2024-04-09")
    assert ana.ok("sync", "--pull-only").stderr.strip() == "hub: 0 received, 0 sent."
    assert ana.ok("sync", "--push-only").stderr.strip() == "hub: 0 received, 1 sent."
    assert bea.ok("sync", "--push-only").stderr.strip() == "hub: 0 received, 1 sent."
    assert bea.ok("sync", "--pull-only").stderr.strip() == "hub: 1 received, 0 sent."
    assert sorted(x["title"] for x in bea.bulletins()) == ["From Ana", "From Bea"]
    result = ana.run("sync", "--pull-only", "--push-only")
    assert result.exit_code == 1
    assert "exclude each other" in result.stderr


def test_json_summary(run: Run, tmp_path: Path, db_url: str) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("For the JSON", "2024-04-10")
    ana.ok("sync")
    data = json.loads(bea.ok("sync", "hub", "--json").stdout)
    (uid,) = bea.by_uid()
    assert data["remote"] == "hub"
    assert data["dry_run"] is False
    assert data["pull"]["received"] == 1
    assert data["pull"]["added"] == [uid]
    assert data["pull"]["ids"] == {uid: 1}
    assert data["push"]["sent"] == 0


def test_only_country_narrows_what_is_sent_not_what_is_received(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url, "--only-country", "Honduras")
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("Honduran bulletin", "2024-04-11", "-c", "HN")
    ana.add("Guatemalan bulletin", "2024-04-12", "-c", "GT")
    bea.add("Mexican bulletin", "2024-04-13", "-c", "MX")
    assert ana.ok("sync").stderr.strip() == "hub: 0 received, 1 sent."
    titles = sorted(d.get("title") for d in couch_server.all_docs(_db(db_url)))
    assert titles == ["Honduran bulletin"]
    bea.ok("sync")
    assert ana.ok("sync").stderr.strip() == "hub: 1 received, 0 sent."
    assert sorted(x["title"] for x in ana.bulletins()) == [
        "Guatemalan bulletin",
        "Honduran bulletin",
        "Mexican bulletin",
    ]


def test_private_notes_leave_only_for_a_private_remote(
    run: Run, tmp_path: Path, couch_server: CouchServer
) -> None:
    plain_url, private_url = couch_server.create(), couch_server.create()
    ana = coordinator(run, tmp_path, "ana", plain_url)
    ana.ok("remote", "add", "trusted", private_url, "--private")
    ana.add("With a note", "2024-04-14", "--private", "witness 4471 lives in the blue house")
    ana.ok("sync")
    (plain,) = couch_server.all_docs(_db(plain_url))
    (trusted,) = couch_server.all_docs(_db(private_url))
    assert "private" not in plain
    assert trusted["private"] == "witness 4471 lives in the blue house"
    assert plain["_rev"] == trusted["_rev"]  # the same revision, with or without its note
    # Received without a note, a version keeps the note this archive has (merge's rule).
    bea = coordinator(run, tmp_path, "bea", plain_url)
    bea.ok("sync")
    assert "private" not in bea.bulletins()[0] or bea.bulletins()[0]["private"] is None


def test_spanish_summary(run: Run, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    ana.add("Uno", "2024-04-15")
    ana.add("Dos", "2024-04-16")
    monkeypatch.setenv("WHRD_LANG", "es")
    assert ana.ok("sync").stderr.strip() == "hub: 0 recibidos, 2 enviados."


def test_a_server_without_bulk_get_is_read_with_open_revs(
    run: Run, tmp_path: Path, db_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    ana.add("Fetched one by one", "2024-04-17")
    ana.ok("edit", "1", "--add-tag", "edited")
    ana.ok("sync")
    from whrd_cli.sync.http import CouchClient

    monkeypatch.setattr(CouchClient, "bulk_get", lambda self, wanted: None)
    assert bea.ok("sync").stderr.strip() == "hub: 1 received, 0 sent."
    (got,) = bea.bulletins()
    assert got["tags"] == ["edited"]
    assert got["rev"] == ana.bulletins()[0]["rev"]


def test_a_conflict_resolved_on_one_side_is_resolved_everywhere(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    people = [coordinator(run, tmp_path, name, db_url) for name in ("ana", "bea", "cris")]
    ana, bea, cris = people
    ana.add("Contested alert", "2024-04-20", "-c", "HN")
    for person in people:
        person.ok("sync")
    (uid,) = ana.by_uid()
    ana.ok("edit", "1", "--add-tag", "ana")
    bea.ok("edit", "1", "--add-tag", "bea")
    for person in (ana, bea, cris, ana):
        person.ok("sync")
    assert [c["uid"] for c in cris.json("conflicts")] == [uid]
    loser = couch_server.request("GET", f"/{_db(db_url)}/{uid}?conflicts=true")["_conflicts"][0]
    kept_tags = couch_server.request("GET", f"/{_db(db_url)}/{uid}?rev={loser}")["tags"]
    # Cris keeps the version that lost (Ana's or Bea's): a new child of the winner, the other leaf
    # closed with a tombstone; after the syncs every replica and the server agree on it.
    cris.ok("resolve", "1", "--keep", loser)
    for person in (cris, ana, bea):
        person.ok("sync")
    doc = couch_server.request("GET", f"/{_db(db_url)}/{uid}?conflicts=true")
    assert "_conflicts" not in doc
    assert doc["_rev"].startswith("3-")
    assert doc["tags"] == kept_tags
    for person in people:
        assert person.json("conflicts") == []
        shown = person.by_uid()[uid]
        assert shown["rev"] == doc["_rev"]
        assert shown["tags"] == doc["tags"]


def test_a_checkpoint_written_meanwhile_by_another_sync_is_taken_over(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    """Two syncs of one archive at once: the server's `_local` document changed under this one
    (a 409 on its write) is read again and written over; progress is reported as it goes."""
    from whrd_cli.store import Archive
    from whrd_cli.sync.http import CouchClient, parse_url
    from whrd_cli.sync.remote import get_remote, read_tables
    from whrd_cli.sync.replicate import sync

    ana = coordinator(run, tmp_path, "ana", db_url)
    bea = coordinator(run, tmp_path, "bea", db_url)
    for n in range(4):
        ana.add(f"Batch item {n}", f"2024-05-1{n}")
    ana.ok("sync")
    bea.ok("sync", "--pull-only", "--batch-size", "2")  # bea's pull checkpoint exists now
    ana.add("One more", "2024-05-20")
    ana.ok("sync")
    archive = Archive(bea.path)
    remote = get_remote(read_tables(archive), "hub")
    rep_id = _rep_id(read_tables(archive)["meta"]["1"]["uid"], db_url, "pull")
    path = f"/{_db(db_url)}/_local/{rep_id}"
    progress: list[tuple[str, int, int | None]] = []

    def meanwhile(what: str, batch: int) -> None:
        if what == "fetched":
            current = couch_server.request("GET", path)
            assert couch_server.request("PUT", path, {**current, "other": True})["ok"] is True

    with CouchClient(parse_url(remote.url)[0]) as client:
        result = sync(
            archive,
            remote,
            client,
            push=False,
            batch_size=2,
            on_event=meanwhile,
            on_progress=lambda *step: progress.append(step),
        )
    assert result.pull is not None
    assert result.pull.received == 1
    assert progress == [("pull", 1, None)]
    written = couch_server.request("GET", path)
    assert written["source_last_seq"] == result.pull.last_seq
    assert "other" not in written
    assert len(bea.bulletins()) == 5


def test_a_pull_grows_its_batches_as_they_land(
    run: Run, tmp_path: Path, db_url: str, couch_server: CouchServer
) -> None:
    """Each batch rewrites the archive, so batches double (2, 4, 8, 8, …) after each write."""
    from whrd_cli.store import Archive
    from whrd_cli.sync.http import CouchClient, parse_url
    from whrd_cli.sync.remote import get_remote, read_tables
    from whrd_cli.sync.replicate import Replicator

    ana = coordinator(run, tmp_path, "ana", db_url)
    lines = [json.dumps({"title": f"Grown {n}", "date": "2023-03-01", "lang": "en"}) for n in range(40)]
    (tmp_path / "forty.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    ana.ok("import", str(tmp_path / "forty.jsonl"))
    ana.ok("sync")
    bea = coordinator(run, tmp_path, "bea", db_url)
    archive = Archive(bea.path)
    remote = get_remote(read_tables(archive), "hub")
    sizes: list[int] = []
    with CouchClient(parse_url(remote.url)[0]) as client:
        replicator = Replicator(archive, remote, client, batch_size=2, max_batch=8)

        def landed(what: str, _batch: int) -> None:
            if what == "merged":
                sizes.append(len(bea.bulletins()))

        replicator.on_event = landed
        result = replicator.pull()
    assert result.received == 40
    assert sizes == [2, 6, 14, 22, 30, 38, 40]
