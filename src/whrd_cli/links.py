"""Linking bulletins (issue 17): the rules of a link, as pure functions of the stored bulletins.

A *translation group* is a set of bulletins that are one text in several languages: every member
lists every other by uid (`links_model`), one version per language, so "the version in the
reader's language" is never ambiguous. A *thread* is an alert and its follow-ups: each follow-up
names the bulletin it follows (the alert or an earlier follow-up) and what it says (update, new
threat, release, closure); one marked `closes` ends the case.

Each `plan_*` function takes the bulletins as the store holds them (id -> stored dict) and returns
the new links of the bulletins it changes (None: no link left); the store writes them all as one
operation (`links_store.Linkable.relink`). A refusal is one `InputError` naming the ids.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from .errors import InputError, NotFoundError
from .i18n import _
from .links_model import FOLLOWUP_KINDS, Links, links_of

Raw = dict[str, Any]
Plan = dict[int, Links | None]

ALERT = "alert"


def _raw(bulletins: Mapping[str, Raw], doc_id: int) -> Raw:
    raw = bulletins.get(str(doc_id))
    if raw is None:
        raise NotFoundError(_("No bulletin with id {id}. See the ids with 'whrd list'.").format(id=doc_id))
    return raw


def by_uid(bulletins: Mapping[str, Raw]) -> dict[str, int]:
    """uid -> id of every bulletin present."""
    return {raw["uid"]: int(key) for key, raw in bulletins.items() if raw.get("uid")}


def _links(raw: Raw) -> Links:
    return links_of(raw) or Links()


def _planned(plan: Plan, bulletins: Mapping[str, Raw], doc_id: int) -> Links:
    """A bulletin's links as the plan leaves them so far."""
    if doc_id in plan:
        return plan[doc_id] or Links()
    return _links(bulletins[str(doc_id)])


def group_of(bulletins: Mapping[str, Raw], uids: Mapping[str, int], doc_id: int) -> list[int]:
    """The ids of a bulletin's translation group present in the archive, itself included."""
    raw = _raw(bulletins, doc_id)
    members = {doc_id}
    for uid in _links(raw).translations:
        if uid in uids:
            members.add(uids[uid])
    return sorted(members)


def plan_translation(bulletins: Mapping[str, Raw], ids: Iterable[int]) -> Plan:
    """Join these bulletins (and the groups they are already in) into one translation group.

    Refused: a bulletin linked to itself, and two versions in the same language (the group would
    not know which one to show a reader of that language)."""
    wanted = list(dict.fromkeys(ids))
    if len(wanted) < 2:
        raise InputError(_("A bulletin cannot be a translation of itself: give two different ids."))
    uids = by_uid(bulletins)
    members: set[int] = set()
    for doc_id in wanted:
        members.update(group_of(bulletins, uids, doc_id))
    seen: dict[str, int] = {}
    for doc_id in sorted(members):
        lang = _raw(bulletins, doc_id).get("lang") or "en"
        if lang in seen:
            message = _(
                "Bulletins {a} and {b} are both in {lang}: a translation group has one version per language."
            )
            raise InputError(message.format(a=seen[lang], b=doc_id, lang=lang))
        seen[lang] = doc_id
    group_uids = {bulletins[str(i)]["uid"] for i in members}
    plan: Plan = {}
    for doc_id in sorted(members):
        raw = bulletins[str(doc_id)]
        old = _links(raw)
        # Uids of versions not in this archive (a partial import) are kept, not dropped.
        missing = {u for u in old.translations if u not in uids}
        new = old.with_translations((group_uids | missing) - {raw["uid"]})
        if new != old:
            plan[doc_id] = new or None
    if not plan:
        raise InputError(_("Bulletins {ids} are already versions of one another.").format(ids=_ids(members)))
    return plan


def _leave_group(bulletins: Mapping[str, Raw], uids: Mapping[str, int], doc_id: int, plan: Plan) -> None:
    """`doc_id` leaves its translation group: it lists no other version, and no other lists it."""
    raw = bulletins[str(doc_id)]
    for other in group_of(bulletins, uids, doc_id):
        if other == doc_id:
            continue
        links = _planned(plan, bulletins, other)
        plan[other] = links.with_translations(u for u in links.translations if u != raw["uid"]) or None
    links = _planned(plan, bulletins, doc_id)
    plan[doc_id] = links.with_translations(()) or None


def plan_unlink(bulletins: Mapping[str, Raw], doc_id: int, other: int | None = None) -> Plan:
    """Remove links: with `other`, the one between the two (a version leaves the group, or a
    follow-up stops following); without, every link the bulletin has (it leaves its group and its
    thread; the follow-ups that follow it stay linked to it)."""
    raw = _raw(bulletins, doc_id)
    uids = by_uid(bulletins)
    plan: Plan = {}
    links = _links(raw)
    if other is None:
        if not links:
            raise InputError(_("Bulletin {id} has no links to remove.").format(id=doc_id))
        if links.translations:
            _leave_group(bulletins, uids, doc_id, plan)
        if links.follows:
            plan[doc_id] = _planned(plan, bulletins, doc_id).without_follows() or None
        return plan
    other_raw = _raw(bulletins, other)
    other_links = _links(other_raw)
    if other_raw["uid"] in links.translations or raw["uid"] in other_links.translations:
        _leave_group(bulletins, uids, doc_id, plan)
    if links.follows == other_raw["uid"]:
        plan[doc_id] = _planned(plan, bulletins, doc_id).without_follows() or None
    if other_links.follows == raw["uid"]:
        plan[other] = _planned(plan, bulletins, other).without_follows() or None
    if not plan:
        raise InputError(_("Bulletins {a} and {b} are not linked.").format(a=doc_id, b=other))
    return plan


def thread_root(bulletins: Mapping[str, Raw], uids: Mapping[str, int], doc_id: int) -> int:
    """The first bulletin of a thread: follow `follows` up while the followed one is here."""
    seen = {doc_id}
    current = doc_id
    while True:
        follows = _links(bulletins[str(current)]).follows
        if follows is None or follows not in uids or uids[follows] in seen:
            return current
        current = uids[follows]
        seen.add(current)


def plan_follow(
    bulletins: Mapping[str, Raw], doc_id: int, alert: int, *, kind: str = "update", closes: bool = False
) -> Plan:
    """`doc_id` becomes a follow-up of `alert` (an alert, or a follow-up in an alert's thread).

    Refused: following itself, a cycle (the alert already follows this bulletin), a thread that
    does not start with an alert (a follow-up is news about a case), an unknown kind."""
    if kind not in FOLLOWUP_KINDS:
        message = _("Unknown kind of follow-up {kind!r}. Valid kinds: {valid}.")
        raise InputError(message.format(kind=kind, valid=", ".join(FOLLOWUP_KINDS)))
    raw, target = _raw(bulletins, doc_id), _raw(bulletins, alert)
    if doc_id == alert:
        raise InputError(_("Bulletin {id} cannot follow itself.").format(id=doc_id))
    uids = by_uid(bulletins)
    if raw["uid"] in _links(target).translations:
        message = _("Bulletin {id} is a version of {alert} in another language, not a follow-up of it.")
        raise InputError(message.format(id=doc_id, alert=alert))
    chain, current = [alert], alert
    while (follows := _links(bulletins[str(current)]).follows) in uids:
        current = uids[follows]  # type: ignore[index]
        if current == doc_id or current in chain:
            message = _("Bulletin {alert} already follows {id}: linking them would make a circle.")
            raise InputError(message.format(alert=alert, id=doc_id))
        chain.append(current)
    root = bulletins[str(current)]
    if root.get("category") != ALERT:
        message = _(
            "Bulletin {id} is not an alert (its category is {category}): a follow-up follows an "
            "alert or another follow-up of one."
        )
        raise InputError(message.format(id=current, category=root.get("category") or "-"))
    closes = closes or kind == "closure"
    links = _links(raw)
    new = Links(links.translations, target["uid"], kind, closes)
    if new == links:
        raise InputError(_("Bulletin {id} already follows {alert} so.").format(id=doc_id, alert=alert))
    return {doc_id: new}


def plan_forget(bulletins: Mapping[str, Raw], gone: Iterable[str]) -> Plan:
    """The links to bulletins being deleted, removed from the others (follow-ups of a deleted
    alert lose their `follows`): the same operation as the delete, so undo restores both."""
    gone_uids = set(gone)
    plan: Plan = {}
    for key, raw in bulletins.items():
        links = links_of(raw)
        if not links or raw.get("uid") in gone_uids:
            continue
        if not gone_uids.intersection(links.uids()):
            continue
        new = links.with_translations(u for u in links.translations if u not in gone_uids)
        if new.follows in gone_uids:
            new = new.without_follows()
        plan[int(key)] = new or None
    return plan


def _ids(ids: Iterable[int]) -> str:
    return ", ".join(map(str, sorted(ids)))


def plan_pairs(bulletins: Mapping[str, Raw], pairs: Iterable[tuple[int, int]]) -> Plan:
    """Several translation links in one plan (`link --suggest --yes`), each made on the links the
    ones before it left; a pair the rules refuse (a second version in one language) is skipped."""
    view = dict(bulletins)
    plan: Plan = {}
    for first, second in pairs:
        try:
            step = plan_translation(view, (first, second))
        except InputError:
            continue
        for doc_id, links in step.items():
            raw = dict(view[str(doc_id)])
            raw.pop("links", None)
            if links:
                raw["links"] = links.to_raw()
            view[str(doc_id)] = raw
            plan[doc_id] = links
    if not plan:
        raise InputError(
            _("No suggested pair is certain enough to link; see them with 'whrd link --suggest'.")
        )
    return plan
