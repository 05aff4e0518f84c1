"""One resource of a running deployment, start to finish, recorded as a deployment operation.

Create: evaluate the body against live resources -> provider `validate()` -> wait the
configured provisioning time -> fail when a failure is configured for the type -> provider
`put()`. Read (`existing` resources): the resource must exist. Nested deployments
(`Microsoft.Resources/deployments`) run as real child deployments.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, Protocol

from localcloud.arm.errors import ArmError, not_found
from localcloud.arm.history import History
from localcloud.arm.preflight import DeploymentRequest
from localcloud.arm.records import (
    CANCELED,
    FAILED,
    RUNNING,
    SUCCEEDED,
    DeploymentRecord,
    OperationRecord,
    new_operation_id,
    reason_phrase,
    resource_error_detail,
)
from localcloud.arm.summary import target_resource
from localcloud.ids import ResourceId
from localcloud.template import Prepared, ResourcePlan, Scope, TemplateError

if TYPE_CHECKING:
    from localcloud.arm.resolver import LiveResolver
    from localcloud.cloud import LocalCloud

log = logging.getLogger(__name__)


class Engine(Protocol):
    """What a step needs from the deployment engine (localcloud/arm/engine.py `Engine`):
    resolvers, group checks and nested deployments."""

    history: History

    def group(self, subscription: str, resource_group: str) -> dict[str, Any]: ...
    def scope(
        self,
        subscription: str,
        resource_group: str,
        name: str,
        mode: str,
        template_hash: str | None = None,
    ) -> Scope: ...
    def resolver(self, *, lenient: bool = False) -> LiveResolver: ...
    def check_not_active(self, dep_id: str) -> DeploymentRecord | None: ...
    def new_record(
        self,
        scope: Scope,
        req: DeploymentRequest,
        prepared: Prepared,
        correlation: str,
        parent_id: str | None = None,
    ) -> DeploymentRecord: ...
    async def run(self, rec: DeploymentRecord, prepared: Prepared, root: str) -> None: ...


@dataclass(frozen=True)
class StepResult:
    ok: bool
    output_resources: tuple[str, ...] = ()
    error_detail: dict[str, Any] | None = None  # the entry for the deployment error's details


class ResourceSteps:
    def __init__(
        self,
        cloud: LocalCloud,
        history: History,
        *,
        clock: Callable[[], float],
        sleep: Callable[[float], Awaitable[None]],
        engine: Engine,
    ) -> None:
        self.cloud = cloud
        self.history = history
        self.clock = clock
        self.sleep = sleep
        self.engine = engine  # nested deployments, resolvers, group checks
        self._seq = itertools.count(time.time_ns())

    def next_seq(self) -> int:
        return next(self._seq)

    async def run(
        self, rec: DeploymentRecord, prepared: Prepared, plan: ResourcePlan, root: str
    ) -> StepResult:
        if not plan.condition:
            return StepResult(ok=True)
        op = self._begin(rec, plan)
        try:
            if plan.existing:
                return self._read(op, plan)
            if plan.is_deployment:
                return await self._nested(rec, op, prepared, plan, root)
            return await self._create(op, plan)
        except asyncio.CancelledError:
            self._end(op, CANCELED, None)
            raise
        except TemplateError as e:
            error = {"code": e.code, "message": e.message}
            return self._fail(op, 400, error if e.target is None else {**error, "target": e.target})
        except ArmError as e:
            return self._fail(op, e.status, e.detail.to_json())
        except Exception as e:  # a provider bug fails this resource, not the server
            log.exception("resource %s crashed", plan.resource_id)
            return self._fail(op, 500, {"code": "InternalServerError", "message": str(e)})

    # -- the three kinds of step ---------------------------------------------------------
    async def _create(self, op: OperationRecord, plan: ResourcePlan) -> StepResult:
        body = plan.evaluate(self.engine.resolver())
        rid = ResourceId.parse(plan.resource_id)
        provider = self.cloud.providers.for_type(plan.type)
        problems = provider.validate(rid, body)
        if problems:
            first = problems[0]
            raise ArmError(400, first.code, first.message, first.target, tuple(problems[1:]))
        await self.sleep(self.cloud.settings.seconds_for(plan.type))
        failure = self.cloud.settings.failure_for(plan.type)
        if failure is not None:
            raise configured_failure(failure, plan)
        self.engine.group(rid.subscription, rid.resource_group)  # deleted meanwhile?
        existed = provider.get(rid) is not None
        provider.put(rid, body, api_version=plan.api_version or "")
        return self._succeed(op, "OK" if existed else "Created", (rid.id,))

    def _read(self, op: OperationRecord, plan: ResourcePlan) -> StepResult:
        rid = ResourceId.parse(plan.resource_id)
        if self.cloud.providers.for_type(plan.type).get(rid) is None:
            raise not_found("resource", f"{rid.full_type}/{rid.name}")
        return self._succeed(op, "OK", ())

    async def _nested(
        self,
        rec: DeploymentRecord,
        op: OperationRecord,
        prepared: Prepared,
        plan: ResourcePlan,
        root: str,
    ) -> StepResult:
        engine = self.engine
        child_prepared = prepared.prepare_nested(plan, engine.resolver())
        props = nested_properties(plan, engine)
        rid = ResourceId.parse(plan.resource_id)
        mode = "Complete" if str(props.get("mode", "")).lower() == "complete" else "Incremental"
        scope = engine.scope(rid.subscription, rid.resource_group, rid.name, mode)
        previous = engine.check_not_active(rid.id)
        if previous is not None:  # a re-run replaces the child's record and operations
            engine.history.delete(previous)
        template = props.get("template")
        parameters = props.get("parameters")
        req = DeploymentRequest(
            mode=mode,
            template=dict(template) if isinstance(template, Mapping) else {},
            parameters=dict(parameters) if isinstance(parameters, Mapping) else {},
            tags={},
        )
        child = engine.new_record(scope, req, child_prepared, rec.correlation_id, rec.id)
        engine.history.save(child)
        await engine.run(child, child_prepared, root)
        final = engine.history.get(child.id)
        if final is not None and final.state == SUCCEEDED:
            return self._succeed(op, "OK", tuple(final.output_resources))
        error = (final.error if final is not None else None) or {
            "code": "DeploymentFailed",
            "message": "The nested deployment did not finish.",
        }
        self._end(op, FAILED, error, status_code="Conflict")
        return StepResult(ok=False, error_detail=error)

    def delete(self, rec: DeploymentRecord, resource_id: str) -> StepResult:
        """A Complete-mode deletion, recorded as a `Delete` operation."""
        rid = ResourceId.parse(resource_id)
        now = self.clock()
        target = {"id": rid.id, "resourceType": rid.full_type, "resourceName": "/".join(rid.names)}
        op = OperationRecord(
            deployment_id=rec.id,
            operation_id=new_operation_id(),
            seq=self.next_seq(),
            provisioning_operation="Delete",
            state=RUNNING,
            started=now,
            updated=now,
            tracking_id=str(uuid.uuid4()),
            target=target,
        )
        self._save(op)
        try:
            self.cloud.providers.for_type(rid.full_type).delete(rid)
        except ArmError as e:
            return self._fail(op, e.status, e.detail.to_json())
        except Exception as e:  # a provider bug fails this deletion, not the server
            log.exception("deleting %s crashed", resource_id)
            return self._fail(op, 500, {"code": "InternalServerError", "message": str(e)})
        return self._succeed(op, "OK", ())

    # -- operation records ---------------------------------------------------------------
    def _begin(self, rec: DeploymentRecord, plan: ResourcePlan) -> OperationRecord:
        now = self.clock()
        op = OperationRecord(
            deployment_id=rec.id,
            operation_id=new_operation_id(),
            seq=self.next_seq(),
            provisioning_operation="Read" if plan.existing else "Create",
            state=RUNNING,
            started=now,
            updated=now,
            tracking_id=str(uuid.uuid4()),
            target=target_resource(plan, plan.api_version or "", plan.key),
        )
        self._save(op)
        return op

    def _end(
        self,
        op: OperationRecord,
        state: str,
        error: dict[str, Any] | None,
        *,
        status_code: str | None = None,
    ) -> None:
        self._save(
            replace(op, state=state, updated=self.clock(), status_code=status_code, error=error)
        )

    def _save(self, op: OperationRecord) -> None:
        if self.history.get(op.deployment_id) is not None:  # gone with its resource group
            self.history.save_operation(op)

    def _succeed(self, op: OperationRecord, status_code: str, ids: tuple[str, ...]) -> StepResult:
        self._end(op, SUCCEEDED, None, status_code=status_code)
        return StepResult(ok=True, output_resources=ids)

    def _fail(self, op: OperationRecord, status: int, error: dict[str, Any]) -> StepResult:
        phrase = reason_phrase(status)
        self._end(op, FAILED, error, status_code=phrase)
        return StepResult(ok=False, error_detail=resource_error_detail(phrase, error))


def configured_failure(failure: Mapping[str, str], plan: ResourcePlan) -> ArmError:
    """The failure set with POST /_localcloud/settings {"fail": {type: {code, message}}}."""
    try:
        status = int(failure.get("status", "400"))
    except ValueError:
        status = 400
    return ArmError(
        status if 400 <= status < 600 else 400,
        failure.get("code") or "ResourceDeploymentFailure",
        failure.get("message") or f"Creating '{plan.name}' failed (localcloud settings.fail).",
    )


def nested_properties(plan: ResourcePlan, engine: Engine) -> Mapping[str, Any]:
    """The nested deployment's evaluated `properties` (for its record), best effort."""
    try:
        body = plan.evaluate(engine.resolver(lenient=True), lenient=True)
    except TemplateError:
        return {}
    props = body.get("properties") if isinstance(body, Mapping) else None
    return props if isinstance(props, Mapping) else {}
