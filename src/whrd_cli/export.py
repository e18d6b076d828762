"""Exporting: which bulletins, in what order, rendered by a registered writer, saved safely.

`write_file` renders straight into a temp file beside the output and moves it into place, so a
writer or a user's template that fails leaves nothing behind, and the output is never held in
memory; it never writes over an existing file unless asked, nor over the archive or its backups,
whatever is asked. `render` builds the output in memory (for stdout, where nothing may be printed
if rendering fails) and `save` writes such a text atomically. The CLI only translates options.
"""

from __future__ import annotations

import difflib
import io
import os
import re
import stat
from collections.abc import Callable, Iterator, Sequence
from datetime import date
from pathlib import Path
from typing import Any, overload

from .errors import InputError, OutputError
from .filters import Filter
from .formats import BY_NAME, WRITERS, Format, WriteContext, get_format, writer
from .model import FIELDS
from .records import Entry, Raw, to_bulletin
from .storage.atomic import atomic_file, write_atomic
from .store import Archive

# What --fields may name: what `whrd list --json` prints.
FIELD_NAMES: tuple[str, ...] = ("id", *FIELDS)
DIGEST_STEM = "digest"


def select(archive: Archive, flt: Filter) -> Selection:
    """The bulletins to export, newest first (ties: the later id first), as `whrd list` shows them."""
    pairs = archive.select(flt)
    pairs.sort(key=_newest_first, reverse=True)
    return Selection(pairs)


def _newest_first(pair: tuple[int, Raw]) -> tuple[str, int]:
    return pair[1]["date"], pair[0]


class Selection(Sequence[Entry]):
    """The bulletins an export writes, in order, as the stored dicts they are (`pairs`).

    Each `Entry` (and its `Bulletin`) is built when it is read and can be dropped once written:
    an export of 100,000 bulletins never holds 100,000 `Bulletin`s. Digests read `pairs` directly.
    """

    __slots__ = ("pairs",)

    def __init__(self, pairs: list[tuple[int, Raw]]) -> None:
        self.pairs = pairs

    def __len__(self) -> int:
        return len(self.pairs)

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> list[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | list[Entry]:
        if isinstance(index, slice):
            return [Entry(doc_id, to_bulletin(raw)) for doc_id, raw in self.pairs[index]]
        doc_id, raw = self.pairs[index]
        return Entry(doc_id, to_bulletin(raw))

    def __iter__(self) -> Iterator[Entry]:
        for doc_id, raw in self.pairs:
            yield Entry(doc_id, to_bulletin(raw))


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
        raise InputError(f"--fields is empty. Known fields: {', '.join(FIELD_NAMES)}.")
    for name in names:
        if name not in FIELD_NAMES:
            close = difflib.get_close_matches(name, FIELD_NAMES, n=1)
            hint = f" Did you mean: {close[0]}?" if close else ""
            raise InputError(
                f"Unknown field {name!r} in --fields.{hint} Known fields: {', '.join(FIELD_NAMES)}."
            )
    if "private" in names and not include_private:
        raise InputError("--fields names private: add --include-private to export private notes.")
    return tuple(dict.fromkeys(names))


def clean_title(text: str) -> str:
    """A --title as the model checks a bulletin's: one line, no control characters, not empty."""
    from .text import clean_line

    return clean_line(text, "--title", required=True)


def default_output(fmt: Format, today: date, template: Path | None = None) -> Path:
    """`digest-YYYY-MM-DD.<ext>` in the current folder; a `--template x.txt.j2` gives `.txt`."""
    from .digest import user_template_suffix

    extension = (user_template_suffix(template) if template else "") or fmt.extension
    return Path(f"{DIGEST_STEM}-{today.isoformat()}{extension}")


def _writer(fmt: Format) -> Callable[..., None]:
    try:
        return writer(fmt.name)
    except ModuleNotFoundError as exc:  # a registered format whose module is not in this build
        if exc.name != f"{__package__}.formats.{fmt.module}":
            raise
        raise OutputError(f"The {fmt.name} format is not available in this version of whrd.") from exc


def render(fmt: Format, entries: Sequence[Entry], context: WriteContext) -> str:
    """The complete output of one writer, in memory (for stdout: nothing is printed if it fails)."""
    write = _writer(fmt)
    buffer = io.StringIO(newline="")  # keeps exactly the line ends a writer writes
    write(entries, buffer, context)
    return buffer.getvalue()


def check_output(path: Path, *, force: bool, archive_path: Path) -> None:
    """Refuse, before any work, an output that exists (without force), is a folder, or is the archive."""
    if _is_archive_file(path, archive_path):
        raise OutputError(
            f"{path} is the archive (or its backup); whrd will not overwrite it with an export."
        )
    if path.is_dir():
        raise OutputError(f"{path} is a folder; give a file name with --output.")
    if os.path.lexists(path) and not force:
        raise OutputError(
            f"{path} already exists; use --force to overwrite it, or --output to write elsewhere."
        )
    folder = path.parent
    if not folder.is_dir():
        problem = "is not a folder" if os.path.lexists(folder) else "does not exist"
        raise OutputError(f"Cannot write {path}: {folder} {problem}.")
    if not os.access(folder, os.W_OK | os.X_OK):
        raise OutputError(f"Cannot write {path}: the folder {folder} is not writable.")


def _is_archive_file(path: Path, archive_path: Path) -> bool:
    try:
        target, archive = path.resolve(), archive_path.resolve()
    except OSError:
        return False
    if target.parent != archive.parent:
        return False
    return bool(re.fullmatch(rf"{re.escape(archive.name)}(?:\.bak(?:\.\d+)?|\.lock)?", target.name))


def save(path: Path, text: str, *, force: bool, private: bool, archive_path: Path) -> None:
    """Write the output atomically: the old file, or all of the new one, never half.

    Permissions: 0600 when private notes are in it; else an existing file keeps its own, and a
    new one gets the usual 0666 less the umask (a digest is meant to be shared).
    """
    check_output(path, force=force, archive_path=archive_path)
    try:
        write_atomic(path, text.encode("utf-8"), mode=_mode(path, private), overwrite=force)
    except FileExistsError as exc:  # appeared while we rendered
        raise OutputError(
            f"{path} already exists; use --force to overwrite it, or --output to write elsewhere."
        ) from exc
    except OSError as exc:
        raise OutputError(f"Cannot write {path}: {exc.strerror or exc}.") from exc


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
    """Render straight into a temp file beside `path`, then move it into place: `save` without
    holding the output in memory (twice: as text, then encoded), byte for byte the same file.

    The same guarantees as `save`: a writer or template that fails, or a write that fails, leaves
    the old file (or none) and no temp file; `path` is replaced only with `force`.
    """
    check_output(path, force=force, archive_path=archive_path)
    write = _writer(fmt)
    stage = "opening"  # then "rendering" (a writer's own errors pass through), then "saving"
    try:
        with atomic_file(path, mode=_mode(path, private), overwrite=force, file_class=_OutputFile) as raw:
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
            raise OutputError(
                f"{path} already exists; use --force to overwrite it, or --output to write elsewhere."
            ) from exc
        raise OutputError(f"Cannot write {path}: {error.strerror or error}.") from exc


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
