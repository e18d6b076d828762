"""Replication ids and checkpoints, as the CouchDB replication protocol keeps them.

**The replication id** names one direction of one archive's exchange with one database:

    md5( JSON ["whrd-sync", 1, archive uid, database URL without credentials,
               sorted countries, sorted categories, private?, "pull" | "push"] ) as 32 hex digits

(JSON with sorted keys, no spaces, UTF-8). The filters and the private flag are part of it on
purpose: a remote whose filters change (more countries, private notes now) is a new replication
that starts from the beginning, so bulletins the old filters held back are sent; the credentials
are not (a new password changes nothing). CouchDB's replicator builds its ids the same way from
what defines a replication.

**A checkpoint** is a document kept on both sides, `_local/<replication id>` on the server and
`meta.sync[<replication id>]` in the archive: `{"session_id", "source_last_seq", "history":
[{"session_id", "recorded_seq", "end_time"}, …]}` (newest first, at most 50). A sync starts from
the source's `source_last_seq` when both sides name the same session; else from the newest
session both histories share (one side was written, the other not: a killed sync, an archive or
a server put back from a backup); else from the start. That is CouchDB's rule
(`compare_replication_logs`), and why a checkpoint can never make a sync skip what it has not
stored: at worst it goes back and finds nothing missing.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from typing import Any

HISTORY_KEEP = 50  # CouchDB keeps 50 sessions


def replication_id(
    archive_uid: str,
    url: str,
    *,
    countries: Sequence[str] = (),
    categories: Sequence[str] = (),
    private: bool = False,
    direction: str,
) -> str:
    """The documented id of one direction (`pull` or `push`) of a sync (module docstring)."""
    if direction not in ("pull", "push"):
        raise ValueError(direction)
    value = [
        "whrd-sync",
        1,
        archive_uid,
        url,
        sorted(countries),
        sorted(categories),
        bool(private),
        direction,
    ]
    payload = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    return hashlib.md5(payload, usedforsecurity=False).hexdigest()


def start_seq(source: Mapping[str, Any] | None, target: Mapping[str, Any] | None) -> Any:
    """Where a replication resumes, from the source's and the target's checkpoints: the source's
    last seq when both name the same session, else the newest session both histories hold,
    else None (from the start)."""
    if not source or not target:
        return None
    session = source.get("session_id")
    if session is not None and session == target.get("session_id"):
        return source.get("source_last_seq")
    theirs = {entry.get("session_id") for entry in _history(target)}
    for entry in _history(source):
        if entry.get("session_id") in theirs:
            return entry.get("recorded_seq")
    return None


def _history(doc: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    found = doc.get("history")
    return [e for e in found if isinstance(e, Mapping)] if isinstance(found, list) else []


def advanced(old: Mapping[str, Any] | None, session_id: str, seq: Any, at: str) -> dict[str, Any]:
    """The checkpoint after this session reached `seq`: this session's entry first (replacing its
    own earlier one), the older sessions after it, at most `HISTORY_KEEP`."""
    entry = {"session_id": session_id, "recorded_seq": seq, "end_time": at}
    older = [e for e in _history(old or {}) if e.get("session_id") != session_id]
    return {
        "session_id": session_id,
        "source_last_seq": seq,
        "history": [entry, *older][:HISTORY_KEEP],
        "replicator": "whrd",
        "version": 1,
    }
