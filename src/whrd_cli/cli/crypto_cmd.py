"""Encryption at rest (issue 16): encrypt, decrypt, unlock, lock, passphrase, recipients, wipe.

The work is done by `whrd_cli.crypto`; this module asks and tells. Passphrases are read without
echo on the terminal, or from `--passphrase-fd N`; never from an argument or the environment.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Annotated

import typer

from ..i18n import _, ngettext
from . import common
from .common import RICH_HELP, fail, note, state
from .localize import LocalizedCommand, LocalizedGroup

app = typer.Typer(rich_markup_mode=RICH_HELP)
recipients_app = typer.Typer(rich_markup_mode=RICH_HELP, cls=LocalizedGroup, no_args_is_help=True)
app.add_typer(recipients_app, name="recipients")

YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]
_DURATION = re.compile(r"(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")


def _archive(ctx: typer.Context) -> Path:
    return state(ctx).db.absolute()


def _new_passphrase(archive: Path) -> str:
    """A new passphrase: asked twice on a terminal (with a strength hint), or one line of
    --passphrase-fd."""
    from ..crypto import keys

    if not keys.can_ask():
        fail(_("A new passphrase must be typed on a terminal (or given with --passphrase-fd)."))
    from_fd = bool(keys._passphrase_fd)
    while True:
        first = keys.read_passphrase(_("New passphrase for {name}: ").format(name=archive.name))
        if not first:
            fail(_("An empty passphrase protects nothing; nothing was changed."))
        hint = keys.strength_hint(first)
        if from_fd:
            if hint:
                note(hint)
            return first
        if hint:
            note(hint)
        if first == keys.read_passphrase(_("The same passphrase again: ")):
            return first
        note(_("The two passphrases differ; try again."))


def _until(expires: float) -> str:
    return time.strftime("%Y-%m-%d %H:%M", time.localtime(expires))


def parse_duration(text: str) -> float:
    """`8h`, `30m`, `1d`, `1h30m`, `90s` (a bare number is hours) as seconds."""
    text = text.strip().lower()
    if text.isdigit():
        return int(text) * 3600.0
    match = _DURATION.fullmatch(text)
    if not text or match is None:
        fail(_("Cannot read the duration {text!r}: write it as 8h, 30m, 1d or 1h30m.").format(text=text))
    days, hours, minutes, seconds = (int(g or 0) for g in match.groups())
    total = days * 86400.0 + hours * 3600.0 + minutes * 60.0 + seconds
    if total <= 0:
        fail(_("The duration must be longer than zero."))
    return total


@app.command(cls=LocalizedCommand)
def encrypt(ctx: typer.Context) -> None:
    """Encrypt the archive at rest (age): a new passphrase is asked twice.

    The archive, its backups and history become ciphertext; the plain search index and editor
    drafts are removed. Keep the passphrase safe: without it (or a recovery key added with
    'whrd recipients add') nothing can be recovered.

    Example: whrd encrypt
    """
    from ..crypto import convert, is_encrypted

    archive = _archive(ctx)
    if not archive.exists():
        fail(_("There is no archive at {path} yet: add a bulletin first.").format(path=archive))
    if is_encrypted(archive):  # said before a new passphrase is asked, not after
        fail(_("{path} is encrypted already.").format(path=archive))
    passphrase = _new_passphrase(archive)
    count, removed = convert.encrypt_archive(archive, passphrase)
    note(
        _("Encrypted {path}; its identity is in {key} (keep a copy of both).").format(
            path=archive, key=archive.with_name(archive.name + ".key.age")
        )
    )
    note(
        _("Backups re-encrypted: {count}. Plain files removed: {removed}.").format(
            count=count, removed=len(removed)
        )
    )
    note(
        _(
            "Copies of the plain archive made before now (old backups elsewhere, the disk's free space) "
            "are not erased: full-disk encryption protects those."
        )
    )
    note(_("Run 'whrd unlock' to open it for a while without typing the passphrase each time."))


@app.command(cls=LocalizedCommand)
def decrypt(ctx: typer.Context, yes: YesOpt = False) -> None:
    """Turn an encrypted archive back into plain text (asks first).

    Example: whrd decrypt
    """
    from ..crypto import convert, is_encrypted

    archive = _archive(ctx)
    if not is_encrypted(archive):
        fail(_("{path} is not encrypted.").format(path=archive))
    if not yes:
        if not common.stdin_is_terminal():
            fail(_("Refusing to decrypt without confirmation: add --yes."))
        from .prompts import confirm

        if not confirm(_("Write {path} as plain text on disk?").format(path=archive), default=False):
            note(_("Nothing was changed."))
            raise typer.Exit(1)
    count = convert.decrypt_archive(archive)
    message = ngettext(
        "{path} is plain text now ({count} backup decrypted); its identity file was removed.",
        "{path} is plain text now ({count} backups decrypted); its identity file was removed.",
        count,
    )
    note(message.format(path=archive, count=count))


@app.command(cls=LocalizedCommand)
def unlock(
    ctx: typer.Context,
    for_: Annotated[str, typer.Option("--for", help="How long the session lasts: 8h, 30m, 1d.")] = "8h",
) -> None:
    """Open an encrypted archive for a while: the passphrase is asked once.

    The unwrapped identity is kept in $XDG_RUNTIME_DIR/whrd (memory only, tmpfs) until it
    expires or 'whrd lock'.

    Example: whrd unlock --for 2h
    """
    from ..crypto import is_encrypted, keys, session

    archive = _archive(ctx)
    seconds = parse_duration(for_)
    if not is_encrypted(archive):
        fail(_("{path} is not encrypted: there is nothing to unlock.").format(path=archive))
    if session.runtime_dir(create=True) is None:
        fail(
            _(
                "There is no memory-only folder ($XDG_RUNTIME_DIR on tmpfs) to keep a session in: "
                "each command will ask for the passphrase."
            )
        )
    identity = keys.from_passphrase(archive)  # asked even while a session is open: to extend it
    if not session.is_open(archive):
        session.end(archive)  # leftovers of an old session go; an open one keeps its index
    expires = session.save(archive, str(identity), seconds)
    note(
        _("{path} is unlocked until {time}; 'whrd lock' closes it sooner.").format(
            path=archive, time=_until(expires)
        )
    )


@app.command(cls=LocalizedCommand)
def lock(ctx: typer.Context) -> None:
    """Close the archive's session: its key and search index leave memory.

    Example: whrd lock
    """
    from ..crypto import is_encrypted, session

    archive = _archive(ctx)
    session.end(archive)  # first: whatever the archive is now, no session of it stays open
    if not archive.exists() and not is_encrypted(archive):
        fail(_("There is no archive at {path} yet: add a bulletin first.").format(path=archive))
    if not is_encrypted(archive):  # "locked" would let someone believe a plain archive protected
        fail(
            _("{path} is not encrypted: it is plain text on disk, there is nothing to lock.").format(
                path=archive
            )
        )
    note(_("{path} is locked.").format(path=archive))


@app.command(cls=LocalizedCommand)
def passphrase(ctx: typer.Context) -> None:
    """Change the passphrase (only the identity file is rewritten: instant).

    Example: whrd passphrase
    """
    from ..crypto import convert, is_encrypted, keys

    archive = _archive(ctx)
    if not is_encrypted(archive):
        fail(_("{path} is not encrypted.").format(path=archive))
    old = keys.read_passphrase(_("Current passphrase of {name}: ").format(name=archive.name))
    identity = convert.unwrapped(archive, old)  # a wrong one is refused before a new one is asked
    convert.rewrap(archive, identity, _new_passphrase(archive))
    note(_("The passphrase of {path} is changed.").format(path=archive))


@recipients_app.callback()
def recipients() -> None:
    """Who can open the encrypted archive: its own key, and the age public keys added here.

    Every write is encrypted to all of them: another coordinator's key, or a recovery key kept
    offline, opens the archive with the standard 'age' tool (age -d -i KEY-FILE ARCHIVE).

    Example: whrd recipients list
    """


@recipients_app.command("list", cls=LocalizedCommand)
def recipients_list(ctx: typer.Context) -> None:
    """List the age public keys every write is encrypted to (the archive's own first).

    Example: whrd recipients list
    """
    from ..crypto import convert, is_encrypted

    archive = _archive(ctx)
    if not is_encrypted(archive):
        fail(_("{path} is not encrypted.").format(path=archive))
    own, extra = convert.recipients(archive)
    typer.echo(f"{own}\t{_('this archive')}")
    for key in extra:
        typer.echo(key)


def _checked_key(key: str) -> str:
    from pyrage import x25519

    try:
        x25519.Recipient.from_str(key.strip())
    except Exception:  # pyrage.RecipientError
        fail(_("{key!r} is not an age public key (age1…).").format(key=key))
    return key.strip()


@recipients_app.command("add", cls=LocalizedCommand)
def recipients_add(
    ctx: typer.Context, key: Annotated[str, typer.Argument(metavar="KEY", help="An age public key.")]
) -> None:
    """Let another age key open the archive (a coordinator, an offline recovery key).

    Example: whrd recipients add age1...
    """
    from ..crypto import convert

    key = _checked_key(key)
    convert.change_recipients(_archive(ctx), lambda keys: keys if key in keys else [*keys, key])
    note(_("Added {key}: the archive is now encrypted to it too.").format(key=key))


@recipients_app.command("remove", cls=LocalizedCommand)
def recipients_remove(
    ctx: typer.Context, key: Annotated[str, typer.Argument(metavar="KEY", help="An age public key.")]
) -> None:
    """Stop encrypting to a key (copies it could open before stay open to it).

    Example: whrd recipients remove age1...
    """
    from ..crypto import convert

    key = key.strip()
    found: list[bool] = []

    def without(keys: list[str]) -> list[str]:
        found.append(key in keys)
        return [k for k in keys if k != key]

    convert.change_recipients(_archive(ctx), without)
    if not found or not found[0]:
        fail(_("{key} is not a recipient of this archive.").format(key=key))
    note(_("Removed {key}; backups written before still open with it.").format(key=key))


@app.command(cls=LocalizedCommand)
def wipe(ctx: typer.Context, yes: YesOpt = False) -> None:
    """Emergency: remove the archive and everything whrd keeps of it, key first.

    Removes the session key, the identity file, the archive, its backups, index, lock and temp
    files, in that order. Asks you to type the archive's file name, unless --yes.

    Example: whrd wipe --yes
    """
    from ..crypto import convert

    archive = _archive(ctx)
    if not yes:
        if not common.stdin_is_terminal():
            fail(_("Refusing to wipe without confirmation: add --yes."))
        typed = typer.prompt(
            _("Type the archive's file name ({name}) to wipe it").format(name=archive.name),
            default="",
            show_default=False,
            err=True,
        )
        if typed.strip() != archive.name:
            note(_("Nothing was wiped."))
            raise typer.Exit(1)
    removed = convert.wipe(archive)
    note(_("Wiped {count} files of {path}.").format(count=len(removed), path=archive))
