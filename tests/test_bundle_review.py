"""A hostile review of bundles, merge and resolve (issue 18): each test is a finding that failed
before its fix.

Oracles: the archive file's bytes before and after, `conflicts --json` and `list --json` read
back, exit codes and the exact line on stderr; bundles written by hand with json (not whrd's
writer); a real process with a timeout for the FIFO (an in-process run would hang the suite).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import Run

SRC = Path(__file__).resolve().parents[1] / "src"


def conflicted(run: Run, tmp_path: Path) -> tuple[Path, Path]:
    """Two archives holding bulletin 1 in conflict (each edited it offline, then they merged)."""
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run.ok("--db", str(a), "add", "--title", "Defensora detenida", "-d", "2024-03-01", "-c", "HN")
    first = tmp_path / "first.whrdb"
    run.ok("--db", str(a), "export", "-f", "bundle", "-o", str(first))
    run.ok("--db", str(b), "merge", str(first), "--yes")
    run.ok("--db", str(a), "edit", "1", "--title", "Defensora liberada A")
    run.ok("--db", str(b), "edit", "1", "--title", "Defensora liberada B")
    for src, dst in ((a, b), (b, a)):
        out = tmp_path / f"{src.stem}-{dst.stem}.whrdb"
        run.ok("--db", str(src), "export", "-f", "bundle", "-o", str(out))
        run.ok("--db", str(dst), "merge", str(out), "--yes")
    assert len(run.json("--db", str(a), "conflicts")) == 1
    assert len(run.json("--db", str(b), "conflicts")) == 1
    return a, b


def _winner(run: Run, db: Path) -> str:
    (found,) = run.json("--db", str(db), "conflicts")
    return next(v["rev"] for v in found["versions"] if v["winner"])


# -- a resolve that kept the version shown reached nobody through an interactive merge -------------


def test_a_resolve_that_kept_the_winner_is_merged_and_previewed(
    run: Run, tmp_path: Path, stdin_terminal: None
) -> None:
    a, b = conflicted(run, tmp_path)
    run.ok("--db", str(b), "resolve", "1", "--keep", _winner(run, b))
    closing = tmp_path / "closing.whrdb"
    run.ok("--db", str(b), "export", "-f", "bundle", "-o", str(closing))
    dry = run("--db", str(a), "merge", str(closing), "--dry-run")
    assert dry.exit_code == 0 and "Nothing to merge" not in dry.stderr, dry.stderr
    assert "1 conflict closed" in dry.stderr, dry.stderr
    preview = json.loads(run.ok("--db", str(a), "merge", str(closing), "--dry-run", "--json").stdout)
    assert len(preview["closed"]) == 1 and not preview["written"]
    result = run("--db", str(a), "merge", str(closing), input="y\n")  # asked, as any merge that changes
    assert result.exit_code == 0, result.stderr
    assert run.json("--db", str(a), "conflicts") == []
    assert [x["title"] for x in run.json("--db", str(a), "list")] == [
        x["title"] for x in run.json("--db", str(b), "list")
    ]


def test_a_closing_merge_in_a_script_says_so_and_spanish_too(run: Run, tmp_path: Path) -> None:
    a, b = conflicted(run, tmp_path)
    run.ok("--db", str(b), "resolve", "1", "--keep", _winner(run, b))
    closing = tmp_path / "closing.whrdb"
    run.ok("--db", str(b), "export", "-f", "bundle", "-o", str(closing))
    refused = run("--db", str(a), "merge", str(closing))  # a pipe, no --yes: never written unasked
    assert refused.exit_code == 1 and "--yes" in refused.stderr
    es = run("--db", str(a), "merge", str(closing), "--dry-run", env={"WHRD_LANG": "es"})
    assert "1 conflicto cerrado" in es.stderr, es.stderr
    done = run("--db", str(a), "merge", str(closing), "--yes")
    assert "Nothing to merge" not in done.stderr and "1 conflict closed" in done.stderr, done.stderr
    assert run.json("--db", str(a), "conflicts") == []


# -- a FIFO (or any file that is not regular) hung merge forever ----------------------------------


def test_a_fifo_is_refused_at_once(tmp_path: Path) -> None:
    fifo = tmp_path / "week.whrdb"
    os.mkfifo(fifo)
    env = {**os.environ, "PYTHONPATH": str(SRC), "WHRD_LANG": "es"}
    env.pop("XDG_RUNTIME_DIR", None)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "whrd_cli", "--db", str(tmp_path / "a.json"), "merge", str(fifo), "--yes"],
            capture_output=True,
            text=True,
            env=env,
            timeout=30,
            check=False,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("whrd merge hung on a FIFO")
    assert done.returncode == 1
    assert done.stderr.strip() == f"Error: {fifo} no es un archivo; no se fusionó nada."


# -- a file with documents the merge refuses: exit 0, "every version is here", or half landed ------


def _line(doc: dict[str, Any]) -> str:
    return json.dumps(doc) + "\n"


def _bundle(*docs: dict[str, Any]) -> bytes:
    return (
        _line({"whrd_bundle": 1, "created": "2026-01-01T00:00:00Z", "docs": len(docs)})
        + "".join(map(_line, docs))
    ).encode()


def _doc(uid: str, rev: str, **fields: Any) -> dict[str, Any]:
    body = {"title": "Defensora", "date": "2024-03-01", "countries": ["HN"], "lang": "es"}
    return {"_id": uid, "_rev": rev, **body, "type": "whrd.bulletin", "whrd": 1, **fields}


@pytest.mark.parametrize(
    ("name", "bad"),
    [
        ("bad-rev", _doc("b" * 32, "abc")),
        ("bad-title", _doc("b" * 32, "1-aa", title="x\x07y")),
        ("wrong-type", _doc("b" * 32, "1-aa", title=5)),
        ("contradicting-path", _doc("b" * 32, "2-aa", _revisions={"start": 2, "ids": ["bb", "cc"]})),
        ("not-whrd", {"_id": "b" * 32, "_rev": "1-aa", "type": "other"}),
    ],
)
def test_a_file_with_a_refused_document_merges_nothing(
    run: Run, tmp_path: Path, name: str, bad: dict[str, Any]
) -> None:
    db = tmp_path / "a.json"
    run.ok("--db", str(db), "add", "--title", "Mía", "-d", "2024-01-01")
    before = db.read_bytes()
    path = tmp_path / f"{name}.whrdb"
    path.write_bytes(_bundle(_doc("a" * 32, "1-ab", title="Buena"), bad))
    for lang, words in (("en", "cannot be merged"), ("es", "no se puede fusionar")):
        result = run("--db", str(db), "merge", str(path), "--yes", env={"WHRD_LANG": lang})
        err = result.stderr.strip()
        assert result.exit_code == 1, (name, err)
        assert err.startswith("Error: ") and "\n" not in err and words in err and "b" * 32 in err, err
        assert db.read_bytes() == before, name
    dry = run("--db", str(db), "merge", str(path), "--dry-run")
    assert dry.exit_code == 1 and "cannot be merged" in dry.stderr


def test_a_deleted_flag_that_is_not_true_or_false_is_refused(tmp_path: Path) -> None:
    from whrd_cli.store import Archive

    db = tmp_path / "a.json"
    report = Archive(db).merge_docs([_doc("a" * 32, "1-ab", _deleted="true")], dry_run=True)
    assert report.added == [] and [uid for uid, _reason in report.skipped] == ["a" * 32]


# -- resolve with a bad --keep printed the whole side by side before its error ---------------------


def test_resolve_with_a_bad_keep_is_one_line(run: Run, tmp_path: Path) -> None:
    a, _b = conflicted(run, tmp_path)
    before = a.read_bytes()
    for keep in ("zz", "2-", ""):
        result = run("--db", str(a), "resolve", "1", "--keep", keep)
        assert result.exit_code == 1 and result.stdout == "", (keep, result.stdout)
        assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: "), result.stderr
    assert a.read_bytes() == before


# -- resolve closed versions nobody saw: a merge between the choice and the write ------------------


def test_resolve_closes_nothing_a_merge_brought_while_she_chose(run: Run, tmp_path: Path) -> None:
    from whrd_cli.errors import InputError
    from whrd_cli.store import Archive

    a, _b = conflicted(run, tmp_path)
    (shown,) = run.json("--db", str(a), "conflicts")
    seen = [v["rev"] for v in shown["versions"]]
    third = _doc(shown["uid"], "2-" + "f" * 32, _revisions={"start": 2, "ids": ["f" * 32, "0" * 32]})
    Archive(a).merge_docs([third], command="merge")  # a third version lands while she reads
    before = a.read_bytes()
    with pytest.raises(InputError, match="changed while you chose"):
        Archive(a).resolve(1, seen[1], seen=seen)
    assert a.read_bytes() == before
    assert len(run.json("--db", str(a), "conflicts")[0]["versions"]) == 3


# -- a bundle or export saved with a byte-order mark (a Windows editor) was "not a bundle" ---------


@pytest.mark.parametrize("kind", ["bundle", "json"])
def test_a_byte_order_mark_is_read_past(run: Run, tmp_path: Path, kind: str) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run.ok("--db", str(a), "add", "--title", "Defensora", "-d", "2024-03-01", "-l", "es")
    out = tmp_path / f"x.{'whrdb' if kind == 'bundle' else 'json'}"
    run.ok("--db", str(a), "export", "-f", kind, "-o", str(out))
    out.write_bytes(b"\xef\xbb\xbf" + out.read_bytes().replace(b"\n", b"\r\n"))
    run.ok("--db", str(b), "merge", str(out), "--yes")
    theirs = [x["rev"] for x in run.json("--db", str(a), "list")]
    assert [x["rev"] for x in run.json("--db", str(b), "list")] == theirs


def test_resolve_counts_the_versions_it_closed_in_words(run: Run, tmp_path: Path) -> None:
    from whrd_cli.store import Archive

    a, _b = conflicted(run, tmp_path)
    (shown,) = run.json("--db", str(a), "conflicts")
    third = _doc(shown["uid"], "2-" + "0" * 32, _revisions={"start": 2, "ids": ["0" * 32, "1" * 32]})
    Archive(a).merge_docs([third], command="merge")
    b2 = tmp_path / "copy.json"
    b2.write_bytes(a.read_bytes())
    done = run("--db", str(a), "resolve", "1", "--keep", _winner(run, a))
    assert "2 other versions closed" in done.stderr, done.stderr
    es = run("--db", str(b2), "resolve", "1", "--keep", _winner(run, b2), env={"WHRD_LANG": "es"})
    assert "2 otras versiones cerradas" in es.stderr, es.stderr


# -- resolve --edit dropped the bulletin's links (the form has no links field) ----------------------


def test_a_merge_written_in_the_editor_keeps_the_links(run: Run, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run.ok("--db", str(a), "add", "--title", "Alerta", "-d", "2024-01-01", "-k", "alert", "-l", "es")
    run.ok("--db", str(a), "add", "--title", "Defender alert", "-d", "2024-01-01", "-k", "alert", "-l", "en")
    run.ok("--db", str(a), "link", "1", "2", "--translation")
    first = tmp_path / "first.whrdb"
    run.ok("--db", str(a), "export", "-f", "bundle", "-o", str(first))
    run.ok("--db", str(b), "merge", str(first), "--yes")
    (uid,) = [x["uid"] for x in run.json("--db", str(a), "list", "--all-languages") if x["id"] == 1]
    linked = json.loads(a.read_text())["bulletins"]["1"]["links"]
    run.ok("--db", str(a), "edit", "1", "--title", "Alerta defensora A")
    b_id = next(x["id"] for x in run.json("--db", str(b), "list", "--all-languages") if x["uid"] == uid)
    run.ok("--db", str(b), "edit", str(b_id), "--title", "Alerta defensora B")
    out = tmp_path / "b.whrdb"
    run.ok("--db", str(b), "export", "-f", "bundle", "-o", str(out))
    run.ok("--db", str(a), "merge", str(out), "--yes")
    editor = tmp_path / "ed.sh"
    editor.write_text('#!/bin/sh\nsed -i "s/^Title:.*/Title: Alerta fusionada/" "$1"\n')
    editor.chmod(0o755)
    done = run("--db", str(a), "resolve", "1", "--edit", env={"EDITOR": str(editor), "VISUAL": str(editor)})
    assert done.exit_code == 0, done.stderr
    stored = json.loads(a.read_text())["bulletins"]["1"]
    assert stored["title"] == "Alerta fusionada" and stored["links"] == linked


# -- undo stops at a merge and refuses it: its revisions came from other archives ------------------


def test_undo_after_a_merge_that_only_left_a_conflict_keeps_her_edit(run: Run, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run.ok("--db", str(a), "add", "--title", "Defensora", "-d", "2024-03-01", "-l", "es")
    first = tmp_path / "first.whrdb"
    run.ok("--db", str(a), "export", "-f", "bundle", "-o", str(first))
    run.ok("--db", str(b), "merge", str(first), "--yes")
    run.ok("--db", str(a), "edit", "1", "--title", "Defensora A")
    run.ok("--db", str(b), "edit", "1", "--title", "Defensora B")
    out = tmp_path / "a.whrdb"
    run.ok("--db", str(a), "export", "-f", "bundle", "-o", str(out))
    run.ok("--db", str(b), "merge", str(out), "--yes")
    shown = run.json("--db", str(b), "show", "1")["title"]
    refused = run("--db", str(b), "undo", "--yes")  # meant for the merge
    assert refused.exit_code == 1 and "took in other archives' versions ('whrd merge')" in refused.stderr
    assert run.json("--db", str(b), "show", "1")["title"] == shown  # not her edit taken back


def test_undoing_a_merge_does_not_delete_the_bulletin_where_it_came_from(run: Run, tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run.ok("--db", str(a), "add", "--title", "De A", "-d", "2024-03-01", "-l", "es")
    run.ok("--db", str(b), "add", "--title", "De B", "-d", "2024-03-02", "-l", "es")
    out = tmp_path / "a.whrdb"
    run.ok("--db", str(a), "export", "-f", "bundle", "-o", str(out))
    run.ok("--db", str(b), "merge", str(out), "--yes")
    before = b.read_bytes()
    refused = run("--db", str(b), "undo", "--yes")
    assert refused.exit_code == 1 and refused.stderr.count("\n") == 1 and b.read_bytes() == before
    assert run("--db", str(b), "undo", "--list").exit_code == 0
    back = tmp_path / "b.whrdb"
    run.ok("--db", str(b), "export", "-f", "bundle", "-o", str(back))
    run.ok("--db", str(a), "merge", str(back), "--yes")
    assert "De A" in {x["title"] for x in run.json("--db", str(a), "list")}
