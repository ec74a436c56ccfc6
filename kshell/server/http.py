"""The HTTP front: routes, bodies, headers, one log line per request.

Endpoints (docs/server.md):
    POST /v2/rest/query                    queries (v2 frames)
    POST /v1/rest/query, /v1/rest/mgmt     queries and commands (v1 tables)
    POST /v1/rest/ingest/{db}/{table}      streaming ingestion (?streamFormat=&mappingName=)
    GET  (the same three)                  db, csl, properties as query parameters
    GET  /v1/rest/ping                     liveness (never waits for the engine)
    GET  /v1/rest/auth/metadata            404: no cloud metadata (clients then use defaults)

A thread per connection (ThreadingHTTPServer); the engine itself is serialized
by kshell.server.service.  Request bodies may be chunked and/or gzip.
"""

from __future__ import annotations

import datetime as dt
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from kshell.errors import BadRequest, KustoError
from kshell.server import errors as err
from kshell.server.frames import encode_v1, encode_v2, ingest_reply
from kshell.server.principals import TokenError, principal_of
from kshell.server.request import decode_body, parse_query_request
from kshell.server.service import Service

MAX_BODY = 1 << 30   # 1 GiB: the service's streaming limit is far lower; this only guards memory
SERVER_VERSION = "kshell"


def _host_name(host: str) -> str:
    """The name part of a Host header: `[::1]:80` -> `::1`, `localhost:8080` -> `localhost`."""
    if host.startswith("["):
        return host[1:].split("]", 1)[0]
    return host.rsplit(":", 1)[0] if host.count(":") == 1 else host


def _is_loopback_name(name: str) -> bool:
    import ipaddress

    if name in ("localhost", "localhost.") or name.endswith(".localhost"):
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


class KustoServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, address: tuple[str, int], service: Service, *, require_auth: bool = False,
                 log: Any = None):
        self.service = service
        self.require_auth = require_auth
        self.loopback_only = _is_loopback_name(str(address[0]))
        self.log_stream = log if log is not None else sys.stderr
        self.log_lock = threading.Lock()
        super().__init__(address, Handler)

    def log_line(self, text: str) -> None:
        with self.log_lock:
            try:
                self.log_stream.write(text + "\n")
                self.log_stream.flush()
            except (OSError, ValueError):
                pass


class Handler(BaseHTTPRequestHandler):
    server: KustoServer
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes; with Nagle's algorithm the body waits for the
    # client's delayed ACK (about 40 ms per request on a kept-alive connection).
    disable_nagle_algorithm = True
    server_version = SERVER_VERSION
    sys_version = ""

    # --------------------------------------------------------------- routing
    def do_GET(self) -> None:
        self._serve("GET")

    def do_POST(self) -> None:
        self._serve("POST")

    def do_PUT(self) -> None:
        self._serve("PUT")

    def do_DELETE(self) -> None:
        self._serve("DELETE")

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's name
        pass  # one line per request is written by _serve

    def _serve(self, method: str) -> None:
        started = time.monotonic()
        self._activity_id = err.new_activity_id()
        self._crid = self.headers.get("x-ms-client-request-id") or ""
        self._principal_label = "-"
        status = 500
        path = urlsplit(self.path).path
        try:
            status = self._route(method, path)
        except err.HttpError as e:
            status, body = err.http_error_response(e, activity_id=self._activity_id, client_request_id=self._crid)
            self._send_json(status, body)
        except KustoError as e:
            status, body = err.kusto_error_response(e, activity_id=self._activity_id, client_request_id=self._crid)
            self._send_json(status, body)
        except (BrokenPipeError, ConnectionResetError):
            status = 499  # the client went away; the request itself ran (or not) as a whole
            self.close_connection = True
        except Exception as e:  # an internal bug: a 500 naming it, never a traceback
            status, body = err.internal_error_response(e, activity_id=self._activity_id, client_request_id=self._crid)
            try:
                self._send_json(status, body)
            except OSError:
                self.close_connection = True
        elapsed = (time.monotonic() - started) * 1000
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")[:-4] + "Z"
        self.server.log_line(f"{stamp} {self._principal_label} {method} {path} {status} {elapsed:.1f}ms")

    def _route(self, method: str, path: str) -> int:
        self._refuse_browsers()
        p = path.rstrip("/").lower()
        if p == "/v1/rest/ping":
            self._require(method, "GET", "POST")
            self._drain()
            return self._send_json(200, {"ApplicationHealthState": "Healthy"})
        if p == "/v1/rest/auth/metadata":
            self._require(method, "GET")
            # No cloud metadata: clients fall back to their public-cloud defaults.
            return self._send_bytes(404, b"", "text/plain")
        if p in ("/v2/rest/query", "/v1/rest/query", "/v1/rest/mgmt"):
            self._require(method, "POST", "GET")
            return self._query(v2=p.startswith("/v2"), get=method == "GET")
        if p.startswith("/v1/rest/ingest/"):
            self._require(method, "POST")
            parts = [unquote(x) for x in path.rstrip("/").split("/")[4:]]
            if len(parts) != 2 or not all(parts):
                raise err.HttpError(404, f"unknown endpoint '{path}' (expected /v1/rest/ingest/DATABASE/TABLE)",
                                    kind="NotFound")
            return self._ingest(parts[0], parts[1])
        self._drain()
        raise err.HttpError(404, f"unknown endpoint '{path}'", kind="NotFound")

    def _refuse_browsers(self) -> None:
        """A web page must not drive the cluster (without a token every request is the admin's):
        browsers send `Origin` on cross-origin requests, which no SDK does, and a page reaching a
        loopback server through DNS rebinding sends its own host name in `Host`."""
        if self.headers.get("Origin") is not None or self.headers.get("Sec-Fetch-Site") not in (None, "none"):
            self._drain()
            raise err.HttpError(403, "requests from web pages (an Origin header) are refused: kshell serve is "
                                     "for SDKs and tools", code="Forbidden", kind="Forbidden")
        if self.server.loopback_only:
            host = (self.headers.get("Host") or "").strip().lower()
            name = _host_name(host)
            if name and not _is_loopback_name(name):
                self._drain()
                raise err.HttpError(403, f"Host '{host}' is not this loopback server", code="Forbidden",
                                    kind="Forbidden")

    def _require(self, method: str, *allowed: str) -> None:
        if method not in allowed:
            self._drain()
            raise err.HttpError(405, f"{method} is not supported here (use {' or '.join(allowed)})")

    # ------------------------------------------------------------- requests
    def _principal(self) -> str | None:
        try:
            fqn = principal_of(self.headers.get("Authorization"))
        except TokenError as e:
            raise err.HttpError(401, str(e), kind="Unauthorized") from None
        if fqn is None:
            if self.server.require_auth:
                raise err.HttpError(401, "this server requires an 'Authorization: Bearer <token>' header "
                                         "(kshell token FQN prints one)", kind="Unauthorized")
            self._principal_label = self.server.service.default_principal
            return None
        try:
            fqn = self.server.service.check_principal(fqn)
        except KustoError as e:
            raise err.HttpError(401, f"the token names no valid principal: {e.message}", kind="Unauthorized") from None
        self._principal_label = fqn
        return fqn

    def _query(self, *, v2: bool, get: bool = False) -> int:
        body = self._read_body()
        principal = self._principal()
        if get:  # the documented GET form: db, csl and properties as query parameters
            params = {k: v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
            body = json.dumps({k: params[k] for k in ("db", "csl", "properties") if k in params}).encode()
        req = parse_query_request(body)
        outcome = self.server.service.execute(req, principal, activity_id=self._activity_id,
                                              client_request_id=self._crid)
        data = encode_v2(outcome, progressive=req.progressive) if v2 else encode_v1(outcome)
        return self._send_bytes(200, data, "application/json; charset=utf-8")

    def _ingest(self, database: str, table: str) -> int:
        body = decode_body(self._read_body())
        principal = self._principal()
        query = {k.lower(): v[-1] for k, v in parse_qs(urlsplit(self.path).query).items()}
        fmt = (query.get("streamformat") or "csv").strip().lower()
        mapping = query.get("mappingname") or None
        if query.get("sourcekind", "").lower() == "uri":
            raise BadRequest("streaming ingestion from a blob URI (sourceKind=uri) is not simulated by kshell; "
                             "send the data in the request body")
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise BadRequest(f"the {fmt} data is not UTF-8 text (binary formats cannot be streamed to kshell)") from None
        consumed = self.server.service.ingest(database, table, text, fmt, mapping, principal)
        return self._send_bytes(200, ingest_reply(consumed), "application/json; charset=utf-8")

    # ---------------------------------------------------------------- bodies
    def _read_body(self) -> bytes:
        if "chunked" in (self.headers.get("Transfer-Encoding") or "").lower():
            return self._read_chunked()
        length = self.headers.get("Content-Length")
        if not length:
            return b""
        try:
            n = int(length)
        except ValueError:
            raise err.HttpError(400, f"invalid Content-Length '{length}'") from None
        if n < 0 or n > MAX_BODY:
            self.close_connection = True
            raise err.HttpError(413, f"the request body is too large ({n} bytes)")
        return self.rfile.read(n)

    def _read_chunked(self) -> bytes:
        parts = []
        total = 0
        while True:
            line = self.rfile.readline(65537)
            try:
                size = int(line.split(b";", 1)[0].strip() or b"x", 16)
            except ValueError:
                self.close_connection = True
                raise err.HttpError(400, "malformed chunked request body") from None
            if size == 0:
                while self.rfile.readline(65537) not in (b"\r\n", b"\n", b""):
                    pass  # trailers
                return b"".join(parts)
            total += size
            if total > MAX_BODY:
                self.close_connection = True
                raise err.HttpError(413, "the request body is too large")
            parts.append(self.rfile.read(size))
            self.rfile.readline(3)  # the CRLF after the chunk

    def _drain(self) -> None:
        try:
            self._read_body()
        except err.HttpError:
            pass

    # -------------------------------------------------------------- replies
    def _send_json(self, status: int, obj: Any) -> int:
        return self._send_bytes(status, json.dumps(obj, separators=(",", ":"), ensure_ascii=False).encode("utf-8"),
                                "application/json; charset=utf-8")

    def _send_bytes(self, status: int, data: bytes, content_type: str) -> int:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-activity-id", self._activity_id)
        if self._crid:
            self.send_header("x-ms-client-request-id", self._crid)
        self.end_headers()
        if data:
            self.wfile.write(data)
        return status
