"""A light read for writes that only append bulletins (`whrd add`, an import of new bulletins),
and their write, which keeps the bytes of every bulletin already stored instead of encoding them.

Such a write needs, of the bulletins stored, only their dedupe keys and uids and how many there
are; every other table whole. So when the archive file is byte for byte one whrd wrote knowing it
sound (`trust`: its SHA-256 is its mark), the bulletins table is decoded to `{"_key", "uid"}` per
bulletin (a `PartialTable`), about half the time and a fraction of the memory of a full parse,
and its bytes are kept as they are in the file.

Why the write is exact: a marked file is `orjson.dumps` of the tables it holds (in `file_order`),
so the bytes of its bulletins table are that table's encoding, `{…}`; bulletins appended to the
table encode as `,` and their entries before the closing `}`. The file written is then, byte for
byte, `orjson.dumps` of the full tables with the change (tests compare it with a full write, and its
`json.loads` with the tables built the slow way). Anything else changed in the bulletins table (a
bulletin replaced, removed or edited in place) is refused before a byte is written: `spliced`
raises, and nothing is written. An encrypted archive is read so too: its mark hashes the
ciphertext, which age decrypts in memory; the write encrypts the spliced pieces as it goes.
"""

from __future__ import annotations

import contextlib
import os
import stat
import threading
from collections.abc import Iterator, Mapping
from itertools import chain, islice
from operator import is_
from pathlib import Path
from typing import Any, TypedDict

from msgspec import Struct

from . import check, kept, trust
from .names import AGE, Data, Sealed, beside, read_file, started

_PIECE = 4 << 20  # bytes written (and hashed) at a time


# What an append-only write reads of each stored bulletin (`plan.plan_adds`: dedupe key and uid).
class PartialBulletin(TypedDict, total=False):
    _key: str | None
    uid: str | None


class PartialTable(dict[str, dict[str, Any]]):
    """The bulletins table of a light read: each stored bulletin as its `_key` and `uid` only.
    Never written out as it is (`spliced` keeps the file's bytes for these); whatever needs whole
    bulletins (a search index rebuild) reads the archive file again (`complete` is False)."""

    complete = False


class Source(Struct, frozen=True):
    """What a light read keeps to write the archive again: the stored bulletins table's bytes
    (`{…}`, as the file has them), and its bulletins as read (the objects, in order).

    `head` and `hashed` (plain archives): the file's bytes before that table, and the SHA-256
    state of the file up to the table's closing `}`. A write that starts with the same bytes
    resumes from that state instead of hashing them again (~6 ms at 10k, ~60 ms at 100k).

    `early` (a big encrypted archive): the child encrypting the write since the read
    (`crypto.early`), or None."""

    encoded: memoryview
    keys: list[str]
    values: list[dict[str, Any]]
    head: bytes = b""
    hashed: Any = None
    early: Any = None


def load(path: Path) -> tuple[check.Tables, Source] | None:
    """The archive read light, or None when it cannot be (no mark, or not the bytes it marks, an
    older schema, anything unusual): then it is read in full, as before, and whatever is wrong is
    reported by that read."""
    mark = trust.read_mark(path)
    if mark is None:
        return None
    ahead = _import_ahead()
    try:
        return _load(path, mark, ahead)
    finally:  # (no thread of it left for a fork after: a child would inherit its locks)
        if ahead is not None:
            ahead.join()


def _load(path: Path, mark: bytes, ahead: threading.Thread | None) -> tuple[check.Tables, Source] | None:
    try:
        data = _read(path)
    except (OSError, ValueError):
        return None
    if data is None:
        return None
    sound: list[bool] = []
    read: tuple[check.Tables, dict[str, Any]] | tuple[None, None] | None = None
    head: tuple[bytes, Any] | None = None
    apart = False  # decrypted in a child beside the parse: then the write is encrypted early too
    if data[: len(AGE)] == AGE:  # the mark hashes the ciphertext (issue 16)
        if ahead is not None:  # (done before a child is forked to decrypt)
            ahead.join()
        from . import light_sealed  # (only here: a plain write need not load it)

        if len(data) >= light_sealed.APART:  # decrypted by a child while this process parses
            read = _sealed(path, data, mark, sound)
            apart = read is not None
        if read is None:
            from ..crypto.codec import decrypt

            sound.clear()
            data = decrypt(path, data[:], alongside=lambda raw: sound.append(trust.is_sound_copy(raw, mark)))
            read = _read_keys(data) if data.startswith(b"{") else (None, None)
    else:
        assert not isinstance(data, Sealed)
        read, head = _read_plain(data, mark, sound)
    tables, encoded = read
    if sound != [True] or tables is None or encoded is None:
        return None  # edited since it was marked (or a BOM, or not what whrd writes): read in full
    del data
    meta = tables.get(check.META, {}).get("1")
    if not isinstance(meta, dict) or meta.get("schema") != check.SCHEMA_VERSION:
        return None  # an older schema is upgraded, which rewrites every bulletin: read in full
    check._check_schema(path, tables)
    table = tables.get(check.BULLETINS)
    if table is None:
        return tables, Source(memoryview(b"{}"), [], [])
    before, hashed = head or (b"", None)
    early = _early(path, tables, encoded[check.BULLETINS]) if apart else None
    source = Source(
        memoryview(encoded[check.BULLETINS]), list(table), list(table.values()), before, hashed, early
    )
    kept.keep((tables, source))  # (the CLI never frees them one by one: ~20 ms at 100k, ~50 encrypted)
    return tables, source


# What the light read needs right after the file's bytes (its hash, the bulletins table's span)
# and its write next (the appended bulletins encoded): ~3.5 ms of imports, libcrypto's load most.
_AHEAD = ("hashlib", "orjson")


def _import_ahead() -> threading.Thread | None:
    """Import `_AHEAD` in a thread while this one reads the file: the read lets go of the GIL (10 MB
    take ~5 ms), so the imports cost nothing after it. An import this thread then makes waits for
    the same module's import to end (Python's import lock), so nothing is half there. The thread
    is joined before any child is forked, and before `load` returns."""

    def ahead() -> None:
        import importlib

        for name in _AHEAD:
            with contextlib.suppress(ImportError):
                importlib.import_module(name)

    thread = threading.Thread(target=ahead, name="whrd-imports", daemon=True)
    return thread if started(thread) else None  # (none to be had: imported when needed)


def _read_plain(
    data: Data, mark: bytes, sound: list[bool]
) -> tuple[tuple[check.Tables, dict[str, Any]] | tuple[None, None], tuple[bytes, Any] | None]:
    """`_read_keys` of a plain archive, hashed too; with the file's bytes before the bulletins
    table and the hash of the file up to that table's `}`, when the file has the layout whrd
    writes.

    The hash of a big one runs in a thread beside the parse: hashlib lets go of the GIL while it
    hashes, and the parse keeps it. The digest's first call looks at the file's first bytes in
    Python (`trust.Digest`: an age file, or plain?), so it is made here, before the thread starts;
    and this thread waits until that one is about to hash, or it would not even start before the
    parse ends (measured: the read at 100k ~237 -> ~189 ms, at 10k ~25.6 -> ~20.5 ms). An encrypted
    archive has no such hash to hide; its write gained as much (`crypto.early`), so issue 16's
    1.3x of plain still holds."""
    import msgspec

    if not data.startswith(b"{"):
        sound.append(trust.is_sound_copy(data, mark))
        return (None, None), None
    try:
        encoded = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
    except (msgspec.ValidationError, ValueError):
        return (None, None), None
    cut = _table_span(data, encoded)
    head: list[tuple[bytes, Any]] = []
    digest = trust.new_digest()  # (made here: a thread that imported hashlib itself would wait
    # for the GIL, which the parse below keeps for as long as it runs)
    view = memoryview(data)
    looked = min(len(data), trust.LOOK, cut[1] - 1 if cut is not None else trust.LOOK)
    digest.update(view[:looked])  # (its look, in Python: see above)

    def hash_it(_data: object = None) -> None:
        if cut is not None:
            digest.update(view[looked : cut[1] - 1])
            head.append((data[: cut[0]], digest.copy()))
            digest.update(view[cut[1] - 1 :])
        else:
            digest.update(view[looked:])
        sound.append(mark == trust.mark_of(digest))

    with beside(hash_it if len(data) > _HASH_APART else None, data):
        if len(data) <= _HASH_APART:
            hash_it()
        read = _decode_keys(encoded)
    view.release()
    return read, head[0] if head else None


_HEAD = b'{"bulletins":'  # what a write puts before the stored bulletins (`_parts`, `file_order`)


def _early(path: Path, tables: check.Tables, encoded: Any) -> Any:
    """The child that starts encrypting an append now (`crypto.early`), or None."""
    from ..crypto import early

    return early.start(path, tables, _HEAD, memoryview(encoded)[:-1])


def finish_early(data: Mapping[str, Any], source: Source, recipients: list[str]) -> Any:
    """The temp file that holds `spliced(data, source)` encrypted to `recipients`, made by the
    child started at the read (`crypto.early`), once it is given the rest; None when that child
    guessed otherwise (it is stopped: encrypt the whole). Raises `codec.ForkLost` if it fails."""
    early = source.early
    if early is None:
        return None
    try:
        head, _kept, tail = _parts(data, source)
    except BaseException:
        early.cancel()
        raise
    if recipients != early.recipients or b"".join(head) != early.head:
        early.cancel()
        return None
    early.finish(tail)
    return early.temp


def _table_span(data: Data, encoded: Mapping[str, Any]) -> tuple[int, int] | None:
    """Where the bulletins table's bytes start and end in `data`, when the file is laid out as
    orjson writes the tables (no space anywhere); None otherwise (nothing is then resumed)."""
    import orjson

    start = 1
    for number, (name, raw) in enumerate(encoded.items()):
        start += (1 if number else 0) + len(orjson.dumps(name)) + 1
        end = start + len(raw)
        if name == check.BULLETINS:
            whole = data[start : start + 1] == b"{" and data[end - 1 : end] == b"}"
            return (start, end) if whole and data.startswith(memoryview(raw), start) else None
        start = end
    return None


_HASH_APART = 1 << 20  # bytes: a smaller archive is hashed before its keys are read


def _read(path: Path) -> Data | Sealed | None:
    """The archive file's bytes (big age ciphertext left in its file: `names.read_file`); None when it is
    not a regular file."""
    with open(path, "rb") as fh:
        if not stat.S_ISREG(os.fstat(fh.fileno()).st_mode):
            return None
        return read_file(fh)


def _sealed(
    path: Path, data: Data | Sealed, mark: bytes, sound: list[bool]
) -> tuple[check.Tables, dict[str, Any]] | None:
    """`light_sealed.read_keys` of age ciphertext `data`, hashed meanwhile in a thread (hashlib
    lets go of the GIL); None when it cannot be read so."""
    from ..crypto.keys import identity_for
    from . import light_sealed

    identity = identity_for(path)  # (asks for the passphrase here if it must, as `decrypt` does)
    return light_sealed.read_keys(
        identity, data, PartialBulletin, PartialTable, lambda: sound.append(trust.is_sound_copy(data, mark))
    )


def _read_keys(data: bytes) -> tuple[check.Tables, dict[str, Any]] | tuple[None, None]:
    """The tables, each stored bulletin as its dedupe key and uid only, and each table's bytes."""
    import msgspec

    try:
        encoded = msgspec.json.decode(data, type=dict[str, msgspec.Raw])
    except (msgspec.ValidationError, ValueError):
        return None, None
    return _decode_keys(encoded)


def _decode_keys(encoded: dict[str, Any]) -> tuple[check.Tables, dict[str, Any]] | tuple[None, None]:
    import msgspec

    try:
        tables: check.Tables = {
            name: PartialTable(msgspec.json.decode(raw, type=dict[str, PartialBulletin]))
            if name == check.BULLETINS
            else msgspec.json.decode(raw)
            for name, raw in encoded.items()
        }
    except (msgspec.ValidationError, ValueError):
        return None, None
    return tables, encoded


def spliced(data: Mapping[str, Any], source: Source) -> Iterator[bytes]:
    """`encode_pieces(data)` of the full tables, byte for byte, for tables read light: the stored
    bulletins' bytes kept, the appended ones and every other table encoded. Raises RuntimeError
    (a bug, before the first piece) if the bulletins table changed other than by appending."""
    head, kept, tail = _parts(data, source)
    return chain(head, _views(kept), tail)


def spliced_hashed(data: Mapping[str, Any], source: Source) -> tuple[Iterator[bytes], Any]:
    """`spliced(data, source)`, hashed as it goes by into the digest returned with it. When the
    pieces start with the bytes the read hashed (the same tables before the bulletins table), the
    hash resumes from the read's: only the appended bulletins and the tables after are hashed."""
    head, kept, tail = _parts(data, source)
    if source.hashed is not None and b"".join(head) == source.head:
        digest = source.hashed.copy()
        return chain(head, _views(kept), trust.hashed(tail, digest)), digest
    digest = trust.new_digest()
    return trust.hashed(chain(head, _views(kept), tail), digest), digest


def _parts(data: Mapping[str, Any], source: Source) -> tuple[list[bytes], memoryview, list[bytes]]:
    """The file's pieces before the stored bulletins (up to their table's `{`), those bulletins'
    bytes as stored (the table without its `}`), and the pieces after."""
    import orjson

    table = data.get(check.BULLETINS, {})
    count = len(source.keys)
    if (
        len(table) < count
        or not all(map(is_, source.values, islice(table.values(), count)))
        or list(islice(table, count)) != source.keys
        or max(map(len, source.values), default=0) > 2
    ):
        raise RuntimeError("a light write changed stored bulletins")  # never user data
    added = dict(islice(table.items(), count, None))
    if any(isinstance(raw, PartialTable) or "title" not in raw for raw in added.values()):
        raise RuntimeError("a light write appends a partial bulletin")
    head: list[bytes] = [b"{"]
    kept = source.encoded[:-1]
    tail: list[bytes] | None = None
    for number, (name, value) in enumerate(file_order(data)):
        pieces = head if tail is None else tail
        pieces.append((b"," if number else b"") + orjson.dumps(name) + b":")
        if name != check.BULLETINS:
            pieces.append(orjson.dumps(value))
            continue
        tail = [(b"," if count and added else b"") + orjson.dumps(added)[1:-1] + b"}" if added else b"}"]
    if tail is None:  # (no bulletins table: never so for a light read, which makes one)
        raise RuntimeError("a light write without its bulletins table")
    tail.append(b"}")
    return head, kept, tail


def file_order(data: Mapping[str, Any]) -> list[tuple[str, Any]]:
    """The tables in the order whrd writes them: the bulletins first, the meta record last, the
    others between as they come. What a write changes besides its bulletins (meta's next id, the
    journal) then follows them, so an append leaves the file's bytes up to the end of its stored
    bulletins as they were, and their hash is resumed instead of computed again (`Source`)."""
    first = [(name, data[name]) for name in (check.BULLETINS,) if name in data]
    last = [(name, data[name]) for name in (check.META,) if name in data]
    return [*first, *((n, v) for n, v in data.items() if n not in (check.BULLETINS, check.META)), *last]


def _views(kept: memoryview) -> Iterator[bytes]:
    for start in range(0, len(kept), _PIECE):  # views of the file's bytes: never copied whole
        yield kept[start : start + _PIECE]  # type: ignore[misc]
