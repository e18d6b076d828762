"""The identity that opens an encrypted archive, and the passphrase that unwraps it.

Where the identity comes from, in order: this process (already unwrapped), an open session
(`session`), else the passphrase unwraps `ARCHIVE.key.age`: read from `--passphrase-fd N` when
given, else asked on the terminal (getpass), else the archive is locked (exit 4). Passphrases
never come from the environment or the command line. The scrypt of the passphrase costs ~1.5 s,
which is why sessions exist.
"""

from __future__ import annotations

import contextlib
import os
import sys
from pathlib import Path
from typing import IO, Any

from ..errors import ArchiveError, LockedError
from ..i18n import _
from ..reasons import os_reason
from . import home_archive, key_path, session

_unwrapped: dict[Path, Any] = {}
_passphrase_fd: list[IO[bytes]] = []


def use_passphrase_fd(fd: int) -> None:
    """Read passphrases from file descriptor `fd`, one a line (`--passphrase-fd`, as gpg does)."""
    try:
        _passphrase_fd[:] = [os.fdopen(fd, "rb", closefd=False)]
    except (OSError, ValueError, TypeError, OverflowError) as exc:  # closed, negative, past C's int
        raise _unreadable(fd) from exc


def _unreadable(fd: int) -> LockedError:
    return LockedError(_("Cannot read a passphrase from file descriptor {fd}.").format(fd=fd))


def no_core_dumps() -> None:
    """A crash must not write the archive's plain text to disk: no core file for this process."""
    import resource

    with contextlib.suppress(OSError, ValueError):  # a platform without the limit: nothing to do
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))


def can_ask() -> bool:
    """A passphrase can be had: from --passphrase-fd, or from a person at a terminal."""
    return bool(_passphrase_fd) or (sys.stdin.isatty() and sys.stderr.isatty())


def read_passphrase(prompt: str) -> str:
    """One passphrase: the next line of --passphrase-fd, else asked without echo on the terminal.
    LockedError when neither is possible (a script without --passphrase-fd)."""
    if _passphrase_fd:
        try:
            line = _passphrase_fd[0].readline()
        except OSError as exc:  # open for writing only, a folder: fdopen took it, reading fails
            raise _unreadable(_passphrase_fd[0].fileno()) from exc
        if not line:
            raise LockedError(_("No passphrase left to read on --passphrase-fd."))
        return line.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
    if not can_ask():
        raise LockedError(
            _("The archive is encrypted and locked: run 'whrd unlock' first (or give --passphrase-fd).")
        )
    import getpass

    return getpass.getpass(prompt, stream=sys.stderr)


def identity_for(path: Path) -> Any:
    """The X25519 identity that opens `path` (an encrypted archive or one of its backups)."""
    archive = Path(os.path.realpath(home_archive(path)))
    found = _unwrapped.get(archive)
    if found is not None:
        return found
    no_core_dumps()
    text, expired = session.load(archive)
    if text is None:
        wrapped = _wrapped(archive)
        if not can_ask() and expired:
            raise LockedError(
                _("The session of {path} has expired: run 'whrd unlock' again.").format(path=archive)
            )
        text = unwrap(
            wrapped, read_passphrase(_("Passphrase of {name}: ").format(name=archive.name)), archive
        )
    found = _parsed(text, archive)
    _unwrapped[archive] = found
    return found


def _parsed(text: str, archive: Path) -> Any:
    from pyrage import x25519

    try:
        return x25519.Identity.from_str(text.strip())
    except Exception as exc:  # pyrage.IdentityError: the file does not hold an age identity
        raise ArchiveError(_("{path} does not hold an age identity.").format(path=key_path(archive))) from exc


def from_passphrase(archive: Path) -> Any:
    """The identity unwrapped with a passphrase asked now (`unlock`: never from a session)."""
    no_core_dumps()
    text = unwrap(
        _wrapped(archive), read_passphrase(_("Passphrase of {name}: ").format(name=archive.name)), archive
    )
    found = _parsed(text, archive)
    remember(archive, found)
    return found


def remember(archive: Path, identity: Any) -> None:
    """This process holds `identity` for `archive` now (after `encrypt`, `unlock`)."""
    _unwrapped[Path(os.path.realpath(archive))] = identity


def forget(archive: Path) -> None:
    _unwrapped.pop(Path(os.path.realpath(archive)), None)


def _wrapped(archive: Path) -> bytes:
    key = key_path(archive)
    try:
        return key.read_bytes()
    except FileNotFoundError:
        raise ArchiveError(
            _(
                "The identity file {key} is missing, so {path} cannot be opened. Put back your copy "
                "of it; with a recovery key, 'age -d -i RECOVERY-KEY-FILE {path}' gives the plain archive."
            ).format(key=key, path=archive)
        ) from None
    except OSError as exc:
        raise ArchiveError(
            _("Cannot read the identity file {key}: {reason}.").format(key=key, reason=os_reason(exc))
        ) from exc


def unwrap(wrapped: bytes, passphrase: str, archive: Path) -> str:
    """The identity's text inside `ARCHIVE.key.age`; a wrong passphrase is LockedError (exit 4),
    a damaged identity file an ArchiveError (exit 3)."""
    from pyrage import DecryptError
    from pyrage import passphrase as age_passphrase

    from . import MAGIC

    key = key_path(archive)
    if not wrapped.startswith(MAGIC):
        raise ArchiveError(_("The identity file {key} is damaged (not an age file).").format(key=key))
    try:
        return bytes(age_passphrase.decrypt(wrapped, passphrase)).decode("utf-8")
    except DecryptError as exc:
        if "Decryption failed" in str(exc):
            raise LockedError(
                _("Wrong passphrase for {path}; nothing was changed.").format(path=archive)
            ) from exc
        raise ArchiveError(
            _("The identity file {key} is damaged: {reason}.").format(key=key, reason=exc)
        ) from exc
    except UnicodeDecodeError as exc:
        raise ArchiveError(
            _("The identity file {key} is damaged (not an age identity).").format(key=key)
        ) from exc


def wrap(identity_text: str, passphrase: str) -> bytes:
    """The identity encrypted with the passphrase (age's scrypt recipient): `ARCHIVE.key.age`."""
    from pyrage import passphrase as age_passphrase

    return bytes(age_passphrase.encrypt(identity_text.encode("utf-8"), passphrase))


def strength_hint(passphrase: str) -> str | None:
    """A hint when the passphrase is weak (None when it looks strong enough)."""
    words = len(passphrase.split())
    kinds = sum(
        any(test(c) for c in passphrase) for test in (str.islower, str.isupper, str.isdigit, str.isspace)
    )
    if (
        len(passphrase) >= 20
        or (words >= 4 and len(passphrase) >= 16)
        or (len(passphrase) >= 14 and kinds >= 3)
    ):
        return None
    return _(
        "This passphrase is weak ({count} characters): someone with the files can try many guesses. "
        "Five or more random words are both strong and easy to remember."
    ).format(count=len(passphrase))
