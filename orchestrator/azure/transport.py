"""HTTPS on the standard library: kept-alive connections per origin, shared by threads.

The clients of the hot paths (ARM reads, the token cache's misses aside, and the Files data
plane) send few, small requests; importing an HTTP stack costs more than sending them
(urllib3 alone takes several times a bare interpreter's start). `ssl`, sockets and
`http11.Connection` are what they need:

- one pool per `Transport`: idle connections are kept per origin (at most `max_idle` each)
  and reused by any thread; a request takes one or opens one;
- certificates are always checked, against the CA file given or, for `True`, the bundle
  requests would use (REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE, else certifi's); `False` is
  refused;
- HTTPS_PROXY / NO_PROXY are honoured (a CONNECT tunnel), as requests honours them;
- a new connection resumes the TLS session of the origin's latest one: no certificate
  exchange or check (less CPU on both ends), and with TLS 1.2 one round trip fewer;
- a kept-alive connection the server has closed in the meantime is retried once on a new
  one when the body can be sent again; every other connection error leaves as an OSError
  (`ConnectionLost` for an answer cut short or malformed) for the caller's retry policy.

Bodies are bytes or a file-like object read `SEND_BLOCK` bytes at a time; responses are read
whole (they are small: JSON documents, listings).
"""

from __future__ import annotations

import os
import ssl
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from typing import IO
from urllib.parse import urlsplit

from orchestrator.azure.http11 import BadResponse, Connection, RemoteDisconnected

CONNECT_TIMEOUT_S = 10.0
READ_TIMEOUT_S = 120.0
# A request answered this fast came from a local endpoint (localcloud). Parallel requests
# only add TLS handshakes and contend for the same cores there; over a network a round trip
# alone takes longer, and parallel requests are what hides it.
LOCAL_ANSWER_S = 0.005
STALE = (  # what a kept-alive connection the server has closed fails with
    RemoteDisconnected,
    ConnectionResetError,
    BrokenPipeError,
    ssl.SSLEOFError,
    ssl.SSLZeroReturnError,
)


class ConnectionLost(OSError):
    """The connection failed before a whole response was read."""


@dataclass(frozen=True)
class Response:
    status: int
    reason: str
    headers: Mapping[str, str]  # names lower-cased
    body: bytes

    def header(self, name: str, default: str = "") -> str:
        return self.headers.get(name.lower(), default)


def tls_context(verify: str | bool) -> ssl.SSLContext:
    """Certificates checked against `verify` (a CA file) or, for True, what requests (and so
    the SDK) would use: REQUESTS_CA_BUNDLE or CURL_CA_BUNDLE when set (a company proxy's CA,
    a custom cloud's), else certifi's bundle."""
    if verify is False:
        raise ValueError("HTTPS without certificate checks is never used")
    if verify is True:
        named = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE")
        if named:
            verify = named
        else:
            import certifi

            verify = certifi.where()
    return ssl.create_default_context(cafile=verify)


def _proxy_for(scheme: str, host: str) -> str:
    """The proxy URL requests would use for this host ("" for none)."""
    names = {k.lower() for k in os.environ}
    if f"{scheme}_proxy" not in names and "all_proxy" not in names:
        return ""
    import urllib.request

    if urllib.request.proxy_bypass_environment(host):  # type: ignore[attr-defined]
        return ""
    found = urllib.request.getproxies_environment()
    return found.get(scheme) or found.get("all") or ""


class Transport:
    """Requests to any origin over a shared pool of kept-alive connections."""

    def __init__(
        self,
        verify: str | bool,
        *,
        max_idle: int = 96,
        read_timeout: float = READ_TIMEOUT_S,
        connect_timeout: float = CONNECT_TIMEOUT_S,
    ) -> None:
        self._verify = verify
        self._context: ssl.SSLContext | None = None
        self._max_idle = max_idle
        self._read_timeout = read_timeout
        self._connect_timeout = connect_timeout
        self._idle: dict[str, list[Connection]] = {}
        self._sessions: dict[str, ssl.SSLSession] = {}  # the latest resumable one per origin
        self._lock = threading.Lock()
        self._closed = False

    def request(
        self,
        method: str,
        url: str,
        headers: Mapping[str, str] | None = None,
        body: bytes | IO[bytes] | None = None,
    ) -> Response:
        """Send one request and read its whole response (no redirects followed)."""
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.netloc:
            raise ValueError(f"not an HTTP URL: {url}")
        origin = f"{parts.scheme}://{parts.netloc}"
        target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
        replayable = body is None or isinstance(body, bytes)
        while True:
            connection, reused = self._take(origin, parts.scheme, parts.netloc)
            try:
                response = self._exchange(origin, connection, method, target, headers or {}, body)
            except STALE as exc:
                connection.close()
                if reused and replayable:
                    continue  # the server closed the idle connection: once more, on a new one
                raise ConnectionLost(f"{method} {origin}: {exc or type(exc).__name__}") from exc
            except BadResponse as exc:
                connection.close()
                raise ConnectionLost(f"{method} {origin}: {exc}") from exc
            except BaseException:
                connection.close()
                raise
            self._give_back(origin, connection)
            return response

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle = [c for stack in self._idle.values() for c in stack]
            self._idle.clear()
        for connection in idle:
            connection.close()

    def __enter__(self) -> Transport:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    # --- connections ---------------------------------------------------------------------

    def _take(self, origin: str, scheme: str, netloc: str) -> tuple[Connection, bool]:
        with self._lock:
            stack = self._idle.get(origin)
            if stack:
                return stack.pop(), True
        return self._open(origin, scheme, netloc), False

    def _open(self, origin: str, scheme: str, netloc: str) -> Connection:
        host, port = _host_port(netloc.rsplit("@", 1)[-1], 443 if scheme == "https" else 80)
        proxy, proxy_authorization = _through(_proxy_for(scheme, host))
        connection = Connection(
            host,
            port,
            tls=self._tls() if scheme == "https" else None,
            proxy=proxy,
            proxy_authorization=proxy_authorization,
            session=self._sessions.get(origin),
        )
        connection.connect(self._connect_timeout, self._read_timeout)
        return connection

    def _tls(self) -> ssl.SSLContext:
        """The one TLS context of this transport: a session resumes only with the context
        it was made by, so threads opening their first connections at once must share it."""
        with self._lock:
            if self._context is None:
                self._context = tls_context(self._verify)
            return self._context

    def _exchange(
        self,
        origin: str,
        connection: Connection,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | IO[bytes] | None,
    ) -> Response:
        status, reason, found, data, closing = connection.exchange(method, target, headers, body)
        session = connection.take_session()
        if session is not None:
            self._sessions[origin] = session  # one assignment: safe without the lock
        if closing:
            connection.close()
        return Response(status, reason, found, data)

    def _give_back(self, origin: str, connection: Connection) -> None:
        if not connection.is_open:
            return
        with self._lock:
            stack = self._idle.setdefault(origin, [])
            if not self._closed and len(stack) < self._max_idle:
                stack.append(connection)
                return
        connection.close()


def _through(proxy: str) -> tuple[tuple[str, int] | None, str]:
    """Where a proxy URL listens ("" for none: None), and its Proxy-Authorization: Basic
    credentials when the URL carries a user, as requests sends them ("" otherwise)."""
    if not proxy:
        return None, ""
    parts = urlsplit(proxy if "://" in proxy else f"http://{proxy}")
    where = (parts.hostname or "", parts.port or 80)
    if parts.username is None:
        return where, ""
    import base64
    from urllib.parse import unquote

    pair = f"{unquote(parts.username)}:{unquote(parts.password or '')}"
    return where, "Basic " + base64.b64encode(pair.encode("utf-8")).decode("ascii")


def _host_port(authority: str, default: int) -> tuple[str, int]:
    """`host[:port]` (IPv6 in brackets) as (host, port)."""
    host, colon, port = authority.rpartition(":")
    if colon and port.isdigit() and (not host.startswith("[") or host.endswith("]")):
        return host.strip("[]"), int(port)
    return authority.strip("[]"), default


FILES_CONNECTIONS = 96  # the sync's 64 workers plus the range workers of large files


def shared_transport(verify: str | bool) -> Transport:
    """The pool of one invocation, sized for the Files sync (ARM's few requests share it)."""
    return Transport(verify, max_idle=FILES_CONNECTIONS)
