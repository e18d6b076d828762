"""Reading an archive file and checking it is one: what a whrd archive file is (a `meta` record
naming the app and a schema version, a `bulletins` table of stored dicts), and what is wrong with
one that is not, or whose bulletins someone broke by hand; and whether a path is a file whrd may
rewrite at all (not a folder, a FIFO, or a file made read-only).

Guarantees: `load_archive_file` returns a parsed archive or raises `ArchiveError` with a message
a user can act on (invalid JSON, foreign JSON, a newer schema, a FIFO, a folder); it never writes.
It keeps nothing: each call parses the file anew, and the caller owns the result.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Mapping
from operator import methodcaller
from pathlib import Path
from typing import Any

from ..errors import ArchiveError

SCHEMA_VERSION = 1
APP = "whrd"
BULLETINS = "bulletins"
META = "meta"

Tables = dict[str, dict[str, Any]]
ParseHook = Callable[[Tables], object]
_parse_hooks: list[ParseHook] = []


def add_parse_hook(hook: ParseHook) -> None:
    """Hand every archive parsed from now on to `hook`, too. Process policy, for `__main__` only:
    the CLI keeps the last parse alive until `os._exit`, so the interpreter never frees its million
    objects one by one. A program using whrd as a library adds none, and parses are freed as usual."""
    _parse_hooks.append(hook)


def _loads(data: bytes) -> Any:
    import orjson

    return orjson.loads(data)


def load_archive_file(path: Path) -> Tables | None:
    """Parse and check an archive file; None when it does not exist yet."""
    try:
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():  # a FIFO would block
            raise ArchiveError(f"{path} is not a regular file, so it is not a whrd archive.")
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise ArchiveError(f"{path} is a folder, not a whrd archive.") from exc
    except OSError as exc:
        raise ArchiveError(f"Cannot read the archive {path}: {exc.strerror or exc}.") from exc
    if not data.strip():
        raise ArchiveError(
            f"{path} is empty, so it is not a whrd archive; remove it or choose another --db path."
        )
    if data.startswith(b"\xef\xbb\xbf"):  # saved by an editor that adds a UTF-8 BOM
        data = data[3:]
    try:
        parsed = _loads(data)
    except ValueError as exc:
        raise ArchiveError(
            f"{path} is not valid JSON (corrupt?); whrd will not touch it.{_backup_hint(path)}"
        ) from exc
    del data
    _check_schema(path, parsed)
    for hook in _parse_hooks:
        hook(parsed)
    return parsed  # type: ignore[no-any-return]


def _backup_hint(path: Path) -> str:
    backup = path.with_name(f"{path.name}.bak")
    return f" The last backup is {backup}." if backup.exists() else ""


def _check_schema(path: Path, parsed: Any) -> None:
    meta = parsed.get(META) if isinstance(parsed, dict) else None
    record = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(record, dict) or record.get("app") != APP:
        raise ArchiveError(f"{path} is a JSON file but not a whrd archive; whrd will not touch it.")
    version = record.get("schema")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ArchiveError(f"{path} was written by a newer whrd (schema {version}); upgrade whrd to use it.")
    if not isinstance(parsed.get(BULLETINS, {}), dict):
        raise ArchiveError(f"{path} has a damaged bulletins table; whrd will not touch it.")


def _may(path: Path, how: int) -> bool:
    """Whether this process may access `path` (as the user it runs as, with its effective ids),
    asked of the kernel: not the owner's permission bits, which say nothing of who is asking."""
    if os.access in os.supports_effective_ids:
        return os.access(path, how, effective_ids=True)
    return os.access(path, how)  # pragma: no cover - platforms without faccessat


def refuse_unwritable(path: Path) -> None:
    """Raise ArchiveError, before any lock is taken, if `path` exists and is not a file whrd may
    rewrite: a folder, a FIFO or device, a file its owner made read-only, a file this user may
    not read or write (another user's), or one in a folder this user may not write (replacing
    it means a new file in that folder)."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(f"Cannot read the archive {path}: {exc.strerror or exc}.") from exc
    if stat.S_ISDIR(mode):
        raise ArchiveError(f"{path} is a folder, not a whrd archive.")
    if not stat.S_ISREG(mode):
        raise ArchiveError(f"{path} is not a regular file, so it is not a whrd archive.")
    if not _may(path, os.R_OK):
        raise ArchiveError(f"Cannot read the archive {path}: Permission denied.")
    if not mode & stat.S_IWUSR:
        raise ArchiveError(f"The archive {path} is read-only; whrd will not change it.")
    if not _may(path, os.W_OK):
        raise ArchiveError(
            f"You may not write the archive {path} (its owner or permissions forbid it); "
            "whrd will not change it."
        )
    if not _may(path.parent, os.W_OK | os.X_OK):
        raise ArchiveError(
            f"You may not write in the folder {path.parent}; whrd will not change the archive."
        )


def writable_now(path: Path) -> bool:
    """An existing archive that whrd would write (not read-only), in a folder it can write."""
    try:
        refuse_unwritable(path)
    except ArchiveError:
        return False
    return path.exists()


_TEXT_FIELDS = ("title", "date", "summary", "lang")
_OPTIONAL_TEXT = ("category", "url", "source", "private", "added", "updated", "_key", "_fts1")
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_ALLOWED = frozenset({*_TEXT_FIELDS, *_OPTIONAL_TEXT, "countries", "tags", "truncated"})


def find_damage(path: Path) -> str | None:
    """What is wrong with a hand-edited archive whose bulletins break the store's own rules.

    Not run on every load (it would cost every command ~10 % at 100k); `Archive.damage` runs it
    when a command fails unexpectedly, so a damaged bulletin is reported as such, not as a bug.
    """
    try:
        tables = load_archive_file(path) or {}
    except ArchiveError as exc:
        return exc.message
    return damage_in(tables, path, thorough=True)


def _looks_sound(table: Mapping[str, Any]) -> bool:
    """The common case, checked at C speed over all bulletins (~100 ms at 100k): records are
    dicts of known fields with a text title and a YYYY-MM-DD date. The slow, descriptive check
    in `damage_in` runs only when this one fails."""
    values = list(table.values())
    if set(map(type, values)) - {dict} or not set().union(*values) <= _ALLOWED:
        return False
    titles = list(map(methodcaller("get", "title"), values))
    dates = list(map(methodcaller("get", "date"), values))
    if set(map(type, titles)) - {str} or set(map(type, dates)) - {str}:
        return False
    for name in ("countries", "tags"):  # a string here would be read letter by letter
        if set(map(type, map(methodcaller("get", name), values))) - {list, type(None)}:
            return False
    return all(map(_ISO_DATE.fullmatch, dates))


def damage_in(tables: Mapping[str, Any], path: Path, *, thorough: bool = False) -> str | None:
    """The first bulletin of parsed archive `tables` that breaks the store's rules, described.
    Without `thorough`, only what the fast check covers is looked for (the write path)."""
    if not thorough and _looks_sound(tables.get(BULLETINS, {})):
        return None
    allowed = _ALLOWED
    for key, raw in tables.get(BULLETINS, {}).items():
        where = f"Bulletin {key} in {path}"
        if not key.isdigit() or not isinstance(raw, dict):
            return f"{where} is not a bulletin record."
        unknown = sorted(set(raw) - allowed)
        if unknown:
            return f"{where} has an unknown field {unknown[0]!r}."
        for name in _TEXT_FIELDS[:2]:
            if not isinstance(raw.get(name), str) or not raw[name]:
                return f"{where} has no valid {name!r}."
        if not _ISO_DATE.fullmatch(raw["date"]):
            return f"{where} has a date that is not YYYY-MM-DD: {raw['date']!r}."
        for name in (*_TEXT_FIELDS[2:], *_OPTIONAL_TEXT):
            if raw.get(name) is not None and not isinstance(raw[name], str):
                return f"{where} has a {name!r} that is not text."
        for name in ("countries", "tags"):
            value = raw.get(name)
            if value is not None and (
                not isinstance(value, list) or not all(isinstance(v, str) for v in value)
            ):
                return f"{where} has {name!r} that is not a list of text."
        if raw.get("truncated") is not None and not isinstance(raw["truncated"], bool):
            return f"{where} has a 'truncated' that is not true or false."
    return None
