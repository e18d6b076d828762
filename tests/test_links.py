"""Linked bulletins (issue 17): the stored field, `link`/`unlink` end to end, refusals, undo, and
delete removing links. The oracle is the archive file itself, read as JSON here."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from conftest import Run


def stored(db: Path) -> dict[str, Any]:
    return json.loads(db.read_text(encoding="utf-8"))


def links(db: Path, doc_id: int) -> dict[str, Any] | None:
    return stored(db)["bulletins"][str(doc_id)].get("links")


def uid(db: Path, doc_id: int) -> str:
    return str(stored(db)["bulletins"][str(doc_id)]["uid"])


@pytest.fixture
def trio(add: Callable[..., int]) -> tuple[int, int, int]:
    """An alert in English and Spanish, and an English update."""
    en = add("Defender detained in Tegucigalpa", "2024-03-01", "-l", "en", "-c", "HN", "-k", "alert")
    es = add("Defensora detenida en Tegucigalpa", "2024-03-02", "-l", "es", "-c", "HN", "-k", "alert")
    up = add("Defender released in Tegucigalpa", "2024-03-10", "-l", "en", "-c", "HN", "-k", "news")
    return en, es, up


def test_an_unlinked_bulletin_has_no_links_field(run: Run, db: Path, add: Callable[..., int]) -> None:
    doc_id = add("Plain", "2024-01-01")
    assert "links" not in stored(db)["bulletins"][str(doc_id)]
    assert "links" not in run.json("show", str(doc_id))


def test_translation_links_both_ways_by_uid(run: Run, db: Path, trio: tuple[int, int, int]) -> None:
    en, es, _up = trio
    result = run.ok("link", str(en), str(es), "--translation")
    assert "Linked: bulletins" in result.stderr
    assert links(db, en) == {"translations": [uid(db, es)]}
    assert links(db, es) == {"translations": [uid(db, en)]}
    assert run.json("show", str(en))["links"] == {"translations": [uid(db, es)]}


def test_a_group_of_three_languages_lists_every_other(run: Run, db: Path, add: Callable[..., int]) -> None:
    a = add("Alert one", "2024-01-01", "-l", "en")
    b = add("Alerta uno", "2024-01-01", "-l", "es")
    c = add("Alerte un", "2024-01-01", "-l", "fr")
    run.ok("link", str(a), str(b), "--translation")
    run.ok("link", str(c), str(a), "--translation")
    for me in (a, b, c):
        assert links(db, me) == {"translations": sorted(uid(db, o) for o in (a, b, c) if o != me)}


def test_a_follow_up_records_kind_and_closes(run: Run, db: Path, trio: tuple[int, int, int]) -> None:
    en, _es, up = trio
    run.ok("link", str(up), "--follows", str(en), "--kind", "release", "--closes")
    assert links(db, up) == {"follows": uid(db, en), "followup": "release", "closes": True}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["1", "1", "--translation"], "A bulletin cannot be a translation of itself"),
        (["1", "3", "--translation"], "Bulletins 1 and 3 are both in en"),
        (["1", "99", "--translation"], "No bulletin with id 99"),
        (["3", "--follows", "3"], "Bulletin 3 cannot follow itself"),
        (["1", "--follows", "3"], "Bulletin 3 is not an alert (its category is news)"),
        (["3", "--follows", "1", "--kind", "rumour"], "Unknown kind of follow-up 'rumour'"),
        (["1"], "Say what the link is"),
        (["1", "2", "--translation", "--follows", "3"], "Say what the link is"),
        ([], "Give the id of a bulletin to link"),
    ],
)
def test_refusals_are_one_line_and_touch_nothing(
    run: Run, db: Path, trio: tuple[int, int, int], args: list[str], message: str
) -> None:
    before = db.read_bytes()
    result = run("link", *args)
    assert result.exit_code == 1
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert "Traceback" not in result.stderr
    assert db.read_bytes() == before


def test_a_cycle_of_follows_is_refused(run: Run, db: Path, add: Callable[..., int]) -> None:
    alert = add("Alert", "2024-01-01", "-k", "alert")
    one = add("Update one", "2024-01-02", "-k", "alert")
    run.ok("link", str(one), "--follows", str(alert))
    result = run("link", str(alert), "--follows", str(one))
    assert result.exit_code == 1
    assert f"Bulletin {one} already follows {alert}: linking them would make a circle." in result.stderr


def test_link_is_one_operation_that_undo_undoes(run: Run, db: Path, trio: tuple[int, int, int]) -> None:
    en, es, _up = trio
    before = {key: raw["rev"] for key, raw in stored(db)["bulletins"].items()}
    run.ok("link", str(en), str(es), "--translation")
    journal = stored(db)["journal"]
    last = journal[max(journal, key=int)]
    assert last["command"] == "link" and len(last["changes"]) == 2
    run.ok("undo", "--yes")
    assert links(db, en) is None and links(db, es) is None
    # Undo makes new revisions whose bodies are the old ones: the text is what it was.
    assert all(raw.get("links") is None for raw in stored(db)["bulletins"].values())
    assert set(before) == set(stored(db)["bulletins"])


def test_unlink_a_pair_and_every_link(
    run: Run, db: Path, trio: tuple[int, int, int], add: Callable[..., int]
) -> None:
    en, es, up = trio
    fr = add("Défenseure détenue", "2024-03-01", "-l", "fr", "-k", "alert")
    run.ok("link", str(en), str(es), str(fr), "--translation")
    run.ok("link", str(up), "--follows", str(en))
    run.ok("unlink", str(es), str(en))
    assert links(db, es) is None
    assert links(db, en) == {"translations": [uid(db, fr)]}
    assert links(db, fr) == {"translations": [uid(db, en)]}
    run.ok("unlink", str(up), str(en))
    assert links(db, up) is None
    result = run("unlink", str(up), str(en))
    assert result.exit_code == 1 and f"Bulletins {up} and {en} are not linked." in result.stderr
    run.ok("unlink", str(en))
    assert links(db, en) is None and links(db, fr) is None
    result = run("unlink", str(en))
    assert result.exit_code == 1 and f"Bulletin {en} has no links to remove." in result.stderr


def test_delete_removes_links_and_undo_brings_them_back(
    run: Run, db: Path, trio: tuple[int, int, int]
) -> None:
    en, es, up = trio
    run.ok("link", str(en), str(es), "--translation")
    run.ok("link", str(up), "--follows", str(en), "--closes")
    en_uid = uid(db, en)
    run.ok("delete", str(en), "--yes")
    assert links(db, es) is None and links(db, up) is None
    assert all(en_uid not in json.dumps(raw) for raw in stored(db)["bulletins"].values())
    run.ok("undo", "--yes")
    assert links(db, en) == {"translations": [uid(db, es)]}
    assert links(db, es) == {"translations": [en_uid]}
    assert links(db, up) == {"follows": en_uid, "followup": "update", "closes": True}


def test_delete_purge_removes_links_too(run: Run, db: Path, trio: tuple[int, int, int]) -> None:
    en, es, _up = trio
    run.ok("link", str(en), str(es), "--translation")
    run.ok("delete", str(es), "--purge", "--yes")
    assert links(db, en) is None


def test_links_survive_edit_and_show_in_history(run: Run, db: Path, trio: tuple[int, int, int]) -> None:
    en, es, _up = trio
    run.ok("link", str(en), str(es), "--translation")
    run.ok("edit", str(en), "--title", "Defender detained in Tegucigalpa, Honduras")
    assert links(db, en) == {"translations": [uid(db, es)]}


def test_a_hand_damaged_links_field_is_archive_damage(run: Run, db: Path, trio: tuple[int, int, int]) -> None:
    data = stored(db)
    data["bulletins"]["1"]["links"] = {"translations": 5}
    db.write_text(json.dumps(data), encoding="utf-8")
    result = run("edit", "1", "--title", "x")
    assert result.exit_code == 3
    assert "has links that are not as whrd writes them" in result.stderr


def test_spanish_messages(
    run: Run, db: Path, trio: tuple[int, int, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHRD_LANG", "es")
    result = run("link", "1", "3", "--translation")
    assert result.exit_code == 1
    assert "Los boletines 1 y 3 están ambos en en" in result.stderr
    assert "Vinculado" in run.ok("link", "1", "2", "--translation").stderr


def test_doctor_reports_links_to_bulletins_not_in_the_archive(
    run: Run, db: Path, trio: tuple[int, int, int], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    en, es, up = trio
    run.ok("link", str(en), str(es), "--translation")
    run.ok("link", str(up), "--follows", str(en))
    assert run("doctor").exit_code == 0
    # A partial import: the English alert's JSON without the Spanish version nor the update.
    out = tmp_path / "part.jsonl"
    run.ok("export", "-f", "jsonl", "-o", str(out))
    records = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines() if line.strip()]
    lines = [json.dumps(r) for r in records if r["lang"] != "es" and "released" not in r["title"]]
    assert len(lines) == 1
    out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    other = tmp_path / "other.json"
    monkeypatch.setenv("WHRD_DB", str(other))
    run.ok("import", str(out))
    kept = json.loads(other.read_text(encoding="utf-8"))["bulletins"]
    alert = next(raw for raw in kept.values() if raw["title"].startswith("Defender detained"))
    assert alert["links"] == {"translations": [uid(db, es)]}  # kept, not dropped
    result = run("doctor", "--json")
    assert result.exit_code == 1, result.stdout
    found = [
        f for c in json.loads(result.stdout)["checks"] for f in c["findings"] if f["kind"] == "missing-link"
    ]
    assert [(f["value"], f["severity"]) for f in found] == [(uid(db, es), "problem")]
    monkeypatch.setenv("WHRD_LANG", "es")
    spanish = run("doctor")
    assert "que no está en este archivo de boletines" in spanish.stdout + spanish.stderr


def test_doctor_warns_of_a_one_sided_translation(run: Run, db: Path, trio: tuple[int, int, int]) -> None:
    en, es, _up = trio
    run.ok("link", str(en), str(es), "--translation")
    data = stored(db)
    del data["bulletins"][str(es)]["links"]
    db.write_text(json.dumps(data), encoding="utf-8")
    result = run("doctor", "--json")
    kinds = [f["kind"] for c in json.loads(result.stdout)["checks"] for f in c["findings"]]
    assert "one-sided-link" in kinds
