"""`whrd remote add|list|remove` (no server needed): remotes kept in the archive's meta, logins
kept outside it (a 0600 file, or ~/.netrc) and never printed; URLs checked; the replication id
as documented; where a sync resumes from two checkpoints (CouchDB's rule)."""

from __future__ import annotations

import hashlib
import json
import os
import stat
from pathlib import Path

import pytest

from conftest import Run
from sync_helpers import Coordinator
from whrd_cli.sync.checkpoint import advanced, replication_id, start_seq
from whrd_cli.sync.http import parse_url, redact


@pytest.fixture
def ana(run: Run, tmp_path: Path) -> Coordinator:
    return Coordinator(run, tmp_path / "ana.json")


def _credentials(tmp_path: Path) -> Path:
    return tmp_path / "credentials.json"  # beside $WHRD_CONFIG (conftest: tmp_path/config.toml)


def test_a_password_in_the_url_moves_out_of_the_archive(ana: Coordinator, tmp_path: Path) -> None:
    out = ana.ok("remote", "add", "hub", "https://ana:s3cr%3At@couch.example.org:6984/network/")
    path = _credentials(tmp_path)
    assert out.stderr.strip() == (
        "Added the remote hub: https://couch.example.org:6984/network. "
        f"The password in the URL was moved to {path} (only you can read it)."
    )
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    archive_id = ana.tables()["meta"]["1"]["uid"]
    stored = json.loads(path.read_text())
    assert stored["archives"] == {archive_id: {"hub": {"user": "ana", "password": "s3cr:t"}}}
    raw = ana.path.read_bytes()
    assert b"s3cr" not in raw
    assert b"ana@" not in raw
    assert ana.tables()["meta"]["1"]["remotes"]["hub"]["url"] == "https://couch.example.org:6984/network"
    listed = ana.ok("remote", "list")
    assert "s3cr" not in listed.stdout + listed.stderr
    assert listed.stdout == "hub\thttps://couch.example.org:6984/network\teverything\tno\tkept\t-\n"


def test_a_login_asked_on_a_terminal(ana: Coordinator, tmp_path: Path, stdin_terminal: None) -> None:
    out = ana.ok("remote", "add", "hub", "http://localhost:5984/network", input="bea\nhunter2\n")
    assert "hunter2" not in out.stdout + out.stderr
    stored = json.loads(_credentials(tmp_path).read_text())["archives"]
    assert list(stored.values()) == [{"hub": {"user": "bea", "password": "hunter2"}}]
    assert b"hunter2" not in ana.path.read_bytes()


def test_no_login_asked_off_a_terminal_and_netrc_is_read(
    ana: Coordinator, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ana.ok("remote", "add", "hub", "http://couch.example.org:5984/network")
    assert not _credentials(tmp_path).exists()
    assert ana.json("remote", "list")[0]["login"] is None
    netrc = tmp_path / "netrc"
    netrc.write_text("machine couch.example.org login cris password from-netrc\n")
    netrc.chmod(0o600)
    monkeypatch.setenv("NETRC", str(netrc))
    (listed,) = ana.json("remote", "list")
    assert listed == {
        "name": "hub",
        "url": "http://couch.example.org:5984/network",
        "countries": [],
        "categories": [],
        "private": False,
        "login": "netrc",
        "last_sync": None,
    }
    from whrd_cli.sync.remote_login import login_for

    login = login_for("any-archive", "hub", "couch.example.org")
    assert login is not None
    assert (login.user, login.password) == ("cris", "from-netrc")
    assert "from-netrc" not in repr(login)


def test_filters_and_private_are_kept(ana: Coordinator) -> None:
    ana.ok(
        "remote",
        "add",
        "hn",
        "http://localhost:5984/hn",
        "--only-country",
        "Honduras",
        "--only-country",
        "gt",
        "--only-category",
        "#WHRDAlert",
        "--private",
    )
    (listed,) = ana.json("remote", "list")
    assert (listed["countries"], listed["categories"], listed["private"]) == (["GT", "HN"], ["alert"], True)
    assert ana.ok("remote", "list").stdout.split("\t")[2:4] == ["Guatemala, Honduras · Alert", "yes"]


def test_remove_forgets_the_remote_its_login_and_checkpoints(ana: Coordinator, tmp_path: Path) -> None:
    ana.ok("remote", "add", "hub", "http://u:p@localhost:5984/a")
    ana.ok("remote", "add", "other", "http://v:q@localhost:5984/b")
    from whrd_cli.store import Archive
    from whrd_cli.sync.remote import save_local_checkpoint

    archive = Archive(ana.path)
    save_local_checkpoint(archive, "abc", {"session_id": "s", "source_last_seq": 3}, remote="hub")
    save_local_checkpoint(archive, "def", {"session_id": "t", "source_last_seq": 4}, remote="other")
    out = ana.ok("remote", "remove", "hub")
    assert out.stderr.strip() == "Removed the remote hub (http://localhost:5984/a)."
    meta = ana.tables()["meta"]["1"]
    assert list(meta["remotes"]) == ["other"]
    assert list(meta["sync"]) == ["def"]
    assert list(json.loads(_credentials(tmp_path).read_text())["archives"].values()) == [
        {"other": {"user": "v", "password": "q"}}
    ]
    result = ana.run("remote", "remove", "hub")
    assert result.exit_code == 1
    assert result.stderr.strip() == "Error: The archive has no remote named 'hub'; its remotes: other."


@pytest.mark.parametrize(
    ("name", "url", "message"),
    [
        (
            "hub",
            "ftp://host/db",
            "'ftp://host/db' is not a server URL: write it as https://host:port/database.",
        ),
        (
            "hub",
            "https://host:5984",
            "'https://host:5984' names no database: add its name, as in https://host:port/database.",
        ),
        (
            "hub",
            "https://host/db?x=1",
            "'https://host/db?x=1' has a query or fragment; write only https://host:port/database.",
        ),
        (
            "hub",
            "https://u:pw@host:99999/db",
            "'https://u:***@host:99999/db' is not a valid URL: the port is not a number from 1 to 65535.",
        ),
        (
            "a/b",
            "https://host/db",
            "'a/b' cannot name a remote: use up to 40 letters, digits, '.', '_' or '-', "
            "starting with a letter or digit.",
        ),
        ("hub", "https://host/db", "Unknown country 'Atlantis'."),
    ],
)
def test_bad_remotes_are_refused_and_nothing_is_written(
    ana: Coordinator, name: str, url: str, message: str
) -> None:
    extra = ["--only-country", "Atlantis"] if "Atlantis" in message else []
    result = ana.run("remote", "add", name, url, *extra)
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: {message}")
    assert not ana.path.exists()


def test_a_name_already_taken(ana: Coordinator) -> None:
    ana.ok("remote", "add", "hub", "https://host/db")
    result = ana.run("remote", "add", "hub", "https://other/db")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        "Error: The archive already has a remote named 'hub'; remove it first ('whrd remote remove hub')."
    )


def test_a_credentials_file_others_can_read_is_refused(ana: Coordinator, tmp_path: Path) -> None:
    ana.ok("remote", "add", "hub", "https://u:p@host/db")
    path = _credentials(tmp_path)
    os.chmod(path, 0o644)
    result = ana.run("sync")
    assert result.exit_code == 1
    assert result.stderr.strip() == (
        f"Error: {path} can be read by other users; whrd will not use it. Run: chmod 600 {path}"
    )


def test_sync_without_remotes(ana: Coordinator) -> None:
    ana.add("Alone", "2024-01-01")
    result = ana.run("sync")
    assert result.exit_code == 1
    assert (
        result.stderr.strip()
        == "Error: The archive has no remotes yet; add one with 'whrd remote add NAME URL'."
    )


def test_url_parsing_and_redaction() -> None:
    endpoint, user, password = parse_url("HTTPS://Ana%40ong:p%2Fw@[::1]:6984/couch/net/")
    assert (endpoint.url, user, password) == ("https://[::1]:6984/couch/net", "Ana@ong", "p/w")
    assert parse_url("http://h/db")[0].url == "http://h/db"
    assert parse_url("https://h:443/db")[0].url == "https://h/db"
    assert redact("https://ana:secret@h/db") == "https://ana:***@h/db"
    assert redact("https://h/db") == "https://h/db"


def _documented_id(*parts: object) -> str:
    """The docstring's recipe, written out here (json.dumps with sort_keys, compact, UTF-8; md5)."""
    text = json.dumps(list(parts), sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.md5(text.encode("utf-8")).hexdigest()


def test_the_replication_id_is_the_documented_one() -> None:
    got = replication_id(
        "a1", "https://h/db", countries=["HN", "GT"], categories=["alert"], private=True, direction="push"
    )
    assert got == _documented_id("whrd-sync", 1, "a1", "https://h/db", ["GT", "HN"], ["alert"], True, "push")
    assert replication_id("a1", "https://h/db", direction="pull") != replication_id(
        "a1", "https://h/db", direction="push"
    )
    assert replication_id("a1", "https://h/db", direction="pull") != replication_id(
        "a1", "https://h/db", countries=["HN"], direction="pull"
    )


def _cp(session: str, seq: object, *history: tuple[str, object]) -> dict[str, object]:
    return {
        "session_id": session,
        "source_last_seq": seq,
        "history": [{"session_id": s, "recorded_seq": q} for s, q in ((session, seq), *history)],
    }


@pytest.mark.parametrize(
    ("source", "target", "expected"),
    [
        (None, None, None),
        (_cp("s1", 7), None, None),  # the target lost its checkpoint: from the start
        (_cp("s1", 7), _cp("s1", 7), 7),
        (_cp("s2", 9, ("s1", 7)), _cp("s1", 7), 7),  # killed after the source's write
        (_cp("s1", 7), _cp("s2", 9, ("s1", 7)), 7),  # killed after the target's write
        (_cp("s3", 12, ("s2", 9), ("s1", 7)), _cp("s4", 5, ("s1", 7)), 7),  # newest shared session
        (_cp("s2", 9), _cp("s1", 7), None),  # nothing in common
    ],
)
def test_where_a_sync_resumes(source: object, target: object, expected: object) -> None:
    assert start_seq(source, target) == expected  # type: ignore[arg-type]


def test_a_checkpoint_keeps_fifty_sessions_newest_first() -> None:
    doc = None
    for n in range(60):
        doc = advanced(doc, f"s{n}", n, "2024-01-01T00:00:00Z")
        doc = advanced(doc, f"s{n}", n + 0.5, "2024-01-01T00:00:01Z")  # same session: replaced
    assert doc is not None
    assert [e["session_id"] for e in doc["history"]] == [f"s{n}" for n in range(59, 9, -1)]
    assert doc["source_last_seq"] == 59.5


def test_remote_list_as_a_table_on_a_terminal(ana: Coordinator, stdout_terminal: None) -> None:
    ana.ok("remote", "add", "hub", "https://u:secret-pw@couch.example.org/network", "--only-country", "HN")
    out = ana.ok("remote", "list").stdout
    cells = ("Name", "Last sync", "hub", "https://couch.example.org/network", "Honduras", "kept", "never")
    assert [cell for cell in cells if cell not in out] == []
    assert "secret-pw" not in out


def test_no_progress_display_off_a_terminal() -> None:
    from whrd_cli.cli.sync_cmd import _progress

    with _progress("hub") as update:
        assert update is None  # stderr is captured here, not a terminal
