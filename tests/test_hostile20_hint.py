"""Hostile review (session 20): `show` of a bulletin in conflict reads `meta.conflicts` from the
file's end (new layout) or head (older files), through the CLI in English and Spanish, on files
whose tables after the bulletins are far past the bytes read at either end; and hand edits in
place that keep the trust mark (same size and mtime) after a read are checked in full.

Oracles: conflicts made from hand-written CouchDB documents (as test_replica_cli does), the file's
tables measured with orjson/json, sha256 of the file before and after a refused write.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import orjson
import pytest

from marks import sha_mark
from whrd_cli.errors import ArchiveError
from whrd_cli.model import Bulletin
from whrd_cli.storage import trust
from whrd_cli.store import Archive
from whrd_cli.sync import conflicts

UID = "0123456789abcdef0123456789abcdef"
WIN, LOSE, ROOT = f"2-{'b' * 32}", f"2-{'a' * 32}", f"1-{'1' * 32}"


def doc(rev: str, *ancestors: str, **fields: Any) -> dict[str, Any]:
    ids = [rev.split("-", 1)[1], *(a.split("-", 1)[1] for a in ancestors)]
    out = {"_id": UID, "_rev": rev, "_revisions": {"start": int(rev.split("-")[0]), "ids": ids}}
    out.update({"type": "whrd.bulletin", "whrd": 1, "date": "2024-03-01", "lang": "es"})
    return out | fields


def conflicted(db: Path, many: int) -> int:
    """An archive of `many` bulletins, then one in conflict; its id."""
    if many:
        Archive(db).add_many(
            [
                Bulletin.create(title=f"Defensora {n}", date="2024-01-02", summary="ñ" * 100)
                for n in range(many)
            ]
        )
    Archive(db).merge_docs(
        [
            doc(ROOT, title="Defensora detenida"),
            doc(LOSE, ROOT, title="Defensora liberada", summary="Salió el lunes."),
            doc(WIN, ROOT, title="Defensora liberada bajo fianza"),
        ]
    )
    if trust.read_mark(db) is None:
        pytest.skip("no user extended attributes here: show parses every unmarked file")
    return many + 1


def huge_journal(db: Path) -> None:
    """Older entries in the journal, as years of commands leave (~400 KB), the file rewritten as
    whrd writes it (tables in its order, compact) and marked."""
    tables = json.loads(db.read_bytes())
    journal = tables["journal"]
    old = {
        str(n): {
            "at": "2020-01-01T00:00:00Z",
            "command": "edit",
            "argv": ["edit", "1", "--summary", "ñ" * 200],
        }
        for n in range(1, 2001)
    }
    tables["journal"] = old | {str(2000 + int(k)): v for k, v in journal.items()}
    order = ["bulletins", *(k for k in tables if k not in ("bulletins", "meta")), "meta"]
    data = orjson.dumps({k: tables[k] for k in order})
    db.write_bytes(data)
    trust.set_mark_on(db, sha_mark(data))


def meta_first(db: Path) -> None:
    tables = json.loads(db.read_bytes())
    data = orjson.dumps({"meta": tables["meta"], **{k: v for k, v in tables.items() if k != "meta"}})
    db.write_bytes(data)
    trust.set_mark_on(db, sha_mark(data))


@pytest.mark.parametrize("layout", ["new", "meta-first"])
@pytest.mark.parametrize("many", [0, 2500])
def test_show_says_a_bulletin_is_in_conflict(
    run: Any, db: Path, monkeypatch: pytest.MonkeyPatch, layout: str, many: int
) -> None:
    bulletin = conflicted(db, many)
    if many:
        huge_journal(db)
    if layout == "meta-first":
        meta_first(db)
    tables = json.loads(db.read_bytes())
    if many:  # the tables between the bulletins and meta are past the 256 KB read at the end
        between = orjson.dumps({k: v for k, v in tables.items() if k not in ("bulletins", "meta")})
        assert len(between) > 256 * 1024 and os.path.getsize(db) > 2 * 256 * 1024
    run.ok("reindex")
    hinted: list[list[int]] = []
    real = conflicts.hint
    monkeypatch.setattr(conflicts, "hint", lambda path: hinted.append(real(path)) or hinted[-1])
    shown = run("show", str(bulletin))
    assert shown.exit_code == 0 and f"whrd resolve {bulletin}" in shown.stderr
    es = run("show", str(bulletin), env={"WHRD_LANG": "es"})
    assert es.exit_code == 0 and "está en conflicto" in es.stderr
    assert hinted == [[bulletin], [bulletin]]  # read from the file's end or head, not a parse
    if many:
        assert run("doctor").exit_code == 1  # (the open conflict, and nothing else)
        quiet = run("show", "1")
        assert quiet.exit_code == 0 and "conflict" not in quiet.stderr


DAMAGES = [
    (b'"date":"2024-03-02"', b'"date":"2024-13-02"'),  # not a real date
    (b'"title":"Defensora 1"', b'"title":"Defensora 1}'),  # not JSON
    (b'"2":{', b'"x":{'),  # not an id
]


@pytest.mark.parametrize(("old", "new"), DAMAGES)
@pytest.mark.parametrize("write", ["update", "delete", "add"])
def test_a_hand_edit_in_place_after_a_read_is_checked_in_full(
    db: Path, old: bytes, new: bytes, write: str
) -> None:
    Archive(db).add_many(
        [Bulletin.create(title=f"Defensora {n}", date=f"2024-03-0{1 + n}") for n in range(5)]
    )
    if trust.read_mark(db) is None:
        pytest.skip("no user extended attributes here")
    archive = Archive(db)
    archive.get(1)  # parsed, its bytes the ones the mark certifies
    good = db.read_bytes()
    assert old in good and len(old) == len(new)
    stat = os.stat(db)
    with open(db, "r+b") as fh:  # in place: same inode, same size; the mtime set back below
        fh.write(good.replace(old, new, 1))
    os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    assert trust.read_mark(db) == sha_mark(good)  # the mark (of the good bytes) kept
    damaged = db.read_bytes()
    with pytest.raises(ArchiveError):
        if write == "update":
            archive.update(4, {"title": "Nuevo título"})
        elif write == "delete":
            archive.delete([4])
        else:
            archive.add(Bulletin.create(title="Nueva", date="2024-05-05"))
    assert db.read_bytes() == damaged


@pytest.mark.parametrize(("old", "new"), DAMAGES[:2])
@pytest.mark.parametrize("es", [False, True])
def test_the_cli_refuses_a_hand_edit_that_keeps_the_mark(
    run: Any, db: Path, old: bytes, new: bytes, es: bool
) -> None:
    Archive(db).add_many(
        [Bulletin.create(title=f"Defensora {n}", date=f"2024-03-0{1 + n}") for n in range(5)]
    )
    if trust.read_mark(db) is None:
        pytest.skip("no user extended attributes here")
    run.ok("show", "4")
    good = db.read_bytes()
    stat = os.stat(db)
    with open(db, "r+b") as fh:
        fh.write(good.replace(old, new, 1))
    os.utime(db, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    damaged = db.read_bytes()
    env = {"WHRD_LANG": "es"} if es else None
    for args in (
        ("edit", "4", "--title", "Otro"),
        ("delete", "4", "--yes"),
        ("add", "--title", "N", "--date", "2024-05-05"),
    ):
        result = run(*args, env=env)
        assert result.exit_code == 3, (args, result.stdout, result.stderr)
        assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.stderr
        assert (" is not " in result.stderr) != es  # in the user's language
        assert db.read_bytes() == damaged


@pytest.mark.parametrize("es", [False, True])
def test_a_remote_named_meta_does_not_hide_the_conflict(run: Any, db: Path, es: bool) -> None:
    bulletin = conflicted(db, 0)
    run.ok("remote", "add", "hub", "https://couch.example.org/network")
    run.ok("remote", "add", "meta", "https://couch.example.org/meta")
    assert json.loads(db.read_bytes())["meta"]["1"]["conflicts"] == [bulletin]  # the record says so
    run.ok("reindex")
    shown = run("show", str(bulletin), env={"WHRD_LANG": "es"} if es else None)
    assert shown.exit_code == 0
    assert ("está en conflicto" if es else "is in conflict") in shown.stderr


def test_a_write_between_a_read_and_an_edit_is_kept(db: Path) -> None:
    """The parse an edit reuses as trusted is dropped when another writer replaced the file since."""
    Archive(db).add_many([Bulletin.create(title=f"Defensora {n}", date="2024-03-01") for n in range(3)])
    archive = Archive(db)
    archive.get(1)
    Archive(db).add(Bulletin.create(title="De otro proceso", date="2024-04-01"))
    archive.update(1, {"title": "Editada"})
    data = db.read_bytes()
    titles = {b["title"] for b in json.loads(data)["bulletins"].values()}
    assert {"Editada", "De otro proceso"} <= titles and len(titles) == 4
    if trust.read_mark(db) is not None:
        assert trust.read_mark(db) == sha_mark(data)
