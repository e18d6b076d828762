"""Why an operating-system call failed: `whrd_cli.reasons`, where the store's modules (and the
importer) have always found it; the CLI, which never touches storage, uses that module itself."""

from __future__ import annotations

from ..reasons import PERMISSION_DENIED, os_reason

__all__ = ["PERMISSION_DENIED", "os_reason"]
