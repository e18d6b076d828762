"""Hostile review (session 20), big encrypted archives continued (helpers and fixtures from
test_hostile20_sealed): a file truncated in place while mapped, a real ~9 MB archive against the
Go `age` CLI, and an encrypted archive an older whrd wrote (meta first) on the big paths.

Oracles: the process's exit status, `age -d -i KEYFILE` and `pyrage.decrypt` with `json.loads`,
`hashlib.sha256` against the trust mark, a byte grep of the files on disk for a known title.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from processes import whrd_process
from test_hostile20_sealed import (  # (the fixtures too: pytest finds them by name here)
    PASS,
    SRC,
    TITLE,
    holding,
    identity,
    ok,
    plain,
    sealed,  # noqa: F401
    sha_mark,
    template,  # noqa: F401
    whrd,
)

_TRUNCATE_WHILE_MAPPED = """
import os, sys
from pathlib import Path
from whrd_cli import workers
from whrd_cli.errors import WhrdError
from whrd_cli.storage import check, light, light_sealed, names
from whrd_cli.crypto import keys
from whrd_cli.model import Bulletin
from whrd_cli.store import Archive
light_sealed.APART = names.MAPPED = 1000
workers.cores = lambda: 2
path = Path(sys.argv[1])
keys.use_passphrase_fd(int(sys.argv[3]))
real = names.read_file
def cut(fh):  # `cp backup.json archive.json` (O_TRUNC) while the file is mapped
    got = real(fh)
    os.truncate(path, 4096)
    return got
check.read_file = light.read_file = cut
try:
    if sys.argv[2] == "add":
        Archive(path).add(Bulletin.create(title="Appended", date="2024-03-04", lang="en"))
    elif sys.argv[2] == "edit":
        Archive(path).update(3, {"summary": "editada"})
    else:
        check.load_archive_file(path)
except WhrdError as exc:
    print(type(exc).__name__, exc, file=sys.stderr)
    sys.exit(3)
"""


@pytest.mark.parametrize("how", ["add", "edit", "read"])
def test_a_file_truncated_in_place_while_mapped_is_a_clean_error(sealed: Path, how: str) -> None:  # noqa: F811
    read, write = os.pipe()
    os.write(write, ((PASS + "\n") * 3).encode())
    os.close(write)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _TRUNCATE_WHILE_MAPPED, str(sealed), how, str(read)],
            capture_output=True,
            text=True,
            pass_fds=(read,),
            timeout=120,
            env={**os.environ, "PYTHONPATH": str(SRC)},
        )
    finally:
        os.close(read)
    assert done.returncode == 3, (done.returncode, done.stderr)  # not -SIGBUS


@pytest.mark.skipif(shutil.which("age") is None, reason="the age command-line tool is not installed")
def test_a_real_nine_megabyte_archive_against_the_age_cli(tmp_path: Path) -> None:
    """No threshold lowered: ~9 MB of ciphertext takes the mapped, overlapped read for real; what
    whrd writes (age reading its plain text through the 1 MB buffer) is what the Go age decrypts."""
    from whrd_cli.model import Bulletin
    from whrd_cli.store import Archive

    db = tmp_path / "archive.json"
    titles = [TITLE, *(f"Boletín {n} «ñ»" for n in range(1, 4200))]
    Archive(db).add_many(
        [
            Bulletin.create(title=t, date=f"2024-03-{1 + n % 28:02d}", summary=f"{n} " + "ñandú " * 330)
            for n, t in enumerate(titles)
        ]
    )

    def cli(*args: str) -> subprocess.CompletedProcess[str]:
        here = {name: os.environ[name] for name in ("XDG_RUNTIME_DIR",) if name in os.environ}
        return whrd_process(db, *args, passphrases=(PASS,) * 3, env=here, timeout=300)  # type: ignore[no-any-return]

    assert cli("encrypt").returncode == 0
    assert db.stat().st_size >= 8 << 20  # past names.MAPPED as shipped
    keyfile = tmp_path / "id.txt"
    from pyrage import passphrase

    keyfile.write_text(passphrase.decrypt(db.with_name(db.name + ".key.age").read_bytes(), PASS).decode())

    def age_plain() -> dict[str, Any]:
        out = subprocess.run(
            ["age", "-d", "-i", str(keyfile)], input=db.read_bytes(), capture_output=True, timeout=120
        )
        assert out.returncode == 0, out.stderr
        return json.loads(out.stdout)  # type: ignore[no-any-return]

    before = age_plain()
    for args in (
        ("edit", "3", "--title", "Editado «sí»"),
        ("delete", "9", "--yes"),
        ("add", "--title", "Última", "--date", "2024-06-01"),
    ):
        done = cli(*args)
        assert done.returncode == 0, (args, done.stderr)
        assert os.getxattr(db, "user.whrd.sound") == sha_mark(db.read_bytes())
    after = age_plain()
    assert after == plain(db)
    assert after["bulletins"]["3"]["title"] == "Editado «sí»" and "9" not in after["bulletins"]
    assert list(after["bulletins"].values())[-1]["title"] == "Última"
    same = {k: v for k, v in before["bulletins"].items() if k not in ("3", "9")}
    assert {k: after["bulletins"][k] for k in same} == same
    keyfile.unlink()
    assert holding(tmp_path, TITLE) == []


@pytest.mark.parametrize("command", ["add", "edit", "delete", "undo"])
def test_an_encrypted_meta_first_archive_through_the_big_paths(sealed: Path, command: str) -> None:  # noqa: F811
    """An encrypted archive an older whrd wrote (meta first in its plain text), marked: the light
    read of an add and the overlapped whole read of the others give the new layout, sound."""
    import orjson
    import pyrage

    tables = plain(sealed)
    older = orjson.dumps({"meta": tables["meta"], **{k: v for k, v in tables.items() if k != "meta"}})
    ciphertext = pyrage.encrypt(older, [identity(sealed).to_public()])
    sealed.write_bytes(ciphertext)
    os.setxattr(sealed, "user.whrd.sound", sha_mark(ciphertext))
    args = {
        "add": ("add", "--title", "Nueva «sí»", "--date", "2024-06-01"),
        "edit": ("edit", "4", "--add-tag", "oaxaca"),
        "delete": ("delete", "4", "--yes"),
        "undo": ("undo", "--yes"),
    }[command]
    ok(sealed, *args)
    after = plain(sealed)
    assert next(iter(after)) == "bulletins" and list(after)[-1] == "meta"
    assert os.getxattr(sealed, "user.whrd.sound") == sha_mark(sealed.read_bytes())
    kept = {k: v for k, v in tables["bulletins"].items() if k != "4" and k != "3"}
    assert {k: after["bulletins"][k] for k in kept} == kept
    ok(sealed, "add", "--title", "Después", "--date", "2024-06-02")
    assert os.getxattr(sealed, "user.whrd.sound") == sha_mark(sealed.read_bytes())
    assert whrd(sealed, "doctor").returncode == 0
