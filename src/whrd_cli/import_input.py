"""One input of `whrd import` (a file, a pipe, standard input): its bytes, read up to a bound, and
their text: UTF-8 (with or without a BOM) or UTF-16 (with a BOM, or plainly UTF-16 without one);
binary data, text in another encoding and empty inputs are refused with the input's name.
"""

from __future__ import annotations

import codecs
import os
import re
import stat
from pathlib import Path
from typing import BinaryIO

from msgspec import Struct

from .errors import InputError, ParseError
from .formats import READERS
from .i18n import _, number
from .storage.reasons import os_reason

STDIN = "-"
STDIN_NAME = "<stdin>"
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0b\x0c\x1b")
_NOT_BLANK = re.compile("[^ \t\r\n\ufeff\u00a0]")


class Input(Struct):
    """One input as given on the command line: the name shown in messages, and its bytes."""

    name: str
    data: bytes
    path: str | None = None  # None for standard input: no extension to go by

    def take(self) -> bytes:
        """Its bytes, no longer held here: once decoded they are freed (a 79 MB input decodes to
        a text of up to twice that; both at once were the peak of a large import's memory)."""
        data, self.data = self.data, b""
        return data


# The largest input `whrd import` reads (each file, and standard input): a 100,000-bulletin JSON
# export is about 90 MB, and reading takes several times its size in memory. Larger inputs are
# refused before they are read in full, so `import /dev/zero` or an endless pipe cannot exhaust
# memory. The README states it; split a larger export into several files.
MAX_INPUT_BYTES = 512 * 1024 * 1024
_CHUNK = 1024 * 1024
_SAMPLE = 8192  # the bytes `_binary` looks at
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _size_text(limit: int) -> str:
    mib = limit / (1024 * 1024)
    return f"{number(round(mib))} MiB" if mib >= 1 else _("{size} bytes").format(size=number(limit))


def _read_bounded(stream: BinaryIO, name: str, limit: int) -> bytes:
    """At most `limit` bytes of a stream (a file, a pipe, a FIFO, a device), or an InputError as
    soon as there is more; a start that is plainly binary is refused at once (`/dev/zero`)."""
    chunks: list[bytes] = []
    size = 0
    while True:
        chunk = stream.read(min(_CHUNK, limit + 1 - size))
        if not chunk:
            break
        if (
            not chunks
            and not chunk.startswith(_UTF16_BOMS)
            and b"\x00" in chunk[:_SAMPLE]
            and _utf16_order(chunk) is None
        ):
            raise _binary_error(name)  # as `decode` would say, without reading the rest first
        chunks.append(chunk)
        size += len(chunk)
        if size > limit:
            raise _too_large(name, limit)
    return b"".join(chunks)


def _too_large(name: str, limit: int) -> InputError:
    return InputError(
        _(
            "{name} is larger than {size}, the most whrd imports from one input; "
            "split it into smaller files. Nothing was imported."
        ).format(name=name, size=_size_text(limit))
    )


def load_input(arg: str, *, stdin: BinaryIO | None = None, limit: int | None = None) -> Input:
    """Read a file (or standard input for `-`) as bytes, at most `limit` (`MAX_INPUT_BYTES`);
    a missing, unreadable or too large input is an InputError."""
    limit = MAX_INPUT_BYTES if limit is None else limit
    if arg == STDIN:
        if stdin is None:
            raise InputError(_("Standard input is not available; give a file name instead of -."))
        return Input(STDIN_NAME, _read_bounded(stdin, STDIN_NAME, limit))
    path = Path(arg).expanduser()
    try:
        with path.open("rb") as fh:
            info = os.fstat(fh.fileno())
            if stat.S_ISREG(info.st_mode) and info.st_size > limit:
                raise _too_large(arg, limit)
            return Input(arg, _read_bounded(fh, arg, limit), arg)
    except FileNotFoundError:
        raise InputError(_("No such file: {name}. Nothing was imported.").format(name=arg)) from None
    except IsADirectoryError:
        raise InputError(
            _("{name} is a folder, not a file. Nothing was imported.").format(name=arg)
        ) from None
    except OSError as exc:
        raise InputError(
            _("Cannot read {name}: {reason}. Nothing was imported.").format(name=arg, reason=os_reason(exc))
        ) from None


def _binary(data: bytes) -> bool:
    sample = data[:_SAMPLE]
    controls = sum(1 for byte in sample if byte < 0x20 and byte not in _TEXT_CONTROLS)
    return b"\x00" in sample or controls > len(sample) // 50


def _utf16_order(data: bytes) -> str | None:
    """`utf-16-le` or `utf-16-be` when bytes without a BOM plainly are UTF-16 text (Windows tools
    write it so): in the sample, NUL bytes at one parity only, and there at least three bytes in
    four, as mostly-ASCII (or Latin-1) text gives; else None. Anything less clear stays binary."""
    sample = data[:_SAMPLE]
    if len(sample) < 2:
        return None
    if len(sample) % 2:
        sample = sample[:-1]  # a part of a larger file may end inside a character
    units = len(sample) // 2
    low, high = sample[0::2].count(0), sample[1::2].count(0)  # NULs at even and at odd offsets
    if low == 0 and high * 4 >= units * 3:
        return "utf-16-le"
    if high == 0 and low * 4 >= units * 3:
        return "utf-16-be"
    return None


def _binary_error(name: str) -> ParseError:
    return ParseError(
        _(
            "{name} is not a text file (it holds binary data); whrd imports UTF-8 text: "
            "{formats}. Nothing was imported."
        ).format(name=name, formats=", ".join(READERS))
    )


def decode(data: bytes, name: str) -> str:
    """The text of an input: UTF-8 (with or without a BOM), or UTF-16 with a BOM or plainly UTF-16
    without one (`_utf16_order`); binary refused."""
    binary = _binary_error(name)
    order = None if data.startswith(_UTF16_BOMS) else _utf16_order(data)
    if data.startswith(_UTF16_BOMS) or order is not None:
        if len(data) % 2:  # UTF-16 is whole pairs of bytes: a stray byte is not text
            raise binary
        try:
            text = data.decode(order or "utf-16")
        except UnicodeDecodeError:
            raise binary from None
        head = text[: _SAMPLE // 2]
        if sum(1 for ch in head if ch < "\x20" and ch not in "\t\n\r\x0b\x0c\x1b") > len(head) // 50:
            raise binary  # 16-bit numbers, not characters
    else:
        if _binary(data):
            raise binary
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = data.count(b"\n", 0, exc.start) + 1
            raise ParseError(
                _(
                    "{name}, line {line}: not UTF-8 text (byte {byte}); save the file "
                    "as UTF-8 and import it again. Nothing was imported."
                ).format(name=name, line=line, byte=f"0x{data[exc.start]:02x}")
            ) from None
    if not _NOT_BLANK.search(text):  # not `text.strip()`: that would copy a large file's text
        raise ParseError(_("{name} is empty; nothing was imported.").format(name=name))
    if "\x00" in text:
        raise binary
    return text
