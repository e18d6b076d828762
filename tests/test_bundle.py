"""Offline bundles and `whrd merge` (issue 18): a bundle written by one archive merges into
another with the sync rules; a JSON export and an archive file merge too; hostile files are
refused in one line, exit 1, the archive untouched; encrypted bundles and encrypted archives.

Oracles: the bundle's bytes read with json and pyrage (not whrd's reader), the archive file's
bytes before and after, titles and revs compared across two archives, exit codes and stderr.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

from tests.conftest import Run

SRC = Path(__file__).resolve().parents[1] / "src"
PASS = "correct horse battery staple"


def two(run: Run, tmp_path: Path) -> tuple[Path, Path]:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    run.ok("--db", str(a), "add", "--title", "Defensora detenida", "-d", "2024-03-01", "-c", "HN", "-l", "es")
    run.ok("--db", str(a), "add", "--title", "Radio cerrada", "-d", "2024-03-02", "-c", "GT", "-l", "es")
    run.ok("--db", str(a), "add", "--title", "Borrada", "-d", "2024-03-03", "-c", "HN", "-l", "es")
    run.ok("--db", str(a), "edit", "1", "--title", "Defensora liberada")
    run.ok("--db", str(a), "delete", "3", "--yes")
    return a, b


def lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_bytes().splitlines() if line.strip()]


def test_a_bundle_carries_every_leaf_and_merges_the_same_everywhere(run: Run, tmp_path: Path) -> None:
    a, b = two(run, tmp_path)
    out = tmp_path / "w.whrdb"
    result = run.ok("--db", str(a), "export", "-f", "bundle", "-o", str(out))
    assert "Wrote 3 versions (bundle)" in result.stderr
    header, *docs = lines(out)
    assert header["whrd_bundle"] == 1 and header["docs"] == 3
    assert sorted(d["_rev"][:2] for d in docs) == ["1-", "2-", "2-"]
    assert sum(1 for d in docs if d.get("_deleted")) == 1
    assert oct(out.stat().st_mode & 0o777) == "0o600"
    dry = run.ok("--db", str(b), "merge", str(out), "--dry-run")
    assert "Would add 2, update 0" in dry.stderr and not b.exists()
    report = json.loads(run.ok("--db", str(b), "merge", str(out), "--yes", "--json").stdout)
    assert len(report["added"]) == 2 and report["written"] is True
    ours = {x["uid"]: (x["title"], x["rev"]) for x in run.json("--db", str(a), "list")}
    theirs = {x["uid"]: (x["title"], x["rev"]) for x in run.json("--db", str(b), "list")}
    assert ours == theirs
    again = run.ok("--db", str(b), "merge", str(out), "--yes")
    assert "Nothing to merge" in again.stderr
    # The deletion travelled too: merged into an archive that still has the bulletin, it goes.
    c = tmp_path / "c.json"
    run.ok("--db", str(c), "merge", str(a), "--yes")  # an archive file, merged as it is
    assert len(run.json("--db", str(c), "list")) == 2


def test_filters_narrow_a_bundle(run: Run, tmp_path: Path) -> None:
    a, _b = two(run, tmp_path)
    out = tmp_path / "hn.whrdb"
    run.ok("--db", str(a), "export", "-f", "bundle", "-c", "HN", "-o", str(out))
    _header, *docs = lines(out)
    assert {d.get("title") for d in docs} == {"Defensora liberada", None}  # and the HN tombstone


def test_a_json_export_merges_with_its_revs_kept(run: Run, tmp_path: Path) -> None:
    a, b = two(run, tmp_path)
    out = tmp_path / "x.json"
    run.ok("--db", str(a), "export", "-f", "json", "-o", str(out))
    run.ok("--db", str(b), "merge", str(out), "--yes")
    assert {x["rev"] for x in run.json("--db", str(b), "list")} == {
        x["rev"] for x in json.loads(out.read_text())
    }
    jsonl = tmp_path / "x.jsonl"
    run.ok("--db", str(a), "export", "-f", "jsonl", "-o", str(jsonl))
    assert "Nothing to merge" in run.ok("--db", str(b), "merge", str(jsonl), "--yes").stderr


def test_merge_asks_on_a_terminal(run: Run, tmp_path: Path, stdin_terminal: None) -> None:
    a, b = two(run, tmp_path)
    out = tmp_path / "w.whrdb"
    run.ok("--db", str(a), "export", "-o", str(out))
    result = run("--db", str(b), "merge", str(out), input="n\n")
    assert result.exit_code == 1 and "Would add 2" in result.stderr and not b.exists()
    result = run("--db", str(b), "merge", str(out), input="y\n")
    assert result.exit_code == 0 and len(run.json("--db", str(b), "list")) == 2


def hostile(tmp_path: Path, good: bytes) -> dict[str, bytes]:
    docs = b"\n".join(
        json.dumps({"_id": f"{k:032x}", "_rev": "1-a", "type": "other"}).encode() for k in range(100_000)
    )
    return {
        "truncated": good[: len(good) // 2],
        "cut-at-a-line": b"\n".join(good.split(b"\n")[:2]) + b"\n",
        "not-a-bundle": b"hello, this is a note\n",
        "binary": os.urandom(4096),
        "newer": b'{"whrd_bundle": 2, "docs": 0}\n',
        "bad-header": b'{"whrd_bundle": "x"}\n',
        "age-garbage": b"age-encryption.org/v1\n-> X25519 nonsense\n---\n" + os.urandom(64),
        "deep": b"[" * 100_000 + b"]" * 100_000,
        "empty": b"",
        "100k-foreign-docs": b'{"whrd_bundle": 1, "docs": 100000}\n' + docs + b"\n",
    }


def test_hostile_files_are_refused_in_one_line_and_the_archive_is_untouched(run: Run, tmp_path: Path) -> None:
    a, b = two(run, tmp_path)
    good = tmp_path / "good.whrdb"
    run.ok("--db", str(a), "export", "-o", str(good))
    run.ok("--db", str(b), "add", "--title", "Mía", "-d", "2024-01-01")
    before = b.read_bytes()
    for name, data in hostile(tmp_path, good.read_bytes()).items():
        path = tmp_path / f"{name}.whrdb"
        path.write_bytes(data)
        result = run("--db", str(b), "merge", str(path), "--yes")
        err = result.stderr.strip()
        if name == "100k-foreign-docs":  # a bundle, but none of it is whrd's: nothing to merge
            assert result.exit_code == 0 and "Nothing to merge" in err, (name, err)
            continue
        assert result.exit_code == 1, (name, result.exit_code, err)
        assert err.startswith("Error: ") and "\n" not in err and "Traceback" not in err, (name, err)
        assert b.read_bytes() == before, name
    assert "truncated" in run("--db", str(b), "merge", str(tmp_path / "truncated.whrdb")).stderr
    assert "newer whrd" in run("--db", str(b), "merge", str(tmp_path / "newer.whrdb")).stderr
    es = run("--db", str(b), "merge", str(tmp_path / "newer.whrdb"), env={"WHRD_LANG": "es"})
    assert "más reciente" in es.stderr
    missing = run("--db", str(b), "merge", str(tmp_path / "nope.whrdb"))
    assert missing.exit_code == 1 and "No such file" in missing.stderr


def test_a_bundle_encrypted_to_a_recipient_opens_with_that_identity_only(run: Run, tmp_path: Path) -> None:
    from pyrage import decrypt, x25519

    a, b = two(run, tmp_path)
    ident = x25519.Identity.generate()
    key = tmp_path / "me.key"
    key.write_text(f"# created by a test\n{ident}\n")
    out = tmp_path / "w.whrdb"
    run.ok("--db", str(a), "export", "-f", "bundle", "-o", str(out), "--encrypt-to", str(ident.to_public()))
    data = out.read_bytes()
    assert data.startswith(b"age-encryption.org/v1") and b"Defensora" not in data
    assert json.loads(bytes(decrypt(data, [ident])).split(b"\n")[0])["docs"] == 3
    refused = run("--db", str(b), "merge", str(out), "--yes")
    assert refused.exit_code == 1 and "keys this archive does not hold" in refused.stderr
    other = tmp_path / "other.key"
    other.write_text(f"{x25519.Identity.generate()}\n")
    wrong = run("--db", str(b), "merge", str(out), "--yes", "--identity", str(other))
    assert wrong.exit_code == 1 and "does not hold" in wrong.stderr
    run.ok("--db", str(b), "merge", str(out), "--yes", "--identity", str(key))
    assert len(run.json("--db", str(b), "list")) == 2


def whrd(db: Path, *args: str, passphrase: str | None = None) -> subprocess.CompletedProcess[str]:
    """A real whrd process, the passphrase on a pipe (fd 3)."""
    env = {k: v for k, v in os.environ.items() if k != "XDG_RUNTIME_DIR"}
    env["PYTHONPATH"] = str(SRC)
    command = [sys.executable, "-m", "whrd_cli", "--db", str(db)]
    fds: tuple[int, ...] = ()
    if passphrase is not None:
        read, write = os.pipe()
        os.write(write, f"{passphrase}\n".encode())
        os.close(write)
        command += ["--passphrase-fd", str(read)]
        fds = (read,)
    try:
        return subprocess.run(
            [*command, *args], capture_output=True, text=True, env=env, pass_fds=fds, timeout=120, check=False
        )
    finally:
        for fd in fds:
            os.close(fd)


def _identity(db: Path) -> Any:
    """An encrypted archive's identity, unwrapped with pyrage itself (not whrd's code)."""
    from pyrage import passphrase, x25519

    text = passphrase.decrypt(db.with_name(db.name + ".key.age").read_bytes(), PASS).decode()
    return x25519.Identity.from_str(text.strip())


def test_encrypted_archives_exchange_bundles_as_ciphertext(tmp_path: Path) -> None:
    import pyrage

    a, b, c = tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"
    assert (
        whrd(a, "add", "--title", "Defensora zapoteca", "-d", "2024-03-01", "--private", "nota").returncode
        == 0
    )
    assert whrd(a, "encrypt", passphrase=PASS).returncode == 0
    assert whrd(b, "add", "--title", "Otra", "-d", "2024-03-02").returncode == 0
    assert whrd(b, "encrypt", passphrase=PASS).returncode == 0
    # B's key among A's recipients: A's bundles open in B.
    done = whrd(a, "recipients", "add", str(_identity(b).to_public()), passphrase=PASS)
    assert done.returncode == 0, done.stderr
    out = tmp_path / "w.whrdb"
    done = whrd(a, "export", "-f", "bundle", "-o", str(out), passphrase=PASS)
    assert done.returncode == 0, done.stderr
    data = out.read_bytes()
    assert data.startswith(b"age-encryption.org/v1") and b"zapoteca" not in data
    _header, doc = bytes(pyrage.decrypt(data, [_identity(b)])).split(b"\n")[:2]
    assert json.loads(doc)["title"] == "Defensora zapoteca" and "private" not in json.loads(doc)
    done = whrd(b, "merge", str(out), "--yes", passphrase=PASS)
    assert done.returncode == 0 and "1 added" in done.stderr, done.stderr
    raw = b.read_bytes()
    assert raw.startswith(b"age-encryption.org/v1") and b"zapoteca" not in raw
    titles = {x["title"] for x in json.loads(whrd(b, "list", "--json", passphrase=PASS).stdout)}
    assert titles == {"Defensora zapoteca", "Otra"}
    # An encrypted archive file merges into a plain one with its own passphrase (its key beside it).
    done = whrd(c, "merge", str(a), "--yes", passphrase=PASS)
    assert done.returncode == 0, done.stderr
    listed = json.loads(whrd(c, "list", "--json", "--private").stdout)
    assert [(x["title"], x["private"]) for x in listed] == [("Defensora zapoteca", "nota")]
    # A third archive holding none of the keys is refused in one line.
    d = tmp_path / "d.json"
    assert whrd(d, "add", "--title", "Sola", "-d", "2024-03-02").returncode == 0
    assert whrd(d, "encrypt", passphrase=PASS).returncode == 0
    refused = whrd(d, "merge", str(out), "--yes", passphrase=PASS)
    assert refused.returncode == 1 and "keys this archive does not hold" in refused.stderr
