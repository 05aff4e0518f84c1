"""ARM resource groups and deployments of one subscription.

Reads, the PUT of a deployment and cancel are plain ARM requests (`arm.Arm`); preflight
validation and what-if, ARM's two long-running POSTs, go through the official SDK, built
only when one of them is asked for. Returns `models` dataclasses; errors leave as `errors`
types. Long-running calls never use the SDK's 30 s default polling: create returns ARM's
first answer (the watcher polls), validate and what-if poll every second. Lists follow
`nextLink` through empty pages.
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
from orchestrator.azure.models import DeploymentSnapshot, OperationSnapshot, Preflight
from orchestrator.azure.parse import deployment_from_wire, error_from_wire, operation_from_wire
from orchestrator.azure.wire import as_object, at, objects, text, wire

if TYPE_CHECKING:
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient
    from azure.mgmt.resource.deployments.models import Deployment, DeploymentWhatIf

    from orchestrator.azure.arm import Arm
    from orchestrator.azure.whatif import WhatIf

T = TypeVar("T")
LONG_RUNNING_POLL_SECONDS = 1
RESOURCES_API = "2025-04-01"  # azure-mgmt-resource's resources client
DEPLOYMENTS_API = "2026-06-01"  # and its deployments client
JsonBody = Mapping[str, object]


def _deployment_model(body: JsonBody) -> Deployment:
    from azure.mgmt.resource.deployments.models import Deployment

    return Deployment(dict(body))


def _what_if_model(body: JsonBody) -> DeploymentWhatIf:
    from azure.mgmt.resource.deployments.models import DeploymentWhatIf

    return DeploymentWhatIf(dict(body))


class Deployments:
    """Resource groups and deployments of one subscription."""

    def __init__(self, arm: Arm, sdk: Callable[[], DeploymentsMgmtClient]) -> None:
        self._arm = arm
        self._sdk = sdk
        self._client: DeploymentsMgmtClient | None = None
        self.endpoint = arm.endpoint

    @property
    def _dep(self) -> DeploymentsMgmtClient:
        if self._client is None:
            self._client = self._sdk()
        return self._client

    def _call(self, doing: str, func: Callable[[], T]) -> T:
        with calling(doing, self.endpoint):
            return func()
        raise AssertionError("unreachable")  # pragma: no cover

    def _group(self, group: str) -> str:
        return self._arm.path("resourcegroups", group)

    def _deployment(self, group: str, name: str = "") -> str:
        path = self._group(group) + "/providers/Microsoft.Resources/deployments"
        return f"{path}/{self._segment(name)}" if name else path

    @staticmethod
    def _segment(name: str) -> str:
        from orchestrator.azure.arm import segment

        return segment(name)

    # --- resource groups -------------------------------------------------------------------

    def group_location(self, group: str) -> str:
        """The group's location; ResourceGroupMissing when it does not exist."""
        try:
            found = self._arm.get(
                self._group(group), RESOURCES_API, f"reading resource group {group}"
            )
        except NotFound as exc:
            if exc.code == "SubscriptionNotFound":
                raise
            raise _group_missing(group) from exc
        return text(found, "location")

    def create_group(self, group: str, location: str, tags: Mapping[str, str]) -> None:
        body = {"location": location, "tags": dict(tags)}
        self._arm.send(
            "PUT",
            self._group(group),
            f"creating resource group {group}",
            api_version=RESOURCES_API,
            body=body,
        )

    def resource_exists(self, resource_id: str, api_version: str) -> bool:
        path = "/" + resource_id.lstrip("/")
        try:
            self._arm.get(path, api_version, f"reading {resource_id}")
        except NotFound:
            return False
        return True

    # --- deployments -----------------------------------------------------------------------

    def list_deployments(self, group: str) -> list[DeploymentSnapshot]:
        """The group's deployments; ResourceGroupMissing when the group does not exist."""
        try:
            listed = list(  # every page read here, where a missing group is told apart
                self._arm.items(
                    self._deployment(group), DEPLOYMENTS_API, f"listing deployments in {group}"
                )
            )
        except NotFound as exc:
            if exc.code != "ResourceGroupNotFound":
                raise
            raise _group_missing(group) from exc
        return [deployment_from_wire(d) for d in listed]

    def get_deployment(self, group: str, name: str, *, retry: bool = True) -> DeploymentSnapshot:
        found = self._arm.send(
            "GET",
            self._deployment(group, name),
            f"reading deployment {name}",
            api_version=DEPLOYMENTS_API,
            retry=retry,
        )
        return deployment_from_wire(found.body)

    def list_operations(
        self, group: str, name: str, *, retry: bool = True
    ) -> list[OperationSnapshot]:
        path = f"{self._group(group)}/deployments/{self._segment(name)}/operations"
        listed = self._arm.items(
            path, DEPLOYMENTS_API, f"listing operations of {name}", retry=retry
        )
        return [operation_from_wire(op) for op in listed]

    def template_hash(self, template: JsonBody) -> str:
        found = self._arm.post(
            "/providers/Microsoft.Resources/calculateTemplateHash",
            DEPLOYMENTS_API,
            "calculating the template hash",
            dict(template),
        )
        return text(found, "templateHash")

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
            from orchestrator.azure.errortree import flatten

            raise DeploymentFailedError(
                "ARM preflight validation refused the deployment", flatten(error)
            )
        diagnostics = objects(at(result, "properties", "diagnostics"))
        warnings = (f"{text(d, 'code')}: {text(d, 'message')}" for d in diagnostics)
        return Preflight(tuple(warnings))

    def create(self, group: str, name: str, body: JsonBody) -> DeploymentSnapshot:
        """PUT the deployment and return ARM's first answer; the watcher does the polling."""
        found = self._arm.send(
            "PUT",
            self._deployment(group, name),
            f"creating deployment {name}",
            api_version=DEPLOYMENTS_API,
            body=body,
        )
        return deployment_from_wire(found.body)

    def cancel(self, group: str, name: str) -> None:
        self._arm.send(
            "POST",
            self._deployment(group, name) + "/cancel",
            f"canceling deployment {name}",
            api_version=DEPLOYMENTS_API,
        )

    def what_if(self, group: str, name: str, body: JsonBody) -> WhatIf:
        from orchestrator.azure.whatif import parse_what_if

        def run() -> WhatIf:
            poller = self._dep.deployments.begin_what_if(
                group,
                name,
                _what_if_model(body),
                polling_interval=LONG_RUNNING_POLL_SECONDS,
            )
            return parse_what_if(as_object(wire(poller.result())))

        return self._call(f"computing what-if for {name}", run)


def _group_missing(group: str) -> ResourceGroupMissing:
    return ResourceGroupMissing(
        f"resource group {group} does not exist",
        code="ResourceGroupNotFound",
        status=404,
        hint="create it: add --create-resource-group --location REGION "
        f"(or `az group create -n {group} -l REGION`)",
    )


class PollingSource:
    """The watcher's view of ARM: reads without the SDK's own retries (the watcher retries,
    with its own schedule, honouring Retry-After)."""

    def __init__(self, deployments: Deployments) -> None:
        self._deployments = deployments

    def get_deployment(self, group: str, name: str) -> DeploymentSnapshot:
        return self._deployments.get_deployment(group, name, retry=False)

    def list_operations(self, group: str, name: str) -> list[OperationSnapshot]:
        return self._deployments.list_operations(group, name, retry=False)
