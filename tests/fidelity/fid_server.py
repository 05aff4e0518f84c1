"""A local HTTPS server answering with golden exchanges' recorded responses, so the product's
Azure adapters (orchestrator/azure/) can be driven by real Azure answers over a real socket.

    with GoldenServer(tmp_path) as server:
        server.answer("GET", "/subscriptions/s/.../deployments/", status, body)
        factory = server.client_factory()          # orchestrator.azure.clients.ClientFactory
        factory.deployments("s").list_deployments("g")
        server.asked                                # [(method, path?query), ...]

`recorded(exchange, values)` is a golden answer made concrete: placeholders filled with
`values`, and the format markers a golden file writes (`<guid>`, `<segment>`, ...) given a
sample value of that format (keys marked `<absent>` / `<optional>` are left out).
"""

from __future__ import annotations

import json
import re
import ssl
import threading
from collections.abc import Mapping
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from azure.core.credentials import AccessToken, AccessTokenInfo
from fid_patterns import ABSENT, OPTIONAL, fill

from localcloud.config import StatePaths
from localcloud.tls import ensure_tls, server_ssl_context
from orchestrator.azure.clients import ClientFactory
from orchestrator.azure.cloud import CloudProfile

SAMPLES: Mapping[str, str] = {
    "guid": "0f4e43a6-b9d1-4043-b1d8-05de785d04b0",
    "segment": "seg1",
    "string": "text",
    "digits": "08586061420045808727",
    "int": "1",
    "hex": "9a980f4d",
    "HEX": "9A980F4D2839D0DA",
    "host": "example.azurecontainerapps.io",
    "ipv4": "10.0.0.4",
    "datetime": "2020-07-23T00:41:24.4728689Z",
    "datetimeZ": "2020-07-23T00:41:24.4728689Z",
    "url": "https://example.invalid/path",
    "text": "x",
    "etag": '"0b022e19-0000-0200-0000-69d7ee480000"',
}
_MARKER = re.compile(r"<([A-Za-z0-9+]+)>")
_WHOLE = {"<number>": 1, "<bool>": True, "<object>": {}, "<array>": [], "<null>": None}


def concrete(value: Any, values: Mapping[str, str]) -> Any:
    """A golden value as a recorded answer: placeholders filled, markers given samples."""
    if isinstance(value, str):
        if value in _WHOLE:
            return _WHOLE[value]
        return _MARKER.sub(lambda m: SAMPLES.get(m.group(1), m.group(0)), fill(value, values))
    if isinstance(value, list):
        if len(value) == 2 and value[0] == "<each>":
            return [concrete(value[1], values)]
        return [concrete(v, values) for v in value]
    if isinstance(value, dict):
        return {
            fill(k, values): concrete(v, values)
            for k, v in value.items()
            if v not in (ABSENT, OPTIONAL)
        }
    return value


class StaticToken:
    """A credential handing out one bearer token (the server does not check it)."""

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        return AccessToken("golden", 4102444800)

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        return AccessTokenInfo("golden", 4102444800)


class GoldenServer:
    def __init__(self, state: Path) -> None:
        self._files = ensure_tls(StatePaths(state))
        self._answers: dict[tuple[str, str], list[tuple[int, dict[str, str], Any]]] = {}
        self.asked: list[tuple[str, str]] = []
        self._lock = threading.Lock()
        handler = self._handler()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        context: ssl.SSLContext = server_ssl_context(self._files)
        self._httpd.socket = context.wrap_socket(self._httpd.socket, server_side=True)
        self.endpoint = f"https://127.0.0.1:{self._httpd.server_address[1]}"
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    def __enter__(self) -> GoldenServer:
        self._thread.start()
        return self

    def __exit__(self, *args: object) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join(timeout=10)

    def answer(
        self,
        method: str,
        path: str,
        status: int,
        body: Any,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        """Queue an answer for `method path` (the query is not matched); the last answer
        queued for a path is repeated once the others are used."""
        key = (method.upper(), path.lower().rstrip("/"))
        self._answers.setdefault(key, []).append((status, dict(headers or {}), body))

    def client_factory(self) -> ClientFactory:
        profile = CloudProfile(
            name="golden",
            arm_endpoint=self.endpoint,
            credential_scopes=(self.endpoint + "/.default",),
            connection_verify=str(self._files.ca_cert),
        )
        return ClientFactory(profile, StaticToken())

    def _next(self, method: str, target: str) -> tuple[int, dict[str, str], Any]:
        key = (method, urlsplit(target).path.lower().rstrip("/"))
        with self._lock:
            self.asked.append((method, target))
            queued = self._answers.get(key)
            if not queued:
                return 404, {}, {"error": {"code": "NoGoldenAnswer", "message": target}}
            return queued.pop(0) if len(queued) > 1 else queued[0]

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def _serve(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                if length:
                    self.rfile.read(length)
                status, headers, body = server._next(self.command, self.path)
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = do_PATCH = _serve

            def log_message(self, format: str, *args: Any) -> None:
                return None

        return Handler
