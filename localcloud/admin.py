"""The `/_localcloud/` admin API (not part of Azure): request log, fault rules, settings.

    GET    /_localcloud/requests   [{"method","path","status","time"}] (admin calls excluded)
    DELETE /_localcloud/requests   empty the log
    POST   /_localcloud/faults     {"method"?, "path": regex, "status"?, "headers"?, "body"?,
                                    "delay"?, "drop"?, "count"?} -> the rule with its id
    GET    /_localcloud/faults     the rules still armed;  DELETE clears them
    POST   /_localcloud/settings   {"provisioning_seconds": {type|*: s}, "fail": {type: {code,
                                    message}}, "latency_ms": n, "bandwidth_kbps": n} merged
                                    into cloud.settings;  GET shows them
    POST   /_localcloud/reset      clear log, faults, and settings back to how the server
                                    started (its --latency-ms / --bandwidth-kbps included)
    GET    /_localcloud/info       endpoint, tenant, subscription (no secrets)
    *      /_localcloud/<name>     an endpoint a subsystem adds (`AdminExtension`), e.g.
                                   `executions`, `quota`, `loganalytics` (docs/localcloud-jobs.md)

Every call needs a bearer token from the Entra endpoint (any audience).
"""

from __future__ import annotations

import copy
import json
import re
import time
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from aiohttp import web

from localcloud.cloud import AdminExtension, Settings
from localcloud.shaping import ShapingError, checked

ADMIN_PREFIX = "/_localcloud/"
LOG_LIMIT = 10_000


class AdminInputError(Exception):
    """A bad admin request body (answered with 400 and the message)."""


@dataclass(frozen=True)
class Fault:
    """One armed fault rule. `status` None means: delay (or drop), then serve normally."""

    id: int
    path: str
    method: str | None = None
    status: int | None = None
    headers: Mapping[str, str] = field(default_factory=dict)
    body: Any = None
    delay: float = 0.0
    drop: bool = False
    remaining: int = 1

    def matches(self, method: str, target: str) -> bool:
        if self.method is not None and self.method.upper() != method.upper():
            return False
        return re.search(self.path, target) is not None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "method": self.method,
            "path": self.path,
            "status": self.status,
            "headers": dict(self.headers),
            "body": self.body,
            "delay": self.delay,
            "drop": self.drop,
            "count": self.remaining,
        }


def parse_fault(doc: Any, fault_id: int) -> Fault:
    """Validate a POST /faults body (pure); raises `AdminInputError` saying what is wrong."""
    if not isinstance(doc, dict):
        raise AdminInputError("the fault must be a JSON object")
    known = {"method", "path", "status", "headers", "body", "delay", "drop", "count"}
    unknown = sorted(set(doc) - known)
    if unknown:
        raise AdminInputError(f"unknown fault field(s) {unknown}; known: {sorted(known)}")
    path = doc.get("path")
    if not isinstance(path, str):
        raise AdminInputError("'path' (a regular expression searched in path+query) is required")
    try:
        re.compile(path)
    except re.error as err:
        raise AdminInputError(f"'path' is not a valid regular expression: {err}") from err
    method = doc.get("method")
    if method is not None and (not isinstance(method, str) or not method.isalpha()):
        raise AdminInputError("'method' must be an HTTP method name such as 'PUT'")
    status = doc.get("status")
    if status is not None and (
        not isinstance(status, int) or isinstance(status, bool) or not 100 <= status <= 599
    ):
        raise AdminInputError("'status' must be an integer HTTP status (100-599)")
    headers = doc.get("headers") or {}
    if not isinstance(headers, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in headers.items()
    ):
        raise AdminInputError("'headers' must be an object of string values")
    delay = doc.get("delay", 0)
    if not isinstance(delay, (int, float)) or isinstance(delay, bool) or not 0 <= delay <= 600:
        raise AdminInputError("'delay' must be a number of seconds between 0 and 600")
    drop = doc.get("drop", False)
    if not isinstance(drop, bool):
        raise AdminInputError("'drop' must be true or false")
    count = doc.get("count", 1)
    if not isinstance(count, int) or isinstance(count, bool) or count < 1:
        raise AdminInputError("'count' must be a positive integer")
    if status is None and not drop and delay == 0:
        raise AdminInputError("a fault needs 'status', 'drop': true, or a 'delay'")
    return Fault(
        id=fault_id,
        path=path,
        method=method.upper() if isinstance(method, str) else None,
        status=status,
        headers=dict(headers),
        body=doc.get("body"),
        delay=float(delay),
        drop=drop,
        remaining=count,
    )


def take_fault(faults: list[Fault], method: str, target: str) -> tuple[Fault | None, list[Fault]]:
    """The first armed rule matching the request, and the rules left after using it once."""
    for i, fault in enumerate(faults):
        if fault.matches(method, target):
            rest = faults[:i] + faults[i + 1 :]
            if fault.remaining > 1:
                rest.insert(i, replace(fault, remaining=fault.remaining - 1))
            return fault, rest
    return None, faults


SETTING_NAMES = (
    "bandwidth_kbps",
    "empty_pages",
    "fail",
    "latency_ms",
    "page_size",
    "provisioning_seconds",
)


def merge_settings(settings: Settings, doc: Any) -> Settings:
    """`settings` with a POST /settings body merged in (pure); raises `AdminInputError`."""
    if not isinstance(doc, dict):
        raise AdminInputError("settings must be a JSON object")
    unknown = sorted(set(doc) - set(SETTING_NAMES))
    if unknown:
        raise AdminInputError(f"unknown setting(s) {unknown}; known: {', '.join(SETTING_NAMES)}")
    seconds = dict(settings.provisioning_seconds)
    for key, value in (_object(doc, "provisioning_seconds")).items():
        if not isinstance(value, (int, float)) or isinstance(value, bool) or value < 0:
            raise AdminInputError(f"provisioning_seconds['{key}'] must be a number >= 0")
        seconds[key] = float(value)
    fail = dict(settings.fail)
    for key, value in _object(doc, "fail").items():
        if value is None:
            fail.pop(key, None)
            continue
        if not isinstance(value, dict) or not all(isinstance(v, str) for v in value.values()):
            raise AdminInputError(f'fail[\'{key}\'] must be {{"code": ..., "message": ...}}')
        fail[key] = {"code": "ResourceFailed", "message": "Failed by localcloud settings."} | value
    try:
        latency = checked("latency_ms", doc.get("latency_ms", settings.latency_ms))
        bandwidth = checked("bandwidth_kbps", doc.get("bandwidth_kbps", settings.bandwidth_kbps))
    except ShapingError as err:
        raise AdminInputError(str(err)) from err
    page_size = doc.get("page_size", settings.page_size)
    if not isinstance(page_size, int) or isinstance(page_size, bool) or page_size < 0:
        raise AdminInputError("page_size must be an integer >= 0 (0: each list's default)")
    empty_pages = doc.get("empty_pages", settings.empty_pages)
    if not isinstance(empty_pages, bool):
        raise AdminInputError("empty_pages must be true or false")
    return Settings(
        provisioning_seconds=seconds,
        fail=fail,
        latency_ms=latency,
        bandwidth_kbps=bandwidth,
        page_size=page_size,
        empty_pages=empty_pages,
    )


def _object(doc: Mapping[str, Any], name: str) -> dict[str, Any]:
    value = doc.get(name)
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise AdminInputError(f"'{name}' must be a JSON object")
    return value


@dataclass(frozen=True)
class LoggedRequest:
    method: str
    path: str
    status: int
    time: float

    def to_json(self) -> dict[str, Any]:
        return {"method": self.method, "path": self.path, "status": self.status, "time": self.time}


class AdminState:
    """Request log and fault rules (in memory; they do not survive a restart)."""

    def __init__(self) -> None:
        self.log: list[LoggedRequest] = []
        self.faults: list[Fault] = []
        self._next_id = 1

    def record(self, method: str, path: str, status: int) -> None:
        self.log.append(LoggedRequest(method, path, status, time.time()))
        if len(self.log) > LOG_LIMIT:
            del self.log[: len(self.log) - LOG_LIMIT]

    def add_fault(self, doc: Any) -> Fault:
        fault = parse_fault(doc, self._next_id)
        self._next_id += 1
        self.faults.append(fault)
        return fault

    def take(self, method: str, target: str) -> Fault | None:
        fault, self.faults = take_fault(self.faults, method, target)
        return fault


class AdminApi:
    def __init__(
        self,
        state: AdminState,
        settings: Settings,
        info: Mapping[str, Any],
        extensions: Mapping[str, AdminExtension] | None = None,
    ) -> None:
        self.extensions = dict(extensions or {})
        self.state = state
        self.settings = settings
        self._initial = copy.deepcopy(settings)  # what POST reset goes back to
        self.info = dict(info)

    async def handle(self, request: web.Request) -> web.Response:
        name = request.path[len(ADMIN_PREFIX) :].strip("/").lower()
        method = request.method.upper()
        try:
            return await self._dispatch(name, method, request)
        except AdminInputError as err:
            return _error(400, "InvalidAdminRequest", str(err))

    async def _dispatch(self, name: str, method: str, request: web.Request) -> web.Response:
        match (name, method):
            case ("requests", "GET"):
                return web.json_response([r.to_json() for r in self.state.log])
            case ("requests", "DELETE"):
                self.state.log.clear()
                return web.Response(status=204)
            case ("faults", "GET"):
                return web.json_response([f.to_json() for f in self.state.faults])
            case ("faults", "POST"):
                fault = self.state.add_fault(await _body(request))
                return web.json_response(fault.to_json(), status=201)
            case ("faults", "DELETE"):
                self.state.faults.clear()
                return web.Response(status=204)
            case ("settings", "GET"):
                return web.json_response(_settings_json(self.settings))
            case ("settings", "POST"):
                self._apply(merge_settings(self.settings, await _body(request)))
                return web.json_response(_settings_json(self.settings))
            case ("reset", "POST"):
                self.state.log.clear()
                self.state.faults.clear()
                self._apply(copy.deepcopy(self._initial))
                for extension in self.extensions.values():
                    extension.reset()
                return web.Response(status=204)
            case ("info", "GET"):
                return web.json_response(self.info)
            case ("requests" | "faults" | "settings" | "reset" | "info", _):
                return _error(405, "MethodNotAllowed", f"{method} is not supported on {name}")
        if name in self.extensions:
            return await self.extensions[name].handle(method, request)
        return _error(404, "NotFound", f"no admin endpoint '{name}'")

    def _apply(self, new: Settings) -> None:
        # Mutate in place: every subsystem holds the same Settings object.
        self.settings.provisioning_seconds = new.provisioning_seconds
        self.settings.fail = new.fail
        self.settings.latency_ms = new.latency_ms
        self.settings.bandwidth_kbps = new.bandwidth_kbps
        self.settings.page_size = new.page_size
        self.settings.empty_pages = new.empty_pages


def _settings_json(settings: Settings) -> dict[str, Any]:
    return {
        "provisioning_seconds": settings.provisioning_seconds,
        "fail": settings.fail,
        "latency_ms": settings.latency_ms,
        "page_size": settings.page_size,
        "empty_pages": settings.empty_pages,
        "bandwidth_kbps": settings.bandwidth_kbps,
    }


async def _body(request: web.Request) -> Any:
    raw = await request.read()
    try:
        return json.loads(raw or b"null")
    except (UnicodeDecodeError, json.JSONDecodeError) as err:
        raise AdminInputError(f"the body is not JSON: {err}") from err


def _error(status: int, code: str, message: str) -> web.Response:
    return web.json_response({"error": {"code": code, "message": message}}, status=status)
