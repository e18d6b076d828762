"""Reading an archive file and checking it is one: what a whrd archive file is (a `meta` record
naming the app and a schema version, a `bulletins` table of stored dicts), and what is wrong with
one that is not, or whose bulletins someone broke by hand; and whether a path is a file whrd may
rewrite at all (not a folder, a FIFO, or a file made read-only).

Guarantees: `load_archive_file` parses the file anew (a big encrypted one as a child decrypts it)
or raises `ArchiveError` with a message a user can act on (invalid JSON, foreign JSON, a newer
schema, a FIFO, a folder); it never writes."""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Callable, Iterable, Mapping
from datetime import date
from itertools import chain, repeat
from operator import itemgetter
from pathlib import Path
from typing import Any

from ..errors import ArchiveError, LockedError
from ..i18n import _, language, translate
from ..links_model import links_damage
from . import kept
from .names import AGE, BULLETINS, META, Data, Sealed, Tables, beside, blank, read_file
from .reasons import PERMISSION_DENIED, os_reason

SCHEMA_VERSION = 2  # 2: bulletins carry uid and rev; history and journal tables (issue 15)
APP = "whrd"


def _loads(data: Data) -> Any:  # msgspec imported here only: not at start-up
    """JSON to the same dicts as orjson in ~60 % of its time and memory; every refusal a ValueError."""
    import msgspec

    return msgspec.json.decode(data)


def load_archive_file(path: Path, *, seen: Callable[[Any], object] | None = None) -> Tables | None:
    """Parse and check an archive file, an age file decrypted (`seen` gets raw bytes); None if absent."""
    try:
        if not stat.S_ISREG(path.stat().st_mode) and not path.is_dir():  # a FIFO would block
            raise ArchiveError(_not_regular(path))
        with path.open("rb") as fh:
            data = read_file(fh)  # (big ciphertext left in its file, not read)
    except FileNotFoundError:
        return None
    except IsADirectoryError as exc:
        raise ArchiveError(_folder(path)) from exc
    except OSError as exc:
        raise ArchiveError(_unreadable(path, os_reason(exc))) from exc
    if not isinstance(data, Sealed) and blank(data):
        empty = _("{path} is empty, so it is not a whrd archive; remove it or choose another --db path.")
        raise ArchiveError(empty.format(path=path))
    parsed = None
    if data[: len(AGE)] == AGE:  # encrypted (issue 16): pyrage only now
        from ..crypto.codec import decrypt
        from .light_sealed import parse_whole

        parsed, hashed = parse_whole(path, data, seen)  # big: decrypted by a child while parsed
        if parsed is None:
            data, seen = decrypt(path, data[:], alongside=None if hashed else seen), None  # (meanwhile)
    if parsed is None:
        assert not isinstance(data, Sealed)  # (only big age ciphertext is left in its file)
        parsed = _parse(path, data, seen)
    _check_schema(path, parsed)
    kept.keep(parsed)
    return parsed  # type: ignore[no-any-return]


def _parse(path: Path, data: Data, seen: Callable[[Any], object] | None) -> Any:
    """The JSON of plain archive bytes, `seen(data)` beside the parse (`names.beside`)."""
    with beside(seen, data):
        try:
            return _loads(data[3:] if data.startswith(b"\xef\xbb\xbf") else data)  # (an editor's BOM)
        except ValueError as exc:
            raise ArchiveError(_not_json(path)) from exc


def _not_json(path: Path) -> str:
    backup = path.with_name(f"{path.name}.bak")
    if backup.exists():
        return _(
            "{path} is not valid JSON (corrupt?); whrd will not touch it. The last backup is {backup}."
        ).format(path=path, backup=backup)
    return _("{path} is not valid JSON (corrupt?); whrd will not touch it.").format(path=path)


def _not_regular(path: Path) -> str:
    return _("{path} is not a regular file, so it is not a whrd archive.").format(path=path)


def _folder(path: Path) -> str:
    return _("{path} is a folder, not a whrd archive.").format(path=path)


def _unreadable(path: Path, reason: str) -> str:
    return _("Cannot read the archive {path}: {reason}.").format(path=path, reason=reason)


def _check_schema(path: Path, parsed: Any) -> None:
    meta = parsed.get(META) if isinstance(parsed, dict) else None
    record = meta.get("1") if isinstance(meta, dict) else None
    if not isinstance(record, dict) or record.get("app") != APP:
        raise ArchiveError(
            _("{path} is a JSON file but not a whrd archive; whrd will not touch it.").format(path=path)
        )
    version = record.get("schema")
    if not isinstance(version, int) or version > SCHEMA_VERSION:
        raise ArchiveError(
            _("{path} was written by a newer whrd (schema {version}); upgrade whrd to use it.").format(
                path=path, version=version
            )
        )
    if not isinstance(parsed.get(BULLETINS, {}), dict):
        damaged = _("{path} has a damaged bulletins table; whrd will not touch it.")
        raise ArchiveError(damaged.format(path=path))


def locked_error(path: Path, waited: float) -> ArchiveError:
    """Another whrd held the archive's lock for all of `waited` seconds."""
    return ArchiveError(
        _(
            "The archive {path} is locked by another whrd process; "
            "waited {seconds} s. Try again when it has finished."
        ).format(path=path, seconds=_seconds(waited))
    )


def _seconds(value: float) -> str:
    """`0.5` as the language writes it (`0,5` in Spanish), whole numbers without a point."""
    text = f"{value:g}"
    return text.replace(".", ",") if language() == "es" else text


def lock_error(path: Path, exc: OSError) -> ArchiveError:
    """The lock file beside the archive cannot be made or locked."""
    return ArchiveError(
        _("Cannot lock the archive {path}: {reason}.").format(path=path, reason=os_reason(exc))
    )


def folder_error(folder: Path, exc: OSError) -> ArchiveError:
    """The archive's folder cannot be made."""
    return ArchiveError(
        _("Cannot create the folder {folder}: {reason}.").format(folder=folder, reason=os_reason(exc))
    )


def damage_error(damage: str) -> ArchiveError:
    """A write refused because the archive is damaged (`damage_in`'s sentence)."""
    return ArchiveError(
        _("{damage} Fix it by hand, or restore a backup (ARCHIVE.bak).").format(damage=damage)
    )


def _may(path: Path, how: int) -> bool:
    """Whether this process (its effective ids) may access `path`, asked of the kernel, not the bits."""
    if os.access in os.supports_effective_ids:
        return os.access(path, how, effective_ids=True)
    return os.access(path, how)  # pragma: no cover - platforms without faccessat


def refuse_unwritable(path: Path) -> None:
    """Raise ArchiveError, before any lock is taken, if `path` exists and is not a file whrd may
    rewrite: a folder, a FIFO or device, a file its owner made read-only, a file this user may
    not read or write, another user's file even if its bits let anyone write it (the rewrite is a
    new file, which would change its owner), or one in a folder this user may not write (replacing
    it means a new file in that folder)."""
    try:
        info = path.stat()
    except FileNotFoundError:
        return
    except OSError as exc:
        raise ArchiveError(_unreadable(path, os_reason(exc))) from exc
    mode = info.st_mode
    if stat.S_ISDIR(mode):
        raise ArchiveError(_folder(path))
    if not stat.S_ISREG(mode):
        raise ArchiveError(_not_regular(path))
    if not _may(path, os.R_OK):
        raise ArchiveError(_unreadable(path, translate(PERMISSION_DENIED)))
    if not mode & stat.S_IWUSR:
        raise ArchiveError(_("The archive {path} is read-only; whrd will not change it.").format(path=path))
    if not _may(path, os.W_OK):
        raise ArchiveError(
            _(
                "You may not write the archive {path} (its owner or permissions forbid it); "
                "whrd will not change it."
            ).format(path=path)
        )
    if info.st_uid != os.geteuid():  # a rewrite would give it to this user: never take one over
        raise ArchiveError(
            _("The archive {path} belongs to another user; whrd will not change it.").format(path=path)
        )
    if not _may(path.parent, os.W_OK | os.X_OK):
        raise ArchiveError(
            _("You may not write in the folder {folder}; whrd will not change the archive.").format(
                folder=path.parent
            )
        )


def writable_now(path: Path) -> bool:
    """An existing archive that whrd would write (not read-only), in a folder it can write."""
    try:
        refuse_unwritable(path)
    except ArchiveError:
        return False
    return path.exists()


# Ids are whole numbers of at most 15 digits written without leading zeros: every JSON reader and
# SQLite hold them exactly, and TinyDB's int(key) gives the key back (no two keys become one id).
MAX_ID = 10**15 - 1
_ID = re.compile(r"[1-9][0-9]{0,14}")
_ISO_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
_REQUIRED_TEXT = ("title", "date")
_OPTIONAL_TEXT = (
    *("summary", "lang", "category", "url", "source", "private", "added", "updated"),
    *("_key", "uid", "rev"),
)
# Search data an older whrd kept in each bulletin: never read, dropped by `reindex`, any value.
_LEGACY = "_fts1"
_LISTS = ("countries", "tags")
# Stored country codes (ISO 3166-1 alpha-2) and timestamps (UTC, as the store writes them).
_CODE = re.compile(r"[A-Z]{2}")
_STAMPS = ("added", "updated")
_STAMP = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z")
_ALLOWED = frozenset({*_REQUIRED_TEXT, *_OPTIONAL_TEXT, *_LISTS, "truncated", "links", _LEGACY})
_NONE = type(None)


def find_damage(path: Path) -> str | None:
    """What is wrong with a hand-edited archive file, as one sentence naming the bulletin (or the
    meta record) and the field; None when it is sound. Reads the file anew.

    Not run on every read (it would cost every command ~10 % at 100k): every write runs the same
    check on what it read (`damage_in`), and a command that fails unexpectedly runs this one, so a
    damaged bulletin is reported as such (exit 3), not as a bug.
    """
    try:
        tables = load_archive_file(path) or {}
    except ArchiveError as exc:  # encrypted and closed (LockedError): nothing to say of its bulletins
        return None if isinstance(exc, LockedError) else exc.message
    return damage_in(tables, path)


def damage_in(tables: Mapping[str, Any], path: Path) -> str | None:
    """The one validation that decides whether parsed archive `tables` is sound enough to build on:
    the first thing in it that breaks the store's rules, described; None when it is sound.

    Every write runs it before changing anything. The common case, a sound archive, is checked
    column by column at C speed (`_looks_sound`, ~100 ms at 100k); the slow, descriptive walk
    (`_describe`) runs only when that fails. Both apply the same rules."""
    meta = _meta_damage(tables.get(META, {}).get("1", {}), path)
    if meta:
        return meta
    table = tables.get(BULLETINS, {})
    if _looks_sound(table):
        return None
    return _describe(table, path)


def _meta_damage(meta: Mapping[str, Any], path: Path) -> str | None:
    next_id = meta.get("next_id", 1)
    if type(next_id) is not int or not 1 <= next_id <= MAX_ID + 1:
        return _(
            "The meta record of {path} has a 'next_id' that is not a whole number from 1 to {highest}."
        ).format(path=path, highest=MAX_ID + 1)
    if meta.get("uid") is not None and not isinstance(meta["uid"], str):
        return _("The meta record of {path} has a 'uid' that is not text.").format(path=path)
    return None


def _column(values: list[Any], name: str) -> list[Any]:
    return list(map(dict.get, values, repeat(name)))


def _real_dates(dates: Iterable[str]) -> bool:
    """Each of these strings is a date of the calendar written YYYY-MM-DD (not 2020-13-45)."""
    try:
        return all(map(_ISO_DATE.fullmatch, dates)) and bool(list(map(date.fromisoformat, dates)) or True)
    except (TypeError, ValueError):
        return False


# (field, type of its value) pairs a sound bulletin may hold; anything else is damage.
_SOUND_PAIRS = frozenset(
    {(name, str) for name in (*_REQUIRED_TEXT, *_OPTIONAL_TEXT)}
    | {(name, _NONE) for name in _OPTIONAL_TEXT}
    | {(name, t) for name in _LISTS for t in (list, _NONE)}
    | {("truncated", bool), ("truncated", _NONE), ("links", dict)}  # links: issue 17, checked below
    | {(_LEGACY, t) for t in (str, int, float, bool, list, dict, _NONE)}
)


def _looks_sound(table: Mapping[str, Any]) -> bool:
    """Every rule of `_describe`, checked over the whole table with C-speed builtins only: no
    Python code runs per bulletin (~150 ms at 100k)."""
    try:
        keys = "".join(table)
        if (keys and not (keys.isascii() and keys.isdigit())) or "0" in set(map(itemgetter(0), table)):
            return False  # also an empty key: itemgetter raises IndexError
        if max(map(len, table), default=0) > len(str(MAX_ID)):
            return False
        values = list(table.values())
        if set(map(type, values)) - {dict}:
            return False
        # Every (field, type) pair in one pass: unknown fields and wrong types alike.
        types = map(map, repeat(type), map(dict.values, values))
        if not set(chain.from_iterable(map(zip, map(dict.keys, values), types))) <= _SOUND_PAIRS:
            return False
        if not all(map(str.strip, _column(values, "title"))):  # a missing title: TypeError
            return False
        if not _real_dates(set(_column(values, "date"))):  # a missing date: TypeError
            return False
        for name in _LISTS:  # list items are text (join raises TypeError on anything else)
            "".join(chain.from_iterable(filter(None, _column(values, name))))
        codes = set(chain.from_iterable(filter(None, _column(values, "countries"))))
        if not all(map(_CODE.fullmatch, codes)):
            return False
        for name in _STAMPS:
            if not all(map(_STAMP.fullmatch, filter(None, _column(values, name)))):
                return False
        if any(map(links_damage, filter(None, _column(values, "links")))):
            return False
    except (TypeError, IndexError):
        return False
    return True


def _describe(table: Mapping[str, Any], path: Path) -> str | None:
    """The first bulletin, in the file's order, that breaks a rule, and how."""
    for key, raw in table.items():
        if not _ID.fullmatch(key):
            return _(
                "Bulletin {key!r} in {path} has an id that is not a whole number from 1 to {highest}."
            ).format(key=key, path=path, highest=MAX_ID)
        problem = _bulletin_damage(raw)
        if problem:
            message, name, value = problem
            return message.format(key=key, path=path, name=name, value=value)
    return None


def _bulletin_damage(raw: Any) -> tuple[str, str, object] | None:
    """How one stored bulletin breaks a rule: the message (to be given `key`, `path`, `name` and
    `value`), the field's name and its value."""
    if not isinstance(raw, dict):
        return _("Bulletin {key} in {path} is not a bulletin record."), "", None
    unknown = sorted(set(raw) - _ALLOWED)
    if unknown:
        return _("Bulletin {key} in {path} has an unknown field {name!r}."), unknown[0], None
    for name in _REQUIRED_TEXT:
        if not isinstance(raw.get(name), str) or not raw[name].strip():
            return _("Bulletin {key} in {path} has no valid {name!r}."), name, None
    if not _real_dates([raw["date"]]):
        return (
            _("Bulletin {key} in {path} has a 'date' that is not a real date written YYYY-MM-DD: {value!r}."),
            "date",
            raw["date"],
        )
    for name in _OPTIONAL_TEXT:
        if raw.get(name) is not None and not isinstance(raw[name], str):
            return _("Bulletin {key} in {path} has a {name!r} that is not text."), name, None
    for name in _LISTS:
        value = raw.get(name)
        if value is not None and (not isinstance(value, list) or not all(isinstance(v, str) for v in value)):
            return _("Bulletin {key} in {path} has {name!r} that is not a list of text."), name, None
    if raw.get("truncated") is not None and not isinstance(raw["truncated"], bool):
        return _("Bulletin {key} in {path} has a 'truncated' that is not true or false."), "truncated", None
    bad_codes = [c for c in raw.get("countries") or () if not _CODE.fullmatch(c)]
    if bad_codes:
        return (
            _("Bulletin {key} in {path} has a country that is not an ISO code such as HN: {value!r}."),
            "countries",
            bad_codes[0],
        )
    if raw.get("links") is not None and links_damage(raw["links"]):
        return _("Bulletin {key} in {path} has links that are not as whrd writes them."), "links", None
    for name in _STAMPS:
        if raw.get(name) and not _STAMP.fullmatch(raw[name]):
            return (
                _(
                    "Bulletin {key} in {path} has an {name!r} that is not a UTC time "
                    "such as 2024-06-15T10:00:00Z."
                ),
                name,
                None,
            )
    return None
