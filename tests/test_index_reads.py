"""`whrd show` answered from the search index beside the archive: byte for byte what the archive
gives, for every bulletin, in English and Spanish, to a terminal, a pipe and `--json`.

The oracle is the archive path itself: each output from the index (with `Archive.get` made to
fail, so the index must have answered) is compared with the output once the index is removed.
"""

from __future__ import annotations

import json
import os
from datetime import datetime, timezone
from pathlib import Path

import pytest
from tests.conftest import Run
from tests.corpus import CORPUS, bulletin

from whrd_cli.model import Bulletin
from whrd_cli.search import index as ix
from whrd_cli.search.service import SearchIndex
from whrd_cli.store import Archive

INDEXED = (SearchIndex(),)

EXTRA = [
    Bulletin.create(
        title="Alerta: defensora detenida en Tegucigalpa",
        date="2024-01-15",
        category="alert",
        countries=["HN", "GT", "SV"],
        summary="La defensora fue detenida durante una protesta pacífica.",
        truncated=True,
        tags=["AlertaDefensoras", "Criminalización", "UrgentAction"],
        lang="es",
        url="https://example.org/alerta/1",
        source="IM-Defensoras",
        private="Contact: +504 5555 (do not publish)",
    ),
    Bulletin.create(
        title="Open letter to the ministry",
        date="2023-07-04",
        category="open-letter",
        countries=["MX"],
        summary="",
        lang="en",
        source="Network",
    ),
    Bulletin.create(title="Statement, bare", date="2022-12-31", lang="en", url="https://example.org/s"),
    Bulletin.create(
        title="Informe anual",
        date="2021-01-01",
        category="report",
        countries=["NI", "CR"],
        summary="Un resumen largo " * 20,
        truncated=True,
        tags=["Informe"],
        lang="es",
        private="nota",
    ),
]


@pytest.fixture
def ids(db: Path) -> list[int]:
    """An archive of the shared corpus and bulletins with every optional field, one of them edited
    (so `updated` differs from `added`), with a fresh index beside it."""
    archive = Archive(db, followers=INDEXED)
    archive.add_many([bulletin(*row) for row in CORPUS] + EXTRA)
    found = sorted(doc_id for doc_id, _ in Archive(db).raw_items())
    later = Archive(db, followers=INDEXED, clock=lambda: datetime(2030, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    later.update(found[-1], {"summary": "Corregido."})
    assert ix.is_fresh(db)
    return found


def _outputs(run: Run, ids: list[int], *extra: str) -> dict[tuple[int, bool], tuple[int, str, str]]:
    out = {}
    for doc_id in ids:
        for as_json in (False, True):
            args = ["show", str(doc_id), *extra, *(["--json"] if as_json else [])]
            result = run(*args)
            out[doc_id, as_json] = (result.exit_code, result.stdout, result.stderr)
    return out


def _archive_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(self: Archive, doc_id: int) -> None:
        raise AssertionError("the index should have answered")

    monkeypatch.setattr(Archive, "get", refuse)


@pytest.mark.parametrize("terminal", [False, True])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_show_from_the_index_is_the_archives_show(
    run: Run,
    db: Path,
    ids: list[int],
    lang: str,
    terminal: bool,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    if terminal:
        request.getfixturevalue("stdout_terminal")
    monkeypatch.setenv("WHRD_LANG", lang)
    with monkeypatch.context() as patched:
        _archive_refused(patched)
        from_index = _outputs(run, ids)
    ix.index_path(db).unlink()
    from_archive = _outputs(run, ids)
    assert from_index == from_archive
    assert all(code == 0 for code, _, _ in from_index.values())
    shown = "\n".join(out for _, out, _ in from_index.values())
    assert "IM-Defensoras" in shown and "https://example.org/alerta/1" in shown
    assert "do not publish" not in shown  # no private note without --private
    assert not ix.index_path(db).exists()  # show never builds the index


def test_private_reads_the_note_from_the_archive(run: Run, db: Path, ids: list[int]) -> None:
    note_id = ids[len(CORPUS)]
    assert "do not publish" in run.ok("show", str(note_id), "--private").stdout
    assert run.json("show", str(note_id), "--private")["private"] == "Contact: +504 5555 (do not publish)"
    assert "private" not in run.json("show", str(note_id))


def test_a_stale_index_is_not_used(run: Run, db: Path, ids: list[int]) -> None:
    data = json.loads(db.read_text(encoding="utf-8"))
    data["bulletins"][str(ids[0])]["title"] = "Edited by hand"
    db.write_text(json.dumps(data), encoding="utf-8")
    st = os.stat(db)
    os.utime(db, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))
    assert not ix.is_fresh(db)
    assert run.json("show", str(ids[0]))["title"] == "Edited by hand"
    assert "Edited by hand" in run.ok("show", str(ids[0])).stdout


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_missing_id_errors_the_same_both_ways(
    run: Run, db: Path, ids: list[int], lang: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("WHRD_LANG", lang)
    missing = str(max(ids) + 100)
    both = (("show", missing), ("show", missing, "--json"))
    fresh = [(r.exit_code, r.stdout, r.stderr) for r in (run(*args) for args in both)]
    assert ix.is_fresh(db)
    ix.index_path(db).unlink()
    plain = [(r.exit_code, r.stdout, r.stderr) for r in (run(*args) for args in both)]
    assert fresh == plain
    assert fresh[0][0] == 1 and missing in fresh[0][2]


def test_a_damaged_index_falls_back_to_the_archive(run: Run, db: Path, ids: list[int]) -> None:
    expected = run.ok("show", str(ids[0]), "--json").stdout
    ix.index_path(db).write_bytes(b"not a database at all")
    assert run.ok("show", str(ids[0]), "--json").stdout == expected
