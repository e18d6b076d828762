"""What a batch add will do, worked out before anything is written, and what it did.

The policy for a bulletin already in the archive (`OnDuplicate`) and the merge rule of an update
(`keep_what_input_lacks`) live here, apart from the lock and the file: `plan_adds` reads the
stored bulletins and returns the documents to insert and replace, so a dry run and a real add
are the same plan, and the store only writes it. Bulletins are recognised as the same by their
uid when they bring one the archive knows (an export imported back), else by their dedupe key
(`Bulletin.key`, stored as `_key`).
"""

from __future__ import annotations

import operator
from collections.abc import Iterable, Mapping, Sequence, Sized
from enum import Enum
from itertools import repeat
from typing import Any, Literal, NamedTuple

from msgspec import Struct, field
from msgspec.structs import replace

from ..errors import DuplicateError
from ..i18n import _
from ..model import Bulletin
from ..records import Raw, stored_form

Action = Literal["added", "updated", "skipped"]


class OnDuplicate(str, Enum):
    """What an add does with a bulletin the archive already has (same date, title and language)."""

    SKIP = "skip"  # keep the archive's, report the input as skipped
    UPDATE = "update"  # replace it with the input, keeping what the input lacks
    ERROR = "error"  # refuse the whole batch (DuplicateError)
    ADD = "add"  # add it anyway, as a second bulletin (`whrd add --force`)


class AddOutcome(NamedTuple):
    """What an add did (or would do) with one input bulletin."""

    action: Action
    # The new id, the updated id, or the id of the bulletin it duplicates; None for a bulletin a
    # dry run would add (no id is given until it is written), and for a repeat of one.
    id: int | None


class AddResult(Struct, frozen=True):
    """What a batch add did, for summaries and --json: one outcome per input bulletin, in input
    order, so a caller can report per input file or record."""

    outcomes: list[AddOutcome] = field(default_factory=list)
    writes: int = 0  # archive rewrites: 1, or 0 when there was nothing to write or a dry run

    def ids(self, action: Action) -> list[int]:
        """The known ids of the bulletins with this outcome, in input order."""
        return [o.id for o in self.outcomes if o.action == action and o.id is not None]

    @property
    def added(self) -> list[int]:
        return self.ids("added")

    @property
    def updated(self) -> list[int]:
        return self.ids("updated")

    @property
    def skipped(self) -> list[int]:
        """Ids of the existing duplicates (repeated for each input that duplicates the same)."""
        return self.ids("skipped")


class _Step(NamedTuple):
    action: Action
    existing: int | None  # an id in the archive
    new: int | None  # a position in `Plan.new_docs`


class Plan(Struct):
    """The documents a batch add inserts and replaces, and what it does with each input."""

    new_docs: list[Raw] = field(default_factory=list)
    updates: list[tuple[int, Raw]] = field(default_factory=list)
    steps: list[_Step] = field(default_factory=list)

    def result(self, new_ids: Sequence[int] | None = None, writes: int = 0) -> AddResult:
        """The outcomes once `new_docs` got `new_ids` (None: not written, a dry run)."""

        def id_of(step: _Step) -> int | None:
            if step.new is None:
                return step.existing
            return None if new_ids is None else new_ids[step.new]

        return AddResult([AddOutcome(step.action, id_of(step)) for step in self.steps], writes)


_FEW = 64  # bulletins: below this, lookups scan a column instead of building a map of 100,000


class _Ids:
    """The stored id of the (last) bulletin whose field `name` holds a value. For a big batch, a
    dict built at C speed (~4x a comprehension); for a few bulletins (an `add`), C-speed scans of
    one column, since each map of 100,000 entries costs ~0.1 s to build for one lookup."""

    def __init__(self, table: Mapping[str, Raw], name: str, few: bool) -> None:
        self._table = table
        self._extra: dict[str, int] = {}
        self._keys: list[str] | None = None
        self._values: list[Any] | None = None
        self._map: dict[Any, int] | None = None
        if few:
            self._values = list(map(dict.get, table.values(), repeat(name)))
        else:
            self._map = dict(zip(map(dict.get, table.values(), repeat(name)), map(int, table), strict=True))

    def get(self, value: str) -> int | None:
        if value in self._extra:
            return self._extra[value]
        if self._map is not None:
            return self._map.get(value)
        assert self._values is not None
        if value not in self._values:
            return None
        position = len(self._values) - 1 - self._values[::-1].index(value)  # the last one, as a dict keeps
        if self._keys is None:
            self._keys = list(self._table)
        return int(self._keys[position])

    def __contains__(self, value: str) -> bool:
        return self.get(value) is not None

    def __setitem__(self, value: str, doc_id: int) -> None:
        self._extra[value] = doc_id


def plan_adds(
    table: Mapping[str, Raw], bulletins: Iterable[Bulletin], on_duplicate: OnDuplicate, now: str
) -> Plan:
    """Work out a batch add against the stored bulletins `table` (`now`: the time stamp of new
    and updated bulletins; empty in a dry run). Raises DuplicateError under `OnDuplicate.ERROR`."""
    plan = Plan()
    if not isinstance(bulletins, Sized):  # an iterator that tells its length is used as it comes:
        # an import hands its bulletins over one by one, each freed once its stored form is made
        count = operator.length_hint(bulletins, -1)
        if count < 0:
            bulletins = list(bulletins)
            count = len(bulletins)
    else:
        count = len(bulletins)
    few = count <= _FEW
    existing = _Ids(table, "_key", few)  # dedupe key -> id
    # A bulletin that brings a uid the archive knows is that bulletin, whatever its title now says.
    by_uid = _Ids(table, "uid", few)
    pending: dict[str, int] = {}  # dedupe key (or uid) -> position in new_docs: a repeat in one batch
    for bulletin in bulletins:
        key = bulletin.key
        uid = bulletin.uid
        if uid is not None and (uid in by_uid or uid in pending):
            if on_duplicate is OnDuplicate.ADD:  # a second bulletin never shares a uid
                bulletin = replace(bulletin, uid=None)
            else:
                key = uid
                found_uid = by_uid.get(uid)
                if found_uid is not None:
                    existing[uid] = found_uid
        if on_duplicate is not OnDuplicate.ADD and (key in existing or key in pending):
            found = existing.get(key)
            if on_duplicate is OnDuplicate.ERROR:
                if found is None:
                    raise DuplicateError(
                        _("The same bulletin (date, title and language) is given twice; nothing was added."),
                        0,  # not in the archive: no id to name (as the importer's own check)
                    )
                raise DuplicateError(
                    _(
                        "Bulletin {id} already has this date, title and language; "
                        "use --force to add it anyway."
                    ).format(id=found),
                    found,
                )
            if on_duplicate is OnDuplicate.UPDATE and found is not None:
                old = table[str(found)]
                merged = keep_what_input_lacks(bulletin, old)
                if not _same_content(merged, old):  # an update that changes nothing is skipped
                    plan.updates.append(
                        (found, stored_form(merged.stamped(added=old.get("added"), updated=now or None)))
                    )
                    plan.steps.append(_Step("updated", found, None))
                    continue
            plan.steps.append(_Step("skipped", found, pending.get(key)))
            continue
        # Timestamps a bulletin already carries (an import of 'whrd list --json') are kept:
        # re-importing an export restores the archive as it was.
        added = bulletin.added or now or None
        updated = bulletin.updated or added
        plan.new_docs.append(stored_form(bulletin.stamped(added=added, updated=updated)))
        pending[key] = len(plan.new_docs) - 1
        if bulletin.uid is not None:
            pending[bulletin.uid] = pending[key]
        plan.steps.append(_Step("added", None, pending[key]))
    return plan


def _same_content(new: Bulletin, old: Raw) -> bool:
    """Whether an update would store what is stored already (its time stamps and revision aside):
    re-importing the same listing with `--on-duplicate update` makes no empty versions."""
    raw = stored_form(new.stamped(added=old.get("added"), updated=old.get("updated")))
    ignored = ("uid", "rev")
    return {k: v for k, v in raw.items() if k not in ignored and not k.startswith("_")} == {
        k: v for k, v in old.items() if k not in ignored and not k.startswith("_")
    }


def keep_what_input_lacks(new: Bulletin, old: Mapping[str, Any]) -> Bulletin:
    """An update replaces what the input gives and keeps what it does not: a listing carries no
    url, source or private note, a CSV may have no tags or countries column, and an import must
    never erase those. (To clear a field, use `whrd edit`.)"""
    changes: dict[str, Any] = {}
    for name in ("category", "url", "source", "private"):
        if getattr(new, name) is None and old.get(name):
            changes[name] = old[name]
    for name in ("countries", "tags"):
        if not getattr(new, name) and old.get(name):
            changes[name] = tuple(old[name])
    if not new.summary and old.get("summary"):
        changes["summary"] = old["summary"]
        changes["truncated"] = bool(old.get("truncated"))
    if new.links is None and old.get("links"):  # a listing carries no links (issue 17)
        from ..links_model import links_of

        changes["links"] = links_of(old)
    return replace(new, **changes) if changes else new
