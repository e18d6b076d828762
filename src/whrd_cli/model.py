"""The bulletin: its fields, the rules every stored bulletin keeps, its dict form, and what an
edit asks of it (`BulletinEdit`).

Every way into the archive (add, edit, import) builds a `Bulletin` through `Bulletin.create`,
so validation and normalisation happen in exactly one place.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Iterable, Mapping, Sequence
from functools import cached_property, lru_cache
from typing import Any

from msgspec import Struct, field
from msgspec.structs import asdict, replace

from .categories import normalise_category
from .countries import resolve_countries
from .dates import parse_date
from .errors import ValidationError
from .i18n import _, ngettext
from .identity import normalise_rev, normalise_uid
from .links_model import Links, json_kind, read_bool, read_links
from .text import clean_line, clean_text, fold, printable, printable_raw, unsafe_in_url

_LANG = re.compile(r"[a-z]{2}")
_WORD = re.compile(r"\w+")

# The language of a bulletin that names none and whose language cannot be detected.
DEFAULT_LANG = "en"

# The fields a bulletin has, in the order JSON and CSV write them.
FIELDS: tuple[str, ...] = (
    *("title", "date", "category", "countries", "summary", "truncated", "tags", "lang"),
    *("url", "source", "private", "added", "updated", "uid", "rev"),
)
LIST_FIELDS = frozenset({"countries", "tags"})
_KNOWN_KEYS = frozenset({*FIELDS, "id", "links"})  # links: absent when none (links_model)


def dedupe_key(date: str, title: str, lang: str) -> str:
    """Same day, same title (folded, punctuation ignored), same language: the same bulletin."""
    # The folded title's words (runs of \w) joined by one space: the same as replacing every
    # non-word run by a space and splitting, with one C-speed pass instead of three.
    return f"{date}|{lang}|{' '.join(_WORD.findall(fold(title)))}"


# Tags and countries repeat across an import's records: each spelling is folded or resolved once.
_fold_tag = lru_cache(maxsize=8192)(fold)
_resolve_countries = lru_cache(maxsize=4096)(resolve_countries)


def normalise_tags(tags: Iterable[str]) -> list[str]:
    """Tags without `#`, unique case-insensitively, first spelling kept.

    A tag is one word: spaces, commas and semicolons separate tags (CSV writes a list as one
    `;`-separated cell, so a tag holding `;` would come back as two)."""
    seen: set[str] = set()
    result: list[str] = []
    for raw in tags:
        for tag in raw.replace(",", " ").replace(";", " ").split() if raw.strip() else []:
            tag = clean_line(tag.lstrip("#"), "tag", field="tags")
            if not tag:
                continue
            key = _fold_tag(tag)
            if key not in seen:
                seen.add(key)
                result.append(tag)
    return result


def normalise_countries(countries: Iterable[str]) -> list[str]:
    """ISO alpha-2 codes, unique, in the order given; each text may be a comma or semicolon list
    or a region (standing for its countries)."""
    result: list[str] = []
    for raw in countries:
        if not raw.strip():
            continue
        for code in _resolve_countries(raw):
            if code not in result:
                result.append(code)
    return result


def normalise_lang(lang: str) -> str:
    """The code of a language given as a code or a name (`es`, `español`, `English`): the same
    values `--lang` takes, at add's prompt, in the editor's form and in imported records."""
    from .lang import language_code

    value = language_code(lang)
    if not _LANG.fullmatch(value):
        raise ValidationError(
            _("Unknown language {lang!r}: give an ISO 639-1 code such as en or es.").format(lang=lang),
            field="lang",
            value=lang,
        )
    return value


# http(s), a host of letters, digits, dots, hyphens (no port, user, brackets), printable ASCII:
# most links an import meets (70,000 at 100k), sure to pass every check of the slow path.
_PLAIN_URL = re.compile(r"https?://[A-Za-z0-9][A-Za-z0-9.-]*(?:[/?#][!-~]*)?", re.IGNORECASE)


def normalise_url(url: str) -> str:
    """A link as the model keeps it: http or https, a host, and no space, control, bidirectional
    or other invisible character (which could hide where the link goes, or drive a terminal)."""
    value = url.strip()
    if not value or _PLAIN_URL.fullmatch(value):  # the common case, sure to pass every check below
        return value
    from urllib.parse import urlsplit

    bad = unsafe_in_url(value)
    if bad is not None:
        message = _("The url {url!r} contains a space or control character (U+{code}); remove it.")
        raise _url_error(message, url, code=f"{ord(bad):04X}")
    try:
        parts = urlsplit(value)
    except ValueError:  # an unclosed [IPv6] bracket
        raise _url_error(_("The url {url!r} has a host that cannot be read."), url) from None
    if parts.scheme.lower() not in ("http", "https") or not value[len(parts.scheme) :].startswith("://"):
        raise _url_error(_("The url {url!r} must start with http:// or https://."), url)
    try:
        parts.port  # noqa: B018 - reading it checks the port
    except ValueError:
        raise _url_error(_("The url {url!r} has a port that is not a number from 0 to 65535."), url) from None
    if not parts.hostname:
        raise _url_error(_("The url {url!r} has no host: write it as https://example.org/page."), url)
    return value


def _url_error(message: str, url: str, **more: str) -> ValidationError:
    """The error about `url`, from a translated message with an `{url!r}` placeholder."""
    return ValidationError(message.format(url=url, **more), field="url", value=url)


class Bulletin(Struct, frozen=True, dict=True):
    """One published bulletin, normalised and valid.

    A msgspec Struct rather than a dataclass: its class is made in C (a frozen dataclass of
    16 fields cost ~1 ms of every command's start), and so is each instance (export and
    `list --all` make 100,000). `dict=True` gives `key` (a `cached_property`) its place."""

    title: str
    date: str  # YYYY-MM-DD
    category: str | None = None
    countries: tuple[str, ...] = ()
    summary: str = ""
    truncated: bool = False
    tags: tuple[str, ...] = ()
    lang: str = DEFAULT_LANG
    url: str | None = None
    source: str | None = None
    private: str | None = None
    added: str | None = None
    updated: str | None = None
    uid: str | None = None  # given by the store at creation, never changed (issue 15)
    rev: str | None = None  # the store's revision of this version: N-hash, CouchDB's meaning
    links: Links | None = None  # other versions and the alert followed (issue 17, `links_model`)

    @classmethod
    def create(
        cls,
        *,
        title: str,
        date: str,
        category: str | None = None,
        countries: Iterable[str] = (),
        summary: str = "",
        truncated: bool = False,
        tags: Iterable[str] = (),
        lang: str | None = None,
        url: str | None = None,
        source: str | None = None,
        private: str | None = None,
        added: str | None = None,
        updated: str | None = None,
        uid: str | None = None,
        rev: str | None = None,
        links: Any = None,
        today: datetime.date | None = None,
    ) -> Bulletin:
        """Validate and normalise user input into a bulletin; raises ValidationError-family errors.

        `today` lets the date be `today`/`hoy` or `yesterday`/`ayer` (never a hidden clock)."""
        title = clean_line(title or "", "title", required=True)
        summary = clean_text(summary or "", "summary")
        day = parse_date(date or "", today=today).isoformat()  # a form may leave it out entirely
        if lang is None or not lang.strip():
            from .i18n import language
            from .lang import detect_language

            # A text that does not tell is taken to be in the language its writer reads whrd in.
            lang = detect_language(f"{title}\n{summary}") or language()
        return cls(
            title=title,
            date=day,
            category=normalise_category(category) if category else None,
            countries=tuple(normalise_countries(countries)),
            summary=summary,
            truncated=bool(truncated),
            tags=tuple(normalise_tags(tags)),
            lang=normalise_lang(lang),
            url=normalise_url(url) or None if url else None,
            source=clean_line(source, "source") or None if source else None,
            private=clean_text(private, "private note", field="private") or None if private else None,
            added=added,
            updated=updated,
            uid=normalise_uid(uid) if uid else None,
            rev=normalise_rev(rev) if rev else None,
            links=read_links(links, own_uid=uid),
        )

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Bulletin:
        """Build from a stored or imported dict, validating everything; unknown keys are an error."""
        unknown = sorted(data.keys() - _KNOWN_KEYS)
        if unknown:
            raise ValidationError(
                ngettext(
                    "Unknown field: {names}. Known fields: {known}.",
                    "Unknown fields: {names}. Known fields: {known}.",
                    len(unknown),
                ).format(
                    names=", ".join(printable(str(name), multiline=False) for name in unknown),
                    known=", ".join(FIELDS),
                )
            )
        for name in ("title", "date"):
            if data.get(name) in (None, ""):
                raise ValidationError(_("The {name} is missing.").format(name=name), field=name)
        values: dict[str, Any] = {}
        for name in FIELDS:
            value = data.get(name)
            if value is None:
                continue
            if name in LIST_FIELDS:
                if isinstance(value, str):
                    value = [v for v in value.split(";")]
                if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                    raise ValidationError(
                        _("The {name} must be a list of strings.").format(name=name), field=name, value=value
                    )
            elif name == "truncated":
                value = read_bool(value)
            elif not isinstance(value, str):
                raise ValidationError(
                    _("The {name} must be text, not {kind}.").format(name=name, kind=json_kind(value)),
                    field=name,
                    value=value,
                )
            values[name] = value
        return cls.create(**values, links=data.get("links"))

    def to_dict(self, *, private: bool = True) -> dict[str, Any]:
        """The JSON form: every field, countries as codes; `private` only when asked."""
        data = {name: getattr(self, name) for name in FIELDS}  # FIELDS: the Struct's fields, in order
        data["countries"] = list(self.countries)
        data["tags"] = list(self.tags)
        if not private:
            data.pop("private")
        if self.links:  # absent when none: unlinked bulletins read as before issue 17
            data["links"] = self.links.to_raw()
        return data

    @cached_property
    def key(self) -> str:
        """The duplicate key (`dedupe_key`), worked out once per bulletin.

        Not a field: equality, `asdict` and `replace` ignore it (`cached_property` keeps it in
        the instance's `__dict__`, beside the fields).
        """
        return dedupe_key(self.date, self.title, self.lang)

    def with_changes(self, **changes: Any) -> Bulletin:
        """A validated copy with some fields replaced (user input goes through `create`)."""
        current = asdict(self)  # (shallow: the links as their raw form, so `create` checks them again)
        if self.links:
            current["links"] = self.links.to_raw()
        current.update(changes)
        return Bulletin.create(**current)

    def printable(self) -> Bulletin:
        """This bulletin with every text field safe to print on a terminal (`text.printable_raw`):
        the model refuses control characters, but an archive edited by hand may hold them. For
        display only; never store the result."""
        current = {name: getattr(self, name) for name in FIELDS}
        safe = printable_raw(current)
        if safe is current:
            return self
        return replace(self, **{name: value for name, value in safe.items() if value is not current[name]})

    def stamped(self, *, added: str | None, updated: str | None) -> Bulletin:
        """The same bulletin with other timestamps (and its cached key: date, title and lang are
        unchanged): its fields are already valid, and `replace` validates nothing."""
        copy = replace(self, added=added, updated=updated)
        copy.__dict__.update(self.__dict__)
        return copy


# (`__struct_fields__`: the names alone; `msgspec.structs.fields` would resolve every annotation)
if Bulletin.__struct_fields__ != (*FIELDS, "links"):  # pragma: no cover - a bug, caught on import
    raise RuntimeError("model.FIELDS must list Bulletin's fields in order")


def check_required(name: str, value: str, *, today: datetime.date | None = None) -> None:
    """Raise the error `Bulletin.create` would raise for this title or date, so that a prompt can
    ask again at once instead of losing the other answers."""
    if name == "date":
        parse_date(value, today=today)
    else:
        clean_line(value, name, required=True)


class BulletinEdit(Struct, frozen=True):
    """What an edit asks of a bulletin: fields to set, and changes to its countries and tags
    relative to what it holds when the edit is applied.

    `changes` is applied by `Archive.update` inside the store's lock, on the bulletin as it is
    then, so two processes that each add a tag both land. Build one with `BulletinEdit.build`.
    """

    fields: Mapping[str, Any] = field(default_factory=dict)
    countries: tuple[str, ...] | None = None  # None: keep the bulletin's own
    add_countries: tuple[str, ...] = ()
    drop_countries: frozenset[str] = frozenset()  # ISO codes
    tags: tuple[str, ...] | None = None  # None: keep the bulletin's own
    add_tags: tuple[str, ...] = ()
    drop_tags: frozenset[str] = frozenset()  # folded, without '#'

    @classmethod
    def build(
        cls,
        fields: Mapping[str, Any] | None = None,
        *,
        countries: Sequence[str] | None = None,
        add_countries: Sequence[str] = (),
        remove_countries: Sequence[str] = (),
        tags: Sequence[str] | None = None,
        add_tags: Sequence[str] = (),
        remove_tags: Sequence[str] = (),
        today: datetime.date | None = None,
    ) -> BulletinEdit:
        """An edit from user input: `fields` to set (a None value leaves the field alone),
        countries and tags to replace (None: keep), add and remove.

        A date is read here (`today` gives `hoy`/`yesterday` their day) and a country to remove is
        resolved here, so an unknown one is an error before the archive is opened for writing; a
        tag to remove matches case-, accent- and `#`-insensitively.
        """
        given = {k: v for k, v in (fields or {}).items() if v is not None}
        if given.get("date"):  # read now: `today`/`hoy` means the day of the edit
            given["date"] = parse_date(given["date"], today=today).isoformat()
        return cls(
            fields=given,
            countries=None if countries is None else tuple(countries),
            add_countries=tuple(add_countries),
            drop_countries=frozenset(code for text in remove_countries for code in resolve_countries(text)),
            tags=None if tags is None else tuple(tags),
            add_tags=tuple(add_tags),
            drop_tags=frozenset(fold(t.lstrip("#")) for t in remove_tags),
        )

    @property
    def edits_countries(self) -> bool:
        return self.countries is not None or bool(self.add_countries or self.drop_countries)

    @property
    def edits_tags(self) -> bool:
        return self.tags is not None or bool(self.add_tags or self.drop_tags)

    @property
    def is_empty(self) -> bool:
        """Nothing asked: the CLI then opens the bulletin in the editor instead."""
        return not self.fields and not self.edits_countries and not self.edits_tags

    def changes(self, current: Bulletin) -> dict[str, Any]:
        """The field changes for `Bulletin.with_changes`: the fields to set, and the countries and
        tags as they become (the model normalises and dedupes them)."""
        result = dict(self.fields)
        if self.edits_countries:
            kept = self.countries if self.countries is not None else current.countries
            result["countries"] = [
                code
                for text in (*kept, *self.add_countries)
                for code in resolve_countries(text)
                if code not in self.drop_countries
            ]
        if self.edits_tags:
            kept = self.tags if self.tags is not None else current.tags
            result["tags"] = [t for t in (*kept, *self.add_tags) if fold(t.lstrip("#")) not in self.drop_tags]
        return result
