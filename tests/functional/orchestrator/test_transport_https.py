"""The standard-library HTTPS transport against a real TLS server: connections kept alive
and shared, a connection the server closed replaced, certificates always checked."""

from __future__ import annotations

import contextlib
import ssl
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
from https_stub import make_tls, serving_tls

from orchestrator.azure.transport import Transport


@dataclass
class Server:
    url: str
    ca_file: str
    peers: list[int] = field(default_factory=list)  # the client port of each request
    bodies: list[bytes] = field(default_factory=list)
    close_after_each: list[bool] = field(default_factory=lambda: [False])
    resumed: list[bool] = field(default_factory=list)  # per request: a resumed TLS session


@contextmanager
def keep_alive_server(folder: Path) -> Iterator[Server]:
    ca_file, cert_file, key_file = make_tls(folder)
    server: Server

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _answer(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            server.bodies.append(self.rfile.read(length) if length else b"")
            server.peers.append(self.client_address[1])
            server.resumed.append(bool(getattr(self.connection, "session_reused", False)))
            body = f"{self.command} {self.path}".encode()
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("X-Seen", str(len(server.peers)))
            self.end_headers()
            self.wfile.write(body)
            if server.close_after_each[0]:
                self.close_connection = True  # closed without saying so

        do_GET = do_PUT = do_POST = _answer

        def log_message(self, format: str, *args: object) -> None:
            return

    with serving_tls(Handler, cert_file, key_file) as base_url:
        server = Server(base_url, str(ca_file))
        yield server


def test_sequential_requests_share_one_kept_alive_connection(tmp_path: Path) -> None:
    with keep_alive_server(tmp_path) as server, Transport(server.ca_file) as transport:
        answers = [transport.request("GET", f"{server.url}/a?i={i}") for i in range(5)]
    assert [a.body for a in answers] == [f"GET /a?i={i}".encode() for i in range(5)]
    assert answers[-1].header("X-Seen") == "5"
    assert len(set(server.peers)) == 1


def test_a_connection_the_server_closed_is_replaced_and_the_request_answered(
    tmp_path: Path,
) -> None:
    with keep_alive_server(tmp_path) as server, Transport(server.ca_file) as transport:
        server.close_after_each[0] = True
        first = transport.request("PUT", f"{server.url}/x", {}, b"one")
        second = transport.request("PUT", f"{server.url}/y", {}, b"two")
    assert (first.status, second.status) == (200, 200)
    assert server.bodies == [b"one", b"two"]  # each sent once
    assert len(set(server.peers)) == 2


def test_a_file_body_is_streamed(tmp_path: Path) -> None:
    data = bytes(range(256)) * 4096  # 1 MiB
    source = tmp_path / "data.bin"
    source.write_bytes(data)
    headers = {"Content-Length": str(len(data))}
    with (
        keep_alive_server(tmp_path) as server,
        Transport(server.ca_file) as transport,
        source.open("rb") as handle,
    ):
        assert transport.request("PUT", f"{server.url}/f", headers, handle).status == 200
    assert server.bodies == [data]


def test_parallel_requests_each_get_their_own_answer(tmp_path: Path) -> None:
    from concurrent.futures import ThreadPoolExecutor

    with (
        keep_alive_server(tmp_path) as server,
        Transport(server.ca_file) as transport,
        ThreadPoolExecutor(8) as pool,
    ):
        got = list(
            pool.map(lambda i: transport.request("GET", f"{server.url}/p{i}").body, range(40))
        )
    assert got == [f"GET /p{i}".encode() for i in range(40)]
    assert len(set(server.peers)) <= 8


def test_a_server_signed_by_another_ca_is_refused(tmp_path: Path) -> None:
    other_ca, _cert, _key = make_tls(tmp_path / "other")
    with (
        keep_alive_server(tmp_path / "real") as server,
        Transport(str(other_ca)) as transport,
        pytest.raises(ssl.SSLCertVerificationError),
    ):
        transport.request("GET", f"{server.url}/x")
    assert server.peers == []


def test_no_certificate_check_is_refused() -> None:
    with pytest.raises(ValueError, match="without certificate checks"):
        Transport(False).request("GET", "https://127.0.0.1:9/x")


@contextmanager
def connect_proxy(answer: bytes = b"") -> Iterator[tuple[str, list[bytes]]]:
    """A CONNECT proxy on loopback: it relays to the asked origin, or sends `answer` (a
    refusal) instead. Yields its URL and the CONNECT requests' heads it received."""
    import socket
    import threading

    listener = socket.create_server(("127.0.0.1", 0))
    asked: list[bytes] = []

    def relay(source: socket.socket, sink: socket.socket) -> None:
        with contextlib.suppress(OSError):
            while data := source.recv(65536):
                sink.sendall(data)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def serve() -> None:
        with contextlib.suppress(OSError):
            while True:
                client, _ = listener.accept()
                head = b""
                while b"\r\n\r\n" not in head:
                    head += client.recv(1)
                request_line = head.split(b"\r\n", 1)[0]
                asked.append(head)
                if answer:
                    client.sendall(answer)
                    client.close()
                    continue
                host, _, port = request_line.split()[1].decode().rpartition(":")
                origin = socket.create_connection((host.strip("[]"), int(port)))
                client.sendall(b"HTTP/1.1 200 Connection established\r\n\r\n")
                threading.Thread(target=relay, args=(client, origin), daemon=True).start()
                threading.Thread(target=relay, args=(origin, client), daemon=True).start()

    threading.Thread(target=serve, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}", asked
    finally:
        listener.close()


@pytest.fixture
def use_proxy(monkeypatch: pytest.MonkeyPatch) -> Callable[[str], None]:
    """Sets HTTPS_PROXY, with nothing in the environment that would bypass it."""
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    return lambda url: monkeypatch.setenv("HTTPS_PROXY", url)


def test_https_proxy_is_crossed_with_a_connect_tunnel(
    tmp_path: Path, use_proxy: Callable[[str], None]
) -> None:
    with keep_alive_server(tmp_path) as server, connect_proxy() as (proxy, asked):
        use_proxy(proxy)
        with Transport(server.ca_file) as transport:
            answers = [transport.request("GET", f"{server.url}/t{i}").body for i in range(3)]
    origin = server.url.removeprefix("https://")
    assert answers == [b"GET /t0", b"GET /t1", b"GET /t2"]
    assert [head.split(b"\r\n")[0] for head in asked] == [f"CONNECT {origin} HTTP/1.1".encode()]
    assert b"Proxy-Authorization" not in asked[0]


def test_a_proxy_that_refuses_the_tunnel_is_an_error_naming_its_answer(
    tmp_path: Path, use_proxy: Callable[[str], None]
) -> None:
    refusal = b"HTTP/1.1 407 Proxy Authentication Required\r\n\r\n"
    with keep_alive_server(tmp_path) as server, connect_proxy(refusal) as (proxy, _):
        use_proxy(proxy)
        with Transport(server.ca_file) as transport, pytest.raises(OSError, match="407"):
            transport.request("GET", f"{server.url}/x")
    assert server.peers == []


def test_a_new_connection_resumes_the_tls_session_of_the_last_one(tmp_path: Path) -> None:
    with (
        keep_alive_server(tmp_path) as server,
        Transport(server.ca_file, max_idle=0) as transport,  # a new connection per request
    ):
        answers = [transport.request("GET", f"{server.url}/r{i}").status for i in range(3)]
    assert answers == [200, 200, 200]
    assert len(set(server.peers)) == 3
    assert server.resumed == [False, True, True]


def test_threads_opening_their_first_connections_at_once_share_one_tls_context(
    tmp_path: Path,
) -> None:
    """A session resumes only with the context that made it: one context per transport."""
    from concurrent.futures import ThreadPoolExecutor

    with (
        keep_alive_server(tmp_path) as server,
        Transport(server.ca_file, max_idle=0) as transport,
        ThreadPoolExecutor(16) as pool,
    ):
        got = list(
            pool.map(lambda i: transport.request("GET", f"{server.url}/c{i}").status, range(64))
        )
    assert got == [200] * 64
    assert server.resumed.count(True) >= 32  # after the first answers, most connections resume


def test_a_proxy_url_with_a_user_sends_its_basic_credentials_on_connect(
    tmp_path: Path, use_proxy: Callable[[str], None]
) -> None:
    import base64

    with keep_alive_server(tmp_path) as server, connect_proxy() as (proxy, asked):
        use_proxy(proxy.replace("http://", "http://me:p%40ss@"))
        with Transport(server.ca_file) as transport:
            assert transport.request("GET", f"{server.url}/a").body == b"GET /a"
    expected = base64.b64encode(b"me:p@ss").decode()
    assert f"Proxy-Authorization: Basic {expected}".encode() in asked[0].split(b"\r\n")
