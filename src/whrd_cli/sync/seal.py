"""Sealed documents: how an encrypted archive syncs end to end encrypted (issue 18).

Before a document of an encrypted archive leaves, everything but what the protocol itself needs
is encrypted with age to the archive's recipients (its own identity's public key and the extra
recipients in `meta.recipients`: coordinators who share recipients read each other's bulletins):

    {"_id": uid, "_rev": rev, "_revisions": {…}, ["_deleted": true,]
     "sealed": "<base64 of the age ciphertext of the JSON body>", "whrd": 1}

The body is the document without `_id`, `_rev`, `_revisions` and `_deleted` (so its `type`, its
fields, its private note when the remote carries them), as UTF-8 JSON. The server sees random
uids, revs, revision paths, deletions, sizes and times; never a title, a country or a note.
Revs are not recomputed by anyone, so a sealed revision is the same revision as the plain one.

On pull a sealed document is opened with the archive's identity; one it cannot open (sealed for
other keys, or for an encrypted archive when this one is plain) is skipped and counted. An
encrypted archive takes in sealed documents only: a plain one is skipped and counted too, so
whoever runs the server cannot write into it (age does not sign: someone who knows one of the
network's public keys could still seal a document; those keys are never on the server).
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, Sequence
from typing import Any

SEALED = "sealed"
FORMAT = 1
_FRAME = ("_id", "_rev", "_revisions", "_deleted")


def is_sealed(doc: Mapping[str, Any]) -> bool:
    return isinstance(doc.get(SEALED), str)


def seal(doc: Mapping[str, Any], recipients: Sequence[Any]) -> dict[str, Any]:
    """`doc` with its body encrypted to `recipients` (pyrage recipients)."""
    import orjson
    from pyrage import encrypt

    body = {name: value for name, value in doc.items() if name not in _FRAME}
    out = {name: doc[name] for name in _FRAME if name in doc}
    out[SEALED] = base64.b64encode(encrypt(orjson.dumps(body), list(recipients))).decode("ascii")
    out["whrd"] = FORMAT
    return out


def unseal(doc: Mapping[str, Any], identities: Sequence[Any]) -> dict[str, Any] | None:
    """The plain document inside a sealed one, None when none of `identities` opens it (or it is
    not a sealed whrd document at all: damaged, truncated, not JSON inside)."""
    import binascii

    import orjson
    from pyrage import DecryptError, decrypt

    if not identities:
        return None
    try:
        plain = decrypt(base64.b64decode(str(doc[SEALED]), validate=True), list(identities))
        body = orjson.loads(plain)
    except (DecryptError, binascii.Error, ValueError, orjson.JSONDecodeError):
        return None
    if not isinstance(body, dict):
        return None
    out = {name: value for name, value in body.items() if name not in _FRAME}
    out.update({name: doc[name] for name in _FRAME if name in doc})
    return out


def recipients_for(identity: Any, extra: Sequence[str]) -> list[Any]:
    """The archive's own public key and its extra recipients (age public keys in `meta`)."""
    from pyrage import x25519

    found = [identity.to_public()]
    for text in extra:
        try:
            found.append(x25519.Recipient.from_str(text))
        except Exception:  # pyrage.RecipientError: the archive's own writes refuse it with a message
            continue
    return found
