"""The one request handler: log, shaping latency, faults, then dispatch by path prefix.

Nothing a client sends yields a 500 except a bug, and a bug is logged with its traceback and
answered with ARM's `InternalServerError` body.

Limits (`Limits`): a client has `header_timeout_s` to send its request head (aiohttp's
keep-alive timer, also the idle time between requests); an ARM, Entra or admin body must
arrive within `body_timeout_s`, else the connection is closed; an authenticated ARM body
over `arm_body_bytes` (4 MB, as ARM) is answered 413 `RequestContentTooLarge`.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from enum import Enum

from aiohttp import web

from localcloud.admin import ADMIN_PREFIX, AdminApi, AdminState, Fault
from localcloud.arm.errors import ArmError
from localcloud.arm.responses import (
    api_version,
    arm_headers,
    error_response,
    json_response,
    require_api_version,
)
from localcloud.auth import ARM_AUDIENCES, TokenService, check_bearer
from localcloud.cloud import LocalCloud
from localcloud.entra import Entra, is_entra_path
from localcloud.metadata import cloud_metadata

log = logging.getLogger("localcloud.requests")

ARM_BODY_LIMIT = 4 * 1024 * 1024


@dataclass(frozen=True)
class Limits:
    header_timeout_s: float = 15.0
    body_timeout_s: float = 30.0
    arm_body_bytes: int = ARM_BODY_LIMIT


def too_large(limit: int) -> ArmError:
    return ArmError(
        413,
        "RequestContentTooLarge",
        f"The request content size exceeds the maximum size of {limit // (1024 * 1024)} MB.",
    )


ARM_PREFIXES = ("subscriptions", "providers", "tenants")


class Area(Enum):
    ADMIN = "admin"
    ARM = "arm"
    METADATA = "metadata"
    ENTRA = "entra"
    LOGSTREAM = "logstream"
    LOGANALYTICS = "loganalytics"
    FILES = "files"
    UNKNOWN = "unknown"


def is_admin_path(path: str) -> bool:
    low = path.lower()
    return low.startswith(ADMIN_PREFIX) or low == ADMIN_PREFIX.rstrip("/")


def classify(path: str, tenant_id: str, files_owns: Callable[[str], bool]) -> Area:
    """Which subsystem answers `path` (pure except for the files ownership callback)."""
    if is_admin_path(path):
        return Area.ADMIN
    segments = [s for s in path.split("/") if s]
    first = segments[0].lower() if segments else ""
    if first in ARM_PREFIXES:
        return Area.ARM
    if first == "metadata" and len(segments) == 2 and segments[1].lower() == "endpoints":
        return Area.METADATA
    if first == "logstream":
        return Area.LOGSTREAM
    if first == "v1" and len(segments) >= 2 and segments[1].lower() == "workspaces":
        return Area.LOGANALYTICS
    if is_entra_path(segments, tenant_id):
        return Area.ENTRA
    if segments and files_owns(segments[0]):
        return Area.FILES
    return Area.UNKNOWN


_Inner = Callable[[web.Request], Awaitable[web.StreamResponse]]


class DropConnection(Exception):
    """A fault asked for the connection to be closed without an answer."""


@dataclass(frozen=True)
class Dispatcher:
    cloud: LocalCloud
    tokens: TokenService
    entra: Entra
    admin: AdminApi
    admin_state: AdminState
    limits: Limits = field(default_factory=Limits)

    async def handle(self, request: web.Request) -> web.StreamResponse:
        started = time.monotonic()
        if is_admin_path(request.path):
            try:
                return await self._guarded(request, self._admin)
            except DropConnection:
                return web.Response(status=499)
        latency = self.cloud.settings.latency_ms
        if latency > 0:
            await asyncio.sleep(latency / 1000)  # one round trip per request
        status = 0
        try:
            response = await self._guarded(request, self._with_faults)
            status = response.status
            return response
        except DropConnection:
            # The transport is already aborted; aiohttp discards whatever is returned.
            return web.Response(status=499)
        finally:
            self.admin_state.record(request.method, request.raw_path, status)
            log.info(
                "%s %s -> %s (%.0f ms)",
                request.method,
                request.raw_path,
                status or "dropped",
                (time.monotonic() - started) * 1000,
            )

    async def _guarded(self, request: web.Request, inner: _Inner) -> web.StreamResponse:
        try:
            return await inner(request)
        except ArmError as err:
            return self._arm_error(request, err)
        except web.HTTPRequestEntityTooLarge:
            return self._arm_error(request, too_large(self.limits.arm_body_bytes))
        except (DropConnection, asyncio.CancelledError):
            raise
        except Exception:
            log.exception("internal error serving %s %s", request.method, request.raw_path)
            internal = ArmError(
                500,
                "InternalServerError",
                "localcloud hit an internal error; the traceback is in its log.",
            )
            return self._arm_error(request, internal)

    def _arm_error(self, request: web.Request, err: ArmError) -> web.Response:
        response = error_response(err)
        if err.status == 413:
            response.force_close()  # do not read the rest of the body
        if err.code in ("ResourceGroupNotFound", "SubscriptionNotFound"):
            response.headers.setdefault("x-ms-failure-cause", "gateway")
        _merge_headers(response, arm_headers(request))
        return response

    async def _admin(self, request: web.Request) -> web.StreamResponse:
        check = check_bearer(
            self.tokens, request.headers.get("Authorization"), None, self._authority
        )
        if check.error is not None:
            raise check.error
        await self._read_body(request)
        return await self.admin.handle(request)

    async def _with_faults(self, request: web.Request) -> web.StreamResponse:
        area = classify(request.path, self.cloud.identity.tenant_id, self.cloud.files.owns)
        fault = self.admin_state.take(request.method, request.raw_path)
        if fault is not None:
            answer = await _apply_fault(request, fault)
            if answer is not None:
                if area is Area.ARM:
                    _merge_headers(answer, arm_headers(request))
                return answer
        return await self._serve(request, area)

    async def _serve(self, request: web.Request, area: Area) -> web.StreamResponse:
        match area:
            case Area.ARM:
                response = await self._arm(request)
                _merge_headers(response, arm_headers(request))
                return response
            case Area.METADATA:
                return json_response(cloud_metadata(self.cloud.base_url, api_version(request)))
            case Area.ENTRA:
                await self._read_body(request)
                return await self.entra.handle(request)
            case Area.LOGSTREAM:
                for stream in self.cloud.extensions.logstreams:
                    if stream.owns(request.path):
                        return await stream.handle(request)
                return await self.cloud.runtime.handle_logstream(request)
            case Area.LOGANALYTICS if self.cloud.extensions.loganalytics is not None:
                return await self.cloud.extensions.loganalytics.handle(request)
            case Area.FILES:
                return await self.cloud.files.handle(request)
            case Area.UNKNOWN | Area.ADMIN | Area.LOGANALYTICS:
                raise ArmError(
                    404,
                    "NotFound",
                    f"No localcloud endpoint serves '{request.path}'. ARM paths start with "
                    "/subscriptions, Entra paths with /{tenant}, Files paths with /{account}.",
                )

    @property
    def _authority(self) -> str:
        return self.cloud.base_url

    async def _arm(self, request: web.Request) -> web.StreamResponse:
        check = check_bearer(
            self.tokens, request.headers.get("Authorization"), ARM_AUDIENCES[0], self._authority
        )
        if check.error is not None:
            raise check.error
        declared = request.content_length
        if declared is not None and declared > self.limits.arm_body_bytes:
            raise too_large(self.limits.arm_body_bytes)
        await self._read_body(request)
        require_api_version(request)
        path = request.rel_url.raw_path
        self._check_subscription(path)
        found = self.cloud.arm.match(request.method, path)
        if found is None:
            raise self._no_route(request.method, path)
        handler, params = found
        return await handler(request, params)

    async def _read_body(self, request: web.Request) -> None:
        """Read (and cache) a small body within the body timeout; a client that stops
        half-way has its connection closed."""
        if not request.body_exists:
            return
        try:
            await asyncio.wait_for(request.read(), self.limits.body_timeout_s)
        except asyncio.TimeoutError:
            log.info("%s %s: body not received in time; closing", request.method, request.path)
            if request.transport is not None:
                request.transport.abort()
            raise DropConnection() from None

    def _check_subscription(self, path: str) -> None:
        segments = [s for s in path.split("/") if s]
        if len(segments) >= 2 and segments[0].lower() == "subscriptions":
            wanted = self.cloud.identity.subscription_id
            if segments[1].lower() != wanted.lower():
                raise ArmError(
                    404,
                    "SubscriptionNotFound",
                    f"The subscription '{segments[1]}' could not be found. localcloud serves "
                    f"subscription '{wanted}'.",
                )

    def _no_route(self, method: str, path: str) -> ArmError:
        if self.cloud.arm.allows_path(path):
            return ArmError(
                405,
                "MethodNotAllowed",
                f"The HTTP method '{method}' is not supported for the resource path '{path}'.",
            )
        low = path.lower()
        if "/providers/" in low:
            namespace = low.split("/providers/", 1)[1].split("/", 1)[0]
            return ArmError(
                404,
                "NoRegisteredProviderFound" if "." not in namespace else "InvalidResourceType",
                f"No registered resource provider or resource type was found for path '{path}'.",
            )
        return ArmError(
            404, "InvalidResourceType", f"The resource type for path '{path}' could not be found."
        )


async def _apply_fault(request: web.Request, fault: Fault) -> web.StreamResponse | None:
    """The fault's answer, or None to serve the request normally after its delay."""
    if fault.delay:
        await asyncio.sleep(fault.delay)
    if fault.drop:
        if request.transport is not None:
            request.transport.abort()
        raise DropConnection()
    if fault.status is None:
        return None
    if isinstance(fault.body, (dict, list)):
        body = json.dumps(fault.body).encode()
        content_type = "application/json; charset=utf-8"
    else:
        body = b"" if fault.body is None else str(fault.body).encode()
        content_type = "text/plain; charset=utf-8"
    headers = {"Content-Type": content_type, **fault.headers} if body else dict(fault.headers)
    return web.Response(status=fault.status, body=body or None, headers=headers)


def _merge_headers(response: web.StreamResponse, headers: dict[str, str]) -> None:
    for key, value in headers.items():
        response.headers.setdefault(key, value)
