"""Markdown digest writer: the shipped `digest.md.j2` template, or the user's `--template`.

Bulletin text is escaped for Markdown (see `digest.escape.md_escape`), so a title with `*`, `[`
or `<script>` reads as written wherever the digest is rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ._digest import write_digest

if TYPE_CHECKING:
    from ..records import Entry
    from . import WriteContext


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    write_digest(entries, out, context, shipped="digest.md.j2")
