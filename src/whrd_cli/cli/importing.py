"""whrd import: read listings, JSON, JSONL and CSV into the archive (issue 4)."""

from __future__ import annotations
