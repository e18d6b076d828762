"""A sync server that cannot be reached or refuses: one line in the user's language, exit 5, the
archive untouched, no password anywhere in what is printed. Real sockets: a port nobody listens
on, a real server's 401 and 404, and small local servers that answer 500, HTML, or nothing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path

import pytest

from conftest import Run
from couch_server import CouchServer
from sync_helpers import Coordinator
from whrd_cli.errors import EXIT_REMOTE, RemoteError
from whrd_cli.sync.http import CouchClient, parse_url


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def ana(run: Run, tmp_path: Path) -> Coordinator:
    person = Coordinator(run, tmp_path / "ana.json")
    person.add("Something to keep", "2024-01-05")
    return person


def _fails(person: Coordinator, *args: str) -> str:
    before = person.path.read_bytes()
    result = person.run("sync", *args)
    assert result.exit_code == EXIT_REMOTE, (result.exit_code, result.stdout, result.stderr)
    assert result.stdout == ""
    assert person.path.read_bytes() == before
    (line,) = result.stderr.splitlines()
    return line


def test_a_server_that_is_not_running(ana: Coordinator) -> None:
    url = f"http://127.0.0.1:{_free_port()}/network"
    ana.ok("remote", "add", "hub", url)
    assert _fails(ana) == (
        f"Error: Cannot reach the sync server at {url}: connection refused (is the server running?)."
    )


def test_the_same_in_spanish(ana: Coordinator, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"http://127.0.0.1:{_free_port()}/network"
    ana.ok("remote", "add", "hub", url)
    monkeypatch.setenv("WHRD_LANG", "es")
    assert _fails(ana) == (
        f"Error: No se puede conectar con el servidor de sincronización en {url}: conexión rechazada "
        "(¿está en marcha el servidor?)."
    )


def test_a_name_that_does_not_resolve(ana: Coordinator) -> None:
    ana.ok("remote", "add", "hub", "https://sync.whrd-test.invalid/network")
    assert _fails(ana) == (
        "Error: Cannot find the sync server sync.whrd-test.invalid: the name does not resolve "
        "(check the URL and the network)."
    )


def test_a_refused_login_never_shows_the_password(
    ana: Coordinator, couch_server: CouchServer, tmp_path: Path
) -> None:
    url = couch_server.create()
    name = url.rsplit("/", 1)[1]
    security = {"members": {"names": ["bob"], "roles": []}, "admins": {"names": [], "roles": []}}
    assert couch_server.request("PUT", f"/{name}/_security", security) == {"ok": True}
    ana.ok("remote", "add", "anonymous", url)
    expected = (
        f"Error: The sync server refused the login for {url} (401): check the user and password "
        "(to change them: 'whrd remote remove NAME', then 'whrd remote add NAME URL')."
    )
    assert _fails(ana, "anonymous") == expected
    wrong = url.replace("http://", "http://bob:hunter2-secret@")
    ana.ok("remote", "add", "wrong", wrong)
    assert _fails(ana, "wrong") == expected
    assert b"hunter2-secret" not in ana.path.read_bytes()
    # The server's admin may: the same database then syncs.
    right = url.replace("http://", f"http://{couch_server.admin[0]}:{couch_server.admin[1]}@")
    ana.ok("remote", "add", "admin", right)
    assert ana.ok("sync", "admin").stderr.strip() == "admin: 0 received, 1 sent."
    assert couch_server.admin[1].encode() not in ana.path.read_bytes()


def test_a_database_that_does_not_exist(ana: Coordinator, couch_server: CouchServer) -> None:
    url = couch_server.url("no-such-database")
    ana.ok("remote", "add", "hub", url)
    assert _fails(ana) == (
        f"Error: The database {url} does not exist on the server (404); create it first "
        f"(CouchDB: curl -X PUT {url} with an admin's login)."
    )


class _Canned(BaseHTTPRequestHandler):
    status = 500
    body = b'{"error":"internal","reason":"boom"}'
    kind = "application/json"

    def do_GET(self) -> None:
        self.send_response(self.status)
        self.send_header("Content-Type", self.kind)
        self.send_header("Content-Length", str(len(self.body)))
        self.end_headers()
        self.wfile.write(self.body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def canned() -> Iterator[tuple[HTTPServer, type[_Canned]]]:
    handler = type("Handler", (_Canned,), {})
    server = HTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server, handler
    finally:
        server.shutdown()
        server.server_close()


def test_a_server_error(ana: Coordinator, canned: tuple[HTTPServer, type[_Canned]]) -> None:
    server, _handler = canned
    url = f"http://127.0.0.1:{server.server_port}/network"
    ana.ok("remote", "add", "hub", url)
    expected = f"Error: The sync server at {url} failed (500 Internal Server Error); try again later."
    assert _fails(ana) == expected


def test_a_server_that_is_not_couchdb(ana: Coordinator, canned: tuple[HTTPServer, type[_Canned]]) -> None:
    server, handler = canned
    handler.status, handler.body, handler.kind = 200, b"<html>hello</html>", "text/html"
    url = f"http://127.0.0.1:{server.server_port}/network"
    ana.ok("remote", "add", "hub", url)
    assert _fails(ana) == (
        f"Error: The server at {url} does not answer as a CouchDB server does (no JSON where expected)."
    )


def test_https_to_a_server_that_speaks_plain_http(
    ana: Coordinator, canned: tuple[HTTPServer, type[_Canned]]
) -> None:
    server, _handler = canned
    ana.ok("remote", "add", "hub", f"https://127.0.0.1:{server.server_port}/network")
    line = _fails(ana)
    assert line.startswith("Error: The secure (TLS) connection to 127.0.0.1 failed (")


def test_a_server_that_never_answers() -> None:
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepts the connection (the kernel does), never answers
        endpoint = parse_url(f"http://127.0.0.1:{listener.getsockname()[1]}/network")[0]
        with CouchClient(endpoint, timeout=0.3) as client, pytest.raises(RemoteError) as caught:
            client.info()
    assert caught.value.message == (f"The sync server at {endpoint.url} did not answer within 0.3 seconds.")
    assert caught.value.exit_code == EXIT_REMOTE
