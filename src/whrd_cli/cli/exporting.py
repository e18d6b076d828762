"""whrd export: write digest files in every registered format (issue 6)."""

from __future__ import annotations
