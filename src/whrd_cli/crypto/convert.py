"""Whole-archive operations of encryption at rest: turn an archive encrypted or plain, change its
recipients, and the emergency wipe. Each rewrite holds the archive's lock and is one atomic write
(`storage.atomic`): the archive is its old or its new form, never half, and a refused operation
changes nothing.

`encrypt` writes the identity file first, then the archive, then re-encrypts each backup and
removes what is plain beside it (the search index, editor drafts, stale temp files): an
`encrypt` cut short leaves an identity file beside a plain archive, and the next write encrypts
it (`crypto.is_encrypted`). `decrypt` goes the other way and removes the identity file last.
A Ctrl-C waits until either is whole (`interrupts.held`); a process killed outright after the
archive and before its backups leaves plain backups and index, which `whrd doctor` names.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

from .. import interrupts
from ..errors import ArchiveError, InputError
from ..i18n import _
from ..reasons import os_reason
from ..storage import atomic, backups, check, trust
from . import is_ciphertext, key_path, keys, session
from .codec import RECIPIENTS, encrypted_pieces, recipients_of

INDEX_SUFFIX = ".search.sqlite"


@contextlib.contextmanager
def _locked(archive: Path, timeout: float = 10.0) -> Iterator[None]:
    from ..storage.lockfile import ArchiveLock, LockTimeout

    check.refuse_unwritable(archive)
    lock = ArchiveLock(f"{archive}.lock", timeout=timeout)
    try:
        lock.acquire()
    except LockTimeout as exc:
        raise check.locked_error(archive, timeout) from exc
    except OSError as exc:
        raise check.lock_error(archive, exc) from exc
    try:
        yield
    finally:
        lock.release()


def _plain_bytes(tables: dict[str, Any]) -> Iterator[bytes]:
    from ..storage.tinydb_adapter import encode_pieces

    return encode_pieces(tables)


def _load(path: Path) -> dict[str, Any]:
    tables = check.load_archive_file(path)
    if tables is None:
        raise InputError(_("There is no archive at {path} yet: add a bulletin first.").format(path=path))
    return tables


def _load_sound(path: Path) -> tuple[dict[str, Any], bool]:
    """The archive, and whether it is sound: byte for byte what whrd wrote sound (`trust`'s
    mark), else checked in full now. The rewrite of a sound archive gets the mark again, so the
    next write need not check every bulletin (~1 s at 100k)."""
    mark = trust.read_mark(path)
    marked: list[bool] = []
    found = check.load_archive_file(path, seen=lambda data: marked.append(trust.is_sound_copy(data, mark)))
    if found is None:
        raise InputError(_("There is no archive at {path} yet: add a bulletin first.").format(path=path))
    return found, any(marked) or check.damage_in(found, path) is None


def _write(path: Path, tables: dict[str, Any], *, encrypted: bool, sound: bool = False) -> None:
    """Write `tables` to `path` atomically, as the store does: age ciphertext (encrypted as it
    is encoded) when `encrypted`, and marked sound when it is."""
    pieces = _plain_bytes(tables)
    if encrypted:
        pieces = encrypted_pieces(path, tables, pieces)
    digest = trust.new_digest() if sound else None
    if digest is not None:
        pieces = trust.hashed(pieces, digest)
    atomic.write_atomic(
        path,
        pieces,
        mode=_mode(path),
        finish=None if digest is None else lambda fd: trust.set_mark(fd, trust.mark_of(digest)),
    )


def new_identity() -> tuple[Any, str]:
    from pyrage import x25519

    identity = x25519.Identity.generate()
    return identity, str(identity)


def encrypt_archive(archive: Path, passphrase: str) -> tuple[int, list[Path]]:
    """Encrypt the archive to a new identity wrapped by `passphrase`: (backups re-encrypted, plain
    files removed). Raises InputError if it is encrypted already."""
    keys.no_core_dumps()
    if key_path(archive).exists() or is_ciphertext(archive):
        raise InputError(_("{path} is encrypted already.").format(path=archive))
    with _locked(archive):
        if key_path(archive).exists() or is_ciphertext(archive):  # another `encrypt` got there first
            raise InputError(_("{path} is encrypted already.").format(path=archive))
        tables, sound = _load_sound(archive)
        identity, text = new_identity()
        wrapped = keys.wrap(text, passphrase)
        with interrupts.held():
            atomic.write_atomic(key_path(archive), wrapped, mode=0o600, overwrite=False)
            keys.remember(archive, identity)
            _write(archive, tables, encrypted=True, sound=sound)
            del tables
            count = 0
            for backup in backups.backup_paths(archive, 10):
                if backup.exists() and not is_ciphertext(backup):
                    old = _load_or_none(backup)
                    if old is None:  # not an archive whrd can read: plain text all the same
                        backup.unlink()
                        continue
                    _write(backup, old, encrypted=True)
                    count += 1
            removed = remove_plain_leftovers(archive)
    return count, removed


def _load_or_none(path: Path) -> dict[str, Any] | None:
    try:
        return check.load_archive_file(path)
    except ArchiveError:
        return None


def _mode(path: Path) -> int:
    import stat

    try:
        return stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return 0o600


def remove_plain_leftovers(archive: Path) -> list[Path]:
    """Remove what beside the archive holds its plain text: the search index (and its journal),
    editor drafts, temp files of writes that were killed."""
    plain_index = archive.with_name(archive.name + INDEX_SUFFIX)
    found = [plain_index, Path(f"{plain_index}-journal")]
    with contextlib.suppress(OSError):
        found += [
            archive.parent / n for n in os.listdir(archive.parent) if n.startswith(f"{archive.name}.draft-")
        ]
    for target in (archive, plain_index, *backups.backup_paths(archive, 10)):
        found += atomic.temp_files(target)
    removed = []
    for path in found:
        with contextlib.suppress(OSError):
            path.unlink()
            removed.append(path)
    return removed


def decrypt_archive(archive: Path) -> int:
    """Write the archive (and its backups) plain again; the identity file goes last. Returns the
    number of backups decrypted. The session is ended (its tmpfs index would be stale)."""
    with _locked(archive):
        tables, sound = _load_sound(archive)
        with interrupts.held():
            _write(archive, tables, encrypted=False, sound=sound)
            count = 0
            for backup in backups.backup_paths(archive, 10):
                if backup.exists() and is_ciphertext(backup):
                    _write(backup, _load(backup), encrypted=False)
                    count += 1
            with contextlib.suppress(FileNotFoundError):
                key_path(archive).unlink()
            atomic.fsync_dir(archive.parent)
    session.end(archive)
    keys.forget(archive)
    return count


def change_recipients(archive: Path, change: Callable[[list[str]], list[str]]) -> list[str]:
    """Rewrite the archive with its extra recipients changed (`change` gets the current list and
    returns the new one); the archive's next bytes are encrypted to exactly those."""
    if not is_ciphertext(archive):
        raise InputError(_("{path} is not encrypted: run 'whrd encrypt' first.").format(path=archive))
    with _locked(archive):
        tables, sound = _load_sound(archive)
        old = recipients_of(tables)
        new = change(old)
        if new == old:  # nothing to change: the archive is not rewritten
            return new
        meta = tables.setdefault("meta", {}).setdefault("1", {})
        if new:
            meta[RECIPIENTS] = new
        else:
            meta.pop(RECIPIENTS, None)
        _write(archive, tables, encrypted=True, sound=sound and trust.sound_after(tables, [], archive))
    return new


def recipients(archive: Path) -> tuple[str, list[str]]:
    """(the identity's own public key, the extra recipients) of an encrypted archive."""
    tables = _load(archive)
    return str(keys.identity_for(archive).to_public()), recipients_of(tables)


def unwrapped(archive: Path, passphrase: str) -> str:
    """The identity's text, unwrapped with `passphrase` (LockedError when it is wrong)."""
    key = key_path(archive)
    try:
        wrapped = key.read_bytes()
    except FileNotFoundError:
        raise ArchiveError(_("{path} has no identity file ({key}).").format(path=archive, key=key)) from None
    return keys.unwrap(wrapped, passphrase, archive)


def rewrap(archive: Path, identity: str, new: str) -> None:
    """Wrap the identity (`unwrapped`) with a new passphrase; the archive itself is not touched.
    Under the archive's lock: two changes at once never leave a key file of the other's."""
    with _locked(archive):
        atomic.write_atomic(key_path(archive), keys.wrap(identity, new), mode=0o600)


def wipe_targets(archive: Path) -> list[Path]:
    """What `wipe` removes, in its order: the identity file first (crypto-erase: without it the
    ciphertext is useless), then the archive, backups, the index, the lock, temp files, drafts."""
    plain_index = archive.with_name(archive.name + INDEX_SUFFIX)
    targets = [key_path(archive), archive, *backups.backup_paths(archive, 10)]
    targets += [plain_index, Path(f"{plain_index}-journal"), Path(f"{archive}.lock")]
    for target in (archive, plain_index, key_path(archive), *backups.backup_paths(archive, 10)):
        targets += atomic.temp_files(target)
    with contextlib.suppress(OSError):
        targets += [
            archive.parent / n for n in os.listdir(archive.parent) if n.startswith(f"{archive.name}.draft-")
        ]
    return targets


def wipe(archive: Path) -> list[Path]:
    """Remove the session (key first), then every file of the archive (`wipe_targets`); returns
    the files removed. Never waits for the lock: an emergency does not queue."""
    keys.forget(archive)
    session.end(archive)
    removed = []
    for path in wipe_targets(archive):
        try:
            path.unlink()
        except FileNotFoundError:
            continue
        except OSError:
            continue
        removed.append(path)
    atomic.fsync_dir(archive.parent)
    return removed


def write_encrypted_export(result: Any, request: Any, recipients: list[str], archive: Path) -> Any:
    """Encrypt an export rendered in memory (`result.text`) to `recipients` and write it to the
    request's file with `.age` added (never a plain byte on disk), or to stdout; the ExportResult
    of what was written."""
    import sys

    from pyrage import encrypt as age_encrypt
    from pyrage import x25519

    from ..errors import OutputError
    from ..export import ExportResult
    from ..export_target import check_output

    keys.no_core_dumps()
    parsed = []
    for text in recipients:
        try:
            parsed.append(x25519.Recipient.from_str(text.strip()))
        except Exception as exc:  # pyrage.RecipientError
            raise InputError(_("{key!r} is not an age public key (age1…).").format(key=text)) from exc
    data = bytes(age_encrypt((result.text or "").encode("utf-8"), parsed))
    path = request.path
    if path is None:
        sys.stdout.flush()
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()
        return ExportResult(result.count, None, None)
    if path.suffix != ".age":
        path = path.with_name(path.name + ".age")
    check_output(path, force=request.force, archive_path=archive)
    try:
        atomic.write_atomic(path, data, mode=0o600, overwrite=request.force)
    except FileExistsError as exc:
        raise OutputError(_("{path} exists; use --force to replace it.").format(path=path)) from exc
    except OSError as exc:
        raise OutputError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(exc))
        ) from exc
    return ExportResult(result.count, path, None)
