"""One HTTP/1.1 connection over a socket (TLS for https): a request out, its response read
whole. What `transport.Transport` pools.

`http.client` does the same, but importing it imports the `email` package to parse header
lines, which costs a no-change command more than the requests it sends. This is the subset
those requests need, written to RFC 9112:

- a request line and headers checked for characters that would split them (CR, LF, NUL, and
  controls or spaces in the target), `Host`, `Accept-Encoding: identity` and a
  `Content-Length` added as http.client adds them; a body is bytes or a file-like object of
  the given `Content-Length`, sent `SEND_BLOCK` bytes at a time;
- a response framed by `Content-Length`, chunked transfer coding or the end of the
  connection; no body for HEAD, 1xx, 204 and 304; an interim `100 Continue` skipped;
- the connection is reusable unless the response says `Connection: close`, is HTTP/1.0
  without keep-alive, or ends with the connection;
- a proxy is crossed with a CONNECT tunnel (with Basic credentials when the proxy URL has
  them), then TLS is started to the origin.

A server that closes a kept-alive connection before answering raises `RemoteDisconnected`;
a malformed or cut-short response raises `BadResponse`. Both are OSErrors.
"""

from __future__ import annotations

import socket
import ssl
import time
from collections.abc import Mapping
from typing import IO, Protocol

SEND_BLOCK = 256 * 1024
MAX_LINE = 65536  # as http.client: longer status, header or chunk-size lines are refused
MAX_HEADERS = 100
_EXPECTING_BODY = frozenset({"PATCH", "POST", "PUT"})
_NO_BODY_STATUS = frozenset({204, 304})
_FORBIDDEN_IN_TARGET = frozenset(chr(c) for c in range(0x21)) | {"\x7f"}
_FORBIDDEN_IN_HEADER = frozenset("\r\n\0")


class RemoteDisconnected(ConnectionResetError):
    """The server closed the connection without sending a status line."""


class BadResponse(OSError):
    """The server's answer is not HTTP/1.x, or ended before its body did."""


Headers = dict[str, str]  # names lower-cased; a repeated header keeps its last value


class LineReader(Protocol):
    def readline(self, size: int = -1, /) -> bytes: ...


def request_head(
    method: str, target: str, host: str, headers: Mapping[str, str], body: object
) -> bytes:
    """The request line and headers (pure). `target` is a path with its query, or for
    CONNECT the `host:port` to tunnel to. A body of unknown length (not bytes) needs its
    `Content-Length` among `headers`."""
    if not method.isalpha() or not method.isupper():
        raise ValueError(f"not an HTTP method: {method!r}")
    tunnel = method == "CONNECT"
    if not target or not (tunnel or target.startswith("/")):
        raise ValueError(f"not a request target: {target!r}")
    if not _FORBIDDEN_IN_TARGET.isdisjoint(target):
        raise ValueError(f"not a request target: {target!r}")
    lines = [f"{method} {target} HTTP/1.1"]
    names = {name.lower() for name in headers}
    if "host" not in names:
        lines.append(f"Host: {host}")
    if "accept-encoding" not in names and not tunnel:
        lines.append("Accept-Encoding: identity")
    if "content-length" not in names and "transfer-encoding" not in names:
        if isinstance(body, bytes):
            lines.append(f"Content-Length: {len(body)}")
        elif body is not None:
            raise ValueError("a streamed body needs its Content-Length header")
        elif method in _EXPECTING_BODY:
            lines.append("Content-Length: 0")
    for name, value in headers.items():
        text = str(value)
        if not name or ":" in name or not _FORBIDDEN_IN_TARGET.isdisjoint(name):
            raise ValueError(f"not a header name: {name!r}")
        if not _FORBIDDEN_IN_HEADER.isdisjoint(text):
            raise ValueError(f"header {name} holds a line break or NUL")
        lines.append(f"{name}: {text}")
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1")


class Connection:
    """A connection to one origin; `exchange` sends one request and reads its response."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        tls: ssl.SSLContext | None,
        proxy: tuple[str, int] | None = None,
        proxy_authorization: str = "",
        session: ssl.SSLSession | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self._tls = tls
        self._session = session
        self._session_taken = False
        self._proxy = proxy
        self._proxy_authorization = proxy_authorization
        self._sock: socket.socket | None = None
        self._reader: IO[bytes] | None = None

    @property
    def is_open(self) -> bool:
        return self._sock is not None

    def connect(self, connect_timeout: float, read_timeout: float) -> None:
        sock = _open_socket(*(self._proxy or (self.host, self.port)), connect_timeout)
        try:
            sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            if self._proxy:
                _tunnel(sock, f"{self._bracketed}:{self.port}", self._proxy_authorization)
            if self._tls is not None:
                sock = self._tls.wrap_socket(
                    sock, server_hostname=_ascii(self.host), session=self._session
                )
        except BaseException:
            sock.close()
            raise
        sock.settimeout(read_timeout)
        self._sock = sock
        self._reader = sock.makefile("rb")

    def take_session(self) -> ssl.SSLSession | None:
        """The TLS session to resume on a new connection to the same origin, once: None for
        plain HTTP, before the server sent anything resumable, and after it was taken
        (reading it costs a copy of the session each time)."""
        sock = self._sock
        if self._session_taken or not isinstance(sock, ssl.SSLSocket):
            return None
        session = sock.session
        if session is None or (sock.version() == "TLSv1.3" and not session.has_ticket):
            return None  # TLS 1.3 resumes with a ticket, sent after the handshake
        self._session_taken = True
        return session

    @property
    def authority(self) -> str:
        """`host[:port]` as the Host header gives it (the scheme's default port left out)."""
        default = 443 if self._tls is not None else 80
        return self._bracketed if self.port == default else f"{self._bracketed}:{self.port}"

    @property
    def _bracketed(self) -> str:
        return f"[{self.host}]" if ":" in self.host else self.host

    def close(self) -> None:
        reader, sock = self._reader, self._sock
        self._reader = self._sock = None
        if reader is not None:
            reader.close()
        if sock is not None:
            sock.close()

    def exchange(
        self,
        method: str,
        target: str,
        headers: Mapping[str, str],
        body: bytes | IO[bytes] | None,
    ) -> tuple[int, str, Headers, bytes, bool]:
        """Status, reason, headers, body, and whether the connection must be closed now."""
        sock, reader = self._sock, self._reader
        if sock is None or reader is None:
            raise RemoteDisconnected("the connection is closed")
        head = request_head(method, target, self.authority, headers, body)
        if isinstance(body, bytes) and len(body) <= SEND_BLOCK:
            sock.sendall(head + body)
        else:
            sock.sendall(head)
            _send_body(sock, body)
        status, reason, version, found = _read_head(reader)
        while status == 100:  # an interim answer to a request that did not ask for it
            status, reason, version, found = _read_head(reader)
        data, until_close = _read_body(reader, method, status, found)
        connection = found.get("connection", "").lower()
        closing = until_close or "close" in connection
        if version == "HTTP/1.0" and "keep-alive" not in connection:
            closing = True
        return status, reason, found, data, closing


def _open_socket(host: str, port: int, timeout: float) -> socket.socket:
    """A TCP connection to the first of the resolver's addresses that answers, as
    `socket.create_connection` makes it, with the name resolved by `_ascii`."""
    failed: OSError | None = None
    for family, kind, proto, _, address in socket.getaddrinfo(
        _ascii(host), port, type=socket.SOCK_STREAM
    ):
        sock = socket.socket(family, kind, proto)
        try:
            sock.settimeout(timeout)
            sock.connect(address)
        except OSError as exc:
            sock.close()
            failed = exc
            continue
        return sock
    raise failed or OSError(f"{host}: the resolver gave no address")


def _ascii(host: str) -> str | bytes:
    """An ASCII host name as bytes, which the resolver and ssl take as they are. As a str it
    goes through the IDNA codec, and importing that (with stringprep) costs each run about a
    millisecond; a non-ASCII name still does."""
    return host.encode("ascii") if host.isascii() else host


def _send_body(sock: socket.socket, body: bytes | IO[bytes] | None) -> None:
    if body is None:
        return
    if isinstance(body, bytes):
        sock.sendall(body)
        return
    while block := body.read(SEND_BLOCK):
        sock.sendall(block)


def _tunnel(sock: socket.socket, authority: str, authorization: str = "") -> None:
    """Ask the proxy on `sock` for a tunnel to `authority` (host:port); OSError unless it
    answers 200. The answer is read a byte at a time: what follows it is the origin's TLS."""
    extra = {"Proxy-Authorization": authorization} if authorization else {}
    sock.sendall(request_head("CONNECT", authority, authority, extra, None))
    with sock.makefile("rb", buffering=0) as reader:
        status, reason, _, _ = _read_head(reader)
    if status != 200:
        raise OSError(f"Tunnel connection failed: {status} {reason}".rstrip())


def _line(reader: LineReader) -> bytes:
    line = reader.readline(MAX_LINE + 1)
    if len(line) > MAX_LINE:
        raise BadResponse("a response line is too long")
    return line


def _read_head(reader: LineReader) -> tuple[int, str, str, Headers]:
    """The status line and header fields of one response."""
    line = _line(reader)
    if not line:
        raise RemoteDisconnected("the server closed the connection without answering")
    version, _, rest = line.decode("latin-1").rstrip("\r\n").partition(" ")
    code, _, reason = rest.partition(" ")
    if not version.startswith("HTTP/1.") or len(code) != 3 or not code.isdigit():
        raise BadResponse(f"not an HTTP/1.x status line: {line[:80]!r}")
    headers: Headers = {}
    last = ""
    for _ in range(MAX_HEADERS + 1):
        field = _line(reader).decode("latin-1")
        if field in ("\r\n", "\n", ""):
            return int(code), reason.strip(), version, headers
        if field[0] in " \t" and last:  # an obsolete folded continuation
            headers[last] += " " + field.strip()
            continue
        name, colon, value = field.partition(":")
        if not colon or not name or name != name.strip():
            raise BadResponse(f"not a header line: {field[:80]!r}")
        last = name.lower()
        headers[last] = value.strip()
    raise BadResponse(f"more than {MAX_HEADERS} header lines")


def _read_body(reader: IO[bytes], method: str, status: int, headers: Headers) -> tuple[bytes, bool]:
    """The body, and whether it ran to the end of the connection."""
    if method == "HEAD" or status in _NO_BODY_STATUS or 100 <= status < 200:
        return b"", False
    if "chunked" in headers.get("transfer-encoding", "").lower():
        return _read_chunked(reader), False
    length = headers.get("content-length")
    if length is not None:
        if not length.strip().isdigit():
            raise BadResponse(f"not a Content-Length: {length!r}")
        return _read_exactly(reader, int(length)), False
    return reader.read(), True


def _read_exactly(reader: IO[bytes], size: int) -> bytes:
    data = reader.read(size)
    if len(data) != size:
        raise BadResponse(f"the body ended after {len(data)} of {size} bytes")
    return data


def _read_chunked(reader: IO[bytes]) -> bytes:
    parts: list[bytes] = []
    while True:
        size_text = _line(reader).split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise BadResponse(f"not a chunk size: {size_text[:20]!r}") from None
        if size == 0:
            break
        parts.append(_read_exactly(reader, size))
        _read_exactly(reader, 2)  # the chunk's CRLF
    while _line(reader) not in (b"\r\n", b"\n", b""):  # trailer fields, ignored
        pass
    return b"".join(parts)


_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def http_date(seconds: float | None = None) -> str:
    """`Tue, 01 Dec 2026 10:00:00 GMT` (RFC 9110's IMF-fixdate), in English whatever the
    locale: now, or `seconds` since the epoch."""
    t = time.gmtime(seconds)
    return (
        f"{_DAYS[t.tm_wday]}, {t.tm_mday:02d} {_MONTHS[t.tm_mon - 1]} {t.tm_year:04d} "
        f"{t.tm_hour:02d}:{t.tm_min:02d}:{t.tm_sec:02d} GMT"
    )
