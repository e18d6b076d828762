"""`whrd link --suggest` (issue 17): proposed translation pairs, shown or accepted."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from ..store import Archive


def run_suggest(archive: Archive, *, yes: bool, minimum: int, json_: bool) -> None:
    """Not built yet in this commit (the next one)."""
    raise NotImplementedError
