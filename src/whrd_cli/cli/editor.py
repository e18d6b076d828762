"""The $EDITOR session of `add --editor` and `edit`: a private draft file beside the archive, the
editor run on it, and the form read back, reopened with the error on top until it is right.

Typed work is never lost to a mistake: a form that cannot be saved (a bad date, an unknown
country) is reopened with the error as a comment at its top, as `crontab -e` does; off a
terminal it is an error that names the draft. The draft (0600, beside the archive, never in a
shared temp folder: it holds bulletin text, private notes too) is removed once the bulletin is
saved, or when the person abandons it (empties the file, or closes the untouched form); when
they give up after an error, it is kept and the message says where. What the editor leaves is
read with care: a removed file, a folder, a link or invalid UTF-8 is one error line, exit 1.
"""

from __future__ import annotations

import contextlib
import os
import stat
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

from ..errors import InputError, WhrdError
from ..i18n import N_, _, translate
from ..reasons import os_reason

T = TypeVar("T")

FALLBACK_EDITORS = ("sensible-editor", "editor", "nano", "vi")
MAX_FORM_BYTES = 16 * 1024 * 1024  # far above any bulletin; an editor gone wrong is not read whole
_ERROR_MARK = N_("# Error: ")
_ERROR_HINT = N_("# Fix it below, then save and close; to give up, empty the file.")


def editor_command(*, interactive: bool) -> list[str]:
    """$VISUAL, else $EDITOR, else (for a person at a terminal) the system's editor: the first of
    sensible-editor, editor, nano and vi that is installed."""
    import shlex
    import shutil

    command = os.environ.get("VISUAL") or os.environ.get("EDITOR") or _configured_editor()
    if command:
        try:
            words = shlex.split(command)
        except ValueError:
            words = []
        if not words:
            raise InputError(
                _("Cannot read the editor command {command!r}: fix $VISUAL or $EDITOR.").format(
                    command=command
                )
            )
        return words
    if not interactive:
        raise InputError(_("No editor: set $EDITOR, or give the fields as options (--title, --date, …)."))
    for name in FALLBACK_EDITORS:
        found = shutil.which(name)
        if found:
            return [found]
    raise InputError(
        _("No editor found ({editors}): set $EDITOR.").format(editors=", ".join(FALLBACK_EDITORS))
    )


def _configured_editor() -> str | None:
    """The config file's `editor` (checked there: it splits into words)."""
    from ..config import config_path, load_config

    return load_config(config_path()).editor


def edit_until_valid(
    form: str,
    apply: Callable[[str], T],
    *,
    folder: Path,
    prefix: str,
    interactive: bool,
) -> T:
    """Open the editor on `form` and return `apply(saved text)`.

    `apply` raises an InputError for a form that cannot be saved: on a terminal the editor opens
    again with it on top; off one the error names the kept draft. An `entryform.FormEmpty` is the
    person abandoning the form: nothing is kept.
    """
    from ..entryform import FormEmpty, FormError

    command = editor_command(interactive=interactive)
    folder, prefix, command = _private_place(folder, prefix, command)
    draft = _new_draft(folder, prefix)
    error: str | None = None
    body = form
    while True:
        top = f"{translate(_ERROR_MARK)}{_one_line(error)}\n{translate(_ERROR_HINT)}\n" if error else ""
        shown = top + body
        _write(draft, shown)
        try:
            status = _run(command, draft)
        except KeyboardInterrupt:  # Ctrl-C while the editor was open: keep what was typed, say where
            typed = _without_error(_read(draft))
            if typed.strip() and typed != form:
                sys.stderr.write(_("Your form is kept in {draft}.").format(draft=draft) + "\n")
            else:
                _remove(draft)
            raise
        saved = _read(draft)
        edited = _without_error(saved)
        if status != 0:
            if edited.strip() and edited != form:
                _keep(draft, edited)
                raise InputError(
                    _(
                        "The editor {editor!r} exited with status {status}; nothing was saved. "
                        "Your form is kept in {draft}."
                    ).format(editor=command[0], status=status, draft=draft)
                )
            _remove(draft)
            raise InputError(
                _("The editor {editor!r} exited with status {status}; nothing was changed.").format(
                    editor=command[0], status=status
                )
            )
        if saved == shown:
            if error is None:
                _remove(draft)
                raise InputError(_("The form was not changed; nothing was saved."))
            _keep(draft, edited)
            raise InputError(_kept(error, draft))
        try:
            result = apply(edited)
        except FormEmpty:
            _remove(draft)
            raise
        except InputError as exc:
            if not interactive:
                _keep(draft, edited)
                raise InputError(
                    _kept(exc.message, draft),
                    field=exc.field,
                    value=exc.value,
                ) from None
            # Reopened with two comment lines on top: a form error names the line as shown then.
            error = exc.message_at(2) if isinstance(exc, FormError) else exc.message
            body = edited
            continue
        except WhrdError as exc:  # the archive, not the form: keep the work, keep the exit code
            _keep(draft, edited)
            exc.message = _("{error} Your form is kept in {draft}.").format(error=exc.message, draft=draft)
            raise
        _remove(draft)
        return result


# Options that keep an editor from writing swap, backup or history files (issue 16).
_NO_TRACES = {
    "vim": ["-n", "-i", "NONE", "--cmd", "set nobackup nowritebackup noundofile"],
    "nvim": ["-n", "-i", "NONE", "--cmd", "set nobackup nowritebackup noundofile"],
    "vi": ["-n"],
    "emacs": ["--eval", "(setq make-backup-files nil auto-save-default nil)"],
}


def _private_place(folder: Path, prefix: str, command: list[str]) -> tuple[Path, str, list[str]]:
    """For an encrypted archive (`folder/ARCHIVE.draft-`): the draft goes to the session's tmpfs
    under a name that says nothing, and the editor is told not to leave copies where it can be."""
    from ..crypto import is_encrypted

    archive = folder / prefix.removesuffix(".draft-")
    if not is_encrypted(archive):
        return folder, prefix, command
    from ..crypto.session import archive_id, draft_home

    home = draft_home(archive)
    if home is None:
        raise InputError(
            _(
                "The archive is encrypted and there is no memory-only folder ($XDG_RUNTIME_DIR on "
                "tmpfs) for the editor's form: give the fields as options (--title, --date, …)."
            )
        )
    extra = _NO_TRACES.get(Path(command[0]).name, [])
    return home, f"{archive_id(archive)}.draft-", [command[0], *extra, *command[1:]]


def _kept(error: str, draft: Path) -> str:
    return _("{error} Nothing was saved; your form is kept in {draft}.").format(error=error, draft=draft)


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def _without_error(text: str) -> str:
    """The form as the person wrote it: without the error lines whrd put on top."""
    lines = text.split("\n")
    marks = (_ERROR_MARK, translate(_ERROR_MARK))
    hints = (_ERROR_HINT, translate(_ERROR_HINT))
    while lines and (lines[0].startswith(marks) or lines[0] in hints):
        lines.pop(0)
    return "\n".join(lines)


def _new_draft(folder: Path, prefix: str) -> Path:
    """A new, empty draft file, 0600, in `folder` (made 0700 if missing)."""
    import tempfile

    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(prefix=prefix, suffix=".txt", dir=folder)
    except OSError as exc:
        raise InputError(
            _(
                "Cannot write the editor's form in {folder}: {reason}. "
                "Give the fields as options instead (--title, --date, …)."
            ).format(folder=folder, reason=os_reason(exc))
        ) from exc
    os.close(fd)
    return Path(name)


def _write(path: Path, text: str) -> None:
    """Write the form into the draft, never through a link, and keep it 0600 (an editor that
    saves by renaming a new file over it may have left it readable by others)."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_NOFOLLOW, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        os.fchmod(fh.fileno(), 0o600)
        fh.write(text)


def _run(command: list[str], path: Path) -> int:
    import subprocess

    try:
        return subprocess.call([*command, str(path)])
    except OSError as exc:
        _remove(path)
        raise InputError(
            _("Cannot run the editor {editor!r}: {reason}.").format(editor=command[0], reason=os_reason(exc))
        ) from exc


def _read(path: Path) -> str:
    """The text the editor left, or one InputError if it left anything but a UTF-8 text file."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except FileNotFoundError:
        raise InputError(
            _("The editor removed the form file {path}; nothing was saved.").format(path=path)
        ) from None
    except OSError:  # a symbolic link (ELOOP), or something else that cannot be opened
        _remove(path)
        raise InputError(
            _("The form file {path} was replaced by something that is not a file; nothing was saved.").format(
                path=path
            )
        ) from None
    mode = os.fstat(fd).st_mode
    if not stat.S_ISREG(mode):  # checked before Python's file object, which refuses a folder itself
        os.close(fd)
        _remove(path)
        if stat.S_ISDIR(mode):
            raise InputError(
                _("The form file {path} was replaced by a folder; nothing was saved.").format(path=path)
            )
        raise InputError(
            _("The form file {path} was replaced by something that is not a file; nothing was saved.").format(
                path=path
            )
        )
    with os.fdopen(fd, "rb") as fh:
        os.fchmod(fh.fileno(), 0o600)
        data = fh.read(MAX_FORM_BYTES + 1)
    if len(data) > MAX_FORM_BYTES:
        _remove(path)
        raise InputError(
            _("The form is larger than {size} MB; nothing was saved.").format(
                size=MAX_FORM_BYTES // (1024 * 1024)
            )
        )
    try:
        return data.decode("utf-8").replace("\r\n", "\n")
    except UnicodeDecodeError as exc:
        raise InputError(
            _(
                "The form is not valid UTF-8 text (byte {byte}); nothing was saved. "
                "Your form is kept in {path}."
            ).format(byte=exc.start + 1, path=path)
        ) from None


def _keep(path: Path, text: str) -> None:
    """Leave the person's text in the draft (best effort: the error that follows matters more)."""
    with contextlib.suppress(OSError):
        _write(path, text)


def _remove(path: Path) -> None:
    """Remove the draft, whatever the editor turned it into (a folder it made included)."""
    import shutil

    with contextlib.suppress(OSError):  # FileNotFoundError included: already gone
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path)
        else:
            path.unlink()
