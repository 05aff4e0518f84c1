"""The wire side of a request: reading a bounded body, writing a `Reply` (file bytes are
streamed from the share folder in a worker thread, 1 MiB at a time)."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from aiohttp import web

from localcloud.files.errors import FileError
from localcloud.files.ops import Reply

_CHUNK = 1 << 20


async def read_body(request: web.Request, limit: int) -> bytes:
    """The whole request body; 413 `RequestBodyTooLarge` past `limit` bytes."""
    declared = request.content_length
    if declared is not None and declared > limit:
        raise FileError(413, "RequestBodyTooLarge", f"The request body exceeds {limit} bytes.")
    data = bytearray()
    while True:
        chunk = await request.content.read(_CHUNK)
        if not chunk:
            return bytes(data)
        data += chunk
        if len(data) > limit:
            raise FileError(413, "RequestBodyTooLarge", f"The request body exceeds {limit} bytes.")


async def send(request: web.Request, reply: Reply, common: Mapping[str, str]) -> web.StreamResponse:
    headers = {**common, **reply.headers}
    if reply.stream is None:
        return await _send_whole(request, reply, headers)
    headers["Content-Length"] = str(reply.stream.length)
    response = web.StreamResponse(status=reply.status, headers=headers)
    await response.prepare(request)
    stream = reply.stream
    offset, remaining = stream.offset, stream.length
    while remaining > 0:
        chunk = await asyncio.to_thread(stream.read, offset, min(remaining, _CHUNK))
        if not chunk:
            break  # the file shrank under us; the client sees a short body
        await response.write(chunk)
        offset, remaining = offset + len(chunk), remaining - len(chunk)
    await response.write_eof()
    return response


async def _send_whole(request: web.Request, reply: Reply, headers: dict[str, str]) -> web.Response:
    """A reply held in memory. A `Response` keeps the head back until the body is written,
    so both leave in one send (one TLS record, one wake-up of the client), not two."""
    if request.method != "HEAD" or "Content-Length" not in headers:
        headers["Content-Length"] = str(len(reply.body))
    body = reply.body if reply.body and request.method != "HEAD" else None
    response = web.Response(status=reply.status, headers=headers, body=body)
    await response.prepare(request)
    await response.write_eof()
    return response
