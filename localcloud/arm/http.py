"""Request parsing and response building shared by the deployment routes."""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.errors import ArmError

DEFAULT_API_VERSION = "2026-06-01"


def query(request: web.Request, name: str) -> str | None:
    """A query parameter, matched case-insensitively (`api-version`, `$top`, `$filter`)."""
    wanted = name.lower()
    for key, value in request.query.items():
        if key.lower() == wanted:
            return value
    return None


def api_version(request: web.Request) -> str:
    return query(request, "api-version") or DEFAULT_API_VERSION


def top(request: web.Request) -> int | None:
    raw = query(request, "$top")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        raise ArmError(
            400, "InvalidQueryParameterValue", f"The value '{raw}' of '$top' is not valid."
        ) from None
    if value < 1:
        raise ArmError(400, "InvalidQueryParameterValue", "The '$top' value must be positive.")
    return value


def correlation_id(request: web.Request) -> str:
    """The caller's `x-ms-correlation-request-id`, or one GUID minted once per request."""
    cached = request.get("arm.correlation_id")
    if isinstance(cached, str):
        return cached
    value = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
    request["arm.correlation_id"] = value
    return value


async def read_json(request: web.Request) -> Any:
    """The JSON body (None when empty); malformed JSON is ARM's 400 InvalidRequestContent."""
    raw = await request.read()
    if not raw.strip():
        return None
    try:
        return json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as e:
        raise ArmError(
            400,
            "InvalidRequestContent",
            f"The request content was invalid and could not be deserialized: '{e}'.",
        ) from e


def arm_headers(request: web.Request, *, write: bool) -> dict[str, str]:
    budget = "x-ms-ratelimit-remaining-subscription-" + ("writes" if write else "reads")
    glob = "x-ms-ratelimit-remaining-subscription-global-" + ("writes" if write else "reads")
    return {
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "Expires": "-1",
        "x-ms-correlation-request-id": correlation_id(request),
        budget: "799" if write else "1099",
        glob: "11999" if write else "16499",
    }


def respond(
    request: web.Request,
    status: int,
    body: Any = None,
    *,
    write: bool = False,
    headers: Mapping[str, str] | None = None,
) -> web.Response:
    all_headers = {**arm_headers(request, write=write), **(headers or {})}
    if body is None:
        return web.Response(status=status, headers=all_headers)
    return web.Response(
        status=status,
        body=json.dumps(body).encode(),
        content_type="application/json",
        charset="utf-8",
        headers=all_headers,
    )
