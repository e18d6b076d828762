"""`whrd sync`: pull, then push, over the CouchDB replication protocol (issue 18).

Pull (the server is the source): the checkpoints of both sides give the sequence to start from
(`checkpoint.start_seq`); then, batch by batch, `_changes?style=all_docs&feed=normal`, which of
those leaf revisions this archive lacks (`docs.revs_diff`, computed locally), `_bulk_get?revs=true`
(or `GET doc?open_revs=[…]&revs=true` on a server without it), sealed documents opened, and
`Archive.merge_docs`: one locked atomic write per batch, then the checkpoint on both sides. A
killed sync keeps every batch that landed, and the next one starts after the last checkpoint.

Push (the archive is the source): `docs.changed_since(checkpoint)` names the bulletins changed
since the last push (all of them the first time), the server's `_revs_diff` says which leaves it
lacks, and `_bulk_docs` with `new_edits: false` stores them with their revs and paths as they are
(sealed first for an encrypted archive); then the checkpoint on both sides.

The archive's lock is held only inside each batch's write, never while waiting on the network,
so `whrd add` in another process during a sync waits at most one write, and is never lost (the
merge works on the archive as it is inside the lock). Idempotent: a second sync finds nothing
missing on either side and writes no bulletin.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from . import checkpoint, docs
from .remote import Remote, local_checkpoint, read_tables, set_checkpoint, set_last_sync, update_meta
from .replicate_results import PullResult, PushResult, SyncResult
from .seal import is_sealed, recipients_for, seal, unseal

if TYPE_CHECKING:
    from ..store import Archive
    from .http import CouchClient

DEFAULT_BATCH = 500
# A pull's batch doubles after each batch, up to this: every batch that brings something
# rewrites the whole archive (~0.25 s at 10,000 bulletins, ~1.5 s at 100,000) and every batch
# indexes the archive's bulletins for `_revs_diff`, so a first pull of N bulletins costs about
# log2 + N / MAX_BATCH writes instead of N / DEFAULT_BATCH, while a sync cut short early still
# loses little.
MAX_BATCH = 8000
Event = Callable[[str, int], None]  # (what just happened, batch number): the tests' kill points
Progress = Callable[[str, int, int | None], None]  # (phase, done, total or None)


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)


def _chunks(items: Sequence[str], size: int) -> Iterator[Sequence[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _is_uid(doc_id: str) -> bool:
    """A document whrd could have written (a uid), so other applications' documents on a shared
    database (`_design/…`, anything else) are passed over without being fetched."""
    from ..errors import ValidationError
    from ..identity import normalise_uid

    try:
        return normalise_uid(doc_id) == doc_id
    except ValidationError:
        return False


class Replicator:
    """One sync of one archive with one remote database (pull, push, or both)."""

    def __init__(
        self,
        archive: Archive,
        remote: Remote,
        client: CouchClient,
        *,
        batch_size: int = DEFAULT_BATCH,
        max_batch: int | None = None,
        clock: Callable[[], datetime] = _utc_now,
        on_progress: Progress | None = None,
        on_event: Event | None = None,
    ) -> None:
        self.archive = archive
        self.remote = remote
        self.client = client
        self.batch_size = max(1, batch_size)
        self.max_batch = max(self.batch_size, max_batch or self.batch_size)  # None: a fixed size
        self.clock = clock
        self.on_progress = on_progress or (lambda _phase, _done, _total: None)
        self.on_event = on_event or (lambda _what, _batch: None)
        self.archive_uid = archive.stable_id()
        self._identity: Any = None
        self._pending: list[Callable[[dict[str, Any]], None]] = []  # meta changes for `finish`

    # -- shared ----------------------------------------------------------------------------

    def _now(self) -> str:
        from ..dates import utc_stamp

        return utc_stamp(self.clock())

    def replication_id(self, direction: str) -> str:
        return checkpoint.replication_id(
            self.archive_uid,
            self.remote.url,
            countries=self.remote.countries,
            categories=self.remote.categories,
            private=self.remote.private,
            direction=direction,
        )

    @property
    def encrypted(self) -> bool:
        from ..crypto import is_encrypted

        return is_encrypted(self.archive.path)

    def _identity_now(self) -> Any:
        if self._identity is None:
            from ..crypto.keys import identity_for

            self._identity = identity_for(self.archive.path)
        return self._identity

    def _put_remote(self, rep_id: str, session: str, seq: Any, doc: dict[str, Any] | None, at: str) -> Any:
        """The server's `_local` checkpoint moved on to `seq`; the document as now written. If
        another sync of this archive wrote it meanwhile (409), its newer `_rev` is taken once."""
        from ..errors import RemoteError

        for attempt in (0, 1):
            new = checkpoint.advanced(doc, session, seq, at)
            if doc and doc.get("_rev"):
                new["_rev"] = doc["_rev"]
            try:
                new["_rev"] = self.client.put_local(rep_id, new)
                return new
            except RemoteError as exc:
                if exc.status != 409 or attempt:
                    raise
                doc = self.client.get_local(rep_id)
        raise AssertionError("unreachable")  # pragma: no cover

    def _local_change(self, rep_id: str, doc: dict[str, Any]) -> Callable[[dict[str, Any]], None]:
        """The archive's checkpoint as a change of its meta record (made in some write)."""
        name = self.remote.name
        return lambda record: set_checkpoint(record, rep_id, doc, remote=name)

    def finish(self, *, moved: bool) -> None:
        """The checkpoints still to record here and the remote's `last_sync`: one write at the
        end of a sync (a batch that wrote bulletins carried its own checkpoint already). A sync
        that moved nothing and has no checkpoint to record writes nothing: `last_sync` is the
        last sync that exchanged something (a no-change sync at 100,000 bulletins would
        otherwise rewrite the archive for a time stamp)."""
        at, name, changes = self._now(), self.remote.name, list(self._pending)
        self._pending.clear()
        if not changes and not moved:
            return

        def change(record: dict[str, Any]) -> None:
            for each in changes:
                each(record)
            set_last_sync(record, name, at)

        update_meta(self.archive, change)

    # -- pull ------------------------------------------------------------------------------

    def pull(self, *, dry_run: bool = False) -> PullResult:
        out = PullResult()
        rep_id = self.replication_id("pull")
        tables = read_tables(self.archive)  # as the command read it (a later write: next sync)
        remote_doc = self.client.get_local(rep_id)
        mine = local_checkpoint(tables, rep_id)
        since = checkpoint.start_seq(remote_doc, mine)
        out.since = out.last_seq = since
        session = uuid.uuid4().hex
        unrecorded: dict[str, Any] | None = None  # read past, not recorded (no write since)
        size = self.batch_size
        while True:
            batch = out.batches + 1
            changes = self.client.changes(since, size)
            results = [r for r in changes["results"] if isinstance(r, dict) and isinstance(r.get("id"), str)]
            if not changes["results"]:
                break
            last_seq = changes.get("last_seq", changes["results"][-1].get("seq"))
            out.batches = batch
            fetched = self._fetch(results, out)
            self.on_event("fetched", batch)
            at = self._now()
            new = checkpoint.advanced(mine, session, last_seq, at)
            written = False
            if fetched:  # nothing missing: no transaction (it would parse the archive again)
                report = self.archive.merge_docs(
                    fetched,
                    dry_run=dry_run,
                    command="sync",
                    meta_update=None if dry_run else self._local_change(rep_id, new),
                )
                self._tally(out, report)
                written = report.written
            self.on_event("merged", batch)
            since = out.last_seq = last_seq
            self.on_progress("pull", out.received, None)
            if not dry_run:
                if written:  # the archive's checkpoint landed with the batch
                    mine, unrecorded = new, None
                    remote_doc = self._put_remote(rep_id, session, since, remote_doc, at)
                    self.on_event("checkpointed", batch)
                else:
                    unrecorded = new
            if len(changes["results"]) < size:
                break
            size = min(size * 2, self.max_batch)
        if unrecorded is not None:
            self._put_remote(rep_id, session, since, remote_doc, self._now())
            self._pending.append(self._local_change(rep_id, unrecorded))
        return out

    def _fetch(self, results: list[dict[str, Any]], out: PullResult) -> list[dict[str, Any]]:
        """The leaf revisions of this `_changes` batch that the archive lacks, with their paths,
        opened when sealed."""
        asked: dict[str, list[str]] = {}
        for row in results:
            if not _is_uid(row["id"]):
                out.foreign += 1
                continue
            revs = asked.setdefault(row["id"], [])
            for change in row.get("changes", ()):
                if isinstance(change, dict) and isinstance(change.get("rev"), str):
                    revs.append(change["rev"])
        missing = docs.revs_diff(read_tables(self.archive), asked)
        wanted = [(uid, rev) for uid, answer in missing.items() for rev in answer["missing"]]
        if not wanted:
            return []
        found = self.client.bulk_get(wanted)
        if found is None:  # a server without _bulk_get (CouchDB 1.x): one request per document
            found = []
            by_uid: dict[str, list[str]] = {}
            for uid, rev in wanted:
                by_uid.setdefault(uid, []).append(rev)
            for uid, revs in by_uid.items():
                found.extend(self.client.open_revs(uid, revs))
        opened = []
        encrypted = self.encrypted
        for doc in found:
            if is_sealed(doc):
                plain = unseal(doc, [self._identity_now()] if encrypted else [])
                if plain is None:
                    out.sealed_skipped += 1
                    continue
                doc = plain
            elif encrypted:  # whoever runs the server must not be able to write into it
                out.unsealed_skipped += 1
                continue
            opened.append(doc)
        out.received += len(opened)
        return opened

    @staticmethod
    def _tally(out: PullResult, report: Any) -> None:
        out.added += report.added
        out.updated += report.updated
        out.deleted += report.deleted
        out.conflicts = list(dict.fromkeys([*out.conflicts, *report.conflicts]))
        out.skipped += report.skipped
        out.duplicates.update(report.duplicates)
        out.ids.update(report.ids)

    # -- push ------------------------------------------------------------------------------

    def push(self, *, dry_run: bool = False) -> PushResult:
        out = PushResult()
        rep_id = self.replication_id("push")
        tables = read_tables(self.archive)  # after the pull's last write, or as first read
        mine = local_checkpoint(tables, rep_id)
        remote_doc = self.client.get_local(rep_id)
        since = checkpoint.start_seq(mine, remote_doc)
        out.since = since if isinstance(since, str) else None
        uids, newest = docs.changed_since(tables, out.since)
        out.checkpoint = newest
        # The tables are walked once for the leaves and once for the documents (each walk
        # indexes every bulletin: per batch, a push of 100,000 would index them 200 times).
        leaves = docs.leaf_revs(tables, uids)
        out.checked = len(leaves)
        missing: dict[str, set[str]] = {}
        for chunk in _chunks(list(leaves), self.batch_size):
            answer = self.client.revs_diff({uid: leaves[uid] for uid in chunk})
            for uid, found in answer.items():
                if isinstance(found, Mapping) and found.get("missing") and uid in leaves:
                    missing[uid] = set(found["missing"])
        total = sum(map(len, missing.values()))
        self.on_progress("push", 0, total)
        keep = self.remote.keep()
        sealing = self._sealing(tables)
        wanted = (
            d
            for d in docs.outgoing(tables, list(missing), private=self.remote.private, keep=keep)
            if d["_rev"] in missing[d["_id"]]
        )
        batch: list[dict[str, Any]] = []
        number = 0
        for doc in wanted:
            batch.append(seal(doc, sealing) if sealing is not None else doc)
            if len(batch) >= self.batch_size:
                number += 1
                self._send(batch, out, number, total, dry_run=dry_run)
                batch = []
        if batch:
            self._send(batch, out, number + 1, total, dry_run=dry_run)
        if not dry_run and newest != since and newest != "0:":
            session, at = uuid.uuid4().hex, self._now()
            self._put_remote(rep_id, session, newest, remote_doc, at)
            self._pending.append(self._local_change(rep_id, checkpoint.advanced(mine, session, newest, at)))
        return out

    def _send(
        self, batch: list[dict[str, Any]], out: PushResult, number: int, total: int, *, dry_run: bool
    ) -> None:
        """One `_bulk_docs` of revisions the server lacks (counted only, when dry)."""
        if dry_run:
            out.sent += len(batch)
        else:
            errors = self.client.bulk_docs(batch)
            for error in errors:
                out.rejected.append((str(error.get("id")), str(error.get("reason") or error.get("error"))))
            out.sent += len(batch) - len(errors)
        self.on_event("sent", number)
        self.on_progress("push", out.sent + len(out.rejected), total)

    def _sealing(self, tables: Mapping[str, Any]) -> list[Any] | None:
        """The recipients to seal for (an encrypted archive), None for a plain archive."""
        if not self.encrypted:
            return None
        from ..crypto.codec import recipients_of

        return recipients_for(self._identity_now(), recipients_of(tables))


def sync(
    archive: Archive,
    remote: Remote,
    client: CouchClient,
    *,
    pull: bool = True,
    push: bool = True,
    dry_run: bool = False,
    batch_size: int | None = None,
    on_progress: Progress | None = None,
    on_event: Event | None = None,
) -> SyncResult:
    """Pull then push (either alone when asked); the remote's `last_sync` stamped at the end.
    Without `batch_size`, a pull's batches start at DEFAULT_BATCH and grow to MAX_BATCH; with
    one, every batch has that size (the tests' kill points count on it)."""
    client.info()  # a database that is not there, a refused login: said before anything else
    replicator = Replicator(
        archive,
        remote,
        client,
        batch_size=batch_size or DEFAULT_BATCH,
        max_batch=None if batch_size else MAX_BATCH,
        on_progress=on_progress,
        on_event=on_event,
    )
    result = SyncResult(remote.name, remote.url, dry_run)
    if pull:
        result.pull = replicator.pull(dry_run=dry_run)
    if push:
        result.push = replicator.push(dry_run=dry_run)
    if not dry_run:
        pull_ = result.pull
        pulled = pull_ is not None and (pull_.received or pull_.sealed_skipped or pull_.unsealed_skipped)
        pushed = result.push is not None and (result.push.sent or result.push.rejected)
        replicator.finish(moved=bool(pulled or pushed))
    return result
