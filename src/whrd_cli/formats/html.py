"""HTML digest writer: one self-contained, printable HTML5 file (inline CSS, no external assets).

The template environment autoescapes, so every piece of bulletin text is escaped, and only
http(s) URLs become links (`digest.context.linkable`). A user's `--template` is autoescaped too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, TextIO

from ._digest import write_digest

if TYPE_CHECKING:
    from ..records import Entry
    from . import WriteContext


def write(entries: Sequence[Entry], out: TextIO, context: WriteContext) -> None:
    write_digest(entries, out, context, shipped="digest.html.j2")
