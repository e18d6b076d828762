"""Links between bulletins (issue 17): a link to a uid the archive does not hold (a partial import,
a purge elsewhere) is kept, so a later import can complete it, and reported here; so is a
translation that only one side records (every version should list every other)."""

from __future__ import annotations

from ..i18n import _
from ..links_model import links_of
from ..storage import check
from .report import PROBLEM, WARNING, Finding
from .subject import Subject


def links(subject: Subject) -> list[Finding]:
    """Links to bulletins not in the archive (a problem), and one-sided translations (a warning)."""
    bulletins = {
        int(key): raw
        for key, raw in subject.sound_bulletins.items()
        if check._ID.fullmatch(key) and isinstance(raw, dict) and raw.get("links")
    }
    if not bulletins:
        return []
    present = {
        raw.get("uid"): int(key) for key, raw in subject.sound_bulletins.items() if isinstance(raw, dict)
    }
    found: list[Finding] = []
    for doc_id, raw in sorted(bulletins.items()):
        linked = links_of(raw)
        if linked is None:
            continue
        for uid in linked.uids():
            if uid not in present:
                message = _(
                    "Bulletin {id} links to {uid}, which is not in this archive "
                    "(kept: an import may bring it)."
                )
                found.append(
                    Finding(
                        "missing-link",
                        PROBLEM,
                        message.format(id=doc_id, uid=uid),
                        ids=(doc_id,),
                        path=subject.path,
                        field="links",
                        value=uid,
                    )
                )
        for uid in linked.translations:
            other = present.get(uid)
            back = links_of(subject.sound_bulletins[str(other)]) if other is not None else None
            if other is not None and raw.get("uid") not in (back.translations if back else ()):
                message = _(
                    "Bulletin {id} lists {other} as a version of it, but {other} does not list {id}; "
                    "'whrd link {id} {other} --translation' joins them."
                )
                found.append(
                    Finding(
                        "one-sided-link",
                        WARNING,
                        message.format(id=doc_id, other=other),
                        ids=(doc_id, other),
                        path=subject.path,
                        field="links",
                        value=uid,
                    )
                )
    return found
