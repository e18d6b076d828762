"""Issue 16's "Done when": while an archive is encrypted, no file whrd leaves on persistent disk
holds a known title or private note, after every kind of command: add (options and $EDITOR),
edit, delete, import, search, list, show, stats, history, restore, undo, purge, delete --purge,
doctor --fix, reindex, export --encrypt-to, config, and a locked read with a passphrase. The
grep covers the archive's folder (backups, lock, temp files, identity file), $HOME with the
config, data, state and cache folders, and $TMPDIR; the session's tmpfs is the one place the
index and the editor's form may be, and `lock` empties it.

The oracle is a byte search for each text (UTF-8 and JSON-escaped) over every file.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from test_crypto import NOTE, PASS, TITLE, Whrd, _holding

EDITOR_TITLE = "Lideresa Lenca desplazada por la represa"
EDITOR_NOTE = "contacto seguro: Rosa, bodega 7"
IMPORT_TITLE = "Comunicado secreto sobre Tegucigalpa"
IMPORT_NOTE = "fuente protegida 9931"
SECRETS = (TITLE, NOTE, "Zapoteca", EDITOR_TITLE, EDITOR_NOTE, IMPORT_TITLE, IMPORT_NOTE)


def _editor(runtime: Path) -> Path:
    """An $EDITOR that fills the form: a title and date when empty, and a private note (kept in
    the tmpfs: the script itself holds the texts the grep looks for)."""
    script = runtime / "bin" / "fill-form"
    script.parent.mkdir()
    script.write_text(
        "#!/bin/sh\n"
        'for a in "$@"; do form="$a"; done\n'
        f"sed -i -e 's/^Title: *$/Title: {EDITOR_TITLE}/' -e 's/^Date: *$/Date: 2024-04-04/' "
        f"-e 's/^Lang: *$/Lang: es/' -e 's/^Private:.*$/Private: {EDITOR_NOTE}/' \"$form\"\n"
    )
    script.chmod(0o700)
    return script


def test_no_plain_text_on_disk_after_every_command(tmp_path: Path, runtime: Path) -> None:
    home = tmp_path / "home"
    folder = tmp_path / "archive"
    for made in (home, folder, home / "tmp"):
        made.mkdir(parents=True, exist_ok=True)
    db = folder / "archive.json"
    whrd = Whrd(db, runtime)
    whrd.env.pop("WHRD_CONFIG", None)  # the config file in its default place, inside $HOME here
    whrd.env.update(
        HOME=str(home),
        XDG_CONFIG_HOME=str(home / ".config"),
        XDG_DATA_HOME=str(home / ".local" / "share"),
        XDG_STATE_HOME=str(home / ".local" / "state"),
        XDG_CACHE_HOME=str(home / ".cache"),
        TMPDIR=str(home / "tmp"),
        EDITOR=str(_editor(runtime)),
    )
    whrd.ok("config", "set", "locale", "en")
    whrd.ok("add", "--title", TITLE, "--date", "2024-03-08", "--country", "MX", "--private", NOTE)
    whrd.ok("add", "--title", "Second bulletin", "--date", "2024-03-09", "--lang", "en")
    whrd.ok("search", "Zapoteca")  # a plain index beside the plain archive, for encrypt to remove
    whrd.ok("encrypt", passphrases=(PASS,))
    assert _holding(tmp_path, *SECRETS) == []
    whrd.ok("unlock", "--for", "1h", passphrases=(PASS,))

    whrd.ok("add", "--editor")  # the form in the tmpfs, filled by the editor
    whrd.ok("edit", "1", "--tag", "oaxaca")
    whrd.ok("edit", "2")  # no field option: the editor, which writes a private note into bulletin 2
    whrd.ok("delete", "2", "--yes")
    whrd.ok("undo", "--yes")  # bulletin 2 back
    source = runtime / "import.jsonl"  # the import file itself is the user's, kept off the disk here
    source.write_text(
        json.dumps({"title": IMPORT_TITLE, "date": "2024-05-05", "lang": "es", "private": IMPORT_NOTE}) + "\n"
    )
    whrd.ok("import", str(source))
    source.unlink()
    for args in (("search", "Zapoteca"), ("search", "Lenca"), ("list",), ("show", "1"), ("stats",)):
        whrd.ok(*args)
    whrd.env["WHRD_LANG"] = "es"
    versions = json.loads(whrd.ok("history", "1", "--json").stdout)
    assert TITLE in json.dumps(versions)
    oldest = versions[-1]["rev"] if isinstance(versions, list) else versions["versions"][-1]["rev"]
    whrd.ok("restore", "1", oldest, "--yes")
    whrd.ok("doctor", "--fix")
    whrd.ok("reindex")
    whrd.ok("purge", "--history", "--before", "2100-01-01", "--yes")
    whrd.ok("delete", "3", "--purge", "--yes")
    whrd.env.pop("WHRD_LANG")
    recovery = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p"
    whrd.ok("export", "-o", str(folder / "digest.md"), "--encrypt-to", recovery)
    assert (folder / "digest.md.age").exists() and not (folder / "digest.md").exists()
    whrd.ok("where")

    # The session's tmpfs holds the index (and nothing is left of the editor's forms).
    held = sorted(p.name for p in (runtime / "whrd").iterdir())
    assert any(name.endswith(".search.sqlite") for name in held) and not any(".draft-" in n for n in held)
    whrd.ok("lock")
    assert list((runtime / "whrd").iterdir()) == []
    # Locked: a read with the passphrase works in memory and writes no index anywhere.
    assert TITLE in whrd.ok("search", "Zapoteca", passphrases=(PASS,)).stdout
    assert list((runtime / "whrd").iterdir()) == []

    assert sorted(p.name for p in (folder).glob("archive.json.bak*"))  # backups were kept
    assert _holding(tmp_path, *SECRETS) == []
    for path in tmp_path.rglob("*"):  # nothing plain-text-shaped was left by whrd either
        if path.is_file() and path.stat().st_size and path.parent == folder:
            data = path.read_bytes()
            assert data.startswith(b"age-encryption.org/v1\n") or path.name.endswith(".lock"), path
    assert os.listdir(home / "tmp") == []
