"""A bulletin's identity as imports bring it: its uid (whrd writes 32 hex digits; a UUID or ULID
from elsewhere is taken too) and a revision (`N-hash`, CouchDB's form). Checked here so that an
imported file cannot put anything else into the archive's keys."""

from __future__ import annotations

import re

from .errors import ValidationError
from .i18n import _

_UID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{0,127}")
_REV = re.compile(r"[1-9][0-9]{0,8}-[0-9a-f]{1,64}")


def normalise_uid(uid: str) -> str:
    """A bulletin's uid as an import brings it (whrd writes 32 hex digits; a UUID or ULID from
    elsewhere is taken too): letters, digits and `._:-`, at most 128."""
    value = uid.strip()
    if not _UID.fullmatch(value):
        message = _("The uid {uid!r} is not an identifier: letters, digits and . _ : - only, at most 128.")
        raise ValidationError(message.format(uid=uid), field="uid", value=uid)
    return value.lower() if len(value) == 32 and all(c in "0123456789abcdefABCDEF" for c in value) else value


def normalise_rev(rev: str) -> str:
    value = rev.strip()
    if not _REV.fullmatch(value):
        message = _("The rev {rev!r} is not a revision such as 2-9a1b2c3d…: a number, a dash and hex digits.")
        raise ValidationError(message.format(rev=rev), field="rev", value=rev)
    return value
