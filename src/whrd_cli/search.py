"""Full-text search. (Derived search data: filled in by the search work; see issue 5.)"""

from __future__ import annotations

from typing import Any

from .model import Bulletin


def index_fields(bulletin: Bulletin) -> dict[str, Any]:
    """Derived fields the store keeps beside each bulletin for fast search."""
    return {}
