"""Archive bytes to and from age ciphertext, for `storage.check` (reads) and the storage's
writes. Every write encrypts to the archive's own identity and to the extra recipients its meta
record names (`meta.recipients`): they are inside the ciphertext, so nobody can add a recipient
to an archive without opening it first.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import ArchiveError
from ..i18n import _
from . import keys

RECIPIENTS = "recipients"


def decrypt(path: Path, data: bytes) -> bytes:
    """The plain archive inside age ciphertext `data` (read from `path`). A file that does not
    decrypt with the right identity is damaged (exit 3): a wrong passphrase failed earlier (4)."""
    from pyrage import DecryptError
    from pyrage import decrypt as age_decrypt

    identity = keys.identity_for(path)
    try:
        return bytes(age_decrypt(data, [identity]))
    except DecryptError as exc:
        if "No matching keys" in str(exc):
            raise ArchiveError(
                _("{path} is not encrypted to this archive's identity; whrd will not touch it.").format(
                    path=path
                )
            ) from exc
        raise ArchiveError(
            _(
                "{path} is encrypted but damaged (truncated or altered); whrd will not touch it. "
                "Restore a backup (ARCHIVE.bak)."
            ).format(path=path)
        ) from exc


def recipients_of(tables: Mapping[str, Any]) -> list[str]:
    """The extra recipients (age public keys) named in the archive's meta record."""
    meta = tables.get("meta", {}).get("1", {})
    found = meta.get(RECIPIENTS) if isinstance(meta, dict) else None
    return [r for r in found if isinstance(r, str)] if isinstance(found, list) else []


def encrypt(path: Path, tables: Mapping[str, Any], pieces: Iterable[bytes]) -> bytes:
    """The archive's plain `pieces` encrypted to its identity and its extra recipients."""
    from pyrage import encrypt as age_encrypt
    from pyrage import x25519

    identity = keys.identity_for(path)
    recipients = [identity.to_public()]
    for text in recipients_of(tables):
        try:
            recipients.append(x25519.Recipient.from_str(text))
        except Exception as exc:  # pyrage.RecipientError
            raise ArchiveError(
                _("The archive {path} names a recipient that is not an age public key: {key}.").format(
                    path=path, key=text
                )
            ) from exc
    return bytes(age_encrypt(b"".join(pieces), recipients))
