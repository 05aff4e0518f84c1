"""The HTTP/1.1 connection against scripted servers on real loopback sockets: how responses
are framed (length, chunks, end of connection, no body), when a connection may be reused,
and what a malformed, cut-short or missing answer raises; and the request heads it refuses
to write."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

import pytest

from orchestrator.azure.http11 import (
    BadResponse,
    Connection,
    RemoteDisconnected,
    http_date,
    request_head,
)


def _read_request(conn: socket.socket) -> bytes:
    """One request (head and a Content-Length body) as the server received it."""
    data = b""
    while b"\r\n\r\n" not in data:
        chunk = conn.recv(65536)
        if not chunk:
            return data
        data += chunk
    head, _, body = data.partition(b"\r\n\r\n")
    length = 0
    for line in head.split(b"\r\n")[1:]:
        name, _, value = line.partition(b":")
        if name.strip().lower() == b"content-length":
            length = int(value)
    while len(body) < length:
        body += conn.recv(65536)
    return head + b"\r\n\r\n" + body


@contextmanager
def scripted(*answers: bytes | None) -> Iterator[tuple[int, list[bytes]]]:
    """A server on one connection: for each request, the next answer is sent as is (None:
    the connection is closed instead). Yields its port and the requests it received."""
    listener = socket.create_server(("127.0.0.1", 0))
    port = listener.getsockname()[1]
    received: list[bytes] = []

    def serve() -> None:
        conn, _ = listener.accept()
        with conn:
            for answer in answers:
                received.append(_read_request(conn))
                if answer is None:
                    return
                conn.sendall(answer)
            conn.shutdown(socket.SHUT_WR)
            conn.recv(1)

    worker = threading.Thread(target=serve, daemon=True)
    worker.start()
    try:
        yield port, received
    finally:
        listener.close()
        worker.join(5)


def connected(port: int) -> Connection:
    connection = Connection("127.0.0.1", port, tls=None)
    connection.connect(5.0, 5.0)
    return connection


def test_a_chunked_body_is_joined_and_its_extensions_and_trailers_ignored() -> None:
    answer = (
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n"
        b"5;ext=1\r\nhello\r\n7\r\n, world\r\n0\r\nX-Trailer: t\r\n\r\n"
    )
    with scripted(answer, answer) as (port, _):
        connection = connected(port)
        first = connection.exchange("GET", "/a", {}, None)
        second = connection.exchange("GET", "/b", {}, None)
    assert first[3] == b"hello, world" and first[4] is False
    assert second[3] == b"hello, world"


def test_a_body_without_length_runs_to_the_end_of_the_connection_which_closes() -> None:
    with scripted(b"HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it") as (port, _):
        status, _, headers, body, closing = connected(port).exchange("GET", "/", {}, None)
    assert (status, body, closing) == (200, b"all of it", True)
    assert headers["content-type"] == "text/plain"


def test_head_and_204_answers_have_no_body_and_the_connection_is_reused() -> None:
    head = b'HTTP/1.1 200 OK\r\nContent-Length: 1000\r\nETag: "e"\r\n\r\n'
    no_content = b"HTTP/1.1 204 No Content\r\n\r\n"
    with scripted(head, no_content) as (port, received):
        connection = connected(port)
        first = connection.exchange("HEAD", "/f", {}, None)
        second = connection.exchange("DELETE", "/f", {}, None)
    assert first[0:4:2] == (200, {"content-length": "1000", "etag": '"e"'})
    assert first[3] == b"" and second[3] == b"" and second[0] == 204
    assert len(received) == 2  # both on the one connection


def test_an_interim_100_continue_is_skipped() -> None:
    answer = b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok"
    with scripted(answer) as (port, _):
        status, reason, _, body, _ = connected(port).exchange("PUT", "/x", {}, b"data")
    assert (status, reason, body) == (201, "Created", b"ok")


@pytest.mark.parametrize(
    ("answer", "closing"),
    [
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n", True),
        (b"HTTP/1.0 200 OK\r\nContent-Length: 0\r\nConnection: keep-alive\r\n\r\n", False),
        (b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n", False),
    ],
)
def test_a_connection_is_kept_only_when_the_answer_allows_it(answer: bytes, closing: bool) -> None:
    with scripted(answer) as (port, _):
        assert connected(port).exchange("GET", "/", {}, None)[4] is closing


def test_a_server_that_closes_without_answering_raises_remote_disconnected() -> None:
    with scripted(None) as (port, _):
        connection = connected(port)
        with pytest.raises(RemoteDisconnected):
            connection.exchange("GET", "/", {}, None)


@pytest.mark.parametrize(
    "answer",
    [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nshort",
        b"SSH-2.0-OpenSSH_9.6\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nnot a header\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: ten\r\n\r\n",
    ],
    ids=["cut-short", "not-http", "bad-header", "bad-chunk-size", "bad-length"],
)
def test_a_malformed_or_cut_short_answer_raises_bad_response(answer: bytes) -> None:
    with scripted(answer) as (port, _):
        connection = connected(port)
        with pytest.raises(BadResponse):
            connection.exchange("GET", "/", {}, None)


def test_the_request_carries_host_length_and_the_body_as_given() -> None:
    with scripted(b"HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n") as (port, received):
        connected(port).exchange("PUT", "/a%20b?comp=range", {"x-ms-range": "bytes=0-3"}, b"data")
    head, _, body = received[0].partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    assert lines[0] == "PUT /a%20b?comp=range HTTP/1.1"
    assert f"Host: 127.0.0.1:{port}" in lines
    assert "Content-Length: 4" in lines and "x-ms-range: bytes=0-3" in lines
    assert body == b"data"


def test_a_post_without_body_says_its_length_is_zero_and_a_get_says_nothing() -> None:
    post = request_head("POST", "/listKeys", "example.org", {}, None).decode()
    get = request_head("GET", "/", "example.org", {}, None).decode()
    assert "Content-Length: 0\r\n" in post
    assert "Content-Length" not in get
    assert "Host: example.org\r\n" in get and "Accept-Encoding: identity\r\n" in get


@pytest.mark.parametrize(
    ("target", "headers"),
    [
        ("/a b", {}),
        ("/a\r\nX-Injected: 1", {}),
        ("no-slash", {}),
        ("/", {"x-ms-meta-a": "1\r\nX-Injected: 1"}),
        ("/", {"x-ms-meta-a": "nul\0"}),
        ("/", {"Bad Name": "1"}),
        ("/", {"Bad:Name": "1"}),
    ],
)
def test_a_head_that_would_split_into_other_lines_is_refused(
    target: str, headers: dict[str, str]
) -> None:
    with pytest.raises(ValueError):
        request_head("GET", target, "example.org", headers, None)


def test_a_streamed_body_needs_its_length() -> None:
    import io

    with pytest.raises(ValueError, match="Content-Length"):
        request_head("PUT", "/f", "example.org", {}, io.BytesIO(b"data"))


def test_http_dates_are_the_ones_the_standard_library_formats() -> None:
    import email.utils

    for seconds in (0, 951782400, 1796125503, 1798761599, 4102444800):
        assert http_date(seconds) == email.utils.formatdate(seconds, usegmt=True)


def test_a_connect_head_names_the_origin_and_nothing_else() -> None:
    head = request_head("CONNECT", "example.org:443", "example.org:443", {}, None).decode()
    assert head == "CONNECT example.org:443 HTTP/1.1\r\nHost: example.org:443\r\n\r\n"
    with pytest.raises(ValueError):
        request_head("CONNECT", "example.org:443\r\nX: 1", "example.org", {}, None)
