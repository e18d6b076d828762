"""The user's config file: settings a coordinator would otherwise repeat on every command.

`$WHRD_CONFIG`, else `config.toml` in the platform's user config folder (platformdirs:
`~/.config/whrd/config.toml` on Linux). A missing file is an empty config; a file that cannot be
read, is not TOML, or names an unknown section or key is an error naming the file, never ignored
(a typo would otherwise silently change nothing). Command-line options win over it.

    [export]
    base_url = "https://example.org/bulletins/feed.atom"
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import InputError

# section -> key -> the type its value must have
KNOWN: dict[str, dict[str, type]] = {"export": {"base_url": str}}


@dataclass(frozen=True, kw_only=True)
class Config:
    """The settings in force; None where the file says nothing."""

    path: Path
    locale: str | None = None
    base_url: str | None = None


def config_path(environ: Mapping[str, str] | None = None) -> Path:
    env = os.environ if environ is None else environ
    named = env.get("WHRD_CONFIG", "").strip()
    if named:
        return Path(named).expanduser()
    from platformdirs import user_config_path

    return user_config_path("whrd") / "config.toml"


def load_config(path: Path) -> Config:
    """Read and check the config file at `path` (absent: an empty config)."""
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return Config(path=path)
    except OSError as exc:
        raise InputError(f"Cannot read the config file {path}: {exc.strerror or exc}.") from exc
    tables = _parse(path, data)
    locale = tables.pop("locale", None)
    if locale is not None:
        from .i18n import supported

        if not isinstance(locale, str) or supported(locale) is None:
            raise InputError(f"In the config file {path}, locale must be en or es, not {locale!r}.")
        locale = supported(locale)
    for section, values in tables.items():
        known = KNOWN.get(section)
        if known is None or not isinstance(values, dict):
            raise InputError(
                f"The config file {path} has an unknown section [{section}]; known: "
                f"{', '.join(f'[{name}]' for name in KNOWN)}."
            )
        for key, value in values.items():
            if key not in known:
                raise InputError(
                    f"The config file {path} has an unknown key {key!r} in [{section}]; "
                    f"known: {', '.join(known)}."
                )
            if not isinstance(value, known[key]):
                raise InputError(f"In the config file {path}, [{section}] {key} must be text.")
    export = tables.get("export", {})
    return Config(path=path, locale=locale, base_url=export.get("base_url"))


def _parse(path: Path, data: bytes) -> dict[str, Any]:
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]

    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"The config file {path} is not UTF-8 text.") from None
    except tomllib.TOMLDecodeError as exc:
        raise InputError(f"The config file {path} is not valid TOML: {exc}.") from None
