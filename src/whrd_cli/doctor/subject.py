"""What every doctor check reads: the archive's path, its parse (read once, shared), and the
files whrd keeps beside it. Reading never takes the lock and never writes (a reader sees one
whole file or the other: every write is an atomic rename)."""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Any

from msgspec import Struct

from ..errors import ArchiveError, LockedError
from ..storage import backups, check


class Subject(Struct, dict=True):
    """One archive under examination. `tables` is None when the file does not exist;
    `load_error` the refusal's sentence when it is not a readable whrd archive."""

    path: Path
    config: Path | None = None
    tables: dict[str, dict[str, Any]] | None = None
    load_error: str | None = None
    damage: str | None = None  # `damage_in`'s first sentence; None when sound

    @classmethod
    def read(cls, path: Path, *, config: Path | None = None) -> Subject:
        subject = cls(path=path, config=config)
        try:
            subject.tables = check.load_archive_file(path)
        except LockedError:  # encrypted and closed: not a problem of the archive (exit 4, unlock)
            raise
        except ArchiveError as exc:
            subject.load_error = exc.message
            return subject
        if subject.tables is not None:
            subject.damage = check.damage_in(subject.tables, path)
        return subject

    @property
    def readable(self) -> bool:
        """An archive whose bulletins the checks may read (it exists and is a whrd archive)."""
        return self.tables is not None and self.load_error is None

    @property
    def sound(self) -> bool:
        return self.readable and self.damage is None

    @property
    def bulletins(self) -> dict[str, Any]:
        table = (self.tables or {}).get(check.BULLETINS, {})
        return table if isinstance(table, dict) else {}

    @property
    def meta(self) -> dict[str, Any]:
        record = (self.tables or {}).get(check.META, {}).get("1", {})
        return record if isinstance(record, dict) else {}

    @cached_property
    def sound_bulletins(self) -> dict[str, dict[str, Any]]:
        """The bulletins the content checks may trust (each passes the store's rules)."""
        if self.damage is None:
            return self.bulletins
        return {
            key: raw
            for key, raw in self.bulletins.items()
            if check._describe({key: raw}, self.path) is None  # the store's own rules, one at a time
        }

    def backup_paths(self) -> list[Path]:
        return backups.backup_paths(self.path)

    @property
    def lock_path(self) -> Path:
        return self.path.with_name(f"{self.path.name}.lock")
