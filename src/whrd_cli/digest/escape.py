"""Markdown escaping: the `md` and `md_url` filters through which every piece of bulletin text
reaches a Markdown digest, so a title with `*`, `[` or `<script>` reads exactly as written."""

from __future__ import annotations

import re
from typing import Any

_MD_INLINE = re.compile(r"[\\`*_\[\]<>~]")
_MD_INLINE_ESCAPES = str.maketrans({char: f"\\{char}" for char in "\\`*_[]<>~"})
_MD_ENTITY = re.compile(r"&(?=#?\w+;)")
_MD_LINE_START = re.compile(r"^([ \t]*)([#+\-=|]|\d+(?=[.)]))", re.MULTILINE)
_MD_BLOCK_CHARS = frozenset("#+-=| \t0123456789")
_MD_TRAILING_HASHES = re.compile(r"(?<=[ \t])(#+)(?=[ \t]*$)", re.MULTILINE)
_MD_URL_UNSAFE = re.compile(r"[\s()<>\\]")


def _md_line_start(match: re.Match[str]) -> str:
    indent, marker = match[1], match[2]
    return f"{indent}{marker}\\" if marker[0].isdigit() else f"{indent}\\{marker}"


def md_escape(value: Any) -> str:
    """Text that a Markdown renderer shows exactly as written: no emphasis, links, HTML or headings.

    Escapes inline markup everywhere, block markers (`#`, `-`, `1.`, `>`, …) at the start of a line,
    and a trailing `#` that would close a heading; leaves the rest readable as plain text. The
    checks before each pass keep a 100k-bulletin digest fast: most text needs only the first.
    """
    text = value if type(value) is str else str(value)
    if _MD_INLINE.search(text):  # most text has none: one scan, no copy
        text = text.translate(_MD_INLINE_ESCAPES)  # one C pass (a `\g<0>` template is slow)
    if "&" in text:
        text = _MD_ENTITY.sub(r"\\&", text)
    if "\n" in text or text[:1] in _MD_BLOCK_CHARS:
        text = _MD_LINE_START.sub(_md_line_start, text)
    if "#" in text:
        text = _MD_TRAILING_HASHES.sub(r"\\\1", text)
    return text


_MD_INLINE_ONLY = re.compile(r"[\\`*\[\]<>~]|(?<!\w)_|_(?!\w)")


def md_inline(value: Any) -> str:
    """Text that sits inside a Markdown line (after `Tags: `), shown as written with only the escapes
    it needs there: inline markup, but no line-start markers (`#WHRDs` stays `#WHRDs`) and no `_`
    inside a word (`Mujeres_Defensoras`). Text with a line break gets the full `md_escape`."""
    text = value if type(value) is str else str(value)
    if "\n" in text or "\r" in text:
        return md_escape(text)
    text = _MD_INLINE_ONLY.sub(lambda m: f"\\{m[0]}", text)
    return _MD_ENTITY.sub(r"\\&", text) if "&" in text else text


def md_url(value: Any) -> str:
    """A URL that cannot end a Markdown link early: spaces, brackets and backslashes percent-encoded."""
    return _MD_URL_UNSAFE.sub(lambda m: f"%{ord(m[0]):02X}", str(value))
