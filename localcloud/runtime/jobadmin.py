"""`/_localcloud/executions` (not Azure): the knobs of new job executions;
`/_localcloud/logstreams`: the open job console streams.

GET    /_localcloud/executions   {"queue_seconds": 0.0, "early_failures": 0}
POST   /_localcloud/executions   {"queue_seconds"?: s >= 0, "early_failures"?: n >= 0}
POST   /_localcloud/reset        puts them back to 0
GET    /_localcloud/logstreams   {"open": n}
DELETE /_localcloud/logstreams   cuts every open job log stream mid-stream: {"dropped": n}
"""

from __future__ import annotations

import json
from dataclasses import dataclass, replace
from typing import Any, Protocol

from aiohttp import web


@dataclass(frozen=True)
class Knobs:
    """Admin-tunable behaviour of new executions."""

    queue_seconds: float = 0.0
    early_failures: int = 0

    def to_json(self) -> dict[str, Any]:
        return {"queue_seconds": self.queue_seconds, "early_failures": self.early_failures}


class KnobsError(ValueError):
    """A bad admin body (400 with the message)."""


def merge_knobs(knobs: Knobs, doc: Any) -> Knobs:
    """`knobs` with a POST body merged in (pure)."""
    if not isinstance(doc, dict):
        raise KnobsError("the body must be a JSON object")
    unknown = sorted(set(doc) - {"queue_seconds", "early_failures"})
    if unknown:
        raise KnobsError(f"unknown field(s) {unknown}; known: early_failures, queue_seconds")
    seconds = doc.get("queue_seconds", knobs.queue_seconds)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or seconds < 0:
        raise KnobsError("'queue_seconds' must be a number of seconds >= 0")
    failures = doc.get("early_failures", knobs.early_failures)
    if isinstance(failures, bool) or not isinstance(failures, int) or failures < 0:
        raise KnobsError("'early_failures' must be an integer >= 0")
    return replace(knobs, queue_seconds=float(seconds), early_failures=failures)


class KnobHolder(Protocol):
    knobs: Knobs


class ExecutionsAdmin:
    def __init__(self, holder: KnobHolder) -> None:
        self._holder = holder

    async def handle(self, method: str, request: web.Request) -> web.Response:
        if method == "GET":
            return web.json_response(self._holder.knobs.to_json())
        if method != "POST":
            return _error(405, "MethodNotAllowed", f"{method} is not supported on executions")
        try:
            self._holder.knobs = merge_knobs(self._holder.knobs, json.loads(await request.read()))
        except (ValueError, UnicodeDecodeError) as err:
            return _error(400, "InvalidAdminRequest", str(err))
        return web.json_response(self._holder.knobs.to_json())

    def reset(self) -> None:
        self._holder.knobs = Knobs()


class OpenStreams(Protocol):
    def open_count(self) -> int: ...
    def drop_open(self) -> int: ...


class LogStreamsAdmin:
    """Drops the open job log streams, as a network failure would (not Azure)."""

    def __init__(self, streams: OpenStreams) -> None:
        self._streams = streams

    async def handle(self, method: str, request: web.Request) -> web.Response:
        if method == "GET":
            return web.json_response({"open": self._streams.open_count()})
        if method == "DELETE":
            return web.json_response({"dropped": self._streams.drop_open()})
        return _error(405, "MethodNotAllowed", f"{method} is not supported on logstreams")

    def reset(self) -> None:
        return None


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)
