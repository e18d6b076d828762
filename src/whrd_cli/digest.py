"""Digests: what a Markdown or HTML digest shows, worked out in Python, and its Jinja2 rendering.

The templates only loop. Grouping and counts, the period, the filters in words, labels, dates,
country and category names in the digest's locale, and which URLs may become links are decided
here and handed over as the context that `--template` documents (see `digest_context`).

Bulletin text reaches a template raw; the HTML environment autoescapes it and the Markdown
template passes it through the `md` filter, so neither can inject markup. A user's template runs
in Jinja2's sandbox, and anything that goes wrong in it becomes one `TemplateError` naming the
file and line. Jinja2 is imported only when a digest is rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from .categories import CATEGORIES, category_label, category_name
from .countries import country_name
from .dates import MONTHS_EN, MONTHS_ES, format_date
from .errors import TemplateError
from .records import lang_of
from .text import fold

if TYPE_CHECKING:
    from jinja2 import Environment, Template

    from .formats import WriteContext
    from .records import Entry

GROUPINGS: tuple[str, ...] = ("none", "country", "month", "category")
LOCALES: tuple[str, ...] = ("en", "es")
TEMPLATES = Path(__file__).parent / "templates"
# A user template whose name ends like this is HTML or XML, so its output is autoescaped.
_MARKUP_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".xml", ".svg"})
_TEMPLATE_SUFFIXES = frozenset({".j2", ".jinja", ".jinja2"})
_LINKABLE = re.compile(r"https?://\S+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Labels:
    """The fixed words of a digest, in one locale."""

    period: str
    filters: str
    no_filters: str
    bulletins: str
    generated: str
    tags: str
    link: str
    private: str
    empty: str
    no_country: str
    no_category: str
    countries: str
    categories: str
    languages: str
    since: str
    until: str
    contents: str


LABELS: dict[str, Labels] = {
    "en": Labels(
        period="Period",
        filters="Filters",
        no_filters="none (every bulletin)",
        bulletins="Bulletins",
        generated="Generated",
        tags="Tags",
        link="Read more",
        private="Private note",
        empty="No bulletins match these filters.",
        no_country="No country",
        no_category="No category",
        countries="Countries",
        categories="Categories",
        languages="Languages",
        since="Since",
        until="Until",
        contents="Contents",
    ),
    "es": Labels(
        period="Periodo",
        filters="Filtros",
        no_filters="ninguno (todos los boletines)",
        bulletins="Boletines",
        generated="Generado",
        tags="Etiquetas",
        link="Leer más",
        private="Nota privada",
        empty="Ningún boletín coincide con estos filtros.",
        no_country="Sin país",
        no_category="Sin categoría",
        countries="Países",
        categories="Categorías",
        languages="Idiomas",
        since="Desde",
        until="Hasta",
        contents="Índice",
    ),
}
DEFAULT_TITLES: dict[str, str] = {
    "en": "WHRD bulletins",
    "es": "Boletines de defensoras de derechos humanos",
}


def default_title(locale: str) -> str:
    return DEFAULT_TITLES.get(locale, DEFAULT_TITLES["en"])


@dataclass(frozen=True, slots=True)
class DigestBulletin:
    """One bulletin as a template sees it (a plain object: fast attribute access, sandbox-safe)."""

    id: int
    title: str
    date: str  # YYYY-MM-DD
    date_text: str  # "4 de marzo de 2018"
    category: str | None
    category_name: str  # "Open letter" / "Carta abierta"
    category_label: str  # "OPEN LETTER" / "CARTA ABIERTA", as listing headings write it
    countries: tuple[str, ...]  # ISO codes
    country_names: tuple[str, ...]
    summary: str
    paragraphs: tuple[str, ...]  # the summary split at blank lines
    truncated: bool
    tags: tuple[str, ...]
    lang: str
    url: str | None
    link: str | None  # the url when it is http(s), the only kind a digest links
    source: str | None
    private: str | None  # None unless --include-private
    added: str | None
    updated: str | None


@dataclass(frozen=True, slots=True)
class DigestGroup:
    """A heading and its bulletins; with no grouping, one group whose heading is None."""

    key: str | None
    heading: str | None
    anchor: str  # an HTML id: "group-hn", "group-2018-03"
    count: int
    bulletins: tuple[DigestBulletin, ...]


@dataclass(frozen=True, slots=True)
class FilterLine:
    name: str  # "Countries" / "Países"
    value: str  # "Guatemala, Honduras"


@dataclass(frozen=True, slots=True)
class Period:
    start: str  # YYYY-MM-DD
    end: str
    start_text: str  # "4 March 2018"
    end_text: str
    text: str  # "4 March 2018 – 2 June 2019", or one date


# -- the context ---------------------------------------------------------------------------------


def digest_context(entries: Sequence[Entry], context: WriteContext) -> dict[str, Any]:
    """Everything a digest template receives; the README documents each name."""
    locale = context.locale if context.locale in LABELS else "en"
    labels = LABELS[locale]
    generated = context.generated.date() if context.generated else None
    names = _Names(locale)
    private = context.include_private
    from .export import Selection

    if isinstance(entries, Selection):  # straight from the stored dicts: no `Bulletin`s built
        bulletins = [_bulletin(doc_id, raw, names, private) for doc_id, raw in entries.pairs]
    else:
        bulletins = [_bulletin(e.id, e.bulletin.to_dict(), names, private) for e in entries]
    return {
        "title": context.title,
        "locale": locale,
        "labels": labels,
        "count": len(bulletins),
        "period": period([b.date for b in bulletins], context.filters, generated, locale),
        "filters": filter_lines(context.filters, locale),
        "generated": format_date(generated, locale) if generated else "",
        "generated_iso": context.generated.isoformat(timespec="seconds") if context.generated else "",
        "group_by": context.group_by,
        "groups": group_bulletins(bulletins, context.group_by, locale),
        "bulletins": bulletins,
    }


class _Names:
    """Localised names, each worked out once: a 100k digest repeats a few thousand dates and names."""

    def __init__(self, locale: str) -> None:
        self.locale = locale
        self.dates: dict[str, str] = {}
        self.countries: dict[tuple[str, ...], tuple[str, ...]] = {}
        self.categories: dict[str | None, tuple[str, str]] = {}

    def date(self, day: str) -> str:
        text = self.dates.get(day)
        if text is None:
            text = self.dates[day] = format_date(day, self.locale)
        return text

    def country_names(self, codes: tuple[str, ...]) -> tuple[str, ...]:
        found = self.countries.get(codes)
        if found is None:
            found = self.countries[codes] = tuple(country_name(c, self.locale) for c in codes)
        return found

    def category(self, key: str | None) -> tuple[str, str]:
        found = self.categories.get(key)
        if found is None:
            found = self.categories[key] = (
                category_name(key, self.locale),
                category_label(key, self.locale),
            )
        return found


_PARAGRAPH_BREAK = re.compile(r"\n[ \t]*\n")


def _paragraphs(summary: str) -> tuple[str, ...]:
    if "\n" not in summary:
        return (summary,) if summary else ()
    return tuple(p.strip() for p in _PARAGRAPH_BREAK.split(summary) if p.strip())


def _bulletin(doc_id: int, raw: Mapping[str, Any], names: _Names, private: bool) -> DigestBulletin:
    """A bulletin for the template, from its stored dict (or `Bulletin.to_dict()`): each field
    read as `store.to_bulletin` reads it, so both give the same digest."""
    day = raw["date"]
    category = raw.get("category")
    cat_name, cat_label = names.category(category)
    countries = tuple(raw.get("countries") or ())
    summary = raw.get("summary") or ""
    url = raw.get("url")
    return DigestBulletin(
        id=doc_id,
        title=raw["title"],
        date=day,
        date_text=names.date(day),
        category=category,
        category_name=cat_name,
        category_label=cat_label,
        countries=countries,
        country_names=names.country_names(countries),
        summary=summary,
        paragraphs=_paragraphs(summary),
        truncated=bool(raw.get("truncated")),
        tags=tuple(raw.get("tags") or ()),
        lang=lang_of(raw),
        url=url,
        link=linkable(url),
        source=raw.get("source"),
        private=raw.get("private") if private else None,
        added=raw.get("added"),
        updated=raw.get("updated"),
    )


def linkable(url: str | None) -> str | None:
    """The url if a digest may link it: http(s) only (never javascript:, data:, or mailto:)."""
    return url if url and _LINKABLE.fullmatch(url) else None


def group_bulletins(bulletins: Sequence[DigestBulletin], by: str, locale: str) -> list[DigestGroup]:
    """Groups in reading order; a bulletin about two countries is in both country groups.

    Countries and categories read alphabetically / in the category table's order, months newest
    first; bulletins without a country or category come last. Within a group the given order holds.
    """
    if not bulletins:
        return []
    if by == "none":
        return [DigestGroup(None, None, "bulletins", len(bulletins), tuple(bulletins))]
    labels = LABELS[locale]
    buckets: dict[str | None, list[DigestBulletin]] = {}
    for b in bulletins:
        for key in _group_keys(b, by):
            buckets.setdefault(key, []).append(b)
    if by == "country":
        headings = {k: (country_name(k, locale) if k else labels.no_country) for k in buckets}
        order = sorted(buckets, key=lambda k: (k is None, fold(headings[k])))
    elif by == "category":
        headings = {k: (category_name(k, locale) if k else labels.no_category) for k in buckets}
        rank = {c.key: i for i, c in enumerate(CATEGORIES)}
        order = sorted(buckets, key=lambda k: (k is None, rank.get(k or "", len(rank)), k or ""))
    elif by == "month":
        headings = {k: month_heading(k, locale) for k in buckets if k}
        order = sorted(buckets, key=lambda k: k or "", reverse=True)
    else:
        raise ValueError(f"cannot group by {by!r}")  # the CLI only offers GROUPINGS
    return [
        DigestGroup(
            key,
            headings[key],
            f"group-{_anchor(key)}" if key else "nogroup",
            len(buckets[key]),
            tuple(buckets[key]),
        )
        for key in order
    ]


def _group_keys(b: DigestBulletin, by: str) -> Iterable[str | None]:
    if by == "country":
        return b.countries or (None,)
    if by == "category":
        return (b.category,)
    return (b.date[:7],)


def _anchor(key: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", fold(key)).strip("-") or "x"


def month_heading(month: str, locale: str) -> str:
    """`2018-03` as `March 2018` / `Marzo de 2018`."""
    year, number = int(month[:4]), int(month[5:7])
    if locale == "es":
        return f"{MONTHS_ES[number - 1].capitalize()} de {year}"
    return f"{MONTHS_EN[number - 1]} {year}"


def period(
    dates: Sequence[str], filters: Mapping[str, Any], generated: date | None, locale: str
) -> Period | None:
    """The dates the digest covers: the --since/--until bounds, else the bulletins' own span.

    `--since 7d` without `--until` covers up to the day the digest is made.
    """
    start = filters.get("since") or (min(dates) if dates else None)
    end = filters.get("until")
    if end is None and filters.get("since") and generated is not None:
        end = max([generated.isoformat(), *dates])
    if end is None and dates:
        end = max(dates)
    if start is None or end is None:
        return None
    start_text, end_text = format_date(start, locale), format_date(end, locale)
    text = start_text if end == start else f"{start_text} – {end_text}"
    return Period(start, end, start_text, end_text, text)


def filter_lines(filters: Mapping[str, Any], locale: str) -> list[FilterLine]:
    """`Filter.describe()` in words: names rather than codes, dates as the locale writes them."""
    from .lang import language_name

    labels = LABELS[locale]
    lines: list[FilterLine] = []
    if filters.get("countries"):
        names = sorted((country_name(c, locale) for c in filters["countries"]), key=fold)
        lines.append(FilterLine(labels.countries, ", ".join(names)))
    if filters.get("categories"):
        names = [category_name(c, locale) for c in filters["categories"]]
        lines.append(FilterLine(labels.categories, ", ".join(names)))
    if filters.get("tags"):
        lines.append(FilterLine(labels.tags, ", ".join(f"#{t}" for t in filters["tags"])))
    if filters.get("langs"):
        names = [language_name(code, locale) for code in filters["langs"]]
        lines.append(FilterLine(labels.languages, ", ".join(names)))
    if filters.get("since"):
        lines.append(FilterLine(labels.since, format_date(filters["since"], locale)))
    if filters.get("until"):
        lines.append(FilterLine(labels.until, format_date(filters["until"], locale)))
    return lines


# -- Markdown escaping -----------------------------------------------------------------------------

_MD_INLINE = re.compile(r"[\\`*_\[\]<>~]")
_MD_INLINE_ESCAPES = str.maketrans({char: f"\\{char}" for char in "\\`*_[]<>~"})
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^([ \t]*)([#+\-=|]|\d+(?=[.)]))", re.MULTILINE)
_MD_BLOCK_CHARS = frozenset("#+-=| \t0123456789")
_MD_TRAILING_HASHES = re.compile(r"(?<=[ \t])(#+)(?=[ \t]*$)", re.MULTILINE)
_MD_URL_UNSAFE = re.compile(r"[\s()<>\\]")


def _md_line_start(match: re.Match[str]) -> str:
    indent, marker = match[1], match[2]
    return f"{indent}{marker}\\" if marker[0].isdigit() else f"{indent}\\{marker}"


def md_escape(value: Any) -> str:
    """Text that a Markdown renderer shows exactly as written: no emphasis, links, HTML or headings.

    Escapes inline markup everywhere, block markers (`#`, `-`, `1.`, `>`, …) at the start of a line,
    and a trailing `#` that would close a heading; leaves the rest readable as plain text. The
    checks before each pass keep a 100k-bulletin digest fast: most text needs only the first.
    """
    text = value if type(value) is str else str(value)
    if _MD_INLINE.search(text):  # most text has none: one scan, no copy
        text = text.translate(_MD_INLINE_ESCAPES)  # one C pass (a `\g<0>` template is slow)
    if "&" in text:
        text = _MD_ENTITY.sub(r"\\&", text)
    if "\n" in text or text[:1] in _MD_BLOCK_CHARS:
        text = _MD_LINE_START.sub(_md_line_start, text)
    if "#" in text:
        text = _MD_TRAILING_HASHES.sub(r"\\\1", text)
    return text


def md_url(value: Any) -> str:
    """A URL that cannot end a Markdown link early: spaces, brackets and backslashes percent-encoded."""
    return _MD_URL_UNSAFE.sub(lambda m: f"%{ord(m[0]):02X}", str(value))


# -- rendering -----------------------------------------------------------------------------------


def render_digest(entries: Sequence[Entry], out: TextIO, context: WriteContext, *, shipped: str) -> None:
    """Render the shipped template `shipped`, or the user's `context.template`, into `out`."""
    data = digest_context(entries, context)
    html = shipped.endswith(".html.j2")
    if context.template is None:
        _stream(_shipped_environment(html).get_template(shipped).generate(**data), out)
        return
    import jinja2

    path = context.template
    template = _user_template(path, html=html)
    try:
        _stream(template.generate(**data), out)
    except jinja2.TemplateSyntaxError as exc:  # in a template it includes
        raise TemplateError(_describe(path, exc, exc.filename, exc.lineno)) from exc
    except Exception as exc:  # anything a user's template does wrong is the user's to fix
        raise TemplateError(_describe(path, exc, *_template_line(exc))) from exc


# Template pieces joined per write: a digest of 100,000 bulletins is millions of small strings.
_PIECES_PER_WRITE = 8192


def _stream(pieces: Iterator[str], out: TextIO) -> None:
    """Write a template's output as it is produced, never the whole of it as one string.

    Whether `out` is a file being written atomically or a buffer, a failing template leaves
    nothing behind: the caller discards the temp file or the buffer.
    """
    while True:
        batch = list(islice(pieces, _PIECES_PER_WRITE))
        if not batch:
            return
        out.write("".join(batch))


def user_template_suffix(path: Path) -> str:
    """The extension a user template produces: `news.txt.j2` -> `.txt`; '' when it names none."""
    suffixes = [s.lower() for s in path.suffixes]
    while suffixes and suffixes[-1] in _TEMPLATE_SUFFIXES:
        suffixes.pop()
    return suffixes[-1] if suffixes else ""


def _configure(env: Environment) -> Environment:
    env.filters["md"] = md_escape
    env.filters["md_url"] = md_url
    return env


@cache
def _shipped_environment(html: bool) -> Environment:
    from jinja2 import Environment, FileSystemLoader, StrictUndefined

    return _configure(
        Environment(
            loader=FileSystemLoader(TEMPLATES),
            autoescape=html,
            undefined=StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    )


def _user_template(path: Path, *, html: bool) -> Template:
    """Load a user's template in the sandbox; includes resolve beside it."""
    import jinja2
    from jinja2.sandbox import SandboxedEnvironment

    if not path.is_file():
        what = "is a folder" if path.is_dir() else "does not exist"
        raise TemplateError(f"The template {path} {what}; give a Jinja2 template file.")
    markup = html or user_template_suffix(path) in _MARKUP_SUFFIXES
    env = _configure(
        SandboxedEnvironment(
            loader=jinja2.FileSystemLoader(str(path.parent or ".")),
            autoescape=markup,
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
        )
    )
    try:
        return env.get_template(path.name)
    except jinja2.TemplateSyntaxError as exc:
        raise TemplateError(_describe(path, exc, exc.filename, exc.lineno)) from exc
    except UnicodeDecodeError as exc:
        raise TemplateError(f"The template {path} is not UTF-8 text.") from exc
    except (OSError, jinja2.TemplateError) as exc:
        raise TemplateError(f"Cannot read the template {path}: {exc}.") from exc


def _template_line(exc: BaseException) -> tuple[str | None, int | None]:
    """The template file and line an error happened on, innermost first.

    Jinja2 rewrites a rendering traceback so that its frames carry template files and lines;
    every other frame is Python code (`.py`).
    """
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        filename = tb.tb_frame.f_code.co_filename
        if not filename.endswith(".py") and not filename.startswith("<"):
            found = (filename, tb.tb_lineno)
        tb = tb.tb_next
    return found


_CONTEXT_OBJECT = re.compile(r"'whrd_cli\.digest\.(\w+) object'")
_CONTEXT_NAMES = {
    "DigestBulletin": "a bulletin",
    "DigestGroup": "a group",
    "Labels": "labels",
    "Period": "period",
    "FilterLine": "a filter",
}


def _describe(path: Path, exc: BaseException, filename: str | None, line: int | None) -> str:
    where = f"The template {path}"
    if filename and Path(filename).resolve() != path.resolve():
        where = f"The template {Path(filename).name} (included by {path})"
    if line:
        where += f", line {line}"
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    if isinstance(exc, RecursionError):
        message = "it calls itself without end"
    message = _CONTEXT_OBJECT.sub(lambda m: _CONTEXT_NAMES.get(m[1], m[1]), message)
    if "has no attribute" in message or "is undefined" in message:
        message += " (the README lists the names a template can use)"
    return f"{where}: {message.rstrip('.')}."


def generated_moment(today: date, now: datetime | None = None) -> datetime:
    """When a digest was made: now, on `today`'s date (which tests and `WHRD_TODAY` may fix)."""
    moment = (now or datetime.now()).astimezone()
    if moment.date() != today:
        moment = datetime.combine(today, moment.timetz())
    return moment
