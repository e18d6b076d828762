"""Changing the config file (`whrd config set`, `unset`, `reset`): one key at a time, atomically, 0600.

The change is made on the file's text, to the one line of the key (replaced, added to its section,
or removed), so that comments and layout stay. The text that results is read back and must hold
exactly the values wanted; when the file is laid out in a way line editing cannot follow (inline
tables, dotted keys, multi-line strings), it is written afresh from its values, without comments.
A file that would not be right after the change (another key wrong in it) is refused, unchanged.
A linked config file (dotfiles) is written where the link points, and stays linked.
`set_aside` is the way out of a file no key can be edited in (not TOML): its bytes are kept in a
new file beside it, never deleted, and it starts again empty.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path
from typing import Any

from .config import KEYS, SECTIONS, check_key, check_tables, literal, parse_toml, read_file, toml_module
from .errors import InputError
from .i18n import _


def set_key(path: Path, key: str, value: Any) -> None:
    """Record `key = value` (a value from `check_value`) in the file, atomically."""
    _rewrite(path, key, value)


def unset_key(path: Path, key: str) -> bool:
    """Remove `key` from the file; False when the file did not hold it. A key whrd does not know
    may be removed too, when the file holds it: that is how a typo in the file is fixed."""
    data = read_file(path)
    tables = parse_toml(path, data) if data is not None else {}
    section, _dot, leaf = key.rpartition(".")
    holder = tables.get(section) if section else tables
    if not isinstance(holder, dict) or leaf not in holder or isinstance(holder[leaf], dict):
        check_key(key)
        return False
    _rewrite(path, key, None)
    return True


def set_aside(path: Path, now: datetime) -> Path | None:
    """Keep the file's bytes as `PATH.<UTC time>.bak` beside it (never over another file: `-2`,
    `-3`… when that name is taken), then empty the file; the kept copy's path, or None when there
    is no file. The copy is written and synced before the file changes, so a failure loses nothing."""
    from .storage.atomic import write_atomic

    data = read_file(path)
    if data is None:
        return None
    stamp = now.strftime("%Y-%m-%dT%H%M%SZ")
    try:
        for n in range(1, 1000):
            kept = path.with_name(f"{path.name}.{stamp}{'' if n == 1 else f'-{n}'}.bak")
            try:
                write_atomic(kept, data, mode=0o600, overwrite=False)
                break
            except FileExistsError:
                continue
        else:
            raise FileExistsError(17, "File exists", str(kept))
        write_atomic(Path(os.path.realpath(path)), b"", mode=0o600)  # a linked config stays linked
    except OSError as exc:
        from .storage.reasons import os_reason

        raise InputError(
            _("Cannot set the config file {path} aside: {reason}; it was not changed.").format(
                path=path, reason=os_reason(exc)
            )
        ) from exc
    return kept


def _rewrite(path: Path, key: str, value: Any) -> None:
    """Set (`value`) or remove (None) one key. A set needs the rest of the file right; a removal
    may leave other problems (it is how they are fixed, one at a time), but only by line editing:
    writing afresh would drop what whrd does not know."""
    from .storage.atomic import write_atomic

    data = read_file(path)
    tables = parse_toml(path, data) if data is not None else {}
    text = data.decode("utf-8") if data is not None else ""  # parse_toml checked it is UTF-8
    wanted = _changed(tables, key, value)
    problem = None
    try:
        check_tables(path, wanted)
    except InputError as exc:
        problem = exc
    if problem is not None and value is not None:
        raise problem  # refused: the file stays as it was
    new = _edit_lines(text, key, value)
    if _loads(new) != wanted:  # a layout line editing cannot follow: written afresh
        if problem is not None:
            raise problem
        new = _dump(wanted)
    target = Path(os.path.realpath(path))  # a linked config (dotfiles) keeps its link
    try:
        target.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        write_atomic(target, new.encode("utf-8"), mode=0o600)
    except OSError as exc:
        from .storage.reasons import os_reason

        raise InputError(
            _("Cannot write the config file {path}: {reason}.").format(path=path, reason=os_reason(exc))
        ) from exc


def _changed(tables: Mapping[str, Any], key: str, value: Any) -> dict[str, Any]:
    wanted = {name: dict(v) if isinstance(v, dict) else v for name, v in tables.items()}
    section, _dot, leaf = key.rpartition(".")
    holder = wanted.setdefault(section, {}) if section else wanted
    if value is None:
        holder.pop(leaf, None)
        if section and not holder:
            del wanted[section]
    else:
        holder[leaf] = value
    return wanted


def _loads(text: str) -> dict[str, Any] | None:
    tomllib = toml_module()
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError:
        return None


_HEADER = re.compile(r"\s*\[\s*([A-Za-z0-9_-]+)\s*\]\s*(#.*)?")
_KEY = re.compile(r"\s*([A-Za-z0-9_-]+)\s*=")


def _edit_lines(text: str, key: str, value: Any) -> str:
    """`text` with the one line of `key` replaced, added or removed; the rest as it was."""
    section, _dot, leaf = key.rpartition(".")
    lines = text.splitlines()
    current = ""
    header = None  # the index of [section]'s header
    last = None  # the index of the last key line of the section (or of the top level)
    found = None
    first_header = None
    for index, line in enumerate(lines):
        if match := _HEADER.fullmatch(line):
            current = match.group(1)
            first_header = index if first_header is None else first_header
            header = index if current == section else header
        elif (match := _KEY.match(line)) and current == section:
            last = index
            if match.group(1) == leaf:
                found = index
    new_line = f"{leaf} = {literal(value)}"
    if found is not None:
        if value is None:
            del lines[found]
            if (
                section
                and header is not None
                and not any(_KEY.match(line) for line in _section_lines(lines, header))
            ):
                del lines[header]
        else:
            lines[found] = new_line
    elif value is not None:
        if last is not None:
            lines.insert(last + 1, new_line)
        elif section and header is not None:
            lines.insert(header + 1, new_line)
        elif section:
            lines += (["", f"[{section}]"] if any(line.strip() for line in lines) else [f"[{section}]"]) + [
                new_line
            ]
        elif first_header is not None:
            lines[first_header:first_header] = [new_line, ""]
        else:
            lines.append(new_line)
    return "\n".join(lines).strip("\n") + "\n" if any(line.strip() for line in lines) else ""


def _section_lines(lines: list[str], header: int) -> list[str]:
    body = []
    for line in lines[header + 1 :]:
        if _HEADER.fullmatch(line):
            break
        body.append(line)
    return body


def _dump(tables: Mapping[str, Any]) -> str:
    """The file written afresh: the top-level keys, then each section, in the keys' order."""
    out = [f"{name} = {literal(tables[name])}" for name in KEYS if "." not in name and name in tables]
    for section, leaves in SECTIONS.items():
        values = tables.get(section)
        if values:
            out += ["", f"[{section}]"] if out else [f"[{section}]"]
            out += [f"{leaf} = {literal(values[leaf])}" for leaf in leaves if leaf in values]
    return "\n".join(out) + "\n" if out else ""
