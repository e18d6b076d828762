"""The light read (an `add`) imports what it needs next in a thread while it reads the file, and
leaves no such thread behind, nor one alive when a child is forked to decrypt."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from tests.corpus import CORPUS, bulletin

from whrd_cli.store import Archive

PROBE = """
import json, sys, threading, time
from pathlib import Path
from whrd_cli.storage import light

seen = {}
real_read, real_sealed = light._read, light._sealed


def alive():
    return [t.name for t in threading.enumerate() if t.name == "whrd-imports" and t.is_alive()]


def read(path):
    time.sleep(0.5)  # a slow disk: the GIL let go, as a real read does
    seen["imported during the read"] = [m for m in light._AHEAD if m in sys.modules]
    return real_read(path)


def sealed(*args):
    seen["thread when a child is forked"] = alive()
    return real_sealed(*args)


light._read, light._sealed = read, sealed
found = light.load(Path(sys.argv[1]))
seen["read light"] = found is not None
seen["thread after"] = alive()
print(json.dumps(seen))
"""


def probe(db: Path) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE, str(db)], capture_output=True, text=True, check=True)
    return dict(json.loads(done.stdout))


def test_the_modules_a_light_read_needs_next_are_imported_while_it_reads(db: Path) -> None:
    Archive(db).add_many([bulletin(*row) for row in CORPUS])
    # (whether the thread has begun before the read starts is up to the GIL: not asserted)
    assert probe(db) == {
        "imported during the read": ["hashlib", "orjson"],
        "read light": True,
        "thread after": [],
    }


WATCHED = (
    "import os, sys, runpy, threading\n"
    "from whrd_cli import workers\n"
    "from whrd_cli.storage import light, light_sealed, names\n"
    "light_sealed.APART = names.MAPPED = 1000\n"  # a small archive takes the big-archive path
    "workers.cores = lambda: 2\n"
    "real = light._sealed\n"
    "def sealed(*args):\n"
    "    alive = [t.name for t in threading.enumerate() if t.name == 'whrd-imports' and t.is_alive()]\n"
    "    print('forks beside:', alive, file=sys.stderr)\n"
    "    return real(*args)\n"
    "light._sealed = sealed\n"
    "sys.argv = ['whrd', *sys.argv[1:]]\n"
    "runpy.run_module('whrd_cli', run_name='__main__')\n"
)


def test_no_import_thread_is_alive_when_a_child_is_forked_to_decrypt(tmp_path: Path) -> None:
    """A fork copies only the thread that forks, with every lock as it was: a child forked while
    an import ran in another thread could wait forever on that import's locks."""
    from processes import whrd_process
    from whrd_cli.model import Bulletin

    db = tmp_path / "archive.json"
    Archive(db).add_many(
        [Bulletin.create(title=f"Boletín {n}", date="2024-03-01", summary="ñandú " * 50) for n in range(40)]
    )
    secret = "una frase de paso larga 2026"
    assert whrd_process(db, "encrypt", passphrases=(secret,)).returncode == 0
    done = whrd_process(
        db, "add", "--title", "Amenazas en Olancho", "--date", "2024-05-05", passphrases=(secret,) * 3,
        program=("-c", WATCHED),
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "forks beside: []" in done.stderr
