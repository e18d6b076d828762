"""The tags and countries an `edit` adds and removes, checked against each other and against the
bulletin: an edit that gives and removes the same one is refused before anything is written, and a
removal of what the bulletin does not have is named (a note; the edit itself is the store's)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from ..i18n import _
from .common import fail

if TYPE_CHECKING:
    from ..model import Bulletin, BulletinEdit


def refuse_contradictions(
    *,
    tags: Sequence[str],
    remove_tags: Sequence[str],
    countries: Sequence[str],
    remove_countries: Sequence[str],
) -> None:
    """Refuse an edit that gives a tag or country and removes it too (`--add-tag x --remove-tag x`):
    one of the two is a mistake, and applying both in order would silently drop what was asked for.
    A country that comes only from a region (`--add-country Centroamérica --remove-country HN`)
    is not a contradiction: that is the region but one."""
    from ..countries import region_of, resolve_countries, split_country_list
    from ..model import normalise_tags
    from ..text import fold

    dropped_tags = {fold(t.lstrip("#")): t.lstrip("#") for t in remove_tags}
    for given in normalise_tags(tags):
        if fold(given) in dropped_tags:
            fail(
                _("The tag {tag!r} is both added and removed by this edit; nothing changed.").format(
                    tag=dropped_tags[fold(given)]
                )
            )
    dropped = {code for text in remove_countries for code in resolve_countries(text)}
    for text in countries:
        for name in split_country_list(text):
            if not name.strip() or region_of(name) is not None:
                continue
            code = resolve_countries(name)[0]
            if code in dropped:
                from ..countries import country_name
                from ..i18n import language

                fail(
                    _("The country {name} is both added and removed by this edit; nothing changed.").format(
                        name=country_name(code, language())
                    )
                )


def not_there(
    bulletin: Bulletin, asked: BulletinEdit, tags: list[str] | None, countries: list[str] | None
) -> list[str]:
    """The tags and countries asked to be removed that the bulletin would not have, as it was just
    before the edit plus what the same edit adds (a note only: the edit itself works on the
    bulletin as it is in the lock)."""
    from ..countries import resolve_countries
    from ..text import fold

    kept_tags = asked.tags if asked.tags is not None else bulletin.tags
    held_tags = {fold(t.lstrip("#")) for t in (*kept_tags, *asked.add_tags)}
    kept_countries = asked.countries if asked.countries is not None else bulletin.countries
    held_countries = {c for text in (*kept_countries, *asked.add_countries) for c in resolve_countries(text)}
    missing = [
        _("tag {tag!r}").format(tag=t.lstrip("#")) for t in tags or () if fold(t.lstrip("#")) not in held_tags
    ]
    for name in countries or ():
        missing.extend(
            _("country {code}").format(code=c) for c in resolve_countries(name) if c not in held_countries
        )
    return missing
