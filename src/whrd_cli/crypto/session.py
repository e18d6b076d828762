"""Unlock sessions: the unwrapped identity of an encrypted archive, kept with an expiry in
`$XDG_RUNTIME_DIR/whrd/` only when that folder is on a tmpfs (memory, gone at power-off), in a
0700 folder as a 0600 file. The same folder holds what must never reach persistent disk while an
archive is encrypted: its search index and the `$EDITOR` form. Without such a tmpfs there is no
session: every command asks for the passphrase, and there is no index (search works in memory).

Each archive's files there are named by a hash of its absolute path (`<id>.key`,
`<id>.search.sqlite`, `<id>.draft-…`), so `lock` removes exactly one archive's files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import time
from pathlib import Path

MEMORY_FILESYSTEMS = frozenset({"tmpfs", "ramfs"})
# Where an encrypted archive's index goes when there is no session: a folder that cannot exist,
# so the index can be neither read nor written (the search runs in memory).
NOWHERE = Path("/proc/self/whrd-no-session")


def _mount_type(path: str) -> str | None:
    """The file system type of the mount holding `path` (from /proc/mounts; None if unknown)."""
    try:
        with open("/proc/mounts", encoding="utf-8") as fh:
            mounts = [line.split()[:3] for line in fh]
    except OSError:
        return None
    best, kind = "", None
    for _device, point, fstype in (m for m in mounts if len(m) == 3):
        point = point.replace("\\040", " ")
        inside = path == point or path.startswith(point.rstrip("/") + "/")
        if inside and len(point) >= len(best):
            best, kind = point, fstype
    return kind


def runtime_dir(*, create: bool = False) -> Path | None:
    """`$XDG_RUNTIME_DIR/whrd` when it is on a tmpfs owned by this user (made 0700 when `create`);
    None when there is no such place (then no session can be kept)."""
    base = os.environ.get("XDG_RUNTIME_DIR")
    if not base or not os.path.isabs(base):
        return None
    real = os.path.realpath(base)
    if _mount_type(real) not in MEMORY_FILESYSTEMS:
        return None
    folder = Path(real) / "whrd"
    if create:
        with contextlib.suppress(FileExistsError):
            folder.mkdir(mode=0o700)
    try:
        info = folder.lstat()
    except OSError:
        return None
    if not stat.S_ISDIR(info.st_mode) or info.st_uid != os.geteuid():
        return None
    if stat.S_IMODE(info.st_mode) != 0o700:
        with contextlib.suppress(OSError):
            os.chmod(folder, 0o700)
    return folder


def archive_id(archive: Path) -> str:
    """A name for the archive's session files: its absolute path, hashed (names nothing)."""
    real = os.path.realpath(archive)  # `./a.json`, `../t/a.json` and a symlink: one session
    return hashlib.sha256(real.encode("utf-8", "surrogateescape")).hexdigest()[:24]


def key_file(archive: Path) -> Path | None:
    folder = runtime_dir()
    return None if folder is None else folder / f"{archive_id(archive)}.key"


def save(archive: Path, identity: str, seconds: float) -> float:
    """Keep the unwrapped identity for `seconds`; returns the expiry (epoch). OSError if no tmpfs."""
    folder = runtime_dir(create=True)
    if folder is None:
        raise FileNotFoundError("no tmpfs runtime folder")
    expires = time.time() + seconds
    target = folder / f"{archive_id(archive)}.key"
    tmp = folder / f".{target.name}.{os.getpid()}"
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump({"archive": str(archive.absolute()), "expires": expires, "identity": identity}, fh)
    os.replace(tmp, target)
    return expires


def load(archive: Path) -> tuple[str | None, bool]:
    """(identity text, expired): the session's identity if one is open and not expired. An expired
    session is removed with everything it kept (index, drafts)."""
    path = key_file(archive)
    if path is None:
        return None, False
    try:
        with open(path, encoding="utf-8") as fh:
            record = json.load(fh)
    except (OSError, ValueError):
        return None, False
    if not isinstance(record, dict) or not isinstance(record.get("identity"), str):
        return None, False
    if float(record.get("expires", 0)) <= time.time():
        end(archive)
        return None, True
    return record["identity"], False


def expiry(archive: Path) -> float | None:
    """When the archive's open session ends (epoch), None when there is none."""
    path = key_file(archive)
    try:
        with open(path or NOWHERE, encoding="utf-8") as fh:
            value = float(json.load(fh).get("expires", 0))
    except (OSError, ValueError, AttributeError, TypeError):
        return None
    return value if value > time.time() else None


def end(archive: Path) -> int:
    """Remove the session's key first, then its index and drafts; the number of files removed."""
    folder = runtime_dir()
    if folder is None:
        return 0
    prefix = archive_id(archive)
    names = sorted((n for n in os.listdir(folder) if n.startswith((prefix, f".{prefix}"))), key=_key_first)
    removed = 0
    for name in names:
        with contextlib.suppress(OSError):
            os.unlink(folder / name)
            removed += 1
    return removed


def _key_first(name: str) -> tuple[bool, str]:
    return (not name.endswith(".key"), name)


def is_open(archive: Path) -> bool:
    return expiry(archive) is not None


def index_home(archive: Path) -> Path:
    """Where an encrypted archive's search index lives: the session's tmpfs while it is unlocked,
    else nowhere (no index)."""
    folder = runtime_dir()
    return folder if folder is not None and is_open(archive) else NOWHERE


def draft_home(archive: Path) -> Path | None:
    """Where the `$EDITOR` form of an encrypted archive goes: the tmpfs folder (None: none here)."""
    return runtime_dir(create=True)


def describe(archive: Path) -> str | None:
    """The archive's lock state in words (`encrypted, unlocked until 18:00`, `not encrypted: …`);
    None when there is no archive yet."""
    from ..i18n import _
    from . import is_encrypted

    if not is_encrypted(archive):
        return _("not encrypted: plain text on disk") if archive.exists() else None
    until = expiry(archive)
    if until is None:
        return _("encrypted, locked")
    return _("encrypted, unlocked until {time}").format(
        time=time.strftime("%Y-%m-%d %H:%M", time.localtime(until))
    )
