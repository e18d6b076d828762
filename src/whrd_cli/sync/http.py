"""A small CouchDB client on the standard library: one keep-alive connection (http.client), JSON
through orjson, timeouts, basic auth, https with the system's certificates.

Why not requests or httpx: a sync sends a handful of requests per batch to one server, which
http.client does well; a dependency would cost start-up time (~60-150 ms of imports) for nothing.

Every failure becomes one `RemoteError` (exit 5) naming the server as the user wrote it, never
its password: refused, a name that does not resolve, a timeout, TLS, 401/403, a database that is
not there, a 5xx, an answer that is not CouchDB's JSON. Callers that expect a 404 (a checkpoint
not written yet, an endpoint an older server lacks) say so with `missing_ok`.
"""

from __future__ import annotations

import base64
import re
import socket
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import quote, unquote, urlencode, urlsplit, urlunsplit

from msgspec import Struct

from ..errors import InputError, RemoteError
from ..i18n import _

DEFAULT_TIMEOUT = 60.0


class Endpoint(Struct, frozen=True):
    """A database on a CouchDB-protocol server: `https://host:6984/dbname`, without credentials."""

    scheme: str
    host: str
    port: int
    path: str  # the database's path, "/dbname" (a server under a prefix: "/couch/dbname")

    @property
    def url(self) -> str:
        """The URL as shown to people and stored: never a user or password."""
        default = 443 if self.scheme == "https" else 80
        netloc = _bracketed(self.host) + ("" if self.port == default else f":{self.port}")
        return urlunsplit((self.scheme, netloc, self.path, "", ""))


def _bracketed(host: str) -> str:
    return f"[{host}]" if ":" in host else host


def parse_url(url: str) -> tuple[Endpoint, str | None, str | None]:
    """The database endpoint of `url`, and the user and password written in it (if any).
    A URL that is not http(s) with a host and a database path is bad input (exit 1)."""
    url = url.strip()
    if any(c.isspace() or ord(c) < 32 or ord(c) == 127 for c in url):
        # urlsplit silently drops tabs and newlines, and http.client refuses spaces later.
        raise InputError(
            _("{url!r} has a space or a control character; write the URL without them.").format(
                url=redact(url)
            )
        )
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        # Python's reason is English and can quote a piece of the password ("... as 'Ab'").
        if "port" in str(exc).lower():
            reason = _("the port is not a number from 1 to 65535")
        else:
            reason = re.sub(r"'[^']*'", "'***'", str(exc)) if "@" in url else str(exc)
        raise InputError(
            _("{url!r} is not a valid URL: {reason}.").format(url=redact(url), reason=reason)
        ) from None
    if port == 0:  # `port or default` below would silently make it 80 or 443
        reason = _("port 0 cannot be used")
        raise InputError(_("{url!r} is not a valid URL: {reason}.").format(url=redact(url), reason=reason))
    scheme = parts.scheme.lower()
    if scheme not in ("http", "https") or not parts.hostname:
        raise InputError(
            _("{url!r} is not a server URL: write it as https://host:port/database.").format(url=redact(url))
        )
    # A name beyond ASCII goes percent-encoded (escapes already written are kept as they are).
    path = quote(parts.path, safe="/%:@!$&'()*+,;=").rstrip("/")
    if not path or path == "/":
        raise InputError(
            _("{url!r} names no database: add its name, as in https://host:port/database.").format(
                url=redact(url)
            )
        )
    if parts.query or parts.fragment:
        raise InputError(
            _("{url!r} has a query or fragment; write only https://host:port/database.").format(
                url=redact(url)
            )
        )
    endpoint = Endpoint(scheme, parts.hostname, port or (443 if scheme == "https" else 80), path)
    user = _unquote(parts.username)
    password = _unquote(parts.password)
    return endpoint, user, password


def _unquote(text: str | None) -> str | None:
    return unquote(text) if text else None


def redact(url: str) -> str:
    """`url` with any password replaced by `***` (for messages about a URL that does not parse)."""
    head, sep, tail = url.partition("://")
    if not sep or "@" not in tail:
        return url
    # Up to the last '@': a password may hold '@', '/', '?' or '#' (unquoted, as people type it).
    userinfo, _at, rest = tail.rpartition("@")
    user = userinfo.split(":", 1)[0]
    return f"{head}://{user}:***@{rest}" if ":" in userinfo else f"{head}://{user}@{rest}"


class CouchClient:
    """Requests to one database over one kept-alive connection. Not thread-safe; close() it."""

    def __init__(
        self,
        endpoint: Endpoint,
        *,
        user: str | None = None,
        password: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.endpoint = endpoint
        self.timeout = timeout
        self._auth: str | None = None
        if user is not None:
            token = f"{user}:{password or ''}".encode()
            self._auth = "Basic " + base64.b64encode(token).decode("ascii")
        self._conn: Any = None
        self.requests = 0  # how many were sent (the tests and the benchmark count them)

    # -- the database's API ------------------------------------------------------------------------

    def info(self) -> dict[str, Any]:
        """`GET /db`: the database's info; a database that is not there is an error saying so."""
        data = self.request("GET", "")
        return data if isinstance(data, dict) else {}

    def get_local(self, name: str) -> dict[str, Any] | None:
        """A `_local/` document (a checkpoint), None when there is none yet."""
        data = self.request("GET", f"/_local/{quote(name, safe='')}", missing_ok=True)
        return data if isinstance(data, dict) else None

    def put_local(self, name: str, doc: Mapping[str, Any]) -> str:
        """Write a `_local/` document (its `_rev` in `doc` when it replaces one); its new rev."""
        data = self.request("PUT", f"/_local/{quote(name, safe='')}", body=doc)
        return str(data.get("rev", "")) if isinstance(data, dict) else ""

    def changes(self, since: Any, limit: int) -> dict[str, Any]:
        """One batch of `_changes` (every leaf: `style=all_docs`; `feed=normal`, since PouchDB
        Server's longpoll ignores timeouts)."""
        params = {"style": "all_docs", "feed": "normal", "since": _seq_param(since), "limit": str(limit)}
        data = self.request("GET", "/_changes", params=params)
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise self._not_couch()
        return data

    def revs_diff(self, revs: Mapping[str, list[str]]) -> dict[str, Any]:
        """`_revs_diff`: of these revs, which the server lacks."""
        data = self.request("POST", "/_revs_diff", body=revs)
        if not isinstance(data, dict):
            raise self._not_couch()
        return data

    def bulk_get(self, wanted: list[tuple[str, str]]) -> list[dict[str, Any]] | None:
        """`_bulk_get?revs=true`: each (id, rev) with its `_revisions`; None when the server has no
        `_bulk_get` (CouchDB before 2.0), so the caller falls back to `open_revs`."""
        body = {"docs": [{"id": doc_id, "rev": rev} for doc_id, rev in wanted]}
        data = self.request("POST", "/_bulk_get", params={"revs": "true"}, body=body, missing_ok=True)
        if data is None:
            return None
        if not isinstance(data, dict) or not isinstance(data.get("results"), list):
            raise self._not_couch()
        docs = []
        for result in data["results"]:
            for item in result.get("docs", ()) if isinstance(result, dict) else ():
                if isinstance(item, dict) and isinstance(item.get("ok"), dict):
                    docs.append(item["ok"])
        return docs

    def open_revs(self, doc_id: str, revs: list[str]) -> list[dict[str, Any]]:
        """`GET /db/id?open_revs=[…]&revs=true`: the fallback for `bulk_get`."""
        import orjson

        params = {"open_revs": orjson.dumps(revs).decode(), "revs": "true", "latest": "true"}
        data = self.request("GET", f"/{quote(doc_id, safe='')}", params=params, missing_ok=True)
        if data is None:
            return []
        if not isinstance(data, list):
            raise self._not_couch()
        return [item["ok"] for item in data if isinstance(item, dict) and isinstance(item.get("ok"), dict)]

    def bulk_docs(self, docs: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """`_bulk_docs` with `new_edits: false`: the revisions stored as they are, revs kept; the
        per-document errors the server reports (CouchDB reports none on success)."""
        data = self.request("POST", "/_bulk_docs", body={"docs": docs, "new_edits": False})
        if not isinstance(data, list):
            raise self._not_couch()
        return [item for item in data if isinstance(item, dict) and "error" in item]

    # -- HTTP ----------------------------------------------------------------------------------

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Mapping[str, str] | None = None,
        body: Any = None,
        missing_ok: bool = False,
    ) -> Any:
        """One request to the database (`path` under it); the decoded JSON answer. A 404 is None
        when `missing_ok` (and the database itself exists), else an error."""
        import orjson

        target = self.endpoint.path + path + ("?" + urlencode(params) if params else "")
        headers = {"Accept": "application/json", "Host": self._host_header()}
        payload = None
        if body is not None:
            payload = orjson.dumps(body)
            headers["Content-Type"] = "application/json"
        if self._auth:
            headers["Authorization"] = self._auth
        status, reason, data = self._send(method, target, payload, headers)
        self.requests += 1
        if 200 <= status < 300:
            try:
                return orjson.loads(data) if data else None
            except orjson.JSONDecodeError:
                raise self._not_couch() from None
        if status == 404 and missing_ok and not _is_missing_db(data):
            return None
        if status in (400, 405, 415, 501) and missing_ok:  # an endpoint this server lacks
            return None
        raise self._status_error(status, reason, data)

    def _host_header(self) -> str:
        default = 443 if self.endpoint.scheme == "https" else 80
        host = _bracketed(self.endpoint.host)
        return host if self.endpoint.port == default else f"{host}:{self.endpoint.port}"

    def _connect(self) -> Any:
        import http.client

        if self.endpoint.scheme == "https":
            context = ssl.create_default_context()
            return http.client.HTTPSConnection(
                self.endpoint.host, self.endpoint.port, timeout=self.timeout, context=context
            )
        return http.client.HTTPConnection(self.endpoint.host, self.endpoint.port, timeout=self.timeout)

    def _send(
        self, method: str, target: str, payload: bytes | None, headers: dict[str, str]
    ) -> tuple[int, str, bytes]:
        import http.client

        for attempt in (0, 1):
            reused = self._conn is not None
            if self._conn is None:
                self._conn = self._connect()
            try:
                self._conn.request(method, target, body=payload, headers=headers)
                response = self._conn.getresponse()
                data = response.read()
                if response.getheader("Connection", "").lower() == "close":
                    self.close()
                return response.status, response.reason, data
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as exc:
                self.close()
                if reused and attempt == 0:  # the server closed a kept-alive connection: once more
                    continue
                raise self._network_error(exc) from exc
            except (OSError, http.client.HTTPException) as exc:
                self.close()
                raise self._network_error(exc) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def close(self) -> None:
        if self._conn is not None:
            self._conn.close()
            self._conn = None

    def __enter__(self) -> CouchClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- errors --------------------------------------------------------------------------------

    def _network_error(self, exc: BaseException) -> RemoteError:
        url = self.endpoint.url
        host = self.endpoint.host
        if isinstance(exc, socket.gaierror):
            return RemoteError(
                _(
                    "Cannot find the sync server {host}: the name does not resolve "
                    "(check the URL and the network)."
                ).format(host=host)
            )
        if isinstance(exc, ssl.SSLCertVerificationError):
            return RemoteError(
                _(
                    "The server {host} has a certificate that cannot be trusted ({reason}); nothing was sent."
                ).format(host=host, reason=exc.verify_message or exc.reason)
            )
        if isinstance(exc, ssl.SSLError):
            return RemoteError(
                _("The secure (TLS) connection to {host} failed ({reason}).").format(
                    host=host, reason=exc.reason or exc
                )
            )
        if isinstance(exc, (TimeoutError, socket.timeout)):
            return RemoteError(
                _("The sync server at {url} did not answer within {seconds:g} seconds.").format(
                    url=url, seconds=self.timeout
                )
            )
        if isinstance(exc, ConnectionRefusedError):
            return RemoteError(
                _(
                    "Cannot reach the sync server at {url}: connection refused (is the server running?)."
                ).format(url=url)
            )
        reason = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        return RemoteError(
            _("Cannot reach the sync server at {url}: {reason}.").format(url=url, reason=reason)
        )

    def _status_error(self, status: int, reason: str, data: bytes) -> RemoteError:
        url = self.endpoint.url
        if status == 401:
            message = _(
                "The sync server refused the login for {url} (401): check the user and password "
                "(to change them: 'whrd remote remove NAME', then 'whrd remote add NAME URL')."
            ).format(url=url)
        elif status == 403:
            message = _("The sync server does not allow this user to use {url} (403 forbidden).").format(
                url=url
            )
        elif status == 404 and _is_missing_db(data):
            message = _(
                "The database {url} does not exist on the server (404); create it first "
                "(CouchDB: curl -X PUT {url} with an admin's login)."
            ).format(url=url)
        elif status >= 500:
            message = _("The sync server at {url} failed ({status} {reason}); try again later.").format(
                url=url, status=status, reason=reason
            )
        else:
            message = _("The sync server at {url} answered {status} {reason}: {detail}.").format(
                url=url, status=status, reason=reason, detail=_detail(data)
            )
        return RemoteError(message, status=status)

    def _not_couch(self) -> RemoteError:
        return RemoteError(
            _(
                "The server at {url} does not answer as a CouchDB server does (no JSON where expected)."
            ).format(url=self.endpoint.url)
        )


def _detail(data: bytes) -> str:
    """The server's own one-line reason (CouchDB's `{"error", "reason"}`), cut short."""
    import orjson

    try:
        found = orjson.loads(data)
    except orjson.JSONDecodeError:
        found = None
    if isinstance(found, dict):
        text = " ".join(str(found.get(k, "")) for k in ("error", "reason")).strip()
    else:
        text = data[:200].decode("utf-8", "replace")
    return " ".join(text.split())[:200] or "-"


def _is_missing_db(data: bytes) -> bool:
    """CouchDB says a database is not there with reason `Database does not exist.` (2.x+) or
    `no_db_file` (1.x, PouchDB Server); a missing document says `missing` or `deleted`."""
    return b"no_db_file" in data or b"Database does not exist" in data


def _seq_param(since: Any) -> str:
    """A sequence as `_changes` takes it: CouchDB 2+'s are opaque strings, PouchDB's numbers."""
    if since is None:
        return "0"
    if isinstance(since, str):
        return since
    import orjson

    return orjson.dumps(since).decode()
