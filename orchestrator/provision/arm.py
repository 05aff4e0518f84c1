"""The ARM adapter: the SDK calls the provision commands make, and the translation of SDK
errors into ours (`faults.py`). Nothing else in `provision/` touches the SDK.

Everything returned is plain data (`model.py`) or wire-format dicts. Long-running calls never
use the SDK's 30 s default polling: create is sent with `polling=False` (the watcher polls),
validate and what-if poll every second.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ResourceNotFoundError,
    ServiceRequestError,
    ServiceResponseError,
)

from orchestrator.errors import AzureError
from orchestrator.provision.errors import flatten, hint_for, render_causes
from orchestrator.provision.faults import (
    ArmRequestError,
    AuthFailed,
    DeploymentActive,
    DeploymentFailedError,
    NotFound,
    ResourceGroupMissing,
    Throttled,
    Transient,
)
from orchestrator.provision.model import (
    DeploymentSnapshot,
    OperationSnapshot,
    deployment_from_wire,
    operation_from_wire,
)

T = TypeVar("T")
LONG_RUNNING_POLL_SECONDS = 1


def wire(model: Any) -> dict[str, Any]:
    """An SDK model (or None / mapping) as its wire-format dict."""
    if model is None:
        return {}
    as_dict = getattr(model, "as_dict", None)
    if callable(as_dict):
        return dict(as_dict())
    if isinstance(model, Mapping):
        return json.loads(json.dumps(model, default=str))  # type: ignore[no-any-return]
    raise TypeError(f"cannot read {type(model).__name__} as JSON")


def _retry_after(exc: HttpResponseError) -> float:
    response: Any = exc.response
    headers = response.headers if response is not None else {}
    for name, scale in (("retry-after-ms", 0.001), ("x-ms-retry-after-ms", 0.001)):
        if headers.get(name):
            try:
                return float(headers[name]) * scale
            except ValueError:
                pass
    value = headers.get("Retry-After") or ""
    try:
        return float(value)
    except ValueError:
        pass
    try:
        from datetime import datetime, timezone

        return max(0.0, (parsedate_to_datetime(value) - datetime.now(timezone.utc)).total_seconds())
    except (TypeError, ValueError):
        return 0.0


def error_body(exc: HttpResponseError) -> dict[str, Any]:
    """The response's ARM error object ({"code", "message", "details"}), {} when unreadable."""
    try:
        response: Any = exc.response
        doc = response.json() if response is not None else None
    except Exception:
        doc = None
    if isinstance(doc, dict):
        inner = doc.get("error", doc)
        if isinstance(inner, dict):
            return inner
    error = getattr(exc, "error", None)
    if error is not None and getattr(error, "code", None):
        return {"code": error.code, "message": error.message or ""}
    return {}


def translate(exc: Exception, doing: str, endpoint: str) -> AzureError:
    """An SDK / transport / credential exception as one of our errors (always `from exc`)."""
    if isinstance(exc, ClientAuthenticationError) and getattr(exc, "status_code", None) is None:
        return AuthFailed(
            f"{doing}: could not get a token: {str(exc.message or exc).splitlines()[0]}",
            code="CredentialFailed",
            hint="sign in with `az login`, or set AZURE_CLIENT_ID / AZURE_TENANT_ID / "
            "AZURE_CLIENT_SECRET for a service principal",
        )
    if isinstance(exc, (ServiceRequestError, ServiceResponseError)):
        return Transient(f"{doing}: cannot reach {endpoint} ({type(exc).__name__})")
    if not isinstance(exc, HttpResponseError):
        return AzureError(f"{doing}: {exc}")
    status = exc.status_code or 0
    body = error_body(exc)
    code = str(body.get("code") or "")
    message = str(body.get("message") or exc.reason or "").strip()
    text = f"{doing}: {code or status}: {message}" if message else f"{doing}: HTTP {status}"
    hint = hint_for(code, message)
    if status == 429:
        return Throttled(text, retry_after=_retry_after(exc))
    if status == 404 and code.lower() == "resourcegroupnotfound":
        return ResourceGroupMissing(text, code=code, status=status, hint=hint)
    if status == 404 or isinstance(exc, ResourceNotFoundError):
        return NotFound(text, code=code, status=status, hint=hint)
    if code.lower() == "deploymentactive":
        return DeploymentActive(text, code=code, status=status, hint=hint)
    if status == 401:
        return AuthFailed(
            text, code=code, status=status, hint="the token was refused; sign in again"
        )
    if status in (408, 500, 502, 503, 504):
        return Transient(text, code=code, status=status)
    causes = flatten(body) if body.get("details") else []
    if causes:
        return DeploymentFailedError(text, render_causes(causes), hint=hint)
    return ArmRequestError(text, code=code, status=status, hint=hint)


class Arm:
    """Resource groups and deployments of one subscription, through the official SDK."""

    def __init__(self, deployments: Any, resources: Any, *, endpoint: str) -> None:
        self._dep = deployments  # azure.mgmt.resource.deployments.DeploymentsMgmtClient
        self._res = resources  # azure.mgmt.resource.resources.ResourceManagementClient
        self.endpoint = endpoint

    @contextmanager
    def _calling(self, doing: str) -> Iterator[None]:
        try:
            yield
        except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
            raise translate(exc, doing, self.endpoint) from exc

    def _call(self, doing: str, func: Callable[[], T]) -> T:
        with self._calling(doing):
            return func()
        raise AssertionError("unreachable")  # pragma: no cover

    # --- resource groups -------------------------------------------------------------------

    def group_location(self, group: str) -> str:
        """The group's location; ResourceGroupMissing when it does not exist."""
        try:
            found = self._call(
                f"reading resource group {group}", lambda: self._res.resource_groups.get(group)
            )
        except NotFound as exc:
            raise ResourceGroupMissing(
                f"resource group {group} does not exist",
                code="ResourceGroupNotFound",
                status=404,
                hint="create it: add --create-resource-group --location REGION "
                f"(or `az group create -n {group} -l REGION`)",
            ) from exc
        return str(wire(found).get("location", ""))

    def create_group(self, group: str, location: str, tags: Mapping[str, str]) -> None:
        body = {"location": location, "tags": dict(tags)}
        self._call(
            f"creating resource group {group}",
            lambda: self._res.resource_groups.create_or_update(group, body),
        )

    def resource_exists(self, resource_id: str, api_version: str) -> bool:
        try:
            self._call(
                f"reading {resource_id}",
                lambda: self._res.resources.get_by_id(resource_id, api_version=api_version),
            )
        except NotFound:
            return False
        return True

    # --- deployments -----------------------------------------------------------------------

    def list_deployments(self, group: str) -> list[DeploymentSnapshot]:
        def read() -> list[DeploymentSnapshot]:
            pages = self._dep.deployments.list_by_resource_group(group)
            return [deployment_from_wire(wire(d)) for d in pages]

        return self._call(f"listing deployments in {group}", read)

    def get_deployment(self, group: str, name: str, *, retry: bool = True) -> DeploymentSnapshot:
        extra: dict[str, Any] = {} if retry else {"retry_total": 0}
        found = self._call(
            f"reading deployment {name}",
            lambda: self._dep.deployments.get(group, name, **extra),
        )
        return deployment_from_wire(wire(found))

    def list_operations(
        self, group: str, name: str, *, retry: bool = True
    ) -> list[OperationSnapshot]:
        extra: dict[str, Any] = {} if retry else {"retry_total": 0}

        def read() -> list[OperationSnapshot]:
            pages = self._dep.deployment_operations.list(group, name, **extra)
            return [operation_from_wire(wire(op)) for op in pages]

        return self._call(f"listing operations of {name}", read)

    def template_hash(self, template: Mapping[str, Any]) -> str:
        found = self._call(
            "calculating the template hash",
            lambda: self._dep.deployments.calculate_template_hash(dict(template)),
        )
        return str(wire(found).get("templateHash", ""))

    def validate(self, group: str, name: str, body: Mapping[str, Any]) -> list[str]:
        """ARM preflight. Returns warnings; raises DeploymentFailedError with root causes."""
        doing = f"validating deployment {name}"
        try:
            with self._calling(doing):
                poller = self._dep.deployments.begin_validate(
                    group, name, dict(body), polling_interval=LONG_RUNNING_POLL_SECONDS
                )
                result = wire(poller.result())
        except DeploymentFailedError as exc:
            raise DeploymentFailedError(
                f"ARM preflight validation refused the deployment ({exc.message})",
                exc.causes,
                hint=exc.hint,
            ) from exc
        error = result.get("error") or (result.get("properties") or {}).get("error")
        if isinstance(error, Mapping) and error:
            causes = flatten(error)
            raise DeploymentFailedError(
                "ARM preflight validation refused the deployment", render_causes(causes)
            )
        diagnostics = (result.get("properties") or {}).get("diagnostics") or []
        return [
            f"{d.get('code', '')}: {d.get('message', '')}"
            for d in diagnostics
            if isinstance(d, Mapping)
        ]

    def create(self, group: str, name: str, body: Mapping[str, Any]) -> DeploymentSnapshot:
        """PUT the deployment and return ARM's first answer; the watcher does the polling."""

        def put() -> DeploymentSnapshot:
            poller = self._dep.deployments.begin_create_or_update(
                group, name, dict(body), polling=False
            )
            return deployment_from_wire(wire(poller.result()))

        return self._call(f"creating deployment {name}", put)

    def cancel(self, group: str, name: str) -> None:
        self._call(
            f"canceling deployment {name}", lambda: self._dep.deployments.cancel(group, name)
        )

    def what_if(self, group: str, name: str, body: Mapping[str, Any]) -> dict[str, Any]:
        def run() -> dict[str, Any]:
            poller = self._dep.deployments.begin_what_if(
                group, name, dict(body), polling_interval=LONG_RUNNING_POLL_SECONDS
            )
            return wire(poller.result())

        return self._call(f"computing what-if for {name}", run)


class PollingSource:
    """The watcher's view of ARM: reads without the SDK's own retries (the watcher retries,
    with its own schedule, honouring Retry-After)."""

    def __init__(self, arm: Arm) -> None:
        self._arm = arm

    def get_deployment(self, group: str, name: str) -> DeploymentSnapshot:
        return self._arm.get_deployment(group, name, retry=False)

    def list_operations(self, group: str, name: str) -> list[OperationSnapshot]:
        return self._arm.list_operations(group, name, retry=False)
