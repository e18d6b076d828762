"""Offline bundles (issue 18): bulletins with every leaf and revision path, as the sync documents,
in one file for a USB stick or a Signal message; and reading whatever `whrd merge` is given.

A bundle is JSON lines: a header `{"whrd_bundle": 1, "created": "…", "docs": N}` (the format
version first: a newer whrd's bundle is refused by name, not misread), then one `sync.docs`
document per line. Encrypted, the same bytes are an age file (to the archive's own identity and
its recipients, or to `--encrypt-to`). `read_docs` turns a bundle, a whrd archive file or a JSON
/ JSONL export into documents, and refuses anything else in one line (never a traceback): not
a bundle, truncated, a newer version, a key that does not open it, too large.
"""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError
from ..i18n import _
from ..reasons import os_reason
from .docs import DOC_TYPE, FORMAT

VERSION = 1
HEADER = "whrd_bundle"
EXTENSION = ".whrdb"
AGE_MAGIC = b"age-encryption.org/v1"
MAX_BYTES = 1024 * 1024 * 1024  # far above a year of a network's bulletins; a bigger file is refused


def bundle_bytes(docs: Iterable[Mapping[str, Any]], *, created: str) -> tuple[bytes, int]:
    """The bundle's bytes and how many documents it holds."""
    import orjson

    body = bytearray()
    count = 0
    for doc in docs:
        body += orjson.dumps(doc)
        body += b"\n"
        count += 1
    header = orjson.dumps({HEADER: VERSION, "created": created, "docs": count})
    return header + b"\n" + bytes(body), count


def encrypt(data: bytes, recipients: Iterable[Any]) -> bytes:
    """`data` as an age file to these recipients (pyrage objects or `age1…` text)."""
    from pyrage import encrypt as age_encrypt
    from pyrage import x25519

    parsed = []
    for item in recipients:
        if isinstance(item, str):
            try:
                item = x25519.Recipient.from_str(item.strip())
            except Exception as exc:  # pyrage.RecipientError
                raise InputError(_("{key!r} is not an age public key (age1…).").format(key=item)) from exc
        parsed.append(item)
    return bytes(age_encrypt(data, parsed))


def write(path: Path, data: bytes, *, overwrite: bool) -> None:
    """Write a bundle atomically, mode 0600 (it holds the archive's text); an existing file only
    with `overwrite`."""
    from ..errors import OutputError
    from ..storage import atomic

    try:
        atomic.write_atomic(path, data, mode=0o600, overwrite=overwrite)
    except FileExistsError as exc:
        raise OutputError(_("{path} exists; use --force to replace it.").format(path=path)) from exc
    except OSError as exc:
        raise OutputError(
            _("Cannot write {path}: {reason}.").format(path=path, reason=os_reason(exc))
        ) from exc


def read_file(path: Path) -> bytes:
    """A file's bytes, at most MAX_BYTES; one clear error for anything that is not a readable file."""
    try:
        # O_NONBLOCK: opening a FIFO for reading would wait for a writer forever.
        fd = os.open(path, os.O_RDONLY | os.O_NONBLOCK | getattr(os, "O_CLOEXEC", 0))
        with os.fdopen(fd, "rb") as fh:
            info = os.fstat(fh.fileno())
            if not stat.S_ISREG(info.st_mode):
                raise InputError(_("{name} is not a file; nothing was merged.").format(name=path))
            data = fh.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError(_("No such file: {name}; nothing was merged.").format(name=path)) from None
    except IsADirectoryError:
        raise InputError(_("{name} is not a file; nothing was merged.").format(name=path)) from None
    except OSError as exc:
        raise InputError(
            _("Cannot read {name}: {reason}; nothing was merged.").format(name=path, reason=os_reason(exc))
        ) from None
    if len(data) > MAX_BYTES:
        raise InputError(_("{name} is larger than 1 GB; nothing was merged.").format(name=path))
    return data


def decrypt(data: bytes, name: Path, identities: Iterable[Callable[[], Any]]) -> bytes:
    """The plain bytes of an age file, opened by the first identity that fits (each asked for
    only when needed: an identity may ask a passphrase)."""
    from pyrage import DecryptError
    from pyrage import decrypt as age_decrypt

    damaged = False
    for get in identities:
        try:
            return bytes(age_decrypt(data, [get()]))
        except DecryptError as exc:
            damaged = damaged or "No matching keys" not in str(exc)
    if damaged:
        raise InputError(
            _("{name} is encrypted but damaged (truncated or altered); nothing was merged.").format(name=name)
        )
    raise InputError(
        _("{name} is encrypted to keys this archive does not hold; nothing was merged.").format(name=name)
    )


def read_docs(data: bytes, name: Path) -> tuple[str, list[dict[str, Any]]]:
    """(kind, documents) of plain bytes: kind is "bundle", "archive" or "export"."""
    data = data.removeprefix(b"\xef\xbb\xbf")  # a UTF-8 byte-order mark, as Windows editors save
    head = data.lstrip()[:1]
    first, _sep, _rest = data.partition(b"\n")
    if head == b"{" and first.strip().startswith(b'{"' + HEADER.encode()):
        return "bundle", _bundle(data, name)
    try:
        text = data.decode("utf-8")
        value = json.loads(text) if head in (b"{", b"[") else None
    except (UnicodeDecodeError, ValueError, RecursionError):
        value = None
        if head == b"{":  # JSON lines: an export as JSONL
            return "export", _export_lines(data, name)
    if (
        isinstance(value, dict)
        and isinstance(value.get("bulletins"), dict)
        and isinstance(value.get("meta"), dict)
    ):
        return "archive", _archive(value)
    if isinstance(value, list):
        return "export", [_export_doc(record) for record in value]
    if isinstance(value, dict):
        return "export", [_export_doc(value)]
    raise InputError(
        _("{name} is not a whrd bundle, archive or JSON export; nothing was merged.").format(name=name)
    )


def _bundle(data: bytes, name: Path) -> list[dict[str, Any]]:
    import orjson

    lines = data.split(b"\n")
    try:
        header = orjson.loads(lines[0])
    except orjson.JSONDecodeError:
        header = None
    version = header.get(HEADER) if isinstance(header, dict) else None
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise InputError(_("{name} is not a whrd bundle; nothing was merged.").format(name=name))
    if version > VERSION:
        raise InputError(
            _("{name} is a bundle of a newer whrd (format {n}); update whrd to merge it.").format(
                name=name, n=version
            )
        )
    docs: list[dict[str, Any]] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        try:
            doc = orjson.loads(line)
        except orjson.JSONDecodeError:
            raise _truncated(name) from None
        if isinstance(doc, dict):
            docs.append(doc)
    if header.get("docs") != len(docs) or not data.endswith(b"\n"):
        raise _truncated(name)
    return docs


def _truncated(name: Path) -> InputError:
    return InputError(_("{name} is truncated or damaged; nothing was merged.").format(name=name))


def _archive(tables: Mapping[str, Any]) -> list[dict[str, Any]]:
    """Another whrd archive's every leaf (its private notes too: it is a coordinator's own copy)."""
    from .docs import outgoing

    try:
        return list(outgoing(tables, private=True))
    except Exception as exc:  # a damaged archive file: its shape is not whrd's
        raise InputError(
            _("The archive given cannot be read (damaged history); nothing was merged.")
        ) from exc


def _export_lines(data: bytes, name: Path) -> list[dict[str, Any]]:
    out = []
    for line in data.split(b"\n"):
        if not line.strip():
            continue
        try:
            out.append(_export_doc(json.loads(line)))
        except (ValueError, RecursionError):
            raise InputError(
                _("{name} is not a whrd bundle, archive or JSON export; nothing was merged.").format(
                    name=name
                )
            ) from None
    return out


def _export_doc(record: Any) -> dict[str, Any]:
    """A record of a JSON export as a document at its rev (kept as it comes, as `import` keeps
    it); the exporting archive's short id is dropped. No uid or rev: refused by the merge."""
    if not isinstance(record, dict):
        return {"_id": None}
    doc: dict[str, Any] = {
        "_id": record.get("uid"),
        "_rev": record.get("rev"),
        "type": DOC_TYPE,
        "whrd": FORMAT,
    }
    for key, value in record.items():
        if key not in ("id", "uid", "rev") and not key.startswith("_") and value is not None:
            doc[key] = value
    return doc
