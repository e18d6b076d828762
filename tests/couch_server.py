"""A real CouchDB-protocol server for the sync tests: PouchDB Server (npm `pouchdb-server`) on
127.0.0.1, a free port, its data on disk in a temp folder (so a test can grep the server's files).

Where it comes from: `$WHRD_POUCHDB_SERVER` (the `pouchdb-server` executable; `.ci/run` installs
it into `${WHRD_CI_CACHE:-~/.cache/whrd-ci}` and sets this), else that cache's usual place.
Without it the server tests are skipped, saying why; under `CI=true` a missing server fails them.

One server per test session (starting one costs ~2 s); each test gets its own database. The
server has an admin (`admin`, a random password) from the start, so the tests can give a database
a `_security` object and see a real 401; databases without one are open to anyone.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

ENV = "WHRD_POUCHDB_SERVER"


def server_executable() -> Path | None:
    named = os.environ.get(ENV, "").strip()
    if named:
        path = Path(named).expanduser()
        return path if path.is_file() and os.access(path, os.X_OK) else None
    cache = Path(os.environ.get("WHRD_CI_CACHE") or Path.home() / ".cache" / "whrd-ci")
    path = cache / "pouchdb-server-4.2.0" / "node_modules" / ".bin" / "pouchdb-server"
    return path if path.is_file() and os.access(path, os.X_OK) else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class CouchServer:
    """A running PouchDB Server: `url(db)`, `create(db)`, admin requests, its data folder."""

    def __init__(self, executable: Path, home: Path) -> None:
        self.executable = executable
        self.home = home
        self.data = home / "data"
        self.admin = ("admin", secrets.token_hex(8))
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0
        self.count = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.data.mkdir(parents=True, exist_ok=True)
        config = self.home / "config.json"
        # The admin from the first request on: written the way the server stores it itself.
        config.write_text(json.dumps({"log": {"file": str(self.home / "log.txt")}}), encoding="utf-8")
        for _attempt in range(3):
            self.port = _free_port()
            self.process = subprocess.Popen(
                [
                    str(self.executable),
                    "--port",
                    str(self.port),
                    "--host",
                    "127.0.0.1",
                    "--dir",
                    str(self.data),
                    "--config",
                    str(config),
                    "--no-stdout-logs",
                    "--no-color",
                ],
                cwd=self.home,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.DEVNULL,
            )
            if self._answers(deadline=time.monotonic() + 60):
                self.request("PUT", f"/_config/admins/{self.admin[0]}", json.dumps(self.admin[1]), auth=False)
                return
            self.stop()
        raise RuntimeError("PouchDB Server did not start")

    def _answers(self, deadline: float) -> bool:
        while time.monotonic() < deadline:
            if self.process is not None and self.process.poll() is not None:
                return False
            try:
                with urllib.request.urlopen(self.base + "/", timeout=2) as response:
                    if response.status == 200:
                        return True
            except OSError:
                time.sleep(0.1)
        return False

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None

    def request(self, method: str, path: str, body: Any = None, *, auth: bool = True) -> Any:
        """A request as the admin (or anonymous); the decoded answer, or the error's."""
        data = body if isinstance(body, (str, bytes)) or body is None else json.dumps(body)
        if isinstance(data, str):
            data = data.encode()
        request = urllib.request.Request(self.base + path, data=data, method=method)
        request.add_header("Content-Type", "application/json")
        if auth:
            token = base64.b64encode(f"{self.admin[0]}:{self.admin[1]}".encode()).decode()
            request.add_header("Authorization", f"Basic {token}")
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as exc:
            return json.loads(exc.read() or b"null")

    def create(self, name: str | None = None) -> str:
        """A new, empty database; its URL."""
        self.count += 1
        name = name or f"db{self.count}-{secrets.token_hex(3)}"
        answer = self.request("PUT", f"/{name}")
        assert answer == {"ok": True}, answer
        return self.url(name)

    def url(self, name: str) -> str:
        return f"{self.base}/{name}"

    def all_docs(self, name: str) -> list[dict[str, Any]]:
        """Every document's winning revision, as the server holds it (deleted ones too, as stubs)."""
        answer = self.request("GET", f"/{name}/_changes?style=all_docs&include_docs=true")
        return [row["doc"] for row in answer["results"] if row.get("doc")]


def missing_server_reason() -> str:
    return (
        f"PouchDB Server is not installed: set {ENV} to its executable, or run .ci/run once "
        "(it installs pouchdb-server from the npm registry into ~/.cache/whrd-ci)"
    )


@pytest.fixture(scope="session")
def couch_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CouchServer]:
    executable = server_executable()
    if executable is None:
        if os.environ.get("CI") == "true":
            pytest.fail(missing_server_reason() + "; CI must have it")
        pytest.skip(missing_server_reason())
    if shutil.which("node") is None and os.environ.get("CI") != "true":
        pytest.skip("node is not installed: PouchDB Server needs it")
    server = CouchServer(executable, tmp_path_factory.mktemp("couch"))
    server.start()
    try:
        yield server
    finally:
        server.stop()
