"""Exporting: which bulletins, in what order, rendered by a registered writer, saved safely.

`run_export` is the whole of `whrd export`: given the checked options (`ExportRequest.build`
turns the user's words into them) and a `Filter`, it selects, renders, and writes the file, or
returns the text for stdout. The CLI only builds the request and reports the `ExportResult`.
Exporting never writes the archive.

`write_file` renders straight into a temp file beside the output and moves it into place, so a
writer or a user's template that fails leaves nothing behind, and the output is never held in
memory; it never writes over an existing file unless asked, nor over the archive or its backups,
whatever is asked. `render` builds the output in memory (for stdout, where nothing may be printed
if rendering fails).
"""

from __future__ import annotations

import io
import os
import re
import stat
from collections.abc import Callable, Sequence
from datetime import date, datetime
from pathlib import Path
from typing import Any

from msgspec import Struct

from .choices import GROUP_BY, locale_code, resolve, valid_values
from .digest.context import GROUPINGS
from .digest.environment import user_template_suffix
from .digest.labels import default_title
from .errors import InputError, OutputError
from .export_target import check_output, exists_error, output_target
from .filters import Filter, sort_items
from .formats import BY_NAME, WRITERS, Format, WriteContext, get_format, writer
from .i18n import _, ngettext
from .links_export import one_per_group, versions_of
from .model import FIELDS
from .records import Entry, Raw, Selection
from .storage.atomic import atomic_file
from .storage.reasons import os_reason
from .store import Archive
from .text import printable_raw

# What --fields may name: what `whrd list --json` prints.
FIELD_NAMES: tuple[str, ...] = ("id", *FIELDS)
DIGEST_STEM = "digest"
# The formats that take --template and --group-by, and those that take --fields.
TEMPLATED: tuple[str, ...] = tuple(name for name in WRITERS if BY_NAME[name].template)
FIELDED: tuple[str, ...] = tuple(name for name in WRITERS if BY_NAME[name].selects_fields)
LINKED: tuple[str, ...] = tuple(name for name in WRITERS if BY_NAME[name].links)


class ExportRequest(Struct, frozen=True, kw_only=True):
    """`whrd export`'s options, checked and resolved (see `build`)."""

    format: Format
    path: Path | None  # None: the output goes to stdout
    title: str
    locale: str
    group_by: str = "none"
    template: Path | None = None
    fields: tuple[str, ...] | None = None
    include_private: bool = False
    force: bool = False
    limit: int | None = None  # the N newest, after sorting (as `whrd list --limit`)
    base_url: str | None = None
    tags: tuple[str, ...] = ()  # the --tag words as the user wrote them, for the filter line
    today: date

    @classmethod
    def build(
        cls,
        *,
        format: str | None = None,
        output: str | None = None,
        group_by: str = "none",
        title: str | None = None,
        template: Path | None = None,
        locale: str = "en",
        fields: str | None = None,
        include_private: bool = False,
        force: bool = False,
        limit: int | None = None,
        base_url: str | None = None,
        tags: Sequence[str] = (),
        today: date,
    ) -> ExportRequest:
        """Check the options as the user gave them, in this order, and resolve them.

        The format comes from `format`, else from the `output` extension, else md; `output` is a
        file name, "-" for stdout, or None for `digest-YYYY-MM-DD.<ext>` in the current folder.
        """
        fmt = writable_format(format or format_for_output(output) or "md")
        if limit is not None and limit < 1:
            raise InputError(_("--limit must be at least 1, not {limit}.").format(limit=limit))
        locale, group_by = locale_code(locale), resolve(group_by, GROUP_BY) or group_by
        if group_by not in GROUPINGS:
            message = _("Unknown grouping {name!r}. Valid groupings: {valid}.")
            raise InputError(message.format(name=group_by, valid=valid_values(GROUPINGS, GROUP_BY)))
        if not fmt.template:
            if template is not None:
                raise _only_with("--template", TEMPLATED, fmt)
            if group_by != "none":
                raise _only_with("--group-by", TEMPLATED, fmt)
        chosen = None
        if fields is not None:
            if not fmt.selects_fields:
                raise _only_with("--fields", FIELDED, fmt)
            chosen = parse_fields(fields, include_private=include_private)
        if base_url is not None:
            if not fmt.links:
                raise _only_with("--base-url", LINKED, fmt)
            base_url = check_base_url(base_url)
        heading = clean_title(title) if title is not None else default_title(locale)
        path = None
        if output != "-":
            path = Path(output).expanduser() if output else default_output(fmt, today, template)
        return cls(
            format=fmt,
            path=path,
            title=heading,
            locale=locale,
            group_by=group_by,
            template=template,
            fields=chosen,
            include_private=include_private,
            force=force,
            limit=limit,
            base_url=base_url,
            tags=shown_tags(tags),
            today=today,
        )


def _only_with(option: str, formats: Sequence[str], fmt: Format) -> InputError:
    """An option given with a format that does not take it."""
    message = ngettext(
        "{option} works with the {formats} format, not {name}.",
        "{option} works with the {formats} formats, not {name}.",
        len(formats),
    )
    return InputError(message.format(option=option, formats=", ".join(formats), name=fmt.name))


class ExportResult(Struct, frozen=True):
    """What an export wrote: how many bulletins, and where (a file, or `text` for stdout)."""

    count: int
    path: Path | None
    text: str | None  # the whole output, when it goes to stdout


def run_export(archive: Archive, flt: Filter, request: ExportRequest) -> ExportResult:
    """Export the bulletins `flt` selects as `request` says; a missing archive exports as empty.
    The output file is checked before any work, and written atomically (see `write_file`)."""
    path = request.path
    if path is not None:
        check_output(path, force=request.force, archive_path=archive.path)
    reading = bool(request.format.template or request.format.links)  # a group once (links_export)
    entries = select(archive, flt, limit=request.limit, fold=request.locale if reading else None)
    filters = flt.describe()
    if filters.get("tags") and request.tags:
        filters["tags"] = list(request.tags)  # as written: `#WHRDs`, not `#whrds`
    context = WriteContext(
        title=request.title,
        locale=request.locale,
        group_by=request.group_by,
        include_private=request.include_private,
        fields=request.fields,
        filters=filters,
        generated=generated_moment(request.today),
        template=request.template,
        archive_id=archive.stable_id(),
        base_url=request.base_url,
        versions=versions_of(archive.raw_items()) if request.format.links and archive.exists else {},
    )
    if path is None:
        return ExportResult(len(entries), None, render(request.format, entries, context))
    write_file(
        request.format,
        entries,
        context,
        path,
        force=request.force,
        private=request.include_private,
        archive_path=archive.path,
    )
    return ExportResult(len(entries), path, None)


def select(archive: Archive, flt: Filter, *, limit: int | None = None, fold: str | None = None) -> Selection:
    """The bulletins to export, newest first (ties: the later id first), as `whrd list` shows them;
    with `limit`, the first `limit` of that order; `fold`: a group once, in that language."""
    pairs = one_per_group(archive.select(flt), fold) if fold and archive.exists else archive.select(flt)
    sort_items(pairs, by="date")
    return Selection(printable_pairs(pairs[:limit] if limit is not None else pairs))


# What a control character, C1 control, line/paragraph separator or bidirectional override looks
# like in orjson's output: C0 escaped (`\u001b`, `\r`, `\b`, `\f`; `\n` and `\t` are allowed in
# text), the others as their UTF-8 bytes.
_UNPRINTABLE_JSON = re.compile(
    rb"\\u00[01][0-9a-f]|\x7f|\\[rbf]|\xc2[\x80-\x9f]|\xe2\x80[\xa8-\xae]|\xe2\x81[\xa6-\xa9]"
)


def printable_pairs(pairs: list[tuple[int, Raw]]) -> list[tuple[int, Raw]]:
    """The bulletins with no control character in any field (`text.printable_raw`): the model
    refuses them, but a hand-edited archive may hold them, and no export may carry an ESC sequence
    to a terminal or a reader. A C-speed scan first, 5,000 at a time (no second copy of the archive
    in memory); only bulletins it flags are copied and cleaned."""
    import orjson

    raws = [raw for _, raw in pairs]
    if not any(_UNPRINTABLE_JSON.search(orjson.dumps(raws[i : i + 5000])) for i in range(0, len(raws), 5000)):
        return pairs
    return [(doc_id, dict(printable_raw(raw))) for doc_id, raw in pairs]


def generated_moment(today: date, now: datetime | None = None) -> datetime:
    """When an export was made: now, on `today`'s date (which tests and `WHRD_TODAY` may fix)."""
    moment = (now or datetime.now()).astimezone()
    if moment.date() != today:
        moment = datetime.combine(today, moment.timetz())
    return moment


def writable_format(name: str) -> Format:
    fmt = get_format(name)
    if not fmt.writes:
        writer(name)  # raises the registry's own message
    return fmt


def format_for_output(path: str | None) -> str | None:
    """The format an --output file name implies by its extension (`week.html` -> html), if any."""
    if not path or path == "-":
        return None
    suffix = Path(path).suffix.lower()
    for name in WRITERS:
        if BY_NAME[name].extension == suffix:
            return name
    return None


def parse_fields(text: str, *, include_private: bool) -> tuple[str, ...]:
    """`title, date,url` -> ('title', 'date', 'url'); an unknown or private field is an error."""
    names = [part.strip().lower() for part in text.split(",") if part.strip()]
    if not names:
        raise InputError(_("--fields is empty. Known fields: {known}.").format(known=", ".join(FIELD_NAMES)))
    for name in names:
        if name not in FIELD_NAMES:
            import difflib

            close = difflib.get_close_matches(name, FIELD_NAMES, n=1)
            if close:
                message = _(
                    "Unknown field {name!r} in --fields. Did you mean: {close}? Known fields: {known}."
                )
            else:
                message = _("Unknown field {name!r} in --fields. Known fields: {known}.")
            raise InputError(
                message.format(name=name, close=close[0] if close else "", known=", ".join(FIELD_NAMES))
            )
    if "private" in names and not include_private:
        raise InputError(_("--fields names private: add --include-private to export private notes."))
    return tuple(dict.fromkeys(names))


def shown_tags(tags: Sequence[str]) -> tuple[str, ...]:
    """--tag words as the user wrote them, without `#`, once each (the filter folds them to match)."""
    from .text import fold

    first: dict[str, str] = {}
    for word in (t.strip().lstrip("#") for t in tags if t.strip()):
        first.setdefault(fold(word), word)
    return tuple(first.values())


def check_base_url(text: str) -> str:
    """A --base-url: an absolute http(s) address with a host, no spaces or control characters."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    if not ok or any(ch.isspace() or ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text):
        raise InputError(
            _(
                "--base-url must be an http(s) address such as "
                "https://example.org/whrd/feed.atom, not {url!r}."
            ).format(url=text)
        )
    return text


def clean_title(text: str) -> str:
    """A --title as the model checks a bulletin's: one line, no control characters, not empty."""
    from .text import clean_line

    return clean_line(text, "--title", required=True)


def default_output(fmt: Format, today: date, template: Path | None = None) -> Path:
    """`digest-YYYY-MM-DD.<ext>` in the current folder; a `--template x.txt.j2` gives `.txt`."""
    extension = (user_template_suffix(template) if template else "") or fmt.extension
    return Path(f"{DIGEST_STEM}-{today.isoformat()}{extension}")


def _writer(fmt: Format) -> Callable[..., None]:
    try:
        return writer(fmt.name)
    except ModuleNotFoundError as exc:  # a registered format whose module is not in this build
        if exc.name != f"{__package__}.formats.{fmt.module}":
            raise
        message = _("The {name} format is not available in this version of whrd.")
        raise OutputError(message.format(name=fmt.name)) from exc


def render(fmt: Format, entries: Sequence[Entry], context: WriteContext) -> str:
    """The complete output of one writer, in memory (for stdout: nothing is printed if it fails)."""
    write = _writer(fmt)
    buffer = io.StringIO(newline="")  # keeps exactly the line ends a writer writes
    write(entries, buffer, context)
    return buffer.getvalue()


def write_file(
    fmt: Format,
    entries: Sequence[Entry],
    context: WriteContext,
    path: Path,
    *,
    force: bool,
    private: bool,
    archive_path: Path,
) -> None:
    """Render straight into a temp file beside `path`, then move it into place: the old file, or
    all of the new one, never half; the output is never held in memory.

    A writer or template that fails, or a write that fails, leaves the old file (or none) and no
    temp file; `path` is replaced only with `force`. Permissions: 0600 when private notes are in
    it; else an existing file keeps its own, and a new one gets the usual 0666 less the umask (a
    digest is meant to be shared).
    """
    check_output(path, force=force, archive_path=archive_path)
    write = _writer(fmt)
    dest = output_target(path)  # write through a symlink, not over it
    stage = "opening"  # then "rendering" (a writer's own errors pass through), then "saving"
    try:
        with atomic_file(dest, mode=_mode(dest, private), overwrite=force, file_class=_OutputFile) as raw:
            stage = "rendering"
            buffered = io.BufferedWriter(raw, buffer_size=1 << 20)
            out = io.TextIOWrapper(buffered, encoding="utf-8", newline="")  # line ends as written
            write(entries, out, context)
            stage = "saving"
            out.flush()
            out.detach()  # the text and buffer layers must not close `raw` a second time
    except (OSError, _WriteFailed) as exc:
        if stage == "rendering" and not isinstance(exc, _WriteFailed):
            raise
        error = exc.error if isinstance(exc, _WriteFailed) else exc
        if isinstance(error, FileExistsError):  # appeared while we rendered
            raise exists_error(path) from exc
        message = _("Cannot write {path}: {reason}.")
        raise OutputError(message.format(path=path, reason=os_reason(error))) from exc


class _WriteFailed(Exception):
    """Writing the output file failed (disk full…): not a writer's own error."""

    def __init__(self, error: OSError) -> None:
        super().__init__(str(error))
        self.error = error


class _OutputFile(io.FileIO):
    """The temp file: its write errors are told apart from anything a writer raises."""

    def write(self, data: Any) -> int:
        try:
            return super().write(data)
        except OSError as exc:
            raise _WriteFailed(exc) from exc


def _mode(path: Path, private: bool) -> int:
    if private:
        return 0o600
    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        mask = os.umask(0)
        os.umask(mask)
        return 0o666 & ~mask
