"""Hostile review 22: an import big enough to be read in forked parts (`workers.fork_map`, records
sent back through `formats.reading.pack`/`unpack`, Bulletins and Links now msgspec Structs) reads
what one process reads, and what the input says: JSON and CSV, English and Spanish, 6,500
bulletins, linked ones among them. (A published listing is read in one process; it is checked
against its input too.)"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from conftest import Run
from whrd_cli import workers
from whrd_cli.formats import csv as csv_format
from whrd_cli.formats import json as json_format
from whrd_cli.formats.listing import reader as listing
from whrd_cli.links_model import Links

COUNT = 6500
_MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
           "October", "November", "December")  # fmt: skip
_MESES = ("enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto", "septiembre",
          "octubre", "noviembre", "diciembre")  # fmt: skip


_SUMMARY = "The network denounces the threats. "
_RESUMEN = "La red denuncia las amenazas y exige protección. "


def _uid(n: int) -> str:
    return f"{n + 1:032x}"


def _records() -> list[dict[str, Any]]:
    """Bulletins in both languages, every optional field now and then, a tenth of them linked."""
    out = []
    for n in range(COUNT):
        es = n % 2 == 1
        record: dict[str, Any] = {
            "title": f"Amenazas contra la defensora número {n} de la comunidad"
            if es
            else f"Threats against defender number {n} of the community",
            "date": f"{2000 + n % 24}-{1 + n % 12:02d}-{1 + n % 28:02d}",
            "category": ("news", "alert", "statement", "report", None)[n % 5],
            "countries": (["HN"], ["GT", "SV"], ["MX"], [], ["NI", "CR", "PA"])[n % 5],
            "summary": (
                "La red denuncia las amenazas y exige protección. "
                if es
                else "The network denounces the threats. "
            )
            * (1 + n % 3),
            "truncated": n % 7 == 0,
            "tags": [f"tag{n % 13}", "WHRDs"] if n % 3 else [],
            "lang": "es" if es else "en",
            "url": f"https://example.org/b/{n}" if n % 4 else None,
            "private": f"nota privada {n}" if n % 6 == 0 else None,
            "added": "2024-06-15T10:00:00Z",
            "updated": "2024-06-16T10:00:00Z",
            "uid": _uid(n),
        }
        record["summary"] = record["summary"].strip()
        if n % 10 == 1:
            record["links"] = {"translations": [_uid(n - 1)]}
        if n % 10 == 3:
            record["links"] = {"follows": _uid(n - 2), "followup": "threat", "closes": True}
        out.append({k: v for k, v in record.items() if v is not None})
    return out


RECORDS = _records()


def _csv_text() -> str:
    names = ["title", "date", "category", "countries", "summary", "truncated", "tags", "lang", "url",
             "private", "added", "updated", "uid", "links"]  # fmt: skip
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(names)
    for record in RECORDS:
        row = []
        for name in names:
            value = record.get(name)
            if isinstance(value, list):
                value = ";".join(value)
            elif isinstance(value, dict):
                value = json.dumps(value)
            elif isinstance(value, bool):
                value = "true" if value else "false"
            row.append("" if value is None else value)
        writer.writerow(row)
    return out.getvalue()


def _listing_text() -> str:
    blocks = []
    for record in RECORDS:
        year, month, day = (int(x) for x in record["date"].split("-"))
        if record["lang"] == "es":
            label, date = "NOTICIAS", f"{day} de {_MESES[month - 1]} de {year}"
        else:
            label, date = "NEWS", f"{day} {_MONTHS[month - 1]} {year}"
        blocks.append(f"{label} HONDURAS / {record['title']} #WHRDs\n\n{record['summary']}\n\n{date}\n")
    return "\n".join(blocks)


def _expected_links(record: dict[str, Any]) -> Links | None:
    raw = record.get("links")
    if raw is None:
        return None
    if "follows" in raw:
        return Links((), raw["follows"], raw["followup"], raw["closes"])
    return Links(tuple(raw["translations"]))


def _read_both(monkeypatch: pytest.MonkeyPatch, read: Any, text: str) -> tuple[list[Any], list[Any]]:
    monkeypatch.setattr(workers, "cores", lambda: 2)  # read in forked parts, whatever the machine
    parallel = read(text, source="in")
    monkeypatch.setattr(workers, "cores", lambda: 1)
    alone = read(text, source="in")
    return parallel, alone


def _same_keys(parallel: list[Any], alone: list[Any]) -> None:
    """The dedupe keys a child worked out and sent (cached in the unpacked bulletin's __dict__)
    are the keys this process works out; some parts were indeed sent."""
    sent = [r.bulletin.__dict__["key"] for r in parallel if "key" in r.bulletin.__dict__]
    assert len(sent) > COUNT // 3
    assert [r.bulletin.key for r in parallel] == [r.bulletin.key for r in alone]
    assert sent == [r.bulletin.key for r in alone][-len(sent) :]


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_a_big_json_or_csv_read_in_parts_is_the_input(monkeypatch: pytest.MonkeyPatch, kind: str) -> None:
    text = json.dumps(RECORDS, ensure_ascii=False) if kind == "json" else _csv_text()
    read = json_format.read_records if kind == "json" else csv_format.read_records
    parallel, alone = _read_both(monkeypatch, read, text)
    assert parallel == alone
    assert [r.location for r in parallel] == [r.location for r in alone]
    _same_keys(parallel, alone)
    for record, found in zip(RECORDS, parallel, strict=True):
        b = found.bulletin
        assert (b.title, b.date, b.lang, b.summary, b.truncated, b.uid) == (
            record["title"],
            record["date"],
            record["lang"],
            record["summary"],
            record["truncated"],
            record["uid"],
        )
        assert list(b.countries) == record["countries"] and list(b.tags) == record["tags"]
        assert (b.url, b.private, b.category) == (
            record.get("url"),
            record.get("private"),
            record.get("category"),
        )
        assert b.links == _expected_links(record)


def test_a_big_listing_is_read_as_the_input(monkeypatch: pytest.MonkeyPatch) -> None:
    parallel, alone = _read_both(monkeypatch, listing.read_records, _listing_text())
    assert parallel == alone
    # (a listing is read in one process: no part is sent, whatever the cores)
    assert len(parallel) == COUNT
    for record, found in zip(RECORDS, parallel, strict=True):
        b = found.bulletin
        assert (b.title, b.date, b.lang, b.summary, b.category) == (
            record["title"],
            record["date"],
            record["lang"],
            record["summary"],
            "news",
        )
        assert "HN" in b.countries and b.tags == ("WHRDs",)


@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_big_import_stores_the_input_and_lists_it_back(
    run: Run, db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """Through the CLI, forked: `list --json --private` is the input, field for field, links
    included (the oracle is the file itself, not a second reading of it)."""
    monkeypatch.setattr(workers, "cores", lambda: 2)
    source = tmp_path / "big.json"
    source.write_text(json.dumps(RECORDS, ensure_ascii=False), encoding="utf-8")
    result = run("import", str(source), env={"WHRD_LANG": lang})
    assert result.exit_code == 0, result.stderr
    listed = json.loads(run.ok("list", "--json", "--private", "--all").stdout)
    by_uid = {b["uid"]: b for b in listed}
    assert len(by_uid) == COUNT
    for record in RECORDS:
        got = by_uid[record["uid"]]
        for name, value in record.items():
            assert got[name] == value, (record["uid"], name)
        assert "links" in got or "links" not in record
