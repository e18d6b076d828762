"""A bulletin's links (issue 17): its other language versions and the alert it follows, by uid.

Part of the bulletin's body, so a link is in its rev, its history, undo, exports and (issue 18)
replication with no code of its own. Stored as `{"translations": [uid, …], "follows": uid,
"followup": kind, "closes": true}`, each key absent when empty and the whole field absent when
there is no link: an unlinked bulletin is stored, hashed and exported byte for byte as before.
Explicit uids (every version lists every other) rather than a group id, so that `doctor` can
name the one that is missing and a partial import keeps what it can.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from msgspec import Struct

from .errors import ValidationError
from .i18n import _
from .identity import normalise_uid

# What a follow-up says of the alert it follows; the first is the default.
FOLLOWUP_KINDS: tuple[str, ...] = ("update", "threat", "release", "closure")
_KEYS = frozenset({"translations", "follows", "followup", "closes"})


class Links(Struct, frozen=True):
    """A bulletin's links: the uids of its other versions (sorted) and of the bulletin it follows."""

    translations: tuple[str, ...] = ()
    follows: str | None = None
    followup: str | None = None  # one of FOLLOWUP_KINDS, only with `follows`
    closes: bool = False  # this follow-up ends the case

    def __bool__(self) -> bool:
        return bool(self.translations or self.follows)

    def to_raw(self) -> dict[str, Any]:
        """The stored (and exported) form: keys absent when empty."""
        raw: dict[str, Any] = {}
        if self.translations:
            raw["translations"] = list(self.translations)
        if self.follows:
            raw["follows"] = self.follows
            raw["followup"] = self.followup or FOLLOWUP_KINDS[0]
            if self.closes:
                raw["closes"] = True
        return raw

    def with_translations(self, uids: Iterable[str]) -> Links:
        return Links(tuple(sorted(set(uids))), self.follows, self.followup, self.closes)

    def without_follows(self) -> Links:
        return Links(self.translations)

    def uids(self) -> tuple[str, ...]:
        """Every uid these links name."""
        return (*self.translations, *((self.follows,) if self.follows else ()))


def _error(message: str, value: Any) -> ValidationError:
    return ValidationError(message, field="links", value=value)


def json_kind(value: Any) -> str:
    """A wrong field value as its file says it (`a number`, `an object`), never Python's `dict`."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return _("a number")
    if isinstance(value, list | tuple):
        return _("an array")
    return _("an object") if isinstance(value, dict) else type(value).__name__


def read_bool(value: Any, *, field: str = "truncated") -> bool:
    """A true/false field as a file brings it (JSON's booleans, CSV's words, in both languages:
    Excel in Spanish saves TRUE and FALSE as VERDADERO and FALSO)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "1", "yes", "sí", "si", "verdadero"):
        return True
    if isinstance(value, str) and value.strip().lower() in ("false", "0", "no", "", "falso"):
        return False
    shown = repr(value) if len(repr(value)) <= 40 else f"{repr(value)[:39]}…"  # one readable line
    if field == "links":
        raise _error(_("The links' closes must be true or false, not {value}.").format(value=shown), value)
    raise ValidationError(
        _("The truncated field must be true or false, not {value}.").format(value=shown),
        field="truncated",
        value=value,
    )


def read_links(value: Any, *, own_uid: str | None = None) -> Links | None:
    """Links as a bulletin is given them (a stored or imported dict, CSV's JSON text, a `Links`),
    checked and normalised; None when there is no link. Raises ValidationError naming the fault."""
    if value is None or isinstance(value, Links):
        return value or None
    if isinstance(value, str):
        if not value.strip():
            return None
        try:
            value = json.loads(value)
        except ValueError:
            raise _error(
                _("The links must be a JSON object such as {example}.").format(
                    example='{"translations": ["UID"]}'
                ),
                value,
            ) from None
    if not isinstance(value, Mapping):
        raise _error(_("The links must be an object with translations, follows, followup, closes."), value)
    unknown = sorted(str(key) for key in value.keys() - _KEYS)
    if unknown:
        message = _("Unknown key in links: {names}. Known keys: translations, follows, followup, closes.")
        raise _error(message.format(names=", ".join(repr(name[:40]) for name in unknown)), value)
    translations = value.get("translations") or []
    if not isinstance(translations, list | tuple) or not all(isinstance(u, str) for u in translations):
        raise _error(_("The links' translations must be a list of uids."), value)
    follows = value.get("follows")
    if follows is not None and not isinstance(follows, str):
        raise _error(_("The links' follows must be one uid."), value)
    kind = value.get("followup")
    if kind is not None and kind not in FOLLOWUP_KINDS:
        message = _("Unknown kind of follow-up {kind!r}. Valid kinds: {valid}.")
        raise _error(message.format(kind=kind, valid=", ".join(FOLLOWUP_KINDS)), value)
    closes = read_bool(value.get("closes", False), field="links")
    uids = {normalise_uid(uid) for uid in translations}
    follows = normalise_uid(follows) if follows else None
    if own_uid is not None:
        uids.discard(own_uid)
        if follows == own_uid:
            follows = None
    links = Links(
        tuple(sorted(uids)),
        follows,
        (kind or FOLLOWUP_KINDS[0]) if follows else None,
        closes and bool(follows),
    )
    return links or None


def links_of(raw: Mapping[str, Any]) -> Links | None:
    """A stored bulletin's links, trusting what the store wrote."""
    data = raw.get("links")
    if not data:
        return None
    return Links(
        tuple(data.get("translations") or ()),
        data.get("follows"),
        data.get("followup") if data.get("follows") else None,
        bool(data.get("closes")),
    )


def links_text(raw: Mapping[str, Any]) -> str:
    """The one CSV cell that carries a bulletin's links: their stored form as compact JSON
    (empty when none), which `read_links` reads back."""
    data = raw.get("links")
    return json.dumps(data, separators=(",", ":"), sort_keys=True) if data else ""


def links_damage(data: Any) -> bool:
    """A stored `links` value whrd could not have written (damaged by hand): the store refuses
    to write over it, and `doctor` names it, instead of a command failing on it later."""
    if not isinstance(data, dict) or not data or set(data) - _KEYS:
        return True
    translations = data.get("translations", [])
    if not isinstance(translations, list) or not all(isinstance(u, str) and u for u in translations):
        return True
    follows = data.get("follows")
    if follows is None:
        return "followup" in data or "closes" in data or not translations
    return (
        not isinstance(follows, str)
        or data.get("followup") not in FOLLOWUP_KINDS
        or data.get("closes", True) is not True
    )
