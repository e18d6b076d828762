"""Open conflicts (issue 18): bulletins two archives edited before they synced. Nothing is lost
and the winner shows, but someone should choose (`whrd resolve ID`): a finding, exit 1."""

from __future__ import annotations

from ..i18n import ngettext
from .report import PROBLEM, Finding
from .subject import Subject

SHOWN = 20


def open_conflicts(subject: Subject) -> list[Finding]:
    from ..sync.conflicts import find

    try:
        found = find(subject.tables or {})
    except Exception:  # a history the revision check already reports as damaged
        return []
    if not found:
        return []
    ids = tuple(c.id for c in found)
    shown = ", ".join(map(str, ids[:SHOWN])) + ("…" if len(ids) > SHOWN else "")
    message = ngettext(
        "{n} bulletin in conflict (edited in two archives): {ids}; close it with 'whrd resolve ID'.",
        "{n} bulletins in conflict (edited in two archives): {ids}; close each with 'whrd resolve ID'.",
        len(ids),
    ).format(n=len(ids), ids=shown)
    return [Finding("conflict", PROBLEM, message, ids=ids, path=subject.path)]
