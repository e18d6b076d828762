"""The user's config file: settings a coordinator would otherwise repeat on every command.

`$WHRD_CONFIG`, else `config.toml` in the platform's user config folder (platformdirs:
`~/.config/whrd/config.toml` on Linux). A missing file is an empty config; a file that cannot be
read, is not TOML, names an unknown section or key, or holds a value its key does not take is an
error naming the file, never ignored (a typo would otherwise silently change nothing).
Command-line options and environment variables win over it.

    locale = "es"
    db = "~/bulletins/archive.json"
    editor = "code --wait"

    [export]
    format = "html"
    base_url = "https://example.org/bulletins/feed.atom"

    [list]
    limit = 100

Reading uses only the standard library (`tomllib`): every run reads the file. `config_edit`
changes it (`whrd config set` and `unset`).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct, field

from .errors import InputError
from .i18n import LOCALE_NAMES, N_, _
from .i18n import translate as t

LIST_LIMIT_MAX = 1_000_000_000  # the same as `cli.options.MAX_LIMIT` (a test checks they agree)

# dotted key -> what it takes (for messages; {formats} and {max} are filled in). The order is the
# order of `whrd config list` and of a file written afresh. A dotted key lives in its [section].
TAKES: dict[str, str] = {
    "locale": N_("en or es (or a name: {names})"),
    "db": N_("the path of an archive file (absolute, or starting with ~)"),
    "editor": N_('a command line, such as nano or "code --wait"'),
    "export.format": N_("one of {formats}"),
    "export.base_url": N_("an http(s) address such as https://example.org/whrd/feed.atom"),
    "list.limit": N_("a whole number from 1 to {max}"),
}
KEYS: tuple[str, ...] = tuple(TAKES)
SECTIONS: dict[str, tuple[str, ...]] = {
    "export": tuple(k.split(".")[1] for k in KEYS if k.startswith("export.")),
    "list": tuple(k.split(".")[1] for k in KEYS if k.startswith("list.")),
}


class Config(Struct, frozen=True, kw_only=True):
    """The settings the file holds, checked; None where the file says nothing."""

    path: Path
    locale: str | None = None
    db: Path | None = None  # ~ expanded
    editor: str | None = None
    export_format: str | None = None
    base_url: str | None = None
    list_limit: int | None = None
    values: Mapping[str, Any] = field(default_factory=dict)  # dotted key -> value, as in the file


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    named = env.get("WHRD_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    from platformdirs import user_config_path

    return user_config_path("whrd") / "config.toml"


def load_config(path: Path) -> Config:
    """Read and check the config file at `path` (absent: an empty config)."""
    data = read_file(path)
    values = check_tables(path, parse_toml(path, data)) if data is not None else {}
    db = values.get("db")
    return Config(
        path=path,
        locale=values.get("locale"),
        db=Path(db).expanduser() if db else None,
        editor=values.get("editor"),
        export_format=values.get("export.format"),
        base_url=values.get("export.base_url"),
        list_limit=values.get("list.limit"),
        values=values,
    )


def configured_locale(path: Path) -> str | None:
    """The file's `locale` when it is readable and right, whatever else is wrong in the file: the
    language is chosen before a command runs, and the command then reports the file's problem in it."""
    try:
        data = read_file(path)
        found = parse_toml(path, data).get("locale") if data is not None else None
    except InputError:
        return None
    return _clean("locale", found)


def takes(key: str) -> str:
    """What `key` takes, in the interface's language."""
    from .formats import WRITERS

    return t(TAKES[key]).format(formats=", ".join(WRITERS), max=LIST_LIMIT_MAX, names=LOCALE_NAMES)


def check_key(key: str) -> str:
    """`key` if whrd knows it; else one error naming the keys (and the close one)."""
    if key in TAKES:
        return key
    import difflib

    close = difflib.get_close_matches(key, KEYS, n=1, cutoff=0.6)
    if close:
        raise InputError(
            _("Unknown key {key!r}. Did you mean: {close}? Keys: {keys}.").format(
                key=key, close=close[0], keys=", ".join(KEYS)
            ),
            field="key",
            value=key,
        )
    raise InputError(
        _("Unknown key {key!r}. Keys: {keys}.").format(key=key, keys=", ".join(KEYS)), field="key", value=key
    )


def check_value(key: str, text: str, *, cwd: Path) -> Any:
    """The value `whrd config set KEY TEXT` records: checked, in its TOML type; a relative `db`
    is made absolute from `cwd` (the file is read from any folder)."""
    check_key(key)
    if key == "db" and text.strip() and not text.strip().startswith("~"):
        text = str(cwd / text.strip())
    value = _clean(key, text)
    if value is None:
        raise InputError(
            _("{key} takes {takes}, not {value!r}.").format(key=key, takes=takes(key), value=text),
            field=key,
            value=text,
        )
    if key == "db" and Path(value).expanduser().is_dir():  # every command would then fail
        folder = Path(value).expanduser()
        raise InputError(
            _("{path} is a folder; db takes the archive file, such as {example}.").format(
                path=folder, example=folder / "archive.json"
            ),
            field=key,
            value=text,
        )
    return value


# -- reading ----------------------------------------------------------------------------------------


def read_file(path: Path) -> bytes | None:
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:  # a folder, no permission: the reason in the interface's language
        from .storage.reasons import os_reason

        raise InputError(
            _("Cannot read the config file {path}: {reason}.").format(path=path, reason=os_reason(exc))
        ) from exc


def toml_module() -> Any:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    return tomllib


def parse_toml(path: Path, data: bytes) -> dict[str, Any]:
    tomllib = toml_module()
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        problem = _("The config file {path} is not UTF-8 text.").format(path=path)
    except tomllib.TOMLDecodeError as exc:
        from .config_toml import toml_problem

        problem = toml_problem(path, exc)
    # No `config` verb can edit a file it cannot read: the way out is said with the problem.
    mend = _("Mend it in a text editor, or set it aside and start an empty one with 'whrd config reset'.")
    raise InputError(f"{problem} {mend}") from None


def _flatten(path: Path, tables: Mapping[str, Any]) -> dict[str, Any]:
    """The file's values by dotted key; an unknown section or key is an error naming it."""
    flat: dict[str, Any] = {}
    for name, value in tables.items():
        if name in SECTIONS:
            if not isinstance(value, dict):
                message = _(
                    "In the config file {path}, {name} is a section: write [{name}] and its keys under it."
                )
                raise InputError(message.format(path=path, name=name))
            for key, item in value.items():
                if key not in SECTIONS[name]:
                    message = _(
                        "The config file {path} has an unknown key {key!r} in [{section}]; known: {known}."
                    )
                    known = ", ".join(SECTIONS[name])
                    raise InputError(message.format(path=path, key=key, section=name, known=known))
                flat[f"{name}.{key}"] = item
        elif isinstance(value, dict):
            raise InputError(
                _("The config file {path} has an unknown section [{section}]; known: {known}.").format(
                    path=path, section=name, known=", ".join(f"[{s}]" for s in SECTIONS)
                )
            )
        elif name in TAKES:
            flat[name] = value
        else:
            raise InputError(
                _("The config file {path} has an unknown key {key!r}; known: {known}.").format(
                    path=path, key=name, known=", ".join(KEYS)
                )
            )
    return flat


def check_tables(path: Path, tables: Mapping[str, Any]) -> dict[str, Any]:
    values = {}
    for key, raw in _flatten(path, tables).items():
        value = _clean(key, raw)
        if value is None:
            raise InputError(
                _(
                    "In the config file {path}, {key} takes {takes}, not {value}. "
                    "Fix it with 'whrd config set {key} VALUE' or 'whrd config unset {key}'."
                ).format(path=path, key=key, takes=takes(key), value=literal(raw)),
                field=key,
                value=raw,
            )
        values[key] = value
    return {key: values[key] for key in KEYS if key in values}


# -- the keys' values ---------------------------------------------------------------------------------


def _clean(key: str, value: object) -> Any:
    """The value `key` holds (normalised), or None when `key` does not take `value`."""
    if isinstance(value, str) and not _printable(value):
        return None
    return _CLEANERS[key](value)


def _printable(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate: bytes of the command line that were not UTF-8
        return False
    return not any(ord(ch) < 0x20 or 0x7F <= ord(ch) < 0xA0 for ch in text)


def read_locale(value: object) -> str | None:
    """`es` or `en`: a locale name (`es`, `es_MX.UTF-8`) or a language's name (`español`, `English`,
    any case, accents optional: `lang.LANGUAGE_NAMES`, the names --lang takes), else None. The one
    reader of `locale` and of `WHRD_LANG` (`i18n.choose(by_name=...)`)."""
    from .i18n import supported

    if not isinstance(value, str):
        return None
    code = supported(value)
    if code is None:  # not a code: a name? (lang is imported only then: every run reads `locale`)
        from .lang import LANGUAGE_NAMES
        from .text import fold

        folded = fold(value.strip())
        code = next((c for c, names in LANGUAGE_NAMES.items() if folded in names), None)
    return code


def _db(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    return text if text.startswith("~") or Path(text).is_absolute() else None


def _editor(value: object) -> str | None:
    import shlex

    if not isinstance(value, str):
        return None
    try:
        return value.strip() if shlex.split(value) else None
    except ValueError:
        return None


def _export_format(value: object) -> str | None:
    from .formats import WRITERS

    name = value.strip().lower() if isinstance(value, str) else None
    return name if name in WRITERS else None


def _base_url(value: object) -> str | None:
    """As `export.check_base_url` checks --base-url: an absolute http(s) address with a host."""
    from urllib.parse import urlsplit

    if not isinstance(value, str) or any(ch.isspace() for ch in value):
        return None
    try:
        parts = urlsplit(value)
        ok = parts.scheme.lower() in ("http", "https") and bool(parts.hostname)
    except ValueError:
        ok = False
    return value if ok else None


def _list_limit(value: object) -> int | None:
    if isinstance(value, str) and re.fullmatch(r"\s*[0-9]{1,10}\s*", value):
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        return None
    return value if 1 <= value <= LIST_LIMIT_MAX else None


_CLEANERS: dict[str, Callable[[object], Any]] = {
    "locale": read_locale,
    "db": _db,
    "editor": _editor,
    "export.format": _export_format,
    "export.base_url": _base_url,
    "list.limit": _list_limit,
}


def literal(value: object) -> str:
    """`value` written as TOML writes it (a basic string, a number, true/false)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        # JSON's escapes are TOML's, but for DEL, which TOML wants escaped too.
        return json.dumps(value, ensure_ascii=False).replace("\x7f", "\\u007f")
    if isinstance(value, (int, float)):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, default=str)
