"""`whrd export` end to end: every registered format on a small bilingual, multi-country archive
with hostile text; golden Markdown; HTML checked with a real parser; Atom parsed back and held to
RFC 4287; private notes; filters and grouping; user templates; and the output file's safety."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from datetime import datetime, timezone
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from msgspec.structs import replace
from tests.conftest import TODAY, Run

from whrd_cli.digest.escape import md_escape
from whrd_cli.errors import ValidationError
from whrd_cli.formats import WRITERS
from whrd_cli.i18n import LOCALES
from whrd_cli.model import Bulletin
from whrd_cli.store import Archive
from whrd_cli.text import clean_line, clean_text

GOLDEN = Path(__file__).parent / "golden"
UPDATE_GOLDEN = os.environ.get("WHRD_UPDATE_GOLDEN") == "1"
ATOM = "{http://www.w3.org/2005/Atom}"
CLOCK = datetime(2024, 1, 2, 3, 4, 5, tzinfo=timezone.utc)
PRIVATE = "sólo por Signal"
HOSTILE_TITLE = '<script>alert("x")</script> & *bold* [link](javascript:alert(1)) #'

SAMPLE: list[dict[str, Any]] = [
    dict(
        title="Community radio in Honduras marks five years on air",
        date="2019-02-14",
        category="news",
        countries=["HN", "GT"],
        summary="Radio Voces del Río, a community station run by women defenders, celebrated five years",
        truncated=True,
        tags=["CommunityRadio", "WHRDs"],
        lang="en",
        url="https://example.org/bulletins/radio",
    ),
    dict(
        title="Defensora del territorio recibe amenazas en Olancho",
        date="2022-05-17",
        category="#AlertaDefensoras",
        countries=["Honduras"],
        summary="La red denuncia las amenazas de muerte contra Rosa Elvira Tox, defensora en Olancho.",
        tags=["AlertaDefensoras", "Territorio"],
        lang="es",
        private=f"Contacto: coordinadora de Olancho, {PRIVATE}.",
    ),
    dict(
        title="¡Alto a la criminalización de las defensoras en México y El Salvador!",
        date="4 de marzo de 2018",
        category="PRONUNCIAMIENTO",
        countries=["México", "El Salvador"],
        summary="Las defensoras exigimos garantías.\n\nSegunda parte: señalamos a las autoridades.",
        lang="es",
        url="http://example.org/pronunciamiento",
    ),
    dict(
        title=HOSTILE_TITLE,
        date="2018-03-04",
        category="open-letter",
        countries=["GT"],
        summary='=HYPERLINK("http://evil")\n- not a list\n# not a heading\n1. not ordered &amp; <b>bold</b>',
        tags=["WHRDs"],
        lang="en",
        url="mailto:someone@example.org",
        source="hostile test",
    ),
    dict(title="Annual report on attacks against defenders", date="2017-12-31", category="report", lang="en"),
    dict(
        title="Campaña «Ni una menos» en Perú",
        date="2023-11-25",
        category="campaign",
        countries=["Perú"],
        summary="+1 a la campaña de la red en Lima y Cusco.",
        tags=["NiUnaMenos"],
        lang="es",
        url="https://example.org/a_(b)?q=1&r=2",
    ),
]


def make_archive(path: Path, sample: list[dict[str, Any]] = SAMPLE) -> Archive:
    archive = Archive(path, clock=lambda: CLOCK)
    # A mailto: url is refused since issue 12, but an archive written before may still hold one.
    archive.add_many(
        [replace(Bulletin.create(**{**item, "url": None}), url=item.get("url")) for item in sample]
    )
    return archive


@pytest.fixture
def archive(db: Path) -> Path:
    make_archive(db)
    return db


def export(run: Run, *args: str) -> Any:
    """Export to stdout; the result's stdout is the digest, its stderr the report."""
    return run.ok("export", "-o", "-", *args)


def check_golden(name: str, text: str) -> None:
    """Compare with tests/golden/NAME; `WHRD_UPDATE_GOLDEN=1 pytest` rewrites it (then review the diff)."""
    path = GOLDEN / name
    if UPDATE_GOLDEN:
        path.parent.mkdir(exist_ok=True)
        path.write_text(text, encoding="utf-8")
    assert path.exists(), f"tests/golden/{name} is missing; run once with WHRD_UPDATE_GOLDEN=1"
    assert text == path.read_text(encoding="utf-8"), f"differs from tests/golden/{name}"


# -- Markdown --------------------------------------------------------------------------------------


def test_markdown_golden_english(run: Run, archive: Path) -> None:
    result = export(run)
    check_golden("digest.md", result.stdout)
    assert result.stderr == "Wrote 6 bulletins (md) to stdout.\n"


def test_markdown_golden_spanish_grouped_by_country(run: Run, archive: Path) -> None:
    out = export(run, "--locale", "es", "--group-by", "country", "--title", "Boletín semanal").stdout
    check_golden("digest-es-country.md", out)
    assert "4 de marzo de 2018 · Pronunciamiento · México, El Salvador" in out
    assert "## Sin país (1)" in out and "**Periodo:**" in out


def test_markdown_shows_hostile_text_as_written(run: Run, archive: Path) -> None:
    from markdown_it import MarkdownIt

    out = export(run).stdout
    assert "<script>" not in out
    tokens = MarkdownIt("commonmark").parse(out)
    html = MarkdownIt("commonmark").render(out)
    assert "<script>" not in html and "&lt;script&gt;" in html
    assert "javascript:" not in re.findall(r'href="([^"]*)"', html).__str__()
    assert 'href="mailto:' not in html  # only http(s) becomes a link
    headings = [t.content for i, t in enumerate(tokens) if i and tokens[i - 1].type == "heading_open"]
    assert HOSTILE_TITLE in [_inline_text(h) for h in headings]
    # Block markers at the start of a summary line stay text: the header is the only list.
    assert [t.type for t in tokens].count("bullet_list_open") == 1
    assert not any(t.type == "ordered_list_open" for t in tokens)
    assert "# not a heading" in html and "- not a list" in html


def _inline_text(source: str) -> str:
    from markdown_it import MarkdownIt

    children = MarkdownIt("commonmark").parseInline(source)[0].children or []
    assert all(c.type in ("text", "softbreak") for c in children), [c.type for c in children]
    return "".join(c.content if c.type == "text" else "\n" for c in children)


@settings(max_examples=300, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("#*_-+=>|`[]<>&;!\\~1."),
        min_size=1,
    )
)
def test_md_escape_title_renders_as_written(raw: str) -> None:
    from markdown_it import MarkdownIt

    try:
        title = clean_line(raw, "title", required=True)
    except Exception:
        return
    tokens = MarkdownIt("commonmark").parse(f"## {md_escape(title)}\n")
    assert [t.type for t in tokens] == ["heading_open", "inline", "heading_close"]
    assert _inline_text(tokens[1].content) == title


@settings(max_examples=300, deadline=None)
@given(
    st.text(st.characters(blacklist_categories=("Cs", "Cc")) | st.sampled_from("#*_-+=>|`[]<>&;!\\~1.\n\n"))
)
def test_md_escape_summary_renders_as_written(raw: str) -> None:
    from markdown_it import MarkdownIt

    try:
        summary = clean_text(raw, "summary")
    except ValidationError:  # a bidirectional control (U+2066…): refused before any export
        return
    if not summary:
        return
    tokens = MarkdownIt("commonmark").parse(md_escape(summary))
    assert {t.type for t in tokens} <= {"paragraph_open", "inline", "paragraph_close"}
    shown = "\n\n".join(_inline_text(t.content) for t in tokens if t.type == "inline")
    assert shown == re.sub(r"\n{2,}", "\n\n", summary)


# -- HTML ------------------------------------------------------------------------------------------

VOID = frozenset(
    {"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "wbr"}
)


class HtmlCheck(HTMLParser):
    """Well-formedness and self-containment, with the standard library's HTML parser."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.doctype = ""
        self.stack: list[str] = []
        self.errors: list[str] = []
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.ids: list[str] = []
        self.text: dict[str, list[str]] = {}
        self.style = ""

    def handle_decl(self, decl: str) -> None:
        self.doctype = decl

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        attributes = dict(attrs)
        self.tags.append((tag, attributes))
        if "id" in attributes:
            self.ids.append(str(attributes["id"]))
        if tag not in VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> closes {self.stack[-1:] or 'nothing'}")
            return
        self.stack.pop()

    def handle_data(self, data: str) -> None:
        where = self.stack[-1] if self.stack else ""
        self.text.setdefault(where, []).append(data)
        if where == "style":
            self.style += data


def check_html(text: str) -> HtmlCheck:
    checker = HtmlCheck()
    checker.feed(text)
    checker.close()
    assert checker.doctype.lower() == "doctype html"
    assert not checker.errors and not checker.stack, (checker.errors, checker.stack)
    names = [tag for tag, _ in checker.tags]
    assert names[:4] == ["html", "head", "meta", "meta"] and checker.tags[2][1] == {"charset": "utf-8"}
    assert names.count("title") == 1 and names.count("body") == 1 and names.count("h1") == 1
    assert checker.tags[0][1].get("lang") in LOCALES
    # Self-contained and inert: no scripts, frames, external sheets or images, no handlers.
    assert not set(names) & {"script", "link", "img", "iframe", "object", "embed", "base", "form"}
    for _tag, attrs in checker.tags:
        assert not [a for a in attrs if a.startswith("on") or a == "src"], attrs
    assert "url(" not in checker.style and "@import" not in checker.style
    assert "@media print" in checker.style
    assert len(checker.ids) == len(set(checker.ids))
    for tag, attrs in checker.tags:
        if tag == "a":
            href = str(attrs["href"])
            assert re.match(r"https?://", href) or href[1:] in checker.ids, href
    return checker


def test_html_is_wellformed_self_contained_and_escaped(run: Run, archive: Path) -> None:
    out = export(run, "--format", "html", "--title", "Digest <b>semanal</b> & co").stdout
    checker = check_html(out)
    h3 = [t for t in checker.text.get("h3", []) + checker.text.get("a", [])]
    assert HOSTILE_TITLE in h3
    assert "Digest <b>semanal</b> & co" in checker.text["h1"]
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in out
    assert 'href="mailto:' not in out and "javascript:alert(1)" not in re.findall(r'href="([^"]*)"', out)
    assert 'href="https://example.org/a_(b)?q=1&amp;r=2"' in out
    assert "[…]" in out and PRIVATE not in out
    assert '<article lang="es">' in out and '<time datetime="2018-03-04">4 March 2018</time>' in out


def test_html_spanish_grouped_by_month_with_contents(run: Run, archive: Path) -> None:
    out = export(run, "--format", "html", "--locale", "es", "--group-by", "month").stdout
    checker = check_html(out)
    headings = re.findall(r"<h2>(.*?) <span", out)
    assert headings == [
        "Noviembre de 2023",
        "Mayo de 2022",
        "Febrero de 2019",
        "Marzo de 2018",
        "Diciembre de 2017",
    ]
    assert '<span class="count">(2)</span>' in out and "<nav" in out
    assert 'lang="es"' in out and "Leer más" in out and "Carta abierta" in out
    assert {"group-2018-03", "group-2023-11"} <= set(checker.ids)


def _render(fmt: str, bulletins: list[Bulletin], **context: Any) -> str:
    from whrd_cli.formats import WriteContext, writer
    from whrd_cli.records import Entry

    out = io.StringIO()
    writer(fmt)([Entry(i + 1, b) for i, b in enumerate(bulletins)], out, WriteContext(**context))
    return out.getvalue()


def _any_bulletin(title: str, summary: str) -> Bulletin | None:
    try:
        return Bulletin.create(title=title, date="2020-01-01", summary=summary, lang="en", tags=[title])
    except Exception:
        return None


TEXT = st.text(st.characters(blacklist_categories=("Cs",)) | st.sampled_from("<>&\"'/`\ufffe"), min_size=1)


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_html_shows_any_text_as_written(title: str, summary: str) -> None:
    bulletin = _any_bulletin(title, summary)
    if bulletin is None:
        return
    checker = check_html(_render("html", [bulletin], title=bulletin.title))
    assert checker.text["h1"] == [bulletin.title] and checker.text["h3"] == [bulletin.title]
    shown = "\n\n".join("".join(checker.text.get("p", [])).split("\n\n"))
    for paragraph in re.split(r"\n\s*\n", bulletin.summary):
        assert paragraph.strip() in shown


# -- Atom ------------------------------------------------------------------------------------------

RFC3339 = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})")


def parse_atom(text: str) -> ET.Element:
    """Parse with a real XML parser and hold the feed to RFC 4287's required elements."""
    assert text.startswith('<?xml version="1.0" encoding="utf-8"?>')
    feed = ET.fromstring(text.encode("utf-8"))
    assert feed.tag == f"{ATOM}feed"
    for name in ("id", "title", "updated"):
        assert len(feed.findall(f"{ATOM}{name}")) == 1, name
    assert RFC3339.fullmatch(feed.findtext(f"{ATOM}updated") or "")
    authors = feed.findall(f"{ATOM}author")
    assert len(authors) == 1 and (authors[0].findtext(f"{ATOM}name") or "").strip()
    ids = [feed.findtext(f"{ATOM}id")]
    for entry in feed.findall(f"{ATOM}entry"):
        for name in ("id", "title", "updated", "summary"):
            assert len(entry.findall(f"{ATOM}{name}")) == 1, name
        assert RFC3339.fullmatch(entry.findtext(f"{ATOM}updated") or "")
        assert RFC3339.fullmatch(entry.findtext(f"{ATOM}published") or "")
        for category in entry.findall(f"{ATOM}category"):
            assert category.get("term")
        for link in entry.findall(f"{ATOM}link"):
            assert re.match(r"https?://", link.get("href", ""))
        ids.append(entry.findtext(f"{ATOM}id"))
    for one in ids:
        assert one and one.startswith("urn:uuid:")
        uuid.UUID(one[len("urn:uuid:") :])
    assert len(ids) == len(set(ids)), "ids must be unique"
    return feed


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_atom_carries_any_text(title: str, summary: str) -> None:
    bulletin = _any_bulletin(title, summary)
    if bulletin is None:
        return
    feed = parse_atom(_render("atom", [bulletin], title=bulletin.title, archive_id=uuid.uuid4().hex))
    not_xml = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
    entry = feed.find(f"{ATOM}entry")
    assert entry is not None
    assert entry.findtext(f"{ATOM}title") == not_xml.sub("", bulletin.title)
    assert entry.findtext(f"{ATOM}summary") == not_xml.sub("", bulletin.summary)
    terms = [c.get("term") for c in entry.findall(f"{ATOM}category")]
    assert terms == [not_xml.sub("", tag) for tag in bulletin.tags]


def entry_ids(feed: ET.Element) -> dict[str, str]:
    return {
        e.findtext(f"{ATOM}title") or "": e.findtext(f"{ATOM}id") or "" for e in feed.iter(f"{ATOM}entry")
    }


def test_atom_is_a_valid_feed(run: Run, archive: Path) -> None:
    out = export(run, "--format", "atom", "--locale", "es").stdout
    feed = parse_atom(out)
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 6
    assert feed.get("{http://www.w3.org/XML/1998/namespace}lang") == "es"
    # Nothing was edited after it was recorded: the newest bulletin's date, not the import time.
    assert feed.findtext(f"{ATOM}updated") == "2023-11-25T00:00:00Z"
    hostile = next(e for e in entries if e.findtext(f"{ATOM}title") == HOSTILE_TITLE)
    assert hostile.find(f"{ATOM}link") is None  # mailto: is not linked
    radio = next(e for e in entries if (e.findtext(f"{ATOM}title") or "").startswith("Community radio"))
    assert radio.findtext(f"{ATOM}summary", "").endswith("five years […]")
    terms = {(c.get("term"), c.get("label")) for c in radio.findall(f"{ATOM}category")}
    assert {("news", "Noticias"), ("HN", "Honduras"), ("GT", "Guatemala"), ("WHRDs", None)} <= terms
    assert radio.findtext(f"{ATOM}published") == "2019-02-14T00:00:00Z"
    assert radio.get("{http://www.w3.org/XML/1998/namespace}lang") == "en"
    assert PRIVATE not in out
    assert radio.findtext(f"{ATOM}content", "") == radio.findtext(f"{ATOM}summary")


def test_atom_ids_stable_across_exports_and_edits_unique_across_archives(
    run: Run, archive: Path, tmp_path: Path
) -> None:
    first = export(run, "--format", "atom").stdout
    second = export(run, "--format", "atom").stdout
    assert first == second  # an unchanged archive exports to the same bytes
    ids = entry_ids(parse_atom(first))
    run.ok("edit", "1", "--summary", "A new summary for the radio bulletin.")
    edited = parse_atom(export(run, "--format", "atom").stdout)
    assert entry_ids(edited) == ids
    other = tmp_path / "other.json"
    make_archive(other)
    theirs = entry_ids(parse_atom(run.ok("--db", str(other), "export", "-f", "atom", "-o", "-").stdout))
    assert theirs.keys() == ids.keys() and not set(theirs.values()) & set(ids.values())


def test_atom_feed_id_keeps_across_weeks_but_not_across_selections(run: Run, archive: Path) -> None:
    def feed_id(*args: str, today: str = TODAY) -> str:
        out = run("export", "-f", "atom", "-o", "-", *args, env={"WHRD_TODAY": today}).stdout
        return parse_atom(out).findtext(f"{ATOM}id") or ""

    weekly = feed_id("--since", "7d")
    assert feed_id("--since", "7d", today="2024-06-22") == weekly
    assert feed_id("--since", "7d", "--country", "Honduras") != weekly


def test_atom_id_of_an_older_archive_is_stamped_by_the_next_write_unchanged(run: Run, archive: Path) -> None:
    data = json.loads(archive.read_text())
    del data["meta"]["1"]["uid"]  # an archive made before archives had their own id
    archive.write_text(json.dumps(data))
    before = archive.read_bytes()
    ids = entry_ids(parse_atom(export(run, "-f", "atom").stdout))
    assert archive.read_bytes() == before  # an export never writes the archive
    run.ok("add", "--title", "A later bulletin", "--date", "2024-06-01")
    uid = json.loads(archive.read_text())["meta"]["1"]["uid"]
    assert uid == uuid.uuid5(uuid.NAMESPACE_URL, archive.resolve().as_uri()).hex  # the path's id, kept
    after = entry_ids(parse_atom(export(run, "-f", "atom").stdout))
    assert {k: v for k, v in after.items() if k in ids} == ids


def test_atom_from_a_read_only_archive_without_id_writes_nothing(run: Run, archive: Path) -> None:
    data = json.loads(archive.read_text())
    del data["meta"]["1"]["uid"]
    archive.write_text(json.dumps(data))
    archive.chmod(0o444)
    before = archive.read_bytes()
    first = entry_ids(parse_atom(export(run, "-f", "atom").stdout))
    assert entry_ids(parse_atom(export(run, "-f", "atom").stdout)) == first
    assert archive.read_bytes() == before


# -- private notes, in every format ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", WRITERS)
def test_private_notes_only_with_include_private(run: Run, archive: Path, fmt: str) -> None:
    assert PRIVATE not in export(run, "--format", fmt).stdout
    assert "Contacto" not in export(run, "--format", fmt).stdout
    shown = export(run, "--format", fmt, "--include-private").stdout
    if fmt == "listing":
        return  # the published listing has no place for a private note
    assert PRIVATE in shown


def test_include_private_file_is_owner_only(run: Run, archive: Path, tmp_path: Path) -> None:
    run.ok("export", "-o", str(tmp_path / "public.md"))
    run.ok("export", "-o", str(tmp_path / "private.md"), "--include-private")
    assert (tmp_path / "private.md").stat().st_mode & 0o077 == 0
    assert PRIVATE in (tmp_path / "private.md").read_text()


# -- the data formats of issue 4, through export ---------------------------------------------------


def test_json_carries_every_field_or_the_chosen_ones(run: Run, archive: Path) -> None:
    data = json.loads(export(run, "--format", "json").stdout)
    assert data == json.loads(run.ok("list", "--json").stdout)
    chosen = json.loads(export(run, "-f", "json", "--fields", "title, date,countries").stdout)
    assert all(list(item) == ["title", "date", "countries"] for item in chosen)


def test_jsonl_one_object_per_line(run: Run, archive: Path) -> None:
    lines = export(run, "--format", "jsonl").stdout.splitlines()
    assert len(lines) == 6 and all(json.loads(line)["title"] for line in lines)


def test_csv_header_utf8_and_formula_defused(run: Run, archive: Path) -> None:
    out = export(run, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out.lstrip("\ufeff"))))
    assert len(rows) == 6 and "title" in rows[0]
    assert any(r["title"] == "Campaña «Ni una menos» en Perú" for r in rows)
    for row in rows:
        for cell in row.values():
            assert not (cell or "").startswith(("=", "+", "-", "@", "\t", "\r")), cell
    hostile = next(r for r in rows if "HYPERLINK" in r["summary"])
    assert 'HYPERLINK("http://evil")' in hostile["summary"]
    assert any("+1 a la campaña" in r["summary"] for r in rows)


def test_listing_golden(run: Run, archive: Path) -> None:
    check_golden("digest.txt", export(run, "--format", "listing").stdout)


def _model_fields(
    items: list[dict[str, Any]], *, drop: tuple[str, ...] = (), keep_stamps: bool = False
) -> list[dict[str, Any]]:
    """Bulletins without what belongs to one archive (ids; timestamps unless the format carries them)."""
    skip = {"id", *drop} | (set() if keep_stamps else {"added", "updated"})
    rows = [{k: v for k, v in item.items() if k not in skip} for item in items]
    return sorted(rows, key=lambda r: (r["date"], r["title"]))


def test_json_export_then_import_gives_the_same_bulletins(run: Run, db: Path, tmp_path: Path) -> None:
    make_archive(
        db, [{**b, "url": None} if "mailto:" in b.get("url", "") else b for b in SAMPLE]
    )  # refused now
    path = tmp_path / "all.json"
    run.ok("export", "-f", "json", "-o", str(path), "--include-private")
    fresh = tmp_path / "fresh.json"
    run.ok("--db", str(fresh), "import", str(path))
    before = json.loads(run.ok("list", "--json", "--private").stdout)
    after = json.loads(run.ok("--db", str(fresh), "list", "--json", "--private").stdout)
    assert _model_fields(after, keep_stamps=True) == _model_fields(before, keep_stamps=True)


def test_listing_export_then_import_gives_the_same_bulletins(run: Run, db: Path, tmp_path: Path) -> None:
    # What a published listing carries: no url, source or private note, and no single line
    # breaks inside a summary (they become spaces; paragraphs survive).
    carried = [{k: v for k, v in b.items() if k not in ("url", "source", "private")} for b in SAMPLE]
    for item in carried:
        item["summary"] = "\n\n".join(p.replace("\n", " ") for p in item.get("summary", "").split("\n\n"))
    make_archive(db, carried)
    path = tmp_path / "listing.txt"
    run.ok("export", "-f", "listing", "-o", str(path))
    fresh = tmp_path / "fresh.json"
    run.ok("--db", str(fresh), "import", str(path))
    before = json.loads(run.ok("list", "--json").stdout)
    after = json.loads(run.ok("--db", str(fresh), "list", "--json").stdout)
    # The listing format carries no uid: the bulletins come back as new ones (new uid and rev).
    drop = ("source", "uid", "rev")
    assert _model_fields(after, drop=drop) == _model_fields(before, drop=drop)


# -- filters, grouping, the empty digest -----------------------------------------------------------


def test_filters_select_and_are_described(run: Run, archive: Path) -> None:
    out = export(run, "--country", "Honduras", "--since", "2019").stdout
    assert out.count("\n## ") == 2
    assert "Defensora del territorio" in out and "Community radio" in out
    assert "**Filters:** Countries: Honduras; Since: 1 January 2019" in out
    assert "**Period:** 1 January 2019 – 15 June 2024" in out  # up to today: a --since digest
    assert "**Bulletins:** 2" in out
    spanish = export(run, "--lang", "es", "--locale", "en").stdout
    assert "**Filters:** Languages: Spanish" in spanish and "**Bulletins:** 3" in spanish
    assert "Community radio" not in spanish


def test_group_by_country_counts_a_bulletin_in_each_of_its_countries(run: Run, archive: Path) -> None:
    out = export(run, "--group-by", "country").stdout
    headings = re.findall(r"^## (.+)$", out, re.MULTILINE)
    assert headings == [
        "El Salvador (1)",
        "Guatemala (2)",
        "Honduras (2)",
        "Mexico (1)",
        "Peru (1)",
        "No country (1)",
    ]
    assert out.count("### Community radio in Honduras") == 2


def test_group_by_category_in_table_order(run: Run, archive: Path) -> None:
    out = export(run, "--group-by", "category", "--locale", "es").stdout
    assert re.findall(r"^## (.+)$", out, re.MULTILINE) == [
        "Noticias (1)",
        "Alerta (1)",
        "Carta abierta (1)",
        "Pronunciamiento (1)",
        "Informe (1)",
        "Campaña (1)",
    ]


@pytest.mark.parametrize("fmt", WRITERS)
def test_empty_selection_is_a_valid_empty_export(run: Run, archive: Path, fmt: str) -> None:
    result = export(run, "--format", fmt, "--country", "Chile")
    assert result.stderr == f"No bulletins match the filters; wrote an empty export ({fmt}) to stdout.\n"
    out = result.stdout
    if fmt == "md":
        assert "*No bulletins match these filters.*" in out and "**Bulletins:** 0" in out
    elif fmt == "html":
        check_html(out)
        assert "No bulletins match these filters." in out
    elif fmt == "atom":
        assert parse_atom(out).findall(f"{ATOM}entry") == []
    elif fmt == "json":
        assert json.loads(out) == []


def test_missing_archive_exports_empty_and_creates_nothing(run: Run, db: Path) -> None:
    result = export(run, "--locale", "es")
    assert "does not exist yet" in result.stderr and "The archive is empty" in result.stderr
    assert "Ningún boletín coincide" in result.stdout
    assert not db.exists()


# -- user templates --------------------------------------------------------------------------------

EVERY_NAME = """\
{{ title }}|{{ locale }}|{{ count }}|{{ group_by }}|{{ generated }}|{{ generated_iso[:10] }}
{{ period.start }}|{{ period.end }}|{{ period.start_text }}|{{ period.end_text }}|{{ period.text }}
{% for f in filters %}{{ f.name }}={{ f.value }};{% endfor %}
{{ labels.period }}{{ labels.filters }}{{ labels.no_filters }}{{ labels.bulletins }}{{ labels.generated }}\
{{ labels.tags }}{{ labels.link }}{{ labels.private }}{{ labels.empty }}{{ labels.no_country }}\
{{ labels.no_category }}{{ labels.countries }}{{ labels.categories }}{{ labels.languages }}{{ labels.since }}\
{{ labels.until }}{{ labels.contents }}
{% for g in groups %}
[{{ g.key }}|{{ g.heading }}|{{ g.anchor }}|{{ g.count }}]
{% for b in g.bulletins %}
{{ b.id }}|{{ b.title }}|{{ b.date }}|{{ b.date_text }}|{{ b.category }}|{{ b.category_name }}|\
{{ b.category_label }}|{{ b.countries|join(",") }}|{{ b.country_names|join(",") }}|{{ b.summary|length }}|\
{{ b.paragraphs|length }}|{{ b.truncated }}|{{ b.tags|join(",") }}|{{ b.lang }}|{{ b.url }}|{{ b.link }}|\
{{ b.source }}|{{ b.private }}|{{ b.added }}|{{ b.updated }}
{% endfor %}
{% endfor %}
{{ bulletins|length }} {{ bulletins[0].title|md }} {{ "https://x.org/a b"|md_url }}
"""


def test_user_template_gets_every_documented_name(run: Run, archive: Path, tmp_path: Path) -> None:
    template = tmp_path / "every.txt.j2"
    template.write_text(EVERY_NAME, encoding="utf-8")
    out = export(
        run, "--template", str(template), "--locale", "es", "--group-by", "country", "-c", "HN"
    ).stdout
    assert out.startswith(
        "Boletines de defensoras de derechos humanos|es|2|country|15 de junio de 2024|2024-06-15"
    )
    assert "[HN|Honduras|group-hn|2]" in out
    assert (
        "2|Defensora del territorio recibe amenazas en Olancho|2022-05-17|17 de mayo de 2022|alert|Alerta|"
        in out
    )
    assert "|None|None|2024-01-02T03:04:05Z|" in out  # no url, no link; private left out
    assert "https://x.org/a%20b" in out


def test_user_template_output_and_escaping_follow_its_name(run: Run, archive: Path, tmp_path: Path) -> None:
    monkey_cwd = tmp_path / "work"
    monkey_cwd.mkdir()
    text = tmp_path / "news.txt.j2"
    text.write_text("{% for b in bulletins %}{{ b.title }}\n{% endfor %}", encoding="utf-8")
    html = tmp_path / "page.html.j2"
    html.write_text("{% for b in bulletins %}<p>{{ b.title }}</p>\n{% endfor %}", encoding="utf-8")
    old = Path.cwd()
    os.chdir(monkey_cwd)
    try:
        result = run.ok("export", "--template", str(text))
        assert (monkey_cwd / f"digest-{TODAY}.txt").read_text(encoding="utf-8").count("\n") == 6
        assert "(md, template news.txt.j2)" in result.stderr
        run.ok("export", "--template", str(html))
        page = (monkey_cwd / f"digest-{TODAY}.html").read_text(encoding="utf-8")
    finally:
        os.chdir(old)
    assert HOSTILE_TITLE in (monkey_cwd / f"digest-{TODAY}.txt").read_text(encoding="utf-8")
    assert "<p>&lt;script&gt;" in page and "<script>" not in page


@pytest.mark.parametrize(
    ("source", "message"),
    [
        ("ok\n{{ title }\n", "line 2: unexpected '}'"),
        (
            "a\n{% for b in bulletins %}\n{{ b.titel }}\n{% endfor %}\n",
            "line 3: a bulletin has no attribute 'titel'",
        ),
        ("{{ nothing }}", "line 1: 'nothing' is undefined"),
        (
            "a\nb\n{{ ''.__class__.__mro__ }}",
            "line 3: access to attribute '__class__' of 'str' object is unsafe",
        ),
        ("\n{{ 1 / 0 }}", "line 2: division by zero"),
        ("{% for b in bulletins %}", "line 1: Unexpected end of template"),
        ("x\n{% include 'missing.j2' %}", "line 2: 'missing.j2' not found"),
    ],
)
def test_broken_template_is_one_line_naming_the_line(
    run: Run, archive: Path, tmp_path: Path, source: str, message: str
) -> None:
    template = tmp_path / "mine.md.j2"
    template.write_text(source, encoding="utf-8")
    out = tmp_path / "out.md"
    result = run("export", "--template", str(template), "-o", str(out))
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: The template {template}, {message}")
    assert result.stderr.count("\n") == 1
    assert not [p for p in tmp_path.iterdir() if "out.md" in p.name]  # no half file, no temp


def test_broken_included_template_names_the_included_file(run: Run, archive: Path, tmp_path: Path) -> None:
    (tmp_path / "part.j2").write_text("fine\n{{ b.nope }}\n", encoding="utf-8")
    main = tmp_path / "main.j2"
    main.write_text("{% for b in bulletins %}{% include 'part.j2' %}{% endfor %}", encoding="utf-8")
    result = run("export", "--template", str(main), "-o", "-")
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: The template part.j2 (included by {main}), line 2:")


@pytest.mark.parametrize(
    ("content", "message"),
    [(None, "does not exist"), (b"\xff\xfe{{", "is not UTF-8 text")],
)
def test_unreadable_template(
    run: Run, archive: Path, tmp_path: Path, content: bytes | None, message: str
) -> None:
    template = tmp_path / "t.j2"
    if content is not None:
        template.write_bytes(content)
    result = run("export", "--template", str(template), "-o", "-")
    assert result.exit_code == 1 and message in result.stderr and result.stderr.count("\n") == 1


# -- the output file -------------------------------------------------------------------------------


def test_default_output_never_overwritten_without_force(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    result = run.ok("export")
    target = tmp_path / f"digest-{TODAY}.md"
    assert result.stdout == "" and result.stderr == f"Wrote 6 bulletins (md) to {target.name}.\n"
    assert target.read_text(encoding="utf-8").startswith("# WHRD bulletins\n")
    target.write_text("my edits", encoding="utf-8")
    again = run("export")
    assert again.exit_code == 1
    assert again.stderr == (
        f"Error: {target.name} already exists; use --force to overwrite it, or --output to write elsewhere.\n"
    )
    assert target.read_text(encoding="utf-8") == "my edits"
    run.ok("export", "--force")
    assert target.read_text(encoding="utf-8").startswith("# WHRD bulletins\n")
    run.ok("export", "-f", "atom")
    assert (tmp_path / f"digest-{TODAY}.atom").exists()


def test_format_follows_the_output_extension(run: Run, archive: Path, tmp_path: Path) -> None:
    run.ok("export", "-o", str(tmp_path / "week.html"))
    check_html((tmp_path / "week.html").read_text(encoding="utf-8"))
    run.ok("export", "-o", str(tmp_path / "feed.atom"))
    parse_atom((tmp_path / "feed.atom").read_text(encoding="utf-8"))
    run.ok("export", "-o", str(tmp_path / "notes.markdown"))
    assert (tmp_path / "notes.markdown").read_text(encoding="utf-8").startswith("# ")


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("blocker/out.md", "blocker is not a folder"),
        ("nowhere/out.md", "nowhere does not exist"),
        (".", "is a folder; give a file name with --output"),
    ],
)
def test_unwritable_output_is_one_clean_line(
    run: Run, archive: Path, tmp_path: Path, where: str, message: str
) -> None:
    (tmp_path / "blocker").write_text("a file")
    result = run("export", "-o", str(tmp_path / where))
    assert result.exit_code == 1 and message in result.stderr
    assert result.stderr.startswith("Error: ") and result.stderr.count("\n") == 1


@pytest.mark.skipif(not Path("/proc/self").exists(), reason="needs Linux /proc")
def test_output_refused_by_the_system(run: Run, archive: Path) -> None:
    result = run("export", "-o", "/proc/whrd-digest.md")
    assert result.exit_code == 1 and result.stderr.startswith("Error: Cannot write /proc/whrd-digest.md: ")


@pytest.mark.skipif(os.geteuid() == 0 if hasattr(os, "geteuid") else True, reason="root writes anywhere")
def test_read_only_folder(run: Run, archive: Path, tmp_path: Path) -> None:
    folder = tmp_path / "ro"
    folder.mkdir(mode=0o500)
    result = run("export", "-o", str(folder / "x.md"))
    assert result.exit_code == 1 and "is not writable" in result.stderr


def test_the_archive_is_never_an_output(run: Run, archive: Path) -> None:
    before = archive.read_bytes()
    for name in ("archive.json", "archive.json.bak", "archive.json.bak.2", "archive.json.lock"):
        result = run("export", "-f", "json", "-o", str(archive.with_name(name)), "--force")
        assert result.exit_code == 1 and "is the archive" in result.stderr
    assert archive.read_bytes() == before
    run.ok("export", "-o", str(archive.with_name("archive.json.csv")))  # only those names


def test_a_failing_writer_leaves_no_file(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def boom(*_a: object, **_k: object) -> None:
        raise RuntimeError("secret bulletin text")

    monkeypatch.setattr("whrd_cli.formats.markdown.write", boom)
    result = run("export", "-o", str(tmp_path / "x.md"))
    assert result.exit_code == 70 and "secret" not in result.stderr
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(("x.md", ".x.md"))]


def test_a_failing_write_leaves_the_old_file(
    run: Run, archive: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "x.md"
    target.write_text("old", encoding="utf-8")

    def full_disk(*_a: object, **_k: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr("os.replace", full_disk)
    result = run("export", "-o", str(target), "--force")
    assert result.exit_code == 1
    assert result.stderr == f"Error: Cannot write {target}: No space left on device.\n"
    assert target.read_text(encoding="utf-8") == "old"
    beside = ["archive.json", "archive.json.lock", "x.md"]  # no temp file left (the index may be there)
    assert sorted(p.name for p in tmp_path.iterdir() if not p.name.endswith(".search.sqlite")) == beside


# -- the library call -------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", WRITERS)
def test_run_export_prints_nothing_and_never_writes_the_archive(
    archive: Path, tmp_path: Path, fmt: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from datetime import date

    from whrd_cli.export import ExportRequest, run_export
    from whrd_cli.filters import Filter

    before = (archive.read_bytes(), archive.stat().st_mtime_ns)
    today = date.fromisoformat(TODAY)
    to_stdout = run_export(
        Archive(archive), Filter(), ExportRequest.build(format=fmt, output="-", today=today)
    )
    assert (to_stdout.count, to_stdout.path) == (len(SAMPLE), None)
    assert to_stdout.text and "Annual report on attacks against defenders" in to_stdout.text
    target = tmp_path / "out" / f"x.{fmt}"
    target.parent.mkdir()
    request = ExportRequest.build(format=fmt, output=str(target), locale="es", today=today)
    assert run_export(Archive(archive), Filter(langs=frozenset({"es"})), request).path == target
    assert target.read_text(encoding="utf-8")
    assert capsys.readouterr() == ("", "")
    assert (archive.read_bytes(), archive.stat().st_mtime_ns) == before


# -- options ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-f", "pdf"], "Unknown format 'pdf'. Valid formats: md, html, listing, json, jsonl, csv, atom."),
        (["--locale", "fr"], "Unknown locale 'fr'. Valid locales: en, es."),
        (
            ["--group-by", "year"],
            "Unknown grouping 'year'. Valid groupings: none, country, month, category, thread.",
        ),
        (["-f", "atom", "--group-by", "country"], "--group-by works with the md, html formats, not atom."),
        (["-f", "atom", "--template", "x.j2"], "--template works with the md, html formats, not atom."),
        (["-f", "md", "--fields", "title"], "--fields works with the json, jsonl, csv formats, not md."),
        (["-f", "json", "--fields", "titel,date"], "Unknown field 'titel' in --fields. Did you mean: title?"),
        (["-f", "csv", "--fields", "title,private"], "--fields names private: add --include-private"),
        (["-f", "json", "--fields", " , "], "--fields is empty."),
        (["--title", " "], "The --title is empty: give a --title with letters or digits."),
        (["--title", "a\x1b[31m"], "The --title contains a control character"),
        (["--country", "Hondura"], "Unknown country 'Hondura'. Did you mean: Honduras?"),
        (["--since", "2020", "--until", "2019"], "--since 2020 is after --until 2019"),
    ],
)
def test_bad_options_are_one_clean_line(run: Run, archive: Path, args: list[str], message: str) -> None:
    result = run("export", "-o", "-", *args)
    assert result.exit_code == 1 and result.stdout == ""
    assert result.stderr.startswith(f"Error: {message}") and result.stderr.count("\n") == 1


def test_help_derives_from_the_registry(run: Run) -> None:
    out = run.ok("export", "--help").stdout
    for name in WRITERS:
        assert name in out
    assert "Example:" in out


def test_jinja2_is_imported_only_when_a_digest_is_rendered() -> None:
    code = (
        "import sys; from whrd_cli.cli import app; import whrd_cli.formats.atom;"
        " print('jinja2' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


def test_templates_and_catalogs_ship_in_the_wheel(tmp_path: Path) -> None:
    """The digest templates and the compiled Spanish catalog are package data: build the wheel a
    user installs and look inside it (the catalog read from the wheel speaks Spanish)."""
    import gettext
    import importlib.util
    import io
    import zipfile

    root = Path(__file__).resolve().parents[1]
    command = [sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", str(tmp_path)]
    if importlib.util.find_spec("hatchling") is not None:
        command.append("--no-build-isolation")  # the build backend is here: no index needed
    built = subprocess.run([*command, str(root)], capture_output=True, text=True, check=False)
    if built.returncode and "hatchling" in built.stderr and "No matching distribution" in built.stderr:
        pytest.skip("cannot build the wheel: hatchling is not installed and no package index is reachable")
    assert built.returncode == 0, built.stderr
    (wheel,) = tmp_path.glob("whrd_cli-*.whl")
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {"whrd_cli/templates/digest.md.j2", "whrd_cli/templates/digest.html.j2"} <= names
    assert {"whrd_cli/digest/__init__.py", "whrd_cli/digest/environment.py"} <= names
    mo = "whrd_cli/locale/es/LC_MESSAGES/whrd.mo"
    assert mo in names
    catalog = gettext.GNUTranslations(io.BytesIO(zipfile.ZipFile(wheel).read(mo)))
    assert catalog.gettext("Show this message and exit.") == "Mostrar este mensaje y salir."
