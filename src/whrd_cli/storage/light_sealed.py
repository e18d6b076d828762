"""The light read of a big encrypted archive (`light.load`), its decryption and its parse at once.

Read one after the other, age's decryption (~0.18 s at 100k: pyrage holds the GIL) and the parse
of the bulletins' keys (~0.16 s) were most of an encrypted `add`. Here a child decrypts and sends
the plain text through a pipe, a megabyte at a time, into this process's own memory (huge
pages: `names.own_memory`); meanwhile this process parses the bulletins table in segments as
they arrive. A segment ends before a member of the table (`,"12345":{`): a raw quote is never
inside a JSON string, so that text only stands between two bulletins, and each segment is parsed
as the object it is (its first and last byte swapped for braces in place, then restored). The few bytes
before the table and after the last segment are parsed whole once the child is done.

Every part is parsed strictly and the parts tile the plain text, so what this gives is what one
parse of the whole gives (tests compare them). Anything unexpected (a child that fails, a layout
whrd does not write, a part that does not parse) gives None, and the archive is read the plain
way, which reports whatever is wrong. The plain text is only ever in memory, as before.
"""

from __future__ import annotations

import mmap
import os
import re
from collections.abc import Callable
from typing import Any

from .names import BULLETINS, MAPPED, Data, Sealed, Tables, beside, own_memory

APART = MAPPED  # ciphertext bytes from which the decryption and the parse overlap
_STEP = 1 << 20  # plain bytes sent (and taken) at a time
_SEGMENT = 256 << 10  # plain bytes parsed at a time, at least (what is left when age is done waits)
_TABLE = re.compile(rb'"' + BULLETINS.encode() + rb'":\{')
_MEMBER = re.compile(rb',"\d+":\{')  # between two bulletins, and nowhere else


def read_keys(
    identity: Any,
    data: Data | Sealed,
    bulletin: type,
    table: type[dict[str, Any]],
    alongside: Callable[[], object] = lambda: None,
) -> tuple[Tables, dict[str, Any]] | None:
    """`light._read_keys` of the plain text of age ciphertext `data`, decrypted by a child with
    `identity` while this process parses, each stored bulletin decoded as `bulletin` into a
    `table`; None when it cannot be read so (read it the plain way). `alongside()` runs in a
    thread meanwhile (started once the child is: a fork copies no other thread)."""

    from ..workers import cores, reap, start_child

    if cores() < 2:
        return None
    plain = _memory(len(data))  # larger than the plain text
    try:
        keep = (data.fd,) if isinstance(data, Sealed) else ()  # (the ciphertext's file, read-only)
        child = [start_child(lambda out: _decrypt(identity, data, out), keep)]
    except OSError:
        return None

    try:
        with beside(lambda _data: alongside(), data):
            return _parse_as_it_comes(plain, child, bulletin, table)
    finally:
        reap(child)


def parse_whole(path: Any, data: Data | Sealed, seen: Callable[[Any], object] | None) -> tuple[Any, bool]:
    """A whole encrypted archive parsed while a child decrypts it (`read_keys` with every bulletin
    decoded whole: what one parse of the plain text gives), and whether `seen(data)` ran (it
    hashes the ciphertext meanwhile). (None, …): read it the plain way, which says what is wrong."""
    if len(data) < APART:
        return None, False
    from ..crypto.keys import identity_for

    identity = identity_for(path)  # (asks for the passphrase here if it must, as `decrypt` does)
    ran: list[bool] = []

    def alongside() -> None:
        if seen is not None:
            seen(data)
            ran.append(True)

    got = read_keys(identity, data, Any, dict, alongside)
    return (None if got is None else got[0]), bool(ran)


def _decrypt(identity: Any, data: Data | Sealed, out: Any) -> None:
    """In the child: decrypt into the pipe `out`, a megabyte at a time (age hands over 8 KB)."""
    import io

    from pyrage import decrypt_io

    sink = io.BufferedWriter(out.raw, _STEP)  # (`out` itself buffers 8 KB: a write call each)
    reader = data.reader() if isinstance(data, Sealed) else io.BytesIO(data)  # (read as it goes)
    decrypt_io(reader, sink, [identity])
    sink.flush()


def _parse_as_it_comes(
    plain: mmap.mmap, child: list[tuple[int, int]], bulletin: type, partial: type[dict[str, Any]]
) -> tuple[Any, Any] | None:
    import msgspec

    pid, fd = child[0]
    members: dict[str, Any] = {}
    table = cursor = -1  # where the bulletins table's `{` is; where its next member starts
    ready, segmenting, room = 0, True, memoryview(plain)
    decode = msgspec.json.Decoder(dict[str, bulletin]).decode  # type: ignore[valid-type]
    while ready < len(plain) and (got := os.readv(fd, [room[ready : ready + _STEP]])):
        ready += got
        if table < 0 and (found := _TABLE.search(plain, 0, ready)) is not None:
            table = cursor = found.end() - 1
        while table >= 0 and segmenting:
            split = _MEMBER.search(plain, cursor + _SEGMENT, ready)
            if split is None:
                break
            parsed = _segment(plain, cursor, split.start(), decode)
            if parsed is None:  # past the table's end (the tables after it have members too):
                segmenting = False  # the rest is parsed whole at the end
                break
            members.update(parsed)
            cursor = split.start()
    room.release()
    if ready == len(plain) and os.read(fd, 1):  # more plain text than room (never so: age's is
        return None  # shorter than its ciphertext): the child, blocked on its pipe, is reaped
    _pid, status = os.waitpid(pid, 0)
    child.clear()
    os.close(fd)
    if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0 or table < 0:
        return None  # the child failed (a damaged file: the plain read says so) or said too little
    return _ends(plain, ready, table, cursor, members, decode, partial)


def _memory(size: int) -> mmap.mmap:
    """Room for the plain text: this process's own, in huge pages (`names.own_memory`)."""
    return own_memory(size, mmap.mmap)


def _segment(
    plain: mmap.mmap, start: int, end: int, decode: Callable[[Any], dict[str, Any]]
) -> dict[str, Any] | None:
    """The members between `start` (the table's `{`, or the `,` before a member) and `end` (the
    `,` after the last), parsed as one object: the two bytes become braces for the parse."""
    first, last = plain[start], plain[end]
    plain[start], plain[end] = ord("{"), ord("}")
    try:
        return decode(memoryview(plain)[start : end + 1])
    except (ValueError, TypeError):  # msgspec's DecodeError and ValidationError are ValueErrors
        return None
    finally:
        plain[start], plain[end] = first, last


def _ends(
    plain: mmap.mmap,
    size: int,
    table: int,
    cursor: int,
    members: dict[str, Any],
    decode: Callable[[Any], dict[str, Any]],
    partial: type[dict[str, Any]],
) -> tuple[Tables, dict[str, Any]] | None:
    """The tables: those before the bulletins table (parsed whole, the table a stand-in), its
    members from `cursor` on, and the tables after it (parsed whole)."""
    import msgspec

    rest_of_table = plain[table:size] if cursor == table else b"{" + plain[cursor + 1 : size]
    try:
        before = msgspec.json.decode(plain[:table] + b"0}", type=dict[str, msgspec.Raw])
        after = msgspec.json.decode(b'{"":' + rest_of_table, type=dict[str, msgspec.Raw])
        rest = bytes(after.pop(""))  # the members not parsed yet, with the table's `}`
        end = cursor + len(rest)  # where the table ends in the plain text
        names = list(before)
        if (
            names[-1:] != [BULLETINS]
            or "" in before
            or set(names) & set(after)
            or rest[1:] != plain[cursor + 1 : end]
        ):
            return None  # not the layout whrd writes
        members.update(decode(rest))
        encoded: dict[str, Any] = {name: before[name] for name in names[:-1]}
        encoded[BULLETINS] = memoryview(plain)[table:end].toreadonly()
        encoded.update(after)
        tables: Tables = {
            name: msgspec.json.decode(raw) for name, raw in encoded.items() if name != BULLETINS
        }
    except (ValueError, TypeError):
        return None
    tables[BULLETINS] = partial(members)
    return {name: tables[name] for name in encoded}, encoded
