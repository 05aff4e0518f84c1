"""Small helpers every ARM handler uses: JSON responses, the request body, api-version.

The server adds ARM's standard headers (request ids, rate-limit budget, no-cache) to every
ARM response, so handlers only build bodies and status codes.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.errors import ArmError
from localcloud.arm.jsonc import loads_lenient

JSON_CONTENT_TYPE = "application/json; charset=utf-8"


def json_response(
    doc: Any, status: int = 200, headers: Mapping[str, str] | None = None
) -> web.Response:
    return web.Response(
        body=json.dumps(doc).encode(),
        status=status,
        headers={"Content-Type": JSON_CONTENT_TYPE, **(headers or {})},
    )


def empty_response(status: int, headers: Mapping[str, str] | None = None) -> web.Response:
    return web.Response(status=status, headers=dict(headers or {}))


def api_version(request: web.Request) -> str | None:
    """The `api-version` query parameter, matched case-insensitively."""
    for key, value in request.query.items():
        if key.lower() == "api-version":
            return value
    return None


def require_api_version(request: web.Request) -> str:
    version = api_version(request)
    if not version:
        raise ArmError(
            400,
            "MissingApiVersionParameter",
            "The api-version query parameter (?api-version=) is required for all requests.",
        )
    return version


def query_value(request: web.Request, name: str) -> str | None:
    for key, value in request.query.items():
        if key.lower() == name.lower():
            return value
    return None


async def read_json(request: web.Request, *, required: bool = True, lenient: bool = False) -> Any:
    """The request body as JSON; 400 `InvalidRequestContent` when it is not JSON.

    `lenient` also accepts what ARM accepts in deployment bodies and the az CLI sends:
    comments, trailing commas and unquoted property names (localcloud/arm/jsonc.py).
    """
    raw = await request.read()
    if not raw.strip():
        if required:
            raise ArmError(
                400, "InvalidRequestContent", "The request content was invalid: the body is empty."
            )
        return None
    try:
        text = raw.decode("utf-8-sig")
        return loads_lenient(text) if lenient else json.loads(text)
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise ArmError(
            400,
            "InvalidRequestContent",
            f"The request content was invalid and could not be deserialized: {err}.",
            headers={"x-ms-failure-cause": "gateway"},
        ) from err


async def read_json_object(request: web.Request, *, required: bool = True) -> dict[str, Any]:
    body = await read_json(request, required=required)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise ArmError(
            400,
            "InvalidRequestContent",
            "The request content was invalid: expected a JSON object.",
            headers={"x-ms-failure-cause": "gateway"},
        )
    return body


def request_ids(request: web.Request) -> tuple[str, str]:
    """(x-ms-request-id, x-ms-correlation-request-id) for this request, minted once."""
    existing = request.get("localcloud.ids")
    if isinstance(existing, tuple):
        return existing
    correlation = request.headers.get("x-ms-correlation-request-id") or str(uuid.uuid4())
    ids = (str(uuid.uuid4()), correlation)
    request["localcloud.ids"] = ids
    return ids


def correlation_id(request: web.Request) -> str:
    """The correlation id ARM echoes (deployments store it as `correlationId`)."""
    return request_ids(request)[1]


def arm_headers(request: web.Request) -> dict[str, str]:
    request_id, correlation = request_ids(request)
    method = request.method.upper()
    family = "reads" if method in ("GET", "HEAD") else "deletes" if method == "DELETE" else "writes"
    headers = {
        "x-ms-request-id": request_id,
        "x-ms-correlation-request-id": correlation,
        "x-ms-routing-request-id": f"LOCAL:{correlation}",
        "Cache-Control": "no-cache",
        "Pragma": "no-cache",
        "Expires": "-1",
        "Strict-Transport-Security": "max-age=31536000; includeSubDomains",
        "X-Content-Type-Options": "nosniff",
    }
    remaining, global_remaining = _BUDGETS[family]
    headers[f"x-ms-ratelimit-remaining-subscription-{family}"] = remaining
    headers[f"x-ms-ratelimit-remaining-subscription-global-{family}"] = global_remaining
    return headers


# The rate-limit budget headers by request family, as recorded from Azure (azd recordings:
# reads 1099/16499, writes 799/11999, deletes 799/11999).
_BUDGETS = {"reads": ("1099", "16499"), "writes": ("799", "11999"), "deletes": ("799", "11999")}


def error_response(err: ArmError) -> web.Response:
    return json_response(err.body(), err.status, err.headers)
