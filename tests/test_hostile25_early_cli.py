"""Hostile review (session 25) of 0c4e9d8 (`crypto.early`), through real `whrd` processes whose
thresholds are lowered (the `KILL` preamble, as `test_hostile20_sealed.LOW`): SIGKILLed at each point
of an early append (each child prints where it dies just before `os.kill`), eight at once, and
every refusal as one clean line in English and Spanish. The archive and its oracles are
`test_hostile25_early`'s."""

from __future__ import annotations

import json
import os
import signal
import time
from pathlib import Path
from typing import Any

import orjson
import pyrage
import pytest
from pyrage import x25519
from tests.corpus import CORPUS, bulletin
from tests.test_crypto_early import _gone
from tests.test_hostile25_early import ATTR, assert_appended, make_sealed, plain_text, temps, took

from marks import sha_mark
from processes import whrd_process
from whrd_cli.crypto import keys
from whrd_cli.errors import ArchiveError
from whrd_cli.store import Archive


@pytest.fixture
def sealed(
    db: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    return make_sealed(db, runtime, monkeypatch, tmp_path_factory)


KILL = r"""
import os, signal, sys, runpy, types
from whrd_cli import workers
from whrd_cli.crypto import early
from whrd_cli.storage import atomic, light, light_sealed, names
light_sealed.APART = names.MAPPED = 1000
workers.cores = lambda: 2
at, db = os.environ.get("KILL_AT", ""), os.path.realpath(os.environ["KILL_DB"])
state = {"early": None, "sent": 0}
def die(where):
    e = state["early"]
    alive = e is not None and e._pid > 0 and os.path.exists(f"/proc/{e._pid}")
    print(f"KILLED-AT {where} pid={e._pid if e else 0} alive={alive}", flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
real_load, real_finish = light.load, light.finish_early
def load(path):
    found = real_load(path)
    if found is not None and found[1].early is not None:
        state["early"] = found[1].early
        if at == "read":
            die("read")
        if at == "sigint-load":  # Ctrl-C as a terminal sends it, to the child and to whrd
            interrupt("load")
    return found
def interrupt(where):
    print(f"SIGINT-AT {where} pid={state['early']._pid}", flush=True)
    os.kill(state["early"]._pid, signal.SIGINT)
    os.kill(os.getpid(), signal.SIGINT)
import whrd_cli.store as store
real_plan = store.plan_adds
def plan_adds(*args, **kwargs):
    if at == "sigint-plan" and state["early"] is not None:
        interrupt("plan")
    return real_plan(*args, **kwargs)
store.plan_adds = plan_adds
def finish_early(*args):
    temp = real_finish(*args)
    print(f"EARLY-USED {temp is not None}", flush=True)
    return temp
light.load, light.finish_early = load, finish_early
class OS(types.ModuleType):
    def __getattr__(self, name):
        return getattr(os, name)
    def write(self, fd, data):
        done = os.write(fd, data)
        state["sent"] += 1
        if at == "send" and state["sent"] == 2:
            die("send")
        return done
    def waitpid(self, pid, options):
        if at == "wait":
            die("wait")
        return os.waitpid(pid, options)
early.os = OS("os")
real_fsync, real_replace = os.fsync, os.replace
def fsync(fd):
    name = os.path.basename(os.readlink(f"/proc/self/fd/{fd}"))
    if at in ("fsync", "eio") and name.startswith("." + os.path.basename(db) + atomic.TMP_MARK):
        if at == "eio":
            raise OSError(5, "Input/output error")
        die("fsync")
    real_fsync(fd)
def replace(src, dst, *a, **k):
    if at in ("rename", "erofs") and os.path.realpath(dst) == db:
        if at == "erofs":
            raise OSError(30, "Read-only file system")
        die("rename")
    real_replace(src, dst, *a, **k)
os.fsync, os.replace = fsync, replace
sys.argv = ["whrd", *sys.argv[1:]]
runpy.run_module("whrd_cli", run_name="__main__")
"""


def cli(db: Path, runtime: Path, *args: str, kill: str = "", es: bool = False, popen: bool = False) -> Any:
    env = {"XDG_RUNTIME_DIR": str(runtime), "WHRD_LOCK_TIMEOUT": "120", "KILL_AT": kill, "KILL_DB": str(db)}
    return whrd_process(db, *args, es=es, env=env, program=("-c", KILL), popen=popen)


def one_clean_line(done: Any) -> None:
    assert done.returncode not in (0, -signal.SIGKILL), (done.returncode, done.stdout, done.stderr)
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr


def _holding(folders: list[Path], text: str) -> list[Path]:
    needles = [text.encode(), json.dumps(text)[1:-1].encode()]
    found = [
        p for f in folders for p in f.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]
    return [
        p
        for p in found
        if "index" not in p.name and not p.name.endswith((".db", ".sqlite", "-wal", "-journal"))
    ]


def _no_orphans(db: Path) -> None:
    for _ in range(100):
        left = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _cmdline_has(p, str(db))]
        if not left:
            return
        time.sleep(0.05)
    raise AssertionError(f"processes of the killed whrd still run: {left}")


def _cmdline_has(proc: Path, text: str) -> bool:
    try:
        return (
            text.encode() in (proc / "cmdline").read_bytes()
            and (proc / "stat").read_text().split(") ")[1][0] != "Z"
        )
    except OSError:
        return False


@pytest.mark.parametrize("point", ["read", "send", "wait", "fsync", "rename"])
def test_a_writer_killed_at_each_point_leaves_old_content_and_no_plain_text(
    sealed: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch, point: str
) -> None:
    before, old = sealed.read_bytes(), plain_text(sealed)
    secret = "Defensora secreta de Intibucá"
    done = cli(
        sealed,
        runtime,
        "add",
        "--title",
        secret,
        "--date",
        "2024-05-05",
        "--summary",
        "x" * 100_000,
        kill=point,
    )
    assert done.returncode == -signal.SIGKILL, (done.stdout, done.stderr)
    assert f"KILLED-AT {point} " in done.stdout, done.stdout  # (the kill landed there)
    if point in ("fsync", "rename"):
        assert "EARLY-USED True" in done.stdout
    if point in ("read", "send", "wait"):  # (the early child was running when its parent died)
        assert "alive=True" in done.stdout, done.stdout
        pid = int(done.stdout.split("pid=")[1].split()[0])
        assert pid > 0
        _gone(pid)
    _no_orphans(sealed)
    assert sealed.read_bytes() == before and plain_text(sealed) == old
    assert os.getxattr(sealed, ATTR) == sha_mark(before)
    assert _holding([sealed.parent, runtime], secret) == []
    assert all(
        p.read_bytes()[:21] == b"age-encryption.org/v1"[: min(21, p.stat().st_size)] for p in temps(sealed)
    )
    used = took(monkeypatch)
    new = bulletin("es", "2024-05-06", "Tras la muerte del escritor")
    Archive(sealed).add(new)
    assert used == [True] and temps(sealed) == []
    assert_appended(sealed, json.loads(old), [new])


def test_eight_appends_at_once_all_land(sealed: Path, runtime: Path) -> None:
    old = json.loads(plain_text(sealed))
    titles = [f'Concurrente {n} «ñ» "q"' for n in range(8)]
    running = [cli(sealed, runtime, "add", "--title", t, "--date", "2024-05-05", popen=True) for t in titles]
    outs = [(p.wait(timeout=120), *p.communicate()) for p in running]
    assert all(code == 0 for code, _out, _err in outs), outs
    tables = json.loads(text := plain_text(sealed))
    assert text == orjson.dumps(tables)
    got = [b["title"] for b in tables["bulletins"].values()][len(old["bulletins"]) :]
    assert sorted(got) == sorted(titles)
    assert sorted(map(int, tables["bulletins"]))[-8:] == list(range(len(CORPUS) + 2, len(CORPUS) + 10))
    assert os.getxattr(sealed, ATTR) == sha_mark(sealed.read_bytes())
    assert temps(sealed) == [] and len(tables["journal"]) == len(old["journal"]) + 8
    _no_orphans(sealed)


@pytest.mark.parametrize("es", [False, True])
def test_a_duplicate_append_is_one_clean_line(sealed: Path, runtime: Path, es: bool) -> None:
    args = ("add", "--title", "Duplicada", "--date", "2024-05-05")
    first = cli(sealed, runtime, *args)
    assert first.returncode == 0 and "EARLY-USED True" in first.stdout, (first.stdout, first.stderr)
    before = sealed.read_bytes()
    done = cli(sealed, runtime, *args, es=es)
    one_clean_line(done)
    assert (
        ("ya" in done.stderr.lower() or "duplic" in done.stderr.lower()) if es else "already" in done.stderr
    )
    assert sealed.read_bytes() == before and temps(sealed) == []
    _no_orphans(sealed)


@pytest.mark.parametrize("es", [False, True])
@pytest.mark.parametrize(
    "fault",
    [
        "eio",
        "erofs",
        "sigint-plan",
        "sigint-load",
    ],
)
def test_a_failed_or_interrupted_cli_append_is_one_clean_line(
    sealed: Path, runtime: Path, fault: str, es: bool
) -> None:
    before = sealed.read_bytes()
    done = cli(sealed, runtime, "add", "--title", "Nunca escrita", "--date", "2024-05-05", kill=fault, es=es)
    one_clean_line(done)
    interrupted = fault.startswith("sigint")
    assert done.returncode == (130 if interrupted else done.returncode)
    assert (f"SIGINT-AT {fault[7:]}" if interrupted else "EARLY-USED True") in done.stdout, done.stdout
    assert sealed.read_bytes() == before and temps(sealed) == []
    _no_orphans(sealed)
    if not interrupted:
        reason = {"eio": ("Input/output", "entrada/salida"), "erofs": ("Read-only", "solo lectura")}[fault]
        assert reason[es] in done.stderr or reason[0] in done.stderr, done.stderr


def test_a_passphrase_asked_once_is_enough(
    sealed: Path, runtime: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No session: the early child's recipients never ask for the passphrase a second time."""
    env = {"WHRD_LOCK_TIMEOUT": "120", "KILL_AT": "", "KILL_DB": str(sealed)}
    done = whrd_process(
        sealed,
        "add",
        "--title",
        "Con frase",
        "--date",
        "2024-05-05",
        passphrases=("a passphrase of five words",),
        env=env,
        program=("-c", KILL),
    )
    assert done.returncode == 0 and "EARLY-USED True" in done.stdout, (done.stdout, done.stderr)
    assert json.loads(plain_text(sealed))["bulletins"][str(len(CORPUS) + 2)]["title"] == "Con frase"
    assert os.getxattr(sealed, ATTR) == sha_mark(sealed.read_bytes())


def _forge_recipient(db: Path, recipient: str) -> bytes:
    """The archive re-encrypted with meta naming `recipient`, marked as whrd would mark it."""
    tables = json.loads(plain_text(db))
    tables["meta"]["1"]["recipients"] = [recipient]
    me = x25519.Identity.from_str(str(keys.identity_for(db))).to_public()
    data = pyrage.encrypt(orjson.dumps(tables), [me])
    db.write_bytes(data)
    os.setxattr(db, ATTR, sha_mark(data))
    return data


@pytest.mark.parametrize("es", [False, True])
def test_a_recipient_that_is_not_an_age_key_is_one_clean_line(sealed: Path, runtime: Path, es: bool) -> None:
    data = _forge_recipient(sealed, "age1notakey-ñ")
    with pytest.raises(ArchiveError):
        Archive(sealed).add(bulletin("es", "2024-05-05", "Nunca escrita"))
    assert sealed.read_bytes() == data and temps(sealed) == []
    done = cli(sealed, runtime, "add", "--title", "Nunca escrita", "--date", "2024-05-05", es=es)
    one_clean_line(done)
    assert (
        ("no es una clave" in done.stderr or "age" in done.stderr)
        if es
        else "not an age public key" in done.stderr
    )
    assert sealed.read_bytes() == data and temps(sealed) == []
