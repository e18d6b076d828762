"""The store's link writes (issue 17), a mixin of `store.Archive` as `store_history` is: a change
of links is one locked transaction, one atomic write and one journal operation, so `undo` undoes
a link (every bulletin it touched) as one step. The rules are `links`'s; this only writes."""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

from .records import Raw, stored_form, to_bulletin
from .storage.check import BULLETINS

if TYPE_CHECKING:
    from . import history
    from .links import Plan


class Linkable:
    """Link methods of `store.Archive` (which provides these)."""

    _backup_wanted: bool

    if TYPE_CHECKING:

        def _recorded(
            self,
        ) -> contextlib.AbstractContextManager[tuple[dict[str, Any], history.Recorder, str]]: ...
        def _journal(self, recorder: history.Recorder, now: str, *, undoes: int | None = None) -> None: ...
        def _touch(self, ids: Iterable[int]) -> None: ...

    def relink(self, plan: Callable[[Mapping[str, Raw]], Plan]) -> list[int]:
        """Apply the links `plan` works out from the bulletins as they are inside the lock (it may
        refuse by raising); each bulletin changed is a new revision. The ids changed, sorted."""
        with self._recorded() as (tables, recorder, now):
            bulletins = tables.setdefault(BULLETINS, {})
            changed = apply_plan(bulletins, plan(bulletins), recorder, now)
            if changed:
                self._touch(changed)
                self._journal(recorder, now)
        return changed


def apply_plan(bulletins: dict[str, Raw], plan: Plan, recorder: history.Recorder, now: str) -> list[int]:
    """Write a plan's links into `bulletins` (in place) as revisions; the ids changed. Shared by
    `relink` and by a delete, which removes the links to what it deletes in the same operation."""
    changed: list[int] = []
    for doc_id, links in sorted(plan.items()):
        raw = bulletins[str(doc_id)]
        old = to_bulletin(raw)
        if (old.links or None) == (links or None):
            continue
        new = old.with_changes(links=links)
        fresh = stored_form(new.stamped(added=old.added, updated=now))
        bulletins[str(doc_id)] = recorder.changed(doc_id, raw, fresh)
        changed.append(doc_id)
    return changed


@contextlib.contextmanager
def forgetting(
    bulletins: dict[str, Raw], doomed: Iterable[int], recorder: history.Recorder, now: str
) -> Iterator[list[int]]:
    """Around a delete: the links the doomed bulletins' uids held in the others, removed after the
    block (the doomed gone) as revisions of the same operation; yields the list of ids it changed."""
    from .links import plan_forget

    uids = [bulletins[str(i)]["uid"] for i in doomed if str(i) in bulletins and bulletins[str(i)].get("uid")]
    changed: list[int] = []
    yield changed
    if uids and any("links" in raw for raw in bulletins.values()):
        changed.extend(apply_plan(bulletins, plan_forget(bulletins, uids), recorder, now))
