"""What a sync did (or, dry, would do), for the summary line and `--json`: `replicate` fills
them, the CLI renders them. Lists of uids (the short ids are in `PullResult.ids`)."""

from __future__ import annotations

from typing import Any

from msgspec import Struct, field

__all__ = ["PullResult", "PushResult", "SyncResult"]


class PullResult(Struct):
    """What a pull received (or, dry, would receive): uids added, updated, deleted, now in
    conflict; documents skipped with their reason; sealed ones this archive cannot open."""

    received: int = 0
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    conflicts: list[str] = field(default_factory=list)
    skipped: list[tuple[str, str]] = field(default_factory=list)
    sealed_skipped: int = 0
    unsealed_skipped: int = 0  # plain documents an encrypted archive refuses
    foreign: int = 0  # documents of other applications on a shared database, passed over
    duplicates: dict[str, int] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    batches: int = 0
    since: Any = None
    last_seq: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "received": self.received,
            "added": self.added,
            "updated": self.updated,
            "deleted": self.deleted,
            "conflicts": self.conflicts,
            "skipped": [{"uid": uid, "reason": reason} for uid, reason in self.skipped],
            "sealed_skipped": self.sealed_skipped,
            "unsealed_skipped": self.unsealed_skipped,
            "foreign": self.foreign,
            "duplicates": self.duplicates,
            "ids": self.ids,
            "batches": self.batches,
            "since": self.since,
            "last_seq": self.last_seq,
        }


class PushResult(Struct):
    """What a push sent (or, dry, would send): revisions the server lacked and took, the
    bulletins asked about, and the revisions the server refused (uid, its reason)."""

    sent: int = 0
    checked: int = 0
    rejected: list[tuple[str, str]] = field(default_factory=list)
    since: str | None = None
    checkpoint: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "checked": self.checked,
            "rejected": [{"uid": uid, "reason": reason} for uid, reason in self.rejected],
            "since": self.since,
            "checkpoint": self.checkpoint,
        }


class SyncResult(Struct):
    remote: str
    url: str
    dry_run: bool
    pull: PullResult | None = None
    push: PushResult | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "remote": self.remote,
            "url": self.url,
            "dry_run": self.dry_run,
            "pull": self.pull.to_dict() if self.pull else None,
            "push": self.push.to_dict() if self.push else None,
        }
