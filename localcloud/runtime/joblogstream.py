"""The log stream of job executions, under the job's eventStreamEndpoint host:

    GET /logstream/subscriptions/{sub}/resourceGroups/{rg}/jobs/{job}/executions/{exec}
        /replicas/{replica}/containers/{container}/logstream?follow=&tailLines=&output=
    GET /logstream/subscriptions/{sub}/resourceGroups/{rg}/jobs/{job}/eventstream

Same rules as the apps' stream (runtime/logstream.py): `Authorization: Bearer` with the job's
getAuthToken token, lines `<RFC3339 UTC> <text>`, chunked; a followed console stream ends
when its replica ends. A replica that has not been assigned yet (a queued execution) answers
404, as Azure does before the pod exists; a replica that has ended still gives its last lines.

`drop_open()` (the admin's `DELETE /_localcloud/logstreams`, not Azure) cuts every open stream
as a network failure would: the connection is aborted mid-stream, without the chunked
encoding's last chunk, so a client sees a broken read, not the stream's end.
"""

from __future__ import annotations

from typing import Protocol

from aiohttp import web

from localcloud.runtime.logs import Entry, LogBook
from localcloud.runtime.logstream import (
    HEARTBEAT_S,
    StreamOptions,
    StreamRequest,
    TokenVerifier,
    authorized,
    render,
)


class ReplicaLookup(Protocol):
    logbook: LogBook

    def has_replica(self, job_key: str, execution: str, replica: str) -> bool: ...
    def replica_ended(self, job_key: str, execution: str, replica: str) -> bool: ...


def parse_job_path(path: str) -> StreamRequest | None:
    parts = [p for p in path.split("/") if p]
    low = [p.lower() for p in parts]
    if len(parts) < 8 or low[:2] != ["logstream", "subscriptions"]:
        return None
    if low[3] != "resourcegroups" or low[5] != "jobs":
        return None
    job_id = (
        f"/subscriptions/{parts[2]}/resourceGroups/{parts[4]}/providers/Microsoft.App/jobs/"
        f"{parts[6]}"
    )
    rest = low[7:]
    if rest == ["eventstream"]:
        return StreamRequest(job_id, console=False)
    shape = rest[0:6:2] == ["executions", "replicas", "containers"]
    if len(rest) == 7 and shape and rest[6] == "logstream":
        return StreamRequest(job_id, True, parts[8], parts[10], parts[12])
    return None


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)


class JobLogStream:
    def __init__(self, executions: ReplicaLookup, auth: TokenVerifier | None) -> None:
        self._executions = executions
        self._auth = auth
        self._open: dict[int, web.Request] = {}  # by id: a request is not hashable

    def open_count(self) -> int:
        return len(self._open)

    def drop_open(self) -> int:
        """Abort the connection of every open stream; how many were cut."""
        dropped = 0
        for request in list(self._open.values()):
            transport = request.transport
            if transport is not None and not transport.is_closing():
                transport.abort()
                dropped += 1
        return dropped

    def owns(self, path: str) -> bool:
        return parse_job_path(path) is not None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        target = parse_job_path(request.path)
        if target is None:
            return _error(404, "NotFound", f"No log stream at {request.path}")
        if not authorized(request, target, self._auth):
            return _error(401, "Unauthorized", "A valid log-stream token is required.")
        if target.console and not self._executions.has_replica(
            target.app_key, target.revision, target.replica
        ):
            return _error(
                404,
                "ReplicaNotFound",
                f"Replica '{target.replica}' of execution '{target.revision}' does not exist "
                "(yet): the execution may still be waiting for a replica.",
            )
        return await self._stream(request, target, StreamOptions.parse(request.query))

    async def _stream(
        self, request: web.Request, target: StreamRequest, options: StreamOptions
    ) -> web.StreamResponse:
        book = self._executions.logbook
        response = web.StreamResponse(
            headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache"}
        )
        response.enable_chunked_encoding()
        await response.prepare(request)
        # A replica that ended before we subscribe wrote every line already (the backlog);
        # otherwise its end arrives through the subscription and closes the stream.
        ended = target.console and self._executions.replica_ended(
            target.app_key, target.revision, target.replica
        )
        subscription = book.subscribe(target.app_key) if options.follow and not ended else None
        self._open[id(request)] = request
        try:
            backlog: list[Entry] = (
                list(book.lines(target.app_key, options.tail, target.matches))
                if target.console
                else list(book.events(target.app_key, options.tail))
            )
            for entry in backlog:
                await response.write(f"{render(entry, options.json_output)}\n".encode())
            while subscription is not None:
                fresh = await subscription.next_entry(HEARTBEAT_S)
                if fresh is None:
                    if request.transport is None or request.transport.is_closing():
                        break
                    continue
                if target.ends(fresh):
                    break
                if target.wants(fresh):
                    await response.write(f"{render(fresh, options.json_output)}\n".encode())
        except (ConnectionResetError, ConnectionError):
            return response
        finally:
            self._open.pop(id(request), None)
            if subscription is not None:
                subscription.close()
        if request.transport is None or request.transport.is_closing():
            return response  # cut (a client gone, or `drop_open`): no end to write
        await response.write_eof()
        return response
