"""The encrypted archive's rows of `run.py` (issue 16): every command on an age-encrypted copy of
the N archive with an unlocked session, beside the same command on the plain archive in the
same rounds; the check is the ratio, encrypted ÷ plain ≤ 1.3×.

The copy is encrypted with `whrd encrypt` (a passphrase on a pipe, `--passphrase-fd`), unlocked
with `whrd unlock` into a private `$XDG_RUNTIME_DIR` on a tmpfs (`/dev/shm`), and its search index
built there by one search, as a coordinator's first search of the day would. Writes run on a
fresh copy each time, as the plain rows do: a hard link of the encrypted archive (its inode, so
the session's index stays fresh for it), its identity file, and a session of its own (the same
unwrapped identity under the copy's session name, and a copy of the index).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

PASSPHRASE = "bench passphrase, five words long"
TARGET = 1.3
PREFIX = "encrypted: "
TMPFS = Path("/dev/shm")


def session_name(archive: Path) -> str:
    """The session files' name of an archive: sha256 of its real path, 24 hex digits (as whrd's
    `crypto.session.archive_id`; written out here so the bench does not import whrd)."""
    return hashlib.sha256(os.path.realpath(archive).encode("utf-8", "surrogateescape")).hexdigest()[:24]


def _whrd(whrd: list[str], db: Path, args: list[str], env: dict[str, str], passphrase: bool = False) -> None:
    command = [*whrd, "--db", str(db)]
    fds: tuple[int, ...] = ()
    read = None
    if passphrase:
        read, write = os.pipe()
        os.write(write, (PASSPHRASE + "\n").encode())
        os.close(write)
        command += ["--passphrase-fd", str(read)]
        fds = (read,)
    try:
        done = subprocess.run(
            [*command, *args], env=env, capture_output=True, text=True, pass_fds=fds, check=False
        )
    finally:
        if read is not None:
            os.close(read)
    if done.returncode != 0:
        raise RuntimeError(f"whrd {' '.join(args)}: exit {done.returncode}: {done.stderr.strip()}")


class Encrypted:
    """One size's encrypted archive, its session folder, and the rows measured on it."""

    def __init__(self, size: int, archive: Path, work: Path, whrd: list[str], env: dict[str, str]) -> None:
        self.size = size
        self.whrd = whrd
        self.runtime = Path(tempfile.mkdtemp(prefix="whrd-bench-xdg-", dir=TMPFS))
        self.env = {**env, "XDG_RUNTIME_DIR": str(self.runtime)}
        self.sessions = self.runtime / "whrd"
        self.archive = work / f"enc-{size}.json"
        try:
            self._prepare(archive, work, whrd, env)
        except BaseException:
            self.close()
            raise

    def _prepare(self, archive: Path, work: Path, whrd: list[str], env: dict[str, str]) -> None:
        remove(self.archive, self.sessions)
        shutil.copyfile(archive, self.archive)
        _whrd(whrd, self.archive, ["encrypt"], self.env, passphrase=True)
        _whrd(whrd, self.archive, ["unlock", "--for", "12h"], self.env, passphrase=True)
        _whrd(whrd, self.archive, ["search", "defensoras", "--limit", "1"], self.env)  # the tmpfs index
        # An encrypted archive with no bulletin, for the import row: one added, then deleted.
        self.empty = work / f"enc-empty-{self.size}.json"
        remove(self.empty, self.sessions)
        _whrd(whrd, self.empty, ["add", "--title", "Bench seed", "--date", "2020-01-01", "--lang", "en"], env)
        _whrd(whrd, self.empty, ["encrypt"], self.env, passphrase=True)
        _whrd(whrd, self.empty, ["unlock", "--for", "12h"], self.env, passphrase=True)
        _whrd(whrd, self.empty, ["delete", "1", "--yes", "--purge"], self.env)
        for backup in self.empty.parent.glob(f"{self.empty.name}.bak*"):
            backup.unlink()
        self.empty_bytes = self.empty.read_bytes()

    def copy_for_write(self, copy: Path) -> Callable[[], None]:
        """Before each run: `copy` is the encrypted archive again, with its own open session."""

        def reset() -> None:
            remove(copy, self.sessions)
            try:
                os.link(self.archive, copy)
            except OSError:
                copy_at_rest(self.archive, copy)
            copy_at_rest(key(self.archive), key(copy))
            own, theirs = session_name(self.archive), session_name(copy)
            shutil.copyfile(self.sessions / f"{own}.key", self.sessions / f"{theirs}.key")
            index = self.sessions / f"{own}.search.sqlite"
            if index.exists():
                copy_at_rest(index, self.sessions / f"{theirs}.search.sqlite")

        return reset

    def empty_archive(self, target: Path) -> Callable[[], None]:
        """Before each run: `target` is the empty encrypted archive, with its session, no index."""
        shutil.copyfile(key(self.empty), key(target))
        shutil.copyfile(
            self.sessions / f"{session_name(self.empty)}.key", self.sessions / f"{session_name(target)}.key"
        )

        def reset() -> None:
            for stale in _files_of(target, self.sessions, keep_session=True):
                stale.unlink(missing_ok=True)
            target.write_bytes(self.empty_bytes)
            target.chmod(0o600)

        return reset

    def close(self) -> None:
        shutil.rmtree(self.runtime, ignore_errors=True)


def key(archive: Path) -> Path:
    return archive.with_name(archive.name + ".key.age")


def _files_of(archive: Path, sessions: Path, *, keep_session: bool = False) -> list[Path]:
    name = session_name(archive)
    found = [
        archive,
        archive.with_name(archive.name + ".lock"),
        archive.with_name(archive.name + ".search.sqlite"),
        *archive.parent.glob(f"{archive.name}.bak*"),
        *archive.parent.glob(f".{archive.name}.whrd-tmp-*"),
    ]
    if sessions.is_dir():
        found += [p for p in sessions.iterdir() if p.name.startswith((name, f".{name}"))]
    if keep_session:
        found = [p for p in found if p.name != f"{name}.key"]
    else:
        found.append(key(archive))
    return found


def copy_at_rest(source: Path, target: Path) -> None:
    """Copy `source` to `target` and flush it to disk before the timed run.

    A fresh copy is dirty in the page cache; the first fsync of that file in the timed command
    (SQLite's commit of the search index, for one) would then write all of it, tens of ms at 10k
    and ~45 ms at 100k, which a user's index, long at rest on disk, never costs.
    """
    shutil.copyfile(source, target)
    with open(target, "rb") as fh:
        os.fsync(fh.fileno())


def remove(archive: Path, sessions: Path) -> None:
    """Remove an archive of this bench, its identity file, backups, temp files and session."""
    for stale in _files_of(archive, sessions):
        stale.unlink(missing_ok=True)


def encrypted_rows(plain: list[Any], enc: Encrypted, work: Path) -> list[dict[str, Any]]:
    """For each whrd row of the plain table that reads or writes the archive: the same command
    on the encrypted archive (as keyword arguments of `run.Case`)."""
    rows = []
    for case in plain:
        if case.kind != "whrd" or not case.reads_archive:
            continue
        argv = list(case.argv)
        at = argv.index("--db") + 1
        setup: Callable[[], None] | None = None
        if case.name.startswith("whrd import --on-duplicate"):
            continue  # replaces every bulletin of a plain archive: issue 16 sets no row for it
        if case.name.startswith("whrd import"):
            target = work / f"enc-import-{enc.size}.json"
            setup = enc.empty_archive(target)
        elif case.setup is not None and "(into a copy)" in case.name:
            target = work / f"enc-{Path(argv[at]).name}"
            setup = enc.copy_for_write(target)
        else:
            target = enc.archive
        argv[at] = str(target)
        # An export's output file: its own name, so the plain row's is never the encrypted one's.
        outputs = [i for i, a in enumerate(argv) if i != at and a.startswith(str(work))]
        for i in outputs:
            argv[i] = _enc_output(argv[i])
        if outputs:
            setup = _removing([Path(argv[i]) for i in outputs])
        rows.append(
            {
                "name": PREFIX + case.name,
                "argv": argv,
                "kind": "enc",
                "needs": case.needs,
                "setup": setup,
                "target": f"≤ {TARGET}× plain",
                "reference": case.name,
                "rss_file": target,
                "max_runs": case.max_runs,
                "env": {**(case.env or {}), "XDG_RUNTIME_DIR": enc.env["XDG_RUNTIME_DIR"]},
            }
        )
    return rows


def _enc_output(path: str) -> str:
    p = Path(path)
    return str(p.with_name(f"enc-{p.name}"))


def _removing(outputs: list[Path]) -> Callable[[], None]:
    def reset() -> None:
        for out in outputs:
            out.unlink(missing_ok=True)

    return reset


def table(section: Any) -> list[str]:
    """The encrypted rows beside their plain rows of the same rounds: medians and the ratio."""
    rows = [r for r in section.rows if r.case.kind == "enc"]
    if not rows:
        return []
    lines = [
        f"Encrypted archive at {section.size:,} bulletins (age; session unlocked, its search index in "
        "tmpfs), beside the plain archive in the same rounds:",
        "",
        "| command | plain | encrypted | encrypted ÷ plain | peak RSS plain / encrypted | met (≤ "
        f"{TARGET}×) |",
        "|---|---:|---:|---:|---:|:-:|",
    ]
    for row in rows:
        plain = section.row(row.case.reference)
        name = row.case.reference
        if row.status != "ok" or plain is None or plain.status != "ok":
            note = row.note if row.status != "ok" else "no plain row"
            lines.append(f"| {name} | | {row.status} ({note}) | | | |")
            continue
        ratio = row.median / plain.median if plain.median else None
        met = "" if ratio is None else ("yes" if ratio <= TARGET else "**no**")
        shown = "" if ratio is None else f"{ratio:.2f}×"
        rss = f"{plain.peak_rss_mb:.0f} / {row.peak_rss_mb:.0f} MB"
        lines.append(f"| {name} | {_fmt(plain.median)} | {_fmt(row.median)} | {shown} | {rss} | {met} |")
    return lines


def _fmt(seconds: float | None) -> str:
    if seconds is None:
        return ""
    return f"{seconds * 1000:.0f} ms" if seconds < 1 else f"{seconds:.2f} s"
