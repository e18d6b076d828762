"""What the Markdown and HTML writers share: a writer's entries and `WriteContext`, handed to the
digest package as the plain data it takes (it knows nothing of formats)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TextIO

from ..digest.context import DigestOptions
from ..digest.environment import render_digest
from ..records import Selection

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ..records import Entry
    from . import WriteContext


def write_digest(entries: Sequence[Entry], out: TextIO, context: WriteContext, *, shipped: str) -> None:
    """Render the shipped template `shipped` (or the user's `context.template`) into `out`."""
    options = DigestOptions(
        title=context.title,
        locale=context.locale,
        group_by=context.group_by,
        include_private=context.include_private,
        filters=context.filters,
        generated=context.generated,
        template=context.template,
    )
    render_digest(_pairs(entries), out, options, shipped=shipped)


def _pairs(entries: Sequence[Entry]) -> Iterable[tuple[int, Mapping[str, Any]]]:
    """The bulletins as `(id, stored dict)`: an export's `Selection` already holds them (no
    `Bulletin` is built); any other entries give their `Bulletin.to_dict()`, which reads the same."""
    if isinstance(entries, Selection):
        return entries.pairs
    return [(entry.id, entry.bulletin.to_dict()) for entry in entries]
