"""Findings of the hostile review of `whrd remote` / `whrd sync` (issue 18), each a test that
failed before its fix: a password never printed whatever characters it holds, a port that cannot
be used refused, a refused login's advice that works when followed, a user name in the URL never
dropped without a word."""

from __future__ import annotations

from pathlib import Path

import pytest

from conftest import Run
from couch_server import CouchServer
from sync_helpers import Coordinator
from whrd_cli.errors import EXIT_REMOTE


@pytest.fixture
def ana(run: Run, tmp_path: Path) -> Coordinator:
    person = Coordinator(run, tmp_path / "ana.json")
    person.add("Something to keep", "2024-01-05")
    return person


# Passwords with the characters a URL gives a meaning to: before the fix, the error for a URL that
# does not parse printed all of "Ab/Cd9" (the redaction looked for '@' only before the first '/'),
# and the reason ("Port could not be cast to integer value as 'Ab'") printed the part before it.
@pytest.mark.parametrize("password", ["Ab/Cd9", "Ab#Cd9", "Ab?Cd9", "Ab@Cd9"])
@pytest.mark.parametrize("lang", ["en", "es"])
def test_a_url_that_does_not_parse_never_shows_its_password(
    ana: Coordinator, monkeypatch: pytest.MonkeyPatch, password: str, lang: str
) -> None:
    monkeypatch.setenv("WHRD_LANG", lang)
    before = ana.path.read_bytes()
    result = ana.run("remote", "add", "hub", f"http://ana:{password}@127.0.0.1:99999/network")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    (line,) = result.stderr.splitlines()
    assert line.startswith("Error: ")
    assert "Ab" not in line and "Cd9" not in line, line
    assert "Traceback" not in result.stderr
    assert ana.path.read_bytes() == before


def test_port_zero_is_refused_not_turned_into_80(ana: Coordinator) -> None:
    before = ana.path.read_bytes()
    result = ana.run("remote", "add", "hub", "http://127.0.0.1:0/network")
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr == (
        "Error: 'http://127.0.0.1:0/network' is not a valid URL: port 0 cannot be used.\n"
    )
    assert ana.path.read_bytes() == before
    assert ana.json("remote", "list") == []


def test_the_refused_login_advice_works_when_followed(ana: Coordinator, couch_server: CouchServer) -> None:
    url = couch_server.create()
    name = url.rsplit("/", 1)[1]
    security = {"members": {"names": ["bob"], "roles": []}, "admins": {"names": [], "roles": []}}
    assert couch_server.request("PUT", f"/{name}/_security", security) == {"ok": True}
    ana.ok("remote", "add", "hub", url.replace("http://", "http://bob:not-his-password@"))
    result = ana.run("sync", "hub")
    assert result.exit_code == EXIT_REMOTE
    assert result.stderr == (
        f"Error: The sync server refused the login for {url} (401): check the user and password "
        "(to change them: 'whrd remote remove NAME', then 'whrd remote add NAME URL').\n"
    )
    # Followed to the letter, the advice now works (before, 'remote add' again was refused).
    right = url.replace("http://", f"http://{couch_server.admin[0]}:{couch_server.admin[1]}@")
    assert ana.run("remote", "add", "hub", right).exit_code == 1  # the name is taken: so remove first
    ana.ok("remote", "remove", "hub")
    ana.ok("remote", "add", "hub", right)
    assert ana.ok("sync", "hub").stderr == "hub: 0 received, 1 sent.\n"


def test_the_same_advice_in_spanish(
    ana: Coordinator, couch_server: CouchServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    url = couch_server.create()
    name = url.rsplit("/", 1)[1]
    security = {"members": {"names": ["bob"], "roles": []}, "admins": {"names": [], "roles": []}}
    assert couch_server.request("PUT", f"/{name}/_security", security) == {"ok": True}
    ana.ok("remote", "add", "hub", url)
    monkeypatch.setenv("WHRD_LANG", "es")
    result = ana.run("sync", "hub")
    assert result.exit_code == EXIT_REMOTE
    assert result.stderr == (
        f"Error: El servidor de sincronización rechazó el inicio de sesión para {url} (401): revise "
        "el usuario y la contraseña (para cambiarlos: 'whrd remote remove NOMBRE' y luego "
        "'whrd remote add NOMBRE URL').\n"
    )


def test_a_user_name_in_the_url_is_not_dropped_silently(ana: Coordinator) -> None:
    # No terminal to ask the password: before the fix, 'ana@' vanished and the remote had no login.
    result = ana.run("remote", "add", "hub", "http://ana@127.0.0.1:5984/network")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [
        "Added the remote hub: http://127.0.0.1:5984/network. The user name ana in the URL was not "
        "kept: without a terminal to ask the password, the login comes from ~/.netrc (or there is none)."
    ]
    assert ana.json("remote", "list")[0]["login"] is None


def _refused_url() -> str:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    return f"http://127.0.0.1:{port}/network"


def test_one_dead_remote_does_not_stop_the_others(ana: Coordinator, couch_server: CouchServer) -> None:
    # `whrd sync` with no name syncs every remote in turn (by name); before the fix the first
    # remote that could not be reached ended the command, and the remotes after it never synced.
    dead, url = _refused_url(), couch_server.create()
    ana.ok("remote", "add", "a-dead", dead)
    ana.ok("remote", "add", "hub", url)
    result = ana.run("sync")
    assert result.exit_code == EXIT_REMOTE, (result.stdout, result.stderr)
    assert result.stderr.splitlines() == [
        f"a-dead: Cannot reach the sync server at {dead}: connection refused (is the server running?).",
        "hub: 0 received, 1 sent.",
        "Error: 1 of 2 remotes could not be synced: a-dead.",
    ]
    assert [doc["title"] for doc in couch_server.all_docs(url.rsplit("/", 1)[1])] == ["Something to keep"]
    # --json: stdout is one JSON document with every remote, the failed one with its error.
    result = ana.run("sync", "--json")
    assert result.exit_code == EXIT_REMOTE
    import json

    out = json.loads(result.stdout)
    assert [item["remote"] for item in out] == ["a-dead", "hub"]
    assert out[0]["error"].startswith("Cannot reach the sync server")
    assert out[1]["push"]["sent"] == 0
    assert result.stderr == "Error: 1 of 2 remotes could not be synced: a-dead.\n"


def test_a_named_dead_remote_is_still_one_line(ana: Coordinator) -> None:
    dead = _refused_url()
    ana.ok("remote", "add", "a-dead", dead)
    ana.ok("remote", "add", "b-dead", _refused_url())
    result = ana.run("sync", "a-dead")
    assert result.exit_code == EXIT_REMOTE
    assert result.stderr == (
        f"Error: Cannot reach the sync server at {dead}: connection refused (is the server running?).\n"
    )


def test_the_dead_remotes_line_in_spanish(ana: Coordinator, monkeypatch: pytest.MonkeyPatch) -> None:
    ana.ok("remote", "add", "a-dead", _refused_url())
    ana.ok("remote", "add", "b-dead", _refused_url())
    monkeypatch.setenv("WHRD_LANG", "es")
    result = ana.run("sync")
    assert result.exit_code == EXIT_REMOTE
    lines = result.stderr.splitlines()
    assert [line.split(":", 1)[0] for line in lines[:2]] == ["a-dead", "b-dead"]
    assert lines[2] == "Error: 2 de 2 remotos no se pudieron sincronizar: a-dead, b-dead."


@pytest.mark.parametrize(
    "url",
    [
        "http://127.0.0.1:5984/my db",
        "http://127.0.0.1:5984/db\x01x",
        "http://127.0.0.1:5984/db\r\nX-Evil: 1",
        "http://127.0.0.1:5984/d\tb",
    ],
)
def test_a_url_with_a_space_or_control_character_is_refused(ana: Coordinator, url: str) -> None:
    # Before: stored with the characters silently dropped ("dbX-Evil: 1"), or kept and refused
    # later by http.client with its own English message.
    before = ana.path.read_bytes()
    result = ana.run("remote", "add", "hub", url)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    assert result.stderr == (
        f"Error: {url!r} has a space or a control character; write the URL without them.\n"
    )
    assert ana.path.read_bytes() == before


def test_a_database_name_beyond_ascii_is_sent_encoded(ana: Coordinator, couch_server: CouchServer) -> None:
    # Before: an internal error (UnicodeEncodeError, exit 70). Now the name goes percent-encoded,
    # as CouchDB expects, and the server answers for itself (PouchDB Server takes such a name).
    base = couch_server.url("x").rsplit("/", 1)[0]
    couch_server.request("PUT", "/r%C3%A9seau")
    ana.ok("remote", "add", "hub", f"{base}/réseau")
    assert ana.json("remote", "list")[0]["url"] == f"{base}/r%C3%A9seau"
    result = ana.run("sync", "hub")
    assert result.exit_code == 0, (result.stdout, result.stderr)
    assert result.stderr == "hub: 0 received, 1 sent.\n"
    assert [d["title"] for d in couch_server.all_docs("r%C3%A9seau")] == ["Something to keep"]


@pytest.mark.parametrize(
    ("lang", "reason"),
    [
        ("en", "the port is not a number from 1 to 65535"),
        ("es", "el puerto no es un número del 1 al 65535"),
    ],
)
def test_a_bad_port_is_said_in_the_users_language(
    ana: Coordinator, monkeypatch: pytest.MonkeyPatch, lang: str, reason: str
) -> None:
    # Before: Python's own English text ("Port out of range 0-65535") inside a Spanish line.
    monkeypatch.setenv("WHRD_LANG", lang)
    result = ana.run("remote", "add", "hub", "http://127.0.0.1:99999/network")
    assert result.exit_code == 1
    (line,) = result.stderr.splitlines()
    assert line.endswith(f": {reason}.")
    assert "Port" not in line
