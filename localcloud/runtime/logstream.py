"""`/logstream/...`: the console log stream and the system event stream of an app.

    GET /logstream/subscriptions/{sub}/resourceGroups/{rg}/containerApps/{app}
        /revisions/{rev}/replicas/{replica}/containers/{container}/logstream
    GET /logstream/subscriptions/{sub}/resourceGroups/{rg}/containerApps/{app}/eventstream
    ?follow=true|false&tailLines=N&output=text|json     Authorization: Bearer <token>

The token is the app's getAuthtoken token (audience `containerapps-logstream`, subject the
app's resource ID). Answers are chunked; with follow=true new lines stream until the client
disconnects, or (console) until the replica is deleted, e.g. by a revision restart.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

from aiohttp import web

from localcloud.runtime.logs import Entry, LogBook, LogLine, SystemEvent
from localcloud.runtime.replica import REPLICA_DELETED

AUDIENCE = "containerapps-logstream"
DEFAULT_TAIL = 20
MAX_TAIL = 300
HEARTBEAT_S = 2.0  # how often an idle follow checks that the client is still there


class TokenVerifier(Protocol):
    def verify(self, token: str, audience: str | None = None) -> dict[str, Any] | None: ...


@dataclass(frozen=True)
class StreamRequest:
    app_id: str
    console: bool  # False: the system event stream
    revision: str = ""
    replica: str = ""
    container: str = ""

    @property
    def app_key(self) -> str:
        return self.app_id.lower()

    def wants(self, entry: Entry) -> bool:
        if not self.console:
            return isinstance(entry, SystemEvent)
        return isinstance(entry, LogLine) and self.matches(entry)

    def ends(self, entry: Entry) -> bool:
        """A followed console stream ends when its replica is deleted (as in Azure)."""
        return (
            self.console
            and isinstance(entry, SystemEvent)
            and entry.reason == REPLICA_DELETED
            and entry.replica.lower() == self.replica.lower()
        )

    def matches(self, line: LogLine) -> bool:
        return (
            line.revision.lower() == self.revision.lower()
            and line.replica.lower() == self.replica.lower()
            and line.container.lower() == self.container.lower()
        )


def parse_path(path: str) -> StreamRequest | None:
    parts = [p for p in path.split("/") if p]
    low = [p.lower() for p in parts]
    if len(parts) < 8 or low[:2] != ["logstream", "subscriptions"]:
        return None
    if low[3] != "resourcegroups" or low[5] != "containerapps":
        return None
    sub, rg, app = parts[2], parts[4], parts[6]
    app_id = f"/subscriptions/{sub}/resourceGroups/{rg}/providers/Microsoft.App/containerApps/{app}"
    rest = low[7:]
    if rest == ["eventstream"]:
        return StreamRequest(app_id, console=False)
    if (
        len(rest) == 7
        and rest[0:6:2] == ["revisions", "replicas", "containers"]
        and (rest[6] == "logstream")
    ):
        return StreamRequest(app_id, True, parts[8], parts[10], parts[12])
    return None


@dataclass(frozen=True)
class StreamOptions:
    follow: bool
    tail: int
    json_output: bool

    @staticmethod
    def parse(query: Mapping[str, str]) -> StreamOptions:
        try:
            tail = int(query.get("tailLines", DEFAULT_TAIL))
        except ValueError:
            tail = DEFAULT_TAIL
        return StreamOptions(
            follow=query.get("follow", "false").lower() == "true",
            tail=max(0, min(MAX_TAIL, tail)),
            json_output=query.get("output", "text").lower() == "json",
        )


def authorized(request: web.Request, target: StreamRequest, auth: TokenVerifier | None) -> bool:
    if auth is None:
        return True
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False
    claims = auth.verify(token.strip(), audience=AUDIENCE)
    if not claims:
        return False
    subject = str(claims.get("sub") or "")
    return not subject.startswith("/subscriptions/") or subject.lower() == target.app_key


def render(entry: Entry, json_output: bool) -> str:
    if isinstance(entry, SystemEvent):
        return json.dumps(entry.to_json())
    return json.dumps(entry.to_json()) if json_output else entry.to_text()


async def serve_logstream(
    request: web.Request, book: LogBook, auth: TokenVerifier | None
) -> web.StreamResponse:
    target = parse_path(request.path)
    if target is None:
        return web.json_response(
            {"error": {"code": "NotFound", "message": f"No log stream at {request.path}"}},
            status=404,
        )
    if not authorized(request, target, auth):
        return web.json_response(
            {"error": {"code": "Unauthorized", "message": "A valid log-stream token is required."}},
            status=401,
        )
    options = StreamOptions.parse(request.query)
    response = web.StreamResponse(
        headers={"Content-Type": "text/plain; charset=utf-8", "Cache-Control": "no-cache"}
    )
    response.enable_chunked_encoding()
    await response.prepare(request)
    subscription = book.subscribe(target.app_key) if options.follow else None
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
        if subscription is not None:
            subscription.close()
    await response.write_eof()
    return response
