"""Where the login for a remote comes from: a 0600 file in the user's config folder (beside
`config.toml`: `credentials.json`), keyed by the archive's own id and the remote's name; else
`~/.netrc` (the machine's entry for the server's host), as curl and git read it.

Never in the archive, its backups or the journal (an archive travels; a password must not), never
printed, never in a URL that whrd stores or shows. The file is written whole and atomically with
mode 0600; a file other users can read is refused rather than used.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from msgspec import Struct

from ..errors import InputError
from ..i18n import _
from ..reasons import os_reason

FILE_NAME = "credentials.json"
FORMAT = 1


class Login(Struct, frozen=True):
    """A user and password for a server (the password may be empty)."""

    user: str
    password: str
    source: str  # "file" or "netrc", for messages (never the secret itself)

    def __repr__(self) -> str:  # a traceback or a debug print shows no password
        return f"Login(user={self.user!r}, password=***, source={self.source!r})"

    def __rich_repr__(self) -> list[tuple[str, Any]]:  # nor Rich, which asks a Struct this first
        return [("user", self.user), ("password", "***"), ("source", self.source)]


def credentials_path() -> Path:
    """`credentials.json` beside the config file (`$WHRD_CONFIG`'s folder, else the platform's
    user config folder)."""
    from ..config import config_path

    return config_path().with_name(FILE_NAME)


def _read(path: Path) -> dict[str, Any]:
    import orjson

    try:
        info = path.stat()
    except FileNotFoundError:
        return {"whrd_credentials": FORMAT, "archives": {}}
    except OSError as exc:
        raise InputError(_("Cannot read {path}: {reason}.").format(path=path, reason=os_reason(exc))) from exc
    if info.st_mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise InputError(
            _("{path} can be read by other users; whrd will not use it. Run: chmod 600 {path}").format(
                path=path
            )
        )
    try:
        data = orjson.loads(path.read_bytes())
    except (OSError, orjson.JSONDecodeError) as exc:
        raise InputError(
            _("{path} is not a whrd credentials file; move it away and add the remote again.").format(
                path=path
            )
        ) from exc
    if not isinstance(data, dict) or not isinstance(data.get("archives"), dict):
        raise InputError(
            _("{path} is not a whrd credentials file; move it away and add the remote again.").format(
                path=path
            )
        )
    return data


def _write(path: Path, data: Mapping[str, Any]) -> None:
    import orjson

    from ..storage.atomic import write_atomic

    path.parent.mkdir(parents=True, exist_ok=True)
    write_atomic(path, orjson.dumps(data, option=orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS), mode=0o600)
    os.chmod(path, 0o600)


def save_login(archive_id: str, remote: str, user: str, password: str) -> Path:
    """Keep the login for this archive's remote (replacing any); the file it is in."""
    path = credentials_path()
    data = _read(path)
    archives = data["archives"]
    archives.setdefault(archive_id, {})[remote] = {"user": user, "password": password}
    _write(path, data)
    return path


def forget_login(archive_id: str, remote: str) -> bool:
    """Drop the login kept for this archive's remote; whether there was one."""
    path = credentials_path()
    if not path.exists():
        return False
    data = _read(path)
    entry = data["archives"].get(archive_id)
    if not isinstance(entry, dict) or remote not in entry:
        return False
    del entry[remote]
    if not entry:
        del data["archives"][archive_id]
    _write(path, data)
    return True


def login_for(archive_id: str, remote: str, host: str) -> Login | None:
    """The login to use: the one kept for this archive's remote, else `~/.netrc`'s for `host`."""
    entry = _read(credentials_path())["archives"].get(archive_id, {}).get(remote)
    if isinstance(entry, dict) and isinstance(entry.get("user"), str):
        return Login(entry["user"], str(entry.get("password") or ""), "file")
    return netrc_login(host)


def netrc_login(host: str) -> Login | None:
    """`~/.netrc`'s login for `host` (its `default` entry too), None without one or a file."""
    import netrc

    path = Path(os.environ.get("NETRC") or Path.home() / ".netrc")
    if not path.is_file():
        return None
    try:
        found = netrc.netrc(str(path)).authenticators(host)
    except (netrc.NetrcParseError, OSError) as exc:
        raise InputError(_("Cannot read {path}: {reason}.").format(path=path, reason=exc)) from exc
    if not found:
        return None
    user, _account, password = found
    return Login(user or "", password or "", "netrc") if user else None
