"""Issue 15 end to end: uids and revisions, `history`, `restore`, `undo`, and the purges that leave
no trace of a text in any file whrd keeps.

Oracles: revs recomputed here (hashlib + json, as documented), uids derived with uuid5 as the
upgrade documents, the files beside the archive read as bytes (a purged text must not be in any),
and the archive file itself read with json.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run

SECRET_NAME = "Xochiquetzal Ixmucané"


def rev_of(parent: str | None, body: dict[str, Any], deleted: bool = False) -> str:
    payload = json.dumps([parent, deleted, body], sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    depth = 1 if parent is None else int(parent.split("-")[0]) + 1
    return f"{depth}-{hashlib.md5(payload.encode()).hexdigest()}"


def stored(db: Path) -> dict[str, Any]:
    return json.loads(db.read_text(encoding="utf-8"))


def add(run: Run, title: str, day: str = "2024-03-01", *extra: str) -> int:
    run.ok("add", "--title", title, "--date", day, "-l", "es", "-c", "HN", *extra)
    return max(int(k) for k in stored(run_db(run))["bulletins"])


def run_db(run: Run) -> Path:
    return Path(run.db) if hasattr(run, "db") else _DB[0]


_DB: list[Path] = []


@pytest.fixture(autouse=True)
def _remember(db: Path) -> None:
    _DB[:] = [db]


def test_every_bulletin_has_a_uid_and_a_documented_rev(run: Run, db: Path) -> None:
    doc_id = add(run, "Defensora detenida en Olancho")
    raw = stored(db)["bulletins"][str(doc_id)]
    assert len(raw["uid"]) == 32 and int(raw["uid"], 16) >= 0
    body = {k: v for k, v in raw.items() if k not in ("rev", "_key")}
    assert raw["rev"] == rev_of(None, body)
    shown = run.json("show", str(doc_id))
    assert (shown["uid"], shown["rev"]) == (raw["uid"], raw["rev"])
    assert run.json("list")[0]["uid"] == raw["uid"]
    run.ok("edit", str(doc_id), "--title", "Defensora liberada en Olancho")
    new = stored(db)["bulletins"][str(doc_id)]
    assert new["uid"] == raw["uid"]
    assert new["rev"] == rev_of(raw["rev"], {k: v for k, v in new.items() if k not in ("rev", "_key")})


@pytest.mark.parametrize("fmt", ["json", "jsonl", "csv"])
def test_exports_carry_the_uid_and_an_import_knows_it(run: Run, db: Path, tmp_path: Path, fmt: str) -> None:
    doc_id = add(run, "Alerta: amenazas contra radio comunitaria")
    uid = stored(db)["bulletins"][str(doc_id)]["uid"]
    out = tmp_path / f"all.{fmt}"
    run.ok("export", "--format", fmt, "--output", str(out))
    assert uid in out.read_text(encoding="utf-8")
    other = tmp_path / "other.json"
    run.ok("--db", str(other), "import", str(out))
    assert [b["uid"] for b in stored(other)["bulletins"].values()] == [uid]
    # The same bulletin retitled elsewhere: its uid says it is the same one
    run.ok("edit", str(doc_id), "--title", "Alerta: radio comunitaria amenazada de nuevo")
    run.ok("export", "--format", fmt, "--output", str(out), "--force")
    skipped = run.ok("--db", str(other), "import", str(out))
    assert len(stored(other)["bulletins"]) == 1, skipped.stderr
    run.ok("--db", str(other), "import", str(out), "--on-duplicate", "update")
    (only,) = stored(other)["bulletins"].values()
    assert only["title"] == "Alerta: radio comunitaria amenazada de nuevo" and only["uid"] == uid
    assert only["rev"].startswith("2-")


def test_history_lists_versions_newest_first_with_word_changes(run: Run, db: Path) -> None:
    doc_id = add(run, "Defensora detenida en Tegucigalpa")
    run.ok("edit", str(doc_id), "--title", "Defensora liberada en Tegucigalpa")
    run.ok("edit", str(doc_id), "--add-tag", "Liberada")
    out = run.ok("history", str(doc_id)).stdout
    lines = out.splitlines()
    assert lines[0] == f"#{doc_id}  Defensora liberada en Tegucigalpa"
    assert lines[1].startswith("3-") and "current" in lines[1]
    assert "tags: +Liberada" in out
    assert "title: Defensora [-detenida-]{+liberada+} en Tegucigalpa" in out
    assert lines[-1].strip() == "first version"
    data = run.json("history", str(doc_id))
    assert [v["rev"][0] for v in data["versions"]] == ["3", "2", "1"]
    assert data["versions"][1]["changes"][0]["words"] == [
        ["=", "Defensora "],
        ["-", "detenida"],
        ["+", "liberada"],
        ["=", " en Tegucigalpa"],
    ]
    assert "private" not in json.dumps(data)


def test_history_in_spanish(run: Run, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    doc_id = add(run, "Defensora detenida")
    run.ok("edit", str(doc_id), "--summary", "Fue detenida ayer.")
    monkeypatch.setenv("WHRD_LANG", "es")
    out = run.ok("history", str(doc_id)).stdout
    assert "actual" in out and "primera versión" in out and "resumen:" in out


def test_restore_makes_a_new_revision_and_brings_back_a_deleted_bulletin(run: Run, db: Path) -> None:
    doc_id = add(run, "Primera redacción")
    first = stored(db)["bulletins"][str(doc_id)]["rev"]
    run.ok("edit", str(doc_id), "--title", "Segunda redacción")
    run.ok("restore", str(doc_id), first[:6], "--yes")
    raw = stored(db)["bulletins"][str(doc_id)]
    assert raw["title"] == "Primera redacción" and raw["rev"].startswith("3-")
    run.ok("delete", str(doc_id), "--yes")
    assert str(doc_id) not in stored(db)["bulletins"]
    run.ok("restore", str(doc_id), first, "--yes")
    assert stored(db)["bulletins"][str(doc_id)]["title"] == "Primera redacción"
    assert run("restore", str(doc_id), "9-nope", "--yes").exit_code == 1
    assert run("restore", "999", first, "--yes").exit_code == 1


def test_undo_walks_back_one_operation_at_a_time(run: Run, db: Path, tmp_path: Path) -> None:
    keep = add(run, "Boletín que se queda", "2024-01-01")
    listing = tmp_path / "in.jsonl"
    listing.write_text(
        "\n".join(
            json.dumps({"title": f"Importado {n}", "date": f"2024-02-0{n}", "lang": "es"}) for n in (1, 2, 3)
        ),
        encoding="utf-8",
    )
    run.ok("import", str(listing))
    run.ok("edit", str(keep), "--title", "Boletín editado")
    run.ok("delete", str(keep), "--yes")
    before = set(stored(db)["bulletins"])
    assert str(keep) not in before

    run.ok("undo", "--yes")  # the delete: back under its id
    assert stored(db)["bulletins"][str(keep)]["title"] == "Boletín editado"
    run.ok("undo", "--yes")  # the edit
    assert stored(db)["bulletins"][str(keep)]["title"] == "Boletín que se queda"
    run.ok("undo", "--yes")  # the whole import
    assert set(stored(db)["bulletins"]) == {str(keep)}
    run.ok("undo", "--yes")  # the add
    assert stored(db)["bulletins"] == {}
    result = run("undo", "--yes")
    assert result.exit_code == 1 and "Nothing to undo" in result.stderr
    listed = run.ok("undo", "--list").stdout.splitlines()
    assert len(listed) == 8 and "(undone by #8)" in listed[-1] and "(undid #1)" in listed[0]


def test_an_operation_whose_old_versions_were_purged_cannot_be_undone(run: Run, db: Path) -> None:
    doc_id = add(run, "Uno")
    other = add(run, "Dos")
    run.ok("edit", str(doc_id), "--title", "Uno, corregido")
    run.ok("purge", "--history", "--before", "2099-01-01", "--yes")  # the version before is gone
    result = run("undo", "--yes")
    assert result.exit_code == 1 and "cannot be undone" in result.stderr and str(doc_id) in result.stderr
    assert stored(db)["bulletins"][str(doc_id)]["title"] == "Uno, corregido"
    assert set(stored(db)["bulletins"]) == {str(doc_id), str(other)}


def test_undo_asks_on_a_terminal_and_refuses_off_one(run: Run, db: Path) -> None:
    add(run, "Uno")
    result = run("undo")
    assert result.exit_code == 1 and "--yes" in result.stderr
    assert len(stored(db)["bulletins"]) == 1


def test_undo_preview_on_a_terminal(run: Run, db: Path, stdin_terminal: None) -> None:
    doc_id = add(run, "Uno")
    result = run("undo", input="n\n")
    assert result.exit_code == 1 and f"#{doc_id} removed" in result.stderr
    assert len(stored(db)["bulletins"]) == 1
    run.ok("undo", input="y\n")
    assert stored(db)["bulletins"] == {}


def _files_holding(folder: Path, text: str) -> list[str]:
    needle = text.encode()
    return sorted(p.name for p in folder.iterdir() if p.is_file() and needle in p.read_bytes())


def test_delete_purge_leaves_the_text_in_no_file(run: Run, db: Path) -> None:
    doc_id = add(run, f"Alerta: {SECRET_NAME} amenazada", "2024-03-01", "--private", "casa de seguridad")
    other = add(run, "Otro boletín", "2024-03-02")
    run.ok("edit", str(doc_id), "--summary", f"{SECRET_NAME} recibió amenazas en su casa.")
    run.ok("edit", str(other), "--summary", "Sin relación.")  # backups now hold the text
    assert run.json("search", "Ixmucané")  # the index holds it too
    holding = _files_holding(db.parent, "Ixmucan")
    assert db.name in holding and f"{db.name}.bak" in holding
    result = run.ok("delete", str(doc_id), "--purge", "--yes")
    assert "Backups rewritten" in result.stderr
    assert _files_holding(db.parent, "Ixmucan") == []
    assert _files_holding(db.parent, "casa de seguridad") == []
    history = run.json("history", str(doc_id))
    assert [v["deleted"] for v in history["versions"]] == [True, False, False]
    assert all(v["bulletin"] is None for v in history["versions"])
    assert run.json("search", "Ixmucané") == []
    # The purge cannot be undone, nor the operations that touched only the purged bulletin: undo
    # passes over them to the one before (the edit of the other bulletin).
    assert "#" in run.ok("undo", "--yes").stderr
    assert [item["id"] for item in run.json("list")] == [other]
    assert run.json("show", str(other))["summary"] == ""
    assert _files_holding(db.parent, "Ixmucan") == []


def test_purge_history_before_a_date_drops_old_versions_only(run: Run, db: Path) -> None:
    doc_id = add(run, f"Nombre antiguo {SECRET_NAME}")
    run.ok("edit", str(doc_id), "--title", "Nombre actual")
    assert SECRET_NAME in db.read_text(encoding="utf-8")
    run.ok("purge", "--history", "--before", "2099-01-01", "--yes")
    assert _files_holding(db.parent, "Ixmucan") == []
    assert run.json("show", str(doc_id))["title"] == "Nombre actual"
    assert run("purge", "--yes").exit_code == 1  # says what to purge


def test_an_archive_from_before_uids_is_upgraded_on_its_next_write(run: Run, db: Path) -> None:
    archive_uid = "0123456789abcdef0123456789abcdef"
    body = {"title": "Antiguo", "date": "2020-01-01", "lang": "es", "countries": [], "tags": [], "_key": "k"}
    db.write_text(
        json.dumps(
            {
                "meta": {"1": {"app": "whrd", "schema": 1, "next_id": 2, "uid": archive_uid}},
                "bulletins": {"1": body},
            }
        ),
        encoding="utf-8",
    )
    uid = uuid.uuid5(uuid.UUID(archive_uid), "1").hex
    expected_rev = rev_of(None, {**{k: v for k, v in body.items() if k != "_key"}, "uid": uid})
    before = run.json("history", "1")  # read before any write: the rev it will get
    assert before["versions"][0]["rev"] == expected_rev
    run.ok("add", "--title", "Nuevo", "--date", "2024-01-01", "-l", "es")
    data = stored(db)
    assert data["meta"]["1"]["schema"] == 2
    assert (data["bulletins"]["1"]["uid"], data["bulletins"]["1"]["rev"]) == (uid, expected_rev)


def test_uid_and_rev_survive_an_export_and_import(run: Run, db: Path, tmp_path: Path) -> None:
    doc_id = add(run, "Alerta: defensora amenazada")
    run.ok("edit", str(doc_id), "--summary", "Primera corrección.")
    run.ok("edit", str(doc_id), "--summary", "Segunda corrección.")
    raw = stored(db)["bulletins"][str(doc_id)]
    assert raw["rev"].startswith("3-")
    out = tmp_path / "x.json"
    run.ok("export", "--format", "json", "--output", str(out))
    other = tmp_path / "other.json"
    run.ok("--db", str(other), "import", str(out))
    (copy,) = stored(other)["bulletins"].values()
    assert (copy["uid"], copy["rev"]) == (raw["uid"], raw["rev"])
    run.ok("--db", str(other), "edit", "1", "--title", "Alerta: defensora a salvo")
    edited = stored(other)["bulletins"]["1"]
    assert edited["rev"].startswith("4-") and edited["uid"] == raw["uid"]
    assert json.loads(run.ok("--db", str(other), "doctor", "--json").stdout)["exit_code"] == 0
    # A first rev that no longer hashes its content (the file edited by hand) is made anew
    data = json.loads(out.read_text(encoding="utf-8"))
    data[0].update(rev="1-" + "0" * 32, uid=None)
    out.write_text(json.dumps(data), encoding="utf-8")
    third = tmp_path / "third.json"
    run.ok("--db", str(third), "import", str(out))
    (fresh,) = stored(third)["bulletins"].values()
    body = {k: v for k, v in fresh.items() if k not in ("rev", "_key")}
    assert fresh["rev"] == rev_of(None, body)


def test_a_deleted_uid_imported_again_is_a_new_bulletin(run: Run, db: Path, tmp_path: Path) -> None:
    doc_id = add(run, "Boletín que se borra")
    out = tmp_path / "x.jsonl"
    run.ok("export", "--format", "jsonl", "--output", str(out))
    uid = stored(db)["bulletins"][str(doc_id)]["uid"]
    run.ok("delete", str(doc_id), "--yes")
    run.ok("import", str(out))
    (back,) = stored(db)["bulletins"].values()
    assert back["uid"] != uid and back["rev"].startswith("1-")
    kinds = [f["kind"] for c in json.loads(run("doctor", "--json").stdout)["checks"] for f in c["findings"]]
    assert "broken-chain" not in kinds and "lost-bulletin" not in kinds


def test_undo_of_an_import_of_10k_is_one_write(
    run: Run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    corpus = tmp_path / "big.jsonl"
    corpus.write_text(
        "\n".join(
            json.dumps(
                {
                    "title": f"Boletín número {n}",
                    "date": f"20{10 + n % 15}-0{1 + n % 9}-1{n % 10}",
                    "lang": "es",
                }
            )
            for n in range(10_000)
        ),
        encoding="utf-8",
    )
    run.ok("import", str(corpus))
    assert len(stored(db)["bulletins"]) == 10_000
    replaced: list[str] = []
    real = os.replace

    def counting(src: object, dst: object, *args: object, **kwargs: object) -> None:
        replaced.append(str(dst))
        real(src, dst, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "replace", counting)
    run.ok("undo", "--yes")
    assert replaced.count(str(db)) == 1  # the whole import undone in one write of the archive
    assert stored(db)["bulletins"] == {}
    assert len(stored(db)["history"]) == 10_000  # each one deleted, its version kept


def test_a_purge_scrubs_the_command_lines_typed_in_real_processes(tmp_path: Path) -> None:
    """As a person types them: the journal keeps each command line (a title included) until a
    purge of that bulletin scrubs it, in the archive and in every backup."""
    import os
    import subprocess
    import sys

    src = Path(__file__).resolve().parents[1] / "src"
    db = tmp_path / "real.json"
    env = {**os.environ, "PYTHONPATH": str(src), "WHRD_DB": str(db)}

    def whrd(*args: str) -> None:
        done = subprocess.run(
            [sys.executable, "-m", "whrd_cli", *args], env=env, capture_output=True, text=True
        )
        assert done.returncode == 0, done.stderr

    whrd("add", "--title", f"Alerta: {SECRET_NAME} amenazada", "--date", "2024-03-01", "-l", "es")
    whrd("add", "--title", "Otro boletín", "--date", "2024-03-02", "-l", "es")
    whrd("edit", "2", "--summary", "Algo.")
    whrd("edit", "2", "--summary", "Algo más.")
    assert "Ixmucan" in db.read_text(encoding="utf-8")  # in the bulletin and in the journal's argv
    whrd("delete", "1", "--purge", "--yes")
    assert _files_holding(tmp_path, "Ixmucan") == []


def test_restoring_the_text_a_bulletin_already_says_is_refused(run: Run, db: Path) -> None:
    doc_id = add(run, "Primera redacción")
    first = stored(db)["bulletins"][str(doc_id)]["rev"]
    run.ok("edit", str(doc_id), "--title", "Segunda redacción")
    run.ok("undo", "--yes")  # the first text is back, as revision 3
    before = db.read_bytes()
    result = run("restore", str(doc_id), first, "--yes")
    assert result.exit_code == 1 and "already the current one" in result.stderr
    assert db.read_bytes() == before


def test_undo_of_a_restore_of_a_deleted_bulletin_then_of_its_delete(run: Run, db: Path) -> None:
    doc_id = add(run, "Boletín borrado y restaurado")
    first = stored(db)["bulletins"][str(doc_id)]["rev"]
    run.ok("delete", str(doc_id), "--yes")
    run.ok("restore", str(doc_id), first, "--yes")
    run.ok("undo", "--yes")  # the restore: deleted again
    assert str(doc_id) not in stored(db)["bulletins"]
    run.ok("undo", "--yes")  # the delete: back again
    assert stored(db)["bulletins"][str(doc_id)]["title"] == "Boletín borrado y restaurado"


def test_every_rev_of_an_upgraded_archive_survives_export_and_import(run: Run, tmp_path: Path) -> None:
    import shutil

    sample = tmp_path / "sample.json"
    shutil.copy(Path(__file__).resolve().parents[1] / "data" / "sample.json", sample)
    out = tmp_path / "out.jsonl"
    run.ok("--db", str(sample), "export", "--format", "jsonl", "--output", str(out))
    other = tmp_path / "other.json"
    run.ok("--db", str(other), "import", str(out))
    before = {b["uid"]: b["rev"] for b in stored(sample)["bulletins"].values()}
    after = {b["uid"]: b["rev"] for b in stored(other)["bulletins"].values()}
    assert after == before


def test_restore_takes_a_rev_or_its_hash_by_their_start(run: Run, db: Path) -> None:
    doc_id = add(run, "Primera")
    first = stored(db)["bulletins"][str(doc_id)]["rev"]
    for n in range(10):
        run.ok("edit", str(doc_id), "--summary", f"Versión {n}")
    result = run("restore", str(doc_id), "1", "--yes")  # 1-… and 10-, 11-: several
    assert result.exit_code == 1 and "several versions" in result.stderr
    run.ok("restore", str(doc_id), first.split("-")[1][:6], "--yes")  # the hash alone
    assert stored(db)["bulletins"][str(doc_id)]["title"] == "Primera"
    assert stored(db)["bulletins"][str(doc_id)]["summary"] == ""


def test_small_review_findings(run: Run, db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A deletion shows its time (from the journal), an empty rev is named as such, undo --list
    quotes command lines as a shell would take them back, and a second purge says it is done."""
    title = "Una defensora 'amenazada' en Choluteca"
    monkeypatch.setattr("sys.argv", ["whrd", "add", "--title", title, "--date", "2024-03-01"])
    doc_id = add(run, title)
    monkeypatch.setattr("sys.argv", ["whrd", "delete", str(doc_id)])
    run.ok("delete", str(doc_id), "--yes")
    at = stored(db)["journal"][max(stored(db)["journal"], key=int)]["at"]
    tomb = run.json("history", str(doc_id))["versions"][0]
    assert tomb["deleted"] and tomb["at"] == at
    result = run("restore", str(doc_id), " ")
    assert result.exit_code == 1 and result.stderr == "Error: Name a version: 'whrd history ID' lists them.\n"
    listed = run.ok("undo", "--list").stdout
    assert "--title 'Una defensora '\"'\"'amenazada'\"'\"' en Choluteca'" in listed
    run.ok("delete", str(doc_id), "--purge", "--yes")
    before = db.read_bytes()
    again = run.ok("delete", str(doc_id), "--purge", "--yes")
    assert again.stderr == f"Bulletin {doc_id} is already purged; nothing to do.\n"
    assert db.read_bytes() == before
