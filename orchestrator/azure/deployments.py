"""ARM resource groups and deployments of one subscription, through the official SDK.

Returns `models` dataclasses; SDK errors leave as `errors` types. Long-running calls never use
the SDK's 30 s default polling: create is sent with `polling=False` (the watcher polls),
validate and what-if poll every second. Lists follow `nextLink` through empty pages (the
SDK's pager does).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, TypeVar

from orchestrator.azure.errors import (
    DeploymentFailedError,
    NotFound,
    ResourceGroupMissing,
    calling,
)
from orchestrator.azure.errortree import flatten
from orchestrator.azure.models import DeploymentSnapshot, OperationSnapshot, Preflight
from orchestrator.azure.parse import deployment_from_wire, error_from_wire, operation_from_wire
from orchestrator.azure.whatif import WhatIf, parse_what_if
from orchestrator.azure.wire import as_object, at, objects, text, wire

if TYPE_CHECKING:
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient
    from azure.mgmt.resource.deployments.models import Deployment, DeploymentWhatIf
    from azure.mgmt.resource.resources import ResourceManagementClient
    from azure.mgmt.resource.resources.models import ResourceGroup

T = TypeVar("T")
LONG_RUNNING_POLL_SECONDS = 1
JsonBody = Mapping[str, object]


def _deployment_model(body: JsonBody) -> Deployment:
    from azure.mgmt.resource.deployments.models import Deployment

    return Deployment(dict(body))


def _what_if_model(body: JsonBody) -> DeploymentWhatIf:
    from azure.mgmt.resource.deployments.models import DeploymentWhatIf

    return DeploymentWhatIf(dict(body))


def _group_model(body: JsonBody) -> ResourceGroup:
    from azure.mgmt.resource.resources.models import ResourceGroup

    return ResourceGroup(dict(body))


class Deployments:
    """Resource groups and deployments of one subscription."""

    def __init__(
        self,
        deployments: DeploymentsMgmtClient,
        resources: ResourceManagementClient,
        *,
        endpoint: str,
    ) -> None:
        self._dep = deployments
        self._res = resources
        self.endpoint = endpoint

    def _call(self, doing: str, func: Callable[[], T]) -> T:
        with calling(doing, self.endpoint):
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
            if exc.code == "SubscriptionNotFound":
                raise
            raise ResourceGroupMissing(
                f"resource group {group} does not exist",
                code="ResourceGroupNotFound",
                status=404,
                hint="create it: add --create-resource-group --location REGION "
                f"(or `az group create -n {group} -l REGION`)",
            ) from exc
        return text(wire(found), "location")

    def create_group(self, group: str, location: str, tags: Mapping[str, str]) -> None:
        body = {"location": location, "tags": dict(tags)}
        self._call(
            f"creating resource group {group}",
            lambda: self._res.resource_groups.create_or_update(group, _group_model(body)),
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
        extra = {} if retry else {"retry_total": 0}
        found = self._call(
            f"reading deployment {name}", lambda: self._dep.deployments.get(group, name, **extra)
        )
        return deployment_from_wire(wire(found))

    def list_operations(
        self, group: str, name: str, *, retry: bool = True
    ) -> list[OperationSnapshot]:
        extra = {} if retry else {"retry_total": 0}

        def read() -> list[OperationSnapshot]:
            pages = self._dep.deployment_operations.list(group, name, **extra)
            return [operation_from_wire(wire(op)) for op in pages]

        return self._call(f"listing operations of {name}", read)

    def template_hash(self, template: JsonBody) -> str:
        found = self._call(
            "calculating the template hash",
            lambda: self._dep.deployments.calculate_template_hash(dict(template)),
        )
        return text(wire(found), "templateHash")

    def validate(self, group: str, name: str, body: JsonBody) -> Preflight:
        """ARM preflight. Returns warnings; raises DeploymentFailedError with root causes."""
        try:
            with calling(f"validating deployment {name}", self.endpoint):
                poller = self._dep.deployments.begin_validate(
                    group, name, _deployment_model(body), polling_interval=LONG_RUNNING_POLL_SECONDS
                )
                result = wire(poller.result())
        except DeploymentFailedError as exc:
            raise DeploymentFailedError(
                f"ARM preflight validation refused the deployment ({exc.message})",
                exc.causes,
                hint=exc.hint,
            ) from exc
        error = error_from_wire(result.get("error") or at(result, "properties", "error"))
        if error is not None:
            raise DeploymentFailedError(
                "ARM preflight validation refused the deployment", flatten(error)
            )
        diagnostics = objects(at(result, "properties", "diagnostics"))
        warnings = (f"{text(d, 'code')}: {text(d, 'message')}" for d in diagnostics)
        return Preflight(tuple(warnings))

    def create(self, group: str, name: str, body: JsonBody) -> DeploymentSnapshot:
        """PUT the deployment and return ARM's first answer; the watcher does the polling."""

        def put() -> DeploymentSnapshot:
            poller = self._dep.deployments.begin_create_or_update(
                group,
                name,
                _deployment_model(body),
                polling=False,
            )
            return deployment_from_wire(wire(poller.result()))

        return self._call(f"creating deployment {name}", put)

    def cancel(self, group: str, name: str) -> None:
        self._call(
            f"canceling deployment {name}", lambda: self._dep.deployments.cancel(group, name)
        )

    def what_if(self, group: str, name: str, body: JsonBody) -> WhatIf:
        def run() -> WhatIf:
            poller = self._dep.deployments.begin_what_if(
                group,
                name,
                _what_if_model(body),
                polling_interval=LONG_RUNNING_POLL_SECONDS,
            )
            return parse_what_if(as_object(wire(poller.result())))

        return self._call(f"computing what-if for {name}", run)


class PollingSource:
    """The watcher's view of ARM: reads without the SDK's own retries (the watcher retries,
    with its own schedule, honouring Retry-After)."""

    def __init__(self, deployments: Deployments) -> None:
        self._deployments = deployments

    def get_deployment(self, group: str, name: str) -> DeploymentSnapshot:
        return self._deployments.get_deployment(group, name, retry=False)

    def list_operations(self, group: str, name: str) -> list[OperationSnapshot]:
        return self._deployments.list_operations(group, name, retry=False)
