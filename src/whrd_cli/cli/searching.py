"""whrd search: full-text search over the archive (issue 5)."""

from __future__ import annotations
