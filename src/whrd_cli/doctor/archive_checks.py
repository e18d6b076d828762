"""Checks of the archive's content against the store's own rules: its shape and schema, every
damaged bulletin (with the field), and its ids (valid, once each in the file, below `next_id`)
and uids (unique, when bulletins carry them).

The rules are `storage.check`'s, never restated here: a sound archive passes its C-speed check
(`damage_in`, ~0.15 s at 100k); only a damaged one is walked bulletin by bulletin, each through
the same per-bulletin description the store gives (`_describe`, `_bulletin_damage`)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..i18n import _, ngettext
from ..storage import check
from .report import PROBLEM, WARNING, Finding
from .subject import Subject


def archive_shape(subject: Subject) -> list[Finding]:
    """The file is a whrd archive of a schema this whrd reads, with a sound meta record."""
    if subject.load_error is not None:
        return [Finding("archive-unreadable", PROBLEM, subject.load_error, path=subject.path)]
    if subject.tables is None:
        return []
    meta = check._meta_damage(subject.meta, subject.path)
    return [Finding("damaged-meta", PROBLEM, meta, path=subject.path, field="meta")] if meta else []


def damaged_bulletins(subject: Subject) -> list[Finding]:
    """Every bulletin that breaks a rule of the store, with the field; none when sound."""
    if subject.damage is None:
        return []
    found = []
    for key, raw in subject.bulletins.items():
        message = check._describe({key: raw}, subject.path)
        if message is None:
            continue
        problem = check._bulletin_damage(raw) if check._ID.fullmatch(key) else None
        name, value = ("id", key) if problem is None else (problem[1] or None, problem[2])
        ids = (int(key),) if check._ID.fullmatch(key) else ()
        found.append(
            Finding("damaged-bulletin", PROBLEM, message, ids=ids, path=subject.path, field=name, value=value)
        )
    return found


def ids_and_uids(subject: Subject) -> list[Finding]:
    """Each id once in the file and below `next_id`; each uid (when bulletins carry one) once."""
    if not subject.readable:
        return []
    found = _repeated_ids(subject)
    ids = [int(key) for key in subject.bulletins if check._ID.fullmatch(key)]
    next_id = subject.meta.get("next_id", 1)
    if ids and type(next_id) is int and next_id <= max(ids):
        found.append(
            Finding(
                "next-id-low",
                WARNING,
                _(
                    "The meta record's next_id ({next_id}) is not above the highest id ({highest}): "
                    "an id of a deleted bulletin could be given again."
                ).format(next_id=next_id, highest=max(ids)),
                ids=(max(ids),),
                path=subject.path,
                field="next_id",
                value=next_id,
            )
        )
    return found + _uid_findings(subject)


def _repeated_ids(subject: Subject) -> list[Finding]:
    """Ids written twice in the file: a JSON reader keeps the last, so the first copy would be lost
    by the next write. Counted in the bytes (~0.1 s at 100k); parsed again (~3 s) only when the
    bytes hold more objects than the parse."""
    try:
        data = subject.path.read_bytes()
    except OSError:
        return []
    tables = subject.tables or {}
    # The objects parsed: the file, each table, meta's record, each bulletin. A key written twice
    # is an object more in the bytes than in the parse. A `{` inside a text counts too: at worst
    # a needless exact parse below.
    parsed = 1 + len(tables) + len(tables.get(check.META, {})) + len(subject.bulletins)
    if data.count(b"{") <= parsed:
        return []
    repeated = _keys_written_twice(data)
    return [
        Finding(
            "repeated-id",
            PROBLEM,
            _(
                "Bulletin {id} is written {times} times in {path}; whrd reads only the last, "
                "and its next write would drop the others."
            ).format(id=key, times=times, path=subject.path),
            ids=(int(key),) if check._ID.fullmatch(key) else (),
            path=subject.path,
            field="id",
            value=key,
        )
        for key, times in sorted(repeated.items(), key=lambda item: (len(item[0]), item[0]))
    ]


def _keys_written_twice(data: bytes) -> dict[str, int]:
    """The keys of the bulletins table that the file writes more than once, with how often."""
    import json

    counts: dict[str, int] = {}

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        if items and all(isinstance(v, dict) for _k, v in items):  # the bulletins table (or meta)
            for key, times in Counter(k for k, _v in items).items():
                if times > 1:
                    counts[key] = max(counts.get(key, 0), times)
        return dict(items)

    try:
        json.loads(data.removeprefix(b"\xef\xbb\xbf"), object_pairs_hook=pairs)
    except ValueError:
        return {}
    return counts


def _uid_findings(subject: Subject) -> list[Finding]:
    """Uids given twice, and bulletins without one beside bulletins with one. Silent while no
    bulletin carries a `uid` (an archive made before uids existed)."""
    owners: dict[str, list[int]] = {}
    missing: list[int] = []
    for key, raw in subject.bulletins.items():
        if not isinstance(raw, dict) or not check._ID.fullmatch(key):
            continue
        uid = raw.get("uid")
        if isinstance(uid, str) and uid:
            owners.setdefault(uid, []).append(int(key))
        else:
            missing.append(int(key))
    if not owners:
        return []
    found = [
        Finding(
            "repeated-uid",
            PROBLEM,
            _("Bulletins {ids} share the uid {uid}; a uid names one bulletin.").format(
                ids=", ".join(map(str, ids)), uid=uid
            ),
            ids=tuple(ids),
            path=subject.path,
            field="uid",
            value=uid,
        )
        for uid, ids in owners.items()
        if len(ids) > 1
    ]
    if missing:
        found.append(
            Finding(
                "missing-uid",
                WARNING,
                ngettext(
                    "{n} bulletin has no uid: {ids}.", "{n} bulletins have no uid: {ids}.", len(missing)
                ).format(n=len(missing), ids=_some(missing)),
                ids=tuple(missing),
                path=subject.path,
                field="uid",
            )
        )
    return found


def _some(ids: list[int], shown: int = 10) -> str:
    """The first ids of a long list, and how many more."""
    text = ", ".join(map(str, ids[:shown]))
    if len(ids) > shown:
        text += " " + _("and {n} more").format(n=len(ids) - shown)
    return text
