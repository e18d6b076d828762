"""What an import did, or in a dry run would do: per record, per file and in all (`importer`)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from msgspec import Struct

if TYPE_CHECKING:
    from .formats import Location
    from .model import Bulletin


class Outcome(Struct, frozen=True):
    """What the import does (or would do) with one record."""

    file: str
    location: Location  # the machine form in --json; `location.shown()` in messages and tables
    action: str  # "added", "updated" or "skipped"
    id: int | None  # the new, updated or duplicated bulletin; None when not yet assigned (dry run)
    bulletin: Bulletin | None  # None once handed over to a write (`import_files`): a dry run has it

    def to_dict(self) -> dict[str, Any]:
        b = self.bulletin
        return {
            "file": self.file,
            "location": self.location,
            "action": self.action,
            "id": self.id,
            **({"date": b.date, "lang": b.lang, "title": b.title} if b is not None else {}),
        }


class FileSummary(Struct, frozen=True):
    """The counts for one input file, and the ids concerned (none for new bulletins in a dry run)."""

    file: str
    format: str
    outcomes: tuple[Outcome, ...]

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def ids(self, action: str) -> list[int]:
        return [o.id for o in self.outcomes if o.action == action and o.id is not None]

    def to_dict(self) -> dict[str, Any]:
        actions = ("added", "updated", "skipped")
        return {
            "file": self.file,
            "format": self.format,
            "records": len(self.outcomes),
            **{action: self.count(action) for action in actions},
            "ids": {action: self.ids(action) for action in actions},
        }


class ImportReport(Struct, frozen=True):
    """What an import did (or, in a dry run, would do): per file, and per record."""

    files: tuple[FileSummary, ...]
    outcomes: tuple[Outcome, ...]
    dry_run: bool
    writes: int  # archive rewrites: 1 (or 0 when nothing was new), never one per record

    def count(self, action: str) -> int:
        return sum(1 for o in self.outcomes if o.action == action)

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "dry_run": self.dry_run,
            "added": self.count("added"),
            "updated": self.count("updated"),
            "skipped": self.count("skipped"),
            "files": [f.to_dict() for f in self.files],
        }
        if self.dry_run:
            data["records"] = [o.to_dict() for o in self.outcomes]
        return data
