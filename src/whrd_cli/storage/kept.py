"""What the CLI keeps alive until it exits (process policy, set by `__main__` only).

Freeing a parsed 100k-bulletin archive object by object costs ~0.1 s; a `whrd` process leaves
with `os._exit`, so it keeps the last one instead. A program using whrd as a library adds no
hook, and everything is freed as usual.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_hooks: list[Callable[[Any], object]] = []


def add_parse_hook(hook: Callable[[Any], object]) -> None:
    """Hand every archive read from now on (a parse, or a light read's tables and bytes) to `hook`."""
    _hooks.append(hook)


def keep(parsed: Any) -> None:
    """Hand what a read made to the hooks."""
    for hook in _hooks:
        hook(parsed)
