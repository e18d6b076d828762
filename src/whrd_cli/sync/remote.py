"""The archive's remotes (issue 18): named CouchDB-protocol databases it syncs with, each with the
filters that narrow what it sends and whether private notes go too.

Kept in the archive's `meta` record (`meta.remotes`), not in the user's config file, because a
remote belongs to one archive, not to a person: the replication id and both checkpoints are the
archive's; a second archive on the same machine syncs elsewhere; a copy or a backup of the
archive keeps its remotes; and an encrypted archive keeps even the server's address encrypted
(which network a coordinator belongs to can itself be a secret at a checkpoint). Credentials are
never here: `remote_login` keeps them outside the archive and its backups.

The local checkpoints (the `_local` documents of the protocol on this side) are in `meta.sync`,
written in the archive too: an archive put back from a backup then carries the checkpoint that
goes with it, and the next sync sees the mismatch with the server's and goes back far enough.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, MutableMapping
from typing import TYPE_CHECKING, Any, TypeVar

from msgspec import Struct, field

from ..errors import InputError, NotFoundError
from ..i18n import _

if TYPE_CHECKING:
    from ..store import Archive

REMOTES = "remotes"  # meta key: name -> remote record (purge checks it to say a purge is local)
CHECKPOINTS = "sync"  # meta key: replication id -> this side's checkpoint document
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,39}")

T = TypeVar("T")


class Remote(Struct, frozen=True):
    """One remote: its name, database URL (never with credentials), filters, private flag."""

    name: str
    url: str
    countries: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    private: bool = False
    added: str | None = None
    last_sync: str | None = None
    extra: Mapping[str, Any] = field(default_factory=dict)  # keys a newer whrd wrote: kept

    def keep(self) -> Callable[[Mapping[str, Any]], bool] | None:
        """What of the archive goes to this remote: a bulletin of one of its countries (if any
        are named) and of one of its categories (if any); None when everything goes."""
        if not self.countries and not self.categories:
            return None
        from ..filters import Filter

        flt = Filter(countries=frozenset(self.countries), categories=frozenset(self.categories))
        return lambda body: "date" in body and flt.matches(0, body)

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {**self.extra, "url": self.url}
        out["countries"] = list(self.countries)
        out["categories"] = list(self.categories)
        out["private"] = self.private
        if self.added:
            out["added"] = self.added
        if self.last_sync:
            out["last_sync"] = self.last_sync
        return out

    @classmethod
    def from_json(cls, name: str, data: Mapping[str, Any]) -> Remote:
        known = {"url", "countries", "categories", "private", "added", "last_sync"}
        return cls(
            name=name,
            url=str(data.get("url", "")),
            countries=tuple(str(c) for c in data.get("countries") or ()),
            categories=tuple(str(c) for c in data.get("categories") or ()),
            private=data.get("private") is True,
            added=data.get("added") if isinstance(data.get("added"), str) else None,
            last_sync=data.get("last_sync") if isinstance(data.get("last_sync"), str) else None,
            extra={k: v for k, v in data.items() if k not in known},
        )


def check_name(name: str) -> str:
    """A remote's name: letters, digits, `.`, `_`, `-`, up to 40, starting with a letter or digit."""
    if not _NAME.fullmatch(name):
        raise InputError(
            _(
                "{name!r} cannot name a remote: use up to 40 letters, digits, '.', '_' or '-', "
                "starting with a letter or digit."
            ).format(name=name)
        )
    return name


def _meta(tables: Mapping[str, Any]) -> Mapping[str, Any]:
    record = tables.get("meta", {}).get("1", {})
    return record if isinstance(record, Mapping) else {}


def remotes_of(tables: Mapping[str, Any]) -> list[Remote]:
    """The archive's remotes, by name."""
    found = _meta(tables).get(REMOTES)
    if not isinstance(found, Mapping):
        return []
    return [Remote.from_json(name, data) for name, data in sorted(found.items()) if isinstance(data, Mapping)]


def read_tables(archive: Archive, *, fresh: bool = False) -> Mapping[str, Any]:
    """The archive's parsed tables (history included), re-read from disk when `fresh` (another
    process may have written since this one last read or wrote)."""
    if fresh:
        archive._raw = None
    return archive._tables()


def update_meta(archive: Archive, change: Callable[[dict[str, Any]], T]) -> T:
    """Change the archive's meta record in one locked, atomic write (`change` edits it in place
    and returns what the caller wants back); no bulletin is touched, nothing is journaled."""
    with archive._transaction() as (db, _storage):
        out: list[T] = []

        def edit(record: MutableMapping[str, Any]) -> None:
            out.append(change(record))  # type: ignore[arg-type]  # TinyDB hands over the dict itself

        db.table("meta").update(edit, doc_ids=[1])
    return out[0]


def add_remote(archive: Archive, remote: Remote) -> None:
    """Record a new remote; a name already taken is refused (remove it first)."""

    def change(record: dict[str, Any]) -> None:
        table = record.get(REMOTES)
        table = dict(table) if isinstance(table, Mapping) else {}
        if remote.name in table:
            raise InputError(
                _(
                    "The archive already has a remote named {name!r}; "
                    "remove it first ('whrd remote remove {name}')."
                ).format(name=remote.name)
            )
        table[remote.name] = remote.to_json()
        record[REMOTES] = table

    update_meta(archive, change)


def get_remote(tables: Mapping[str, Any], name: str) -> Remote:
    for remote in remotes_of(tables):
        if remote.name == name:
            return remote
    names = ", ".join(r.name for r in remotes_of(tables))
    if names:
        raise NotFoundError(
            _("The archive has no remote named {name!r}; its remotes: {names}.").format(
                name=name, names=names
            )
        )
    raise NotFoundError(
        _("The archive has no remote named {name!r}; add one with 'whrd remote add NAME URL'.").format(
            name=name
        )
    )


def remove_remote(archive: Archive, name: str) -> Remote:
    """Forget a remote and this side's checkpoints of it (the server's stay: they are harmless,
    and a remote added again under any name starts over from what both sides still agree on)."""

    def change(record: dict[str, Any]) -> Remote:
        gone = get_remote({"meta": {"1": record}}, name)
        table = dict(record.get(REMOTES) or {})
        del table[name]
        if table:
            record[REMOTES] = table
        else:
            record.pop(REMOTES, None)
        checkpoints = record.get(CHECKPOINTS)
        if isinstance(checkpoints, Mapping):
            kept = {
                k: v
                for k, v in checkpoints.items()
                if not (isinstance(v, Mapping) and v.get("remote") == name)
            }
            if kept:
                record[CHECKPOINTS] = kept
            else:
                record.pop(CHECKPOINTS, None)
        return gone

    return update_meta(archive, change)


def local_checkpoint(tables: Mapping[str, Any], replication_id: str) -> Mapping[str, Any] | None:
    found = _meta(tables).get(CHECKPOINTS)
    doc = found.get(replication_id) if isinstance(found, Mapping) else None
    return doc if isinstance(doc, Mapping) else None


def set_checkpoint(
    record: dict[str, Any], replication_id: str, doc: Mapping[str, Any], *, remote: str
) -> None:
    """Put this side's checkpoint of a replication into the meta `record` (in place)."""
    table = record.get(CHECKPOINTS)
    table = dict(table) if isinstance(table, Mapping) else {}
    table[replication_id] = {**doc, "remote": remote}
    record[CHECKPOINTS] = table


def save_local_checkpoint(
    archive: Archive, replication_id: str, doc: Mapping[str, Any], *, remote: str
) -> None:
    """This side's checkpoint, in a write of its own."""
    update_meta(archive, lambda record: set_checkpoint(record, replication_id, doc, remote=remote))


def set_last_sync(record: dict[str, Any], name: str, at: str) -> None:
    """Stamp the remote's `last_sync` in the meta `record` (in place)."""
    remotes = record.get(REMOTES)
    if isinstance(remotes, Mapping) and isinstance(remotes.get(name), Mapping):
        table = dict(remotes)
        table[name] = {**remotes[name], "last_sync": at}
        record[REMOTES] = table
