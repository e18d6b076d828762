"""The history kept in the archive's tables (history.py), without the store: revisions made by
adds, edits, deletes and revivals; the versions `history` lists; what `undo` would do; purges.

Oracles: revs recomputed here with hashlib and json (the documented digest), bodies written out
by hand, and the journal's meaning (a second undo undoes the one before).
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from whrd_cli.history import (
    HISTORY,
    Recorder,
    give_identity,
    legacy_uid,
    next_to_undo,
    undo_steps,
    versions,
)
from whrd_cli.purge import purge_before, purge_bulletins


def digest(parent: str | None, body: dict[str, Any], deleted: bool = False) -> str:
    payload = json.dumps([parent, deleted, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    depth = 1 if parent is None else int(parent.split("-")[0]) + 1
    return f"{depth}-{hashlib.md5(payload.encode()).hexdigest()}"


def one(title: str, updated: str = "2024-01-01T00:00:00Z") -> dict[str, Any]:
    return {
        "title": title,
        "date": "2024-01-01",
        "_key": "k",
        "added": "2024-01-01T00:00:00Z",
        "updated": updated,
    }


def test_a_life_of_one_bulletin() -> None:
    tables: dict[str, Any] = {"bulletins": {}}
    rec = Recorder(tables)
    raw = rec.created(1, one("Defensora detenida"))
    tables["bulletins"]["1"] = raw
    assert raw["rev"] == digest(None, {k: v for k, v in raw.items() if k not in ("rev", "_key")})
    assert HISTORY not in tables  # one version: no history entry
    assert rec.journal("t1", "add", ["add", "--title", "Defensora detenida"]) == 1

    rec = Recorder(tables)
    new = rec.changed(1, raw, one("Defensora liberada", "2024-02-01T00:00:00Z"))
    tables["bulletins"]["1"] = new
    assert new["uid"] == raw["uid"] and new["rev"].startswith("2-")
    assert new["rev"] == digest(raw["rev"], {k: v for k, v in new.items() if k not in ("rev", "_key")})
    rec.journal("t2", "edit", ["edit", "1"])

    found = versions(tables, 1)
    assert [(v.rev, v.current, v.body["title"] if v.body else None) for v in found] == [
        (new["rev"], True, "Defensora liberada"),
        (raw["rev"], False, "Defensora detenida"),
    ]
    assert found[1].at == "2024-01-01T00:00:00Z"

    rec = Recorder(tables)
    tomb = rec.deleted(1, tables["bulletins"].pop("1"))
    rec.journal("t3", "delete", ["delete", "1"])
    assert tomb == digest(new["rev"], {"uid": raw["uid"]}, deleted=True)
    assert [v.deleted for v in versions(tables, 1)] == [True, False, False]

    # undo the delete: the bulletin comes back with its id, as an edit of the tombstone
    number, op = next_to_undo(tables) or (0, {})
    assert number == 3
    steps = undo_steps(tables, op)
    assert [(s.kind, s.id, (s.before or {}).get("title")) for s in steps] == [
        ("revive", 1, "Defensora liberada")
    ]
    rec = Recorder(tables)
    back = rec.revived(raw["uid"], 1, dict(steps[0].before or {}))
    tables["bulletins"]["1"] = back
    rec.journal("t4", "undo", ["undo"], undoes=3)
    assert back["rev"].startswith("4-") and versions(tables, 1)[0].current

    # a second undo undoes the edit before, not the undo: the bulletin is back to what that edit
    # wrote (by the revival), so the edit can be undone
    number, op = next_to_undo(tables) or (0, {})
    assert number == 2
    assert [(s.kind, (s.before or {}).get("title")) for s in undo_steps(tables, op)] == [
        ("revert", "Defensora detenida")
    ]


def test_an_undo_of_an_add_removes_and_a_change_since_is_left_alone() -> None:
    tables: dict[str, Any] = {"bulletins": {}}
    rec = Recorder(tables)
    for doc_id in (1, 2):
        tables["bulletins"][str(doc_id)] = rec.created(doc_id, one(f"B{doc_id}"))
    rec.journal("t", "import", ["import", "x.json"])
    rec2 = Recorder(tables)
    tables["bulletins"]["2"] = rec2.changed(2, tables["bulletins"]["2"], one("B2 edited"))
    rec2.journal("t", "edit", ["edit", "2"])
    _, op = next_to_undo(tables) or (0, {})
    assert [s.kind for s in undo_steps(tables, op)] == ["revert"]
    _, first = sorted(tables["journal"].items())[0]
    assert [s.kind for s in undo_steps(tables, first)] == ["remove", "skip"]


def test_purge_keeps_only_what_identifies() -> None:
    tables: dict[str, Any] = {"bulletins": {}}
    rec = Recorder(tables)
    raw = rec.created(7, one("Name of a defender at risk"))
    rec.deleted(7, raw)
    rec.journal("t", "delete", ["delete", "7", "--title", "Name of a defender at risk"])
    assert purge_bulletins(tables, [raw["uid"]]) == 1
    text = json.dumps(tables)
    assert "defender at risk" not in text
    assert raw["uid"] in text and all(v.body is None for v in versions(tables, 7))
    assert [v.deleted for v in versions(tables, 7)] == [True, False]


def test_purge_before_drops_old_versions_only() -> None:
    tables: dict[str, Any] = {"bulletins": {}}
    rec = Recorder(tables)
    raw = rec.created(1, one("v1", "2020-01-01T00:00:00Z"))
    mid = rec.changed(1, raw, one("v2", "2023-01-01T00:00:00Z"))
    cur = rec.changed(1, mid, one("v3", "2019-01-01T00:00:00Z"))  # the current one is never dropped
    tables["bulletins"]["1"] = cur
    assert purge_before(tables, "2022-01-01") == 1
    assert [(v.body or {}).get("title") for v in versions(tables, 1)] == ["v3", "v2", None]


def test_legacy_bulletins_get_stable_uids() -> None:
    archive_uid = "0123456789abcdef0123456789abcdef"
    make = lambda: {"1": {"title": "a", "date": "2020-01-01"}, "2": {"title": "b", "date": "2020-01-02"}}  # noqa: E731
    first, second = make(), make()
    assert give_identity(first, archive_uid) == 2 and give_identity(second, archive_uid) == 2
    assert first == second and first["1"]["uid"] == legacy_uid(archive_uid, 1) != first["2"]["uid"]
    assert give_identity(first, archive_uid) == 0


def test_new_uids_are_random_uuid4s() -> None:
    import uuid

    from whrd_cli.history import new_uid

    uids = {new_uid() for _ in range(1000)}
    assert len(uids) == 1000
    assert all(uuid.UUID(hex=u).version == 4 and uuid.UUID(hex=u).hex == u for u in uids)
