"""whrd stats: the archive at a glance (issue 7)."""

from __future__ import annotations
