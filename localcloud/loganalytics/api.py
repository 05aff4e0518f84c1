"""The Log Analytics query API on localcloud's own endpoint:

    POST {endpoint}/v1/workspaces/{customerId}/query   {"query": "<KQL>", "timespan"?: "PT1H"}
    GET  {endpoint}/v1/workspaces/{customerId}/query?query=<KQL>[&timespan=]
    Authorization: Bearer <token for https://api.loganalytics.io>

Answer (as api.loganalytics.io): `{"tables": [{"name": "PrimaryResult", "columns":
[{"name", "type"}], "rows": [[...]]}]}`. Errors use its shape: `{"error": {"message",
"code": "BadArgumentError", "correlationId", "innererror": {"code": "SyntaxError" |
"SemanticError", "message", "innererror": {"code": "SYN0002" | "SEM0100", "message", ...}}}}`.
`timespan` (ISO 8601: a duration, `start/end` or `start/duration`) limits `TimeGenerated`.
"""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from typing import Any

from aiohttp import web

from localcloud.cloud import Tokens
from localcloud.loganalytics.evaluate import Result, parse_datetime, render_datetime, run
from localcloud.loganalytics.kql import parse
from localcloud.loganalytics.kqltokens import KqlError
from localcloud.loganalytics.sink import LogSink

AUDIENCE = "https://api.loganalytics.io"
_PATH = re.compile(r"^/v1/workspaces/(?P<workspace>[^/]+)/query/?$", re.IGNORECASE)
_DURATION = re.compile(
    r"^P(?:(?P<d>\d+(?:\.\d+)?)D)?(?:T(?:(?P<h>\d+(?:\.\d+)?)H)?(?:(?P<m>\d+(?:\.\d+)?)M)?"
    r"(?:(?P<s>\d+(?:\.\d+)?)S)?)?$",
    re.IGNORECASE,
)


class BadRequest(Exception):
    def __init__(self, status: int, body: dict[str, Any]) -> None:
        super().__init__(str(body))
        self.status = status
        self.body = body


def error_body(code: str, message: str, inner: dict[str, Any] | None = None) -> dict[str, Any]:
    error: dict[str, Any] = {
        "message": message,
        "code": code,
        "correlationId": str(uuid.uuid4()),
    }
    if inner is not None:
        error["innererror"] = inner
    return {"error": error}


def query_error(err: KqlError) -> dict[str, Any]:
    """The API's answer to a query it cannot run."""
    if err.kind == "syntax":
        detail = {
            "code": "SYN0002",
            "message": str(err),
            "line": 1,
            "pos": err.position,
            "token": err.token,
        }
        inner = {"code": "SyntaxError", "message": "A recognition error occurred in the query."}
    elif err.kind == "semantic":
        detail = {"code": "SEM0100", "message": str(err)}
        inner = {"code": "SemanticError", "message": "A semantic error occurred."}
    else:
        detail = {"code": "LocalcloudUnsupported", "message": str(err)}
        inner = {"code": "SemanticError", "message": "A semantic error occurred."}
    return error_body(
        "BadArgumentError",
        "The request had some invalid properties",
        {**inner, "innererror": detail},
    )


def parse_timespan(text: str, now: datetime) -> tuple[datetime, datetime]:
    """(start, end) of an ISO 8601 interval: `PT1H` (ending now), `start/end`, `start/PT1H`."""

    def duration(value: str) -> timedelta:
        match = _DURATION.match(value.strip())
        if match is None or not any(match.groupdict().values()):
            raise ValueError(value)
        parts = {k: float(v) for k, v in match.groupdict().items() if v}
        return timedelta(
            days=parts.get("d", 0),
            hours=parts.get("h", 0),
            minutes=parts.get("m", 0),
            seconds=parts.get("s", 0),
        )

    first, _, second = text.partition("/")
    if not second:
        return now - duration(first), now
    start = parse_datetime(first)
    if second.strip().upper().startswith("P"):
        return start, start + duration(second)
    return start, parse_datetime(second)


def ingested(
    tables: dict[str, list[dict[str, Any]]], before: datetime
) -> dict[str, list[dict[str, Any]]]:
    """The rows a query may see: those ingested by `before` (empty tables disappear)."""
    kept = {
        name: [r for r in rows if r["TimeGenerated"] <= before] for name, rows in tables.items()
    }
    return {name: rows for name, rows in kept.items() if rows}


def answer(result: Result) -> dict[str, Any]:
    columns = [{"name": name, "type": kind} for name, kind in result.columns]
    rows = [[render_datetime(v) if isinstance(v, datetime) else v for v in r] for r in result.rows]
    return {"tables": [{"name": "PrimaryResult", "columns": columns, "rows": rows}]}


def _json(status: int, body: dict[str, Any]) -> web.Response:
    return web.Response(
        status=status, text=json.dumps(body), content_type="application/json", charset="utf-8"
    )


class LogQueryApi:
    def __init__(
        self,
        sink: LogSink,
        tokens: Tokens,
        clock: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    ) -> None:
        self._sink = sink
        self._tokens = tokens
        self._clock = clock
        self.ingestion_delay = timedelta(0)  # rows show up this long after TimeGenerated

    async def handle(self, request: web.Request) -> web.StreamResponse:
        try:
            return _json(200, await self._answer(request))
        except BadRequest as err:
            return _json(err.status, err.body)

    async def _answer(self, request: web.Request) -> dict[str, Any]:
        match = _PATH.match(request.path)
        if match is None or request.method not in ("GET", "POST"):
            raise BadRequest(
                404, error_body("PathNotFoundError", "The requested path does not exist")
            )
        self._authorize(request)
        workspace = match["workspace"]
        if not self._sink.workspace_exists(workspace):
            raise BadRequest(
                404,
                error_body("WorkspaceNotFoundError", f"Workspace '{workspace}' could not be found"),
            )
        text, span = await self._query_text(request)
        now = self._clock()
        try:
            query = parse(text)
            tables = ingested(self._sink.tables(workspace), now - self.ingestion_delay)
            if span is not None:
                start, end = parse_timespan(span, now)
                tables = {
                    name: [r for r in rows if start <= r["TimeGenerated"] <= end]
                    for name, rows in tables.items()
                }
            return answer(run(query, tables, now))
        except KqlError as err:
            raise BadRequest(400, query_error(err)) from err
        except ValueError as err:
            raise BadRequest(
                400,
                error_body(
                    "BadArgumentError",
                    "The request had some invalid properties",
                    {"code": "InvalidTimespan", "message": f"'{span}' is not an ISO 8601 interval"},
                ),
            ) from err

    def _authorize(self, request: web.Request) -> None:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        claims = (
            self._tokens.verify(token.strip(), AUDIENCE)
            if scheme.lower() == "bearer" and token.strip()
            else None
        )
        if not claims:
            raise BadRequest(
                401,
                error_body(
                    "AuthorizationRequiredError",
                    "Valid authentication was not provided (a bearer token for "
                    f"{AUDIENCE} is required)",
                ),
            )

    async def _query_text(self, request: web.Request) -> tuple[str, str | None]:
        if request.method == "GET":
            doc: Any = dict(request.query)
        else:
            try:
                doc = json.loads(await request.read() or b"{}")
            except (ValueError, UnicodeDecodeError) as err:
                raise BadRequest(
                    400, error_body("BadArgumentError", f"The request body is not JSON: {err}")
                ) from err
        query = doc.get("query") if isinstance(doc, dict) else None
        if not isinstance(query, str) or not query.strip():
            raise BadRequest(
                400,
                error_body(
                    "BadArgumentError",
                    "The request had some invalid properties",
                    {
                        "code": "QueryValidationError",
                        "message": "The 'query' parameter is required",
                    },
                ),
            )
        span = doc.get("timespan")
        return query, str(span) if span else None


class LogAnalyticsAdmin:
    """`/_localcloud/loganalytics` (not Azure): `{"ingestion_delay_seconds": s}` makes rows
    visible to queries only that long after they were written, as Azure's ingestion (minutes)
    does; 0 (the default, and after POST /_localcloud/reset) shows them at once."""

    def __init__(self, api: LogQueryApi) -> None:
        self._api = api

    async def handle(self, method: str, request: web.Request) -> web.Response:
        if method == "POST":
            try:
                doc = json.loads(await request.read())
                seconds = doc["ingestion_delay_seconds"]
                if (
                    isinstance(seconds, bool)
                    or not isinstance(seconds, (int, float))
                    or seconds < 0
                ):
                    raise ValueError(seconds)
            except (ValueError, KeyError, TypeError, UnicodeDecodeError):
                return _json(
                    400,
                    error_body("InvalidAdminRequest", 'send {"ingestion_delay_seconds": s >= 0}'),
                )
            self._api.ingestion_delay = timedelta(seconds=seconds)
        elif method != "GET":
            return _json(405, error_body("MethodNotAllowed", f"{method} is not supported"))
        return _json(200, {"ingestion_delay_seconds": self._api.ingestion_delay.total_seconds()})

    def reset(self) -> None:
        self._api.ingestion_delay = timedelta(0)
