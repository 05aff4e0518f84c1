"""Per-app HTTPS ingress: a listener on 127.0.0.1:<port> that reverse-proxies to the ready
replica, the way Azure's envoy fronts `<app>.<env>.<region>.azurecontainerapps.io`.

The app's `configuration.ingress.fqdn` is `localhost:<port>`; the certificate is the
localcloud server certificate (SANs localhost, 127.0.0.1, ::1). Requests and responses are
streamed (no buffering: large uploads, server-sent events). While no replica is ready the
answer is envoy's `503 upstream connect error or disconnect/reset before headers`.
Network shaping (localcloud/shaping.py) applies here as on the main port: the latency once
per request, the bandwidth cap per client connection.
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
import ssl
from collections.abc import Callable
from typing import Any

import aiohttp
from aiohttp import web

from localcloud.shaping import Shaping, shaped_factory

UPSTREAM_DOWN = (
    "upstream connect error or disconnect/reset before headers. reset reason: connection failure"
)
# RFC 7230 hop-by-hop headers, plus the ones aiohttp recomputes.
HOP_BY_HOP = frozenset(
    h.lower()
    for h in (
        "Connection",
        "Keep-Alive",
        "Proxy-Authenticate",
        "Proxy-Authorization",
        "TE",
        "Trailer",
        "Transfer-Encoding",
        "Upgrade",
        "Content-Length",
        "Host",
    )
)

UpstreamLookup = Callable[[], int | None]


def free_port(preferred: int | None = None) -> int:
    """`preferred` when it can be bound on 127.0.0.1, else a fresh free port."""
    if preferred:
        with contextlib.suppress(OSError), socket.socket() as sock:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            sock.bind(("127.0.0.1", preferred))
            return preferred
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def envoy_503() -> web.Response:
    return web.Response(
        status=503, text=UPSTREAM_DOWN, headers={"server": "envoy", "content-type": "text/plain"}
    )


def forward_headers(request: web.BaseRequest) -> dict[str, str]:
    headers = {k: v for k, v in request.headers.items() if k.lower() not in HOP_BY_HOP}
    if request.content_length is not None:
        headers["Content-Length"] = str(request.content_length)  # stream it, not chunked
    headers["Host"] = request.host
    peer = request.remote or "127.0.0.1"
    prior = request.headers.get("X-Forwarded-For")
    headers["X-Forwarded-For"] = f"{prior}, {peer}" if prior else peer
    headers["X-Forwarded-Proto"] = "https"
    headers["X-Forwarded-Host"] = request.host
    return headers


class Ingress:
    """One app's listener. `upstream()` names the ready replica's port (None: not ready)."""

    def __init__(
        self,
        port: int,
        upstream: UpstreamLookup,
        ssl_context: ssl.SSLContext,
        client: Callable[[], aiohttp.ClientSession],
        shaping: Callable[[], Shaping] = Shaping,
    ) -> None:
        self.port = port
        self._upstream = upstream
        self._ssl = ssl_context
        self._client = client
        self._shaping = shaping
        self._runner: web.ServerRunner | None = None
        self._listener: asyncio.Server | None = None

    async def start(self) -> None:
        server = web.Server(self._handle)
        self._runner = web.ServerRunner(server, handle_signals=False)
        await self._runner.setup()
        loop = asyncio.get_running_loop()
        self._listener = await loop.create_server(
            shaped_factory(server, self._shaping),
            "127.0.0.1",
            self.port,
            ssl=self._ssl,
            reuse_address=True,
        )

    async def close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _handle(self, request: web.BaseRequest) -> web.StreamResponse:
        latency = self._shaping().latency_s
        if latency > 0:
            await asyncio.sleep(latency)
        port = self._upstream()
        if port is None:
            return envoy_503()
        url = f"http://127.0.0.1:{port}{request.rel_url}"
        if request.headers.get("Upgrade", "").lower() == "websocket":
            return await self._websocket(request, url)
        body = request.content if request.body_exists else None
        try:
            upstream = await self._client().request(
                request.method,
                url,
                headers=forward_headers(request),
                data=body,
                allow_redirects=False,
                auto_decompress=False,
                timeout=aiohttp.ClientTimeout(total=None, sock_connect=10),
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
            return envoy_503()
        try:
            return await _relay(request, upstream)
        finally:
            upstream.release()

    async def _websocket(self, request: web.BaseRequest, url: str) -> web.StreamResponse:
        headers = {
            k: v for k, v in forward_headers(request).items() if not k.lower().startswith("sec-")
        }
        try:
            upstream = await self._client().ws_connect(
                url, headers=headers, protocols=request.headers.getall("Sec-WebSocket-Protocol", ())
            )
        except (aiohttp.ClientError, OSError, asyncio.TimeoutError):
            return envoy_503()
        downstream = web.WebSocketResponse(
            protocols=(upstream.protocol,) if upstream.protocol else ()
        )
        await downstream.prepare(request)
        async with upstream:
            await asyncio.gather(_pipe(upstream, downstream), _pipe(downstream, upstream))
        return downstream


async def _pipe(source: Any, sink: Any) -> None:
    """Copy messages one way (client or server websockets: aiohttp's generics differ)."""
    async for message in source:
        if message.type == aiohttp.WSMsgType.TEXT:
            await sink.send_str(message.data)
        elif message.type == aiohttp.WSMsgType.BINARY:
            await sink.send_bytes(message.data)
        else:
            break
    await sink.close()


async def _relay(request: web.BaseRequest, upstream: aiohttp.ClientResponse) -> web.StreamResponse:
    response = web.StreamResponse(status=upstream.status, reason=upstream.reason)
    for name, value in upstream.headers.items():
        if name.lower() not in HOP_BY_HOP:
            response.headers.add(name, value)
    length = upstream.headers.get("Content-Length")
    bodiless = request.method == "HEAD" or upstream.status in (204, 304)
    if length is not None:
        response.headers["Content-Length"] = length
    elif not bodiless:
        response.enable_chunked_encoding()
    await response.prepare(request)
    if bodiless:
        await response.write_eof()
        return response
    try:
        async for chunk in upstream.content.iter_any():
            await response.write(chunk)
    except (aiohttp.ClientError, ConnectionResetError):
        return response  # the replica or the client went away mid-stream
    await response.write_eof()
    return response
