"""ARM's deployment engine: runs a prepared template as an asyncio task.

A deployment goes Accepted -> Running -> Succeeded | Failed | Canceled. Resources start in
dependency order (`schedule.next_step`), independent ones concurrently; each one is carried
out by `steps.ResourceSteps` (evaluate -> validate -> wait -> fail or put) and leaves a
deployment operation behind. Every state change is saved at once (`History`), so progress
is visible while it runs and history survives a restart; a deployment that was running when
the server stopped is marked Failed on the next start (`recover`).
"""

from __future__ import annotations

import asyncio
import logging
import time
import uuid
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from localcloud.arm.errors import ArmError, not_found
from localcloud.arm.group_store import require_group
from localcloud.arm.history import History, deployment_id
from localcloud.arm.preflight import DeploymentRequest
from localcloud.arm.records import (
    ACCEPTED,
    CANCELED,
    DEPLOYMENT_FAILED_MESSAGE,
    FAILED,
    RUNNING,
    SUCCEEDED,
    DeploymentRecord,
    OperationRecord,
    format_timestamp,
    new_status_id,
)
from localcloud.arm.resolver import LiveResolver
from localcloud.arm.schedule import complete_mode_deletions, next_step
from localcloud.arm.steps import ResourceSteps, StepResult
from localcloud.arm.summary import dependencies_of, providers_of
from localcloud.arm.templatehash import template_hash
from localcloud.providers.base import RESOURCE
from localcloud.template import Prepared, Scope, TemplateError

if TYPE_CHECKING:
    from localcloud.cloud import LocalCloud

log = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], Awaitable[None]]


class Engine:
    def __init__(
        self,
        cloud: LocalCloud,
        *,
        clock: Clock = time.time,
        sleep: Sleep = asyncio.sleep,
    ) -> None:
        self.cloud = cloud
        self.history = History(cloud.store)
        self.clock = clock
        self._tasks: dict[str, asyncio.Task[None]] = {}
        self._cancelling: set[str] = set()
        self.steps = ResourceSteps(cloud, self.history, clock=clock, sleep=sleep, engine=self)

    # -- lookups -------------------------------------------------------------------------
    def group(self, subscription: str, resource_group: str) -> dict[str, Any]:
        """The resource group's document (404 ResourceGroupNotFound, also while deleting)."""
        return require_group(self.cloud, subscription, resource_group)

    def scope(
        self,
        subscription: str,
        resource_group: str,
        name: str,
        mode: str,
        template_hash: str | None = None,
    ) -> Scope:
        doc = self.group(subscription, resource_group)
        return Scope(
            subscription_id=self.cloud.identity.subscription_id,
            tenant_id=self.cloud.identity.tenant_id,
            resource_group=str(doc.get("name") or resource_group),
            location=str(doc.get("location") or self.cloud.location),
            deployment_name=name,
            mode=mode,
            resource_group_tags=dict(doc.get("tags") or {}),
            template_hash=template_hash,
        )

    def require(self, dep_id: str, name: str) -> DeploymentRecord:
        rec = self.history.get(dep_id)
        if rec is None:
            raise not_found("deployment", name)
        return rec

    def resolver(self, *, lenient: bool = False) -> LiveResolver:
        return LiveResolver(self.cloud, self.history, lenient=lenient)

    # -- start ---------------------------------------------------------------------------
    def check_not_active(self, dep_id: str) -> DeploymentRecord | None:
        """The existing record (None when new); 409 DeploymentActive while it runs."""
        rec = self.history.get(dep_id)
        if rec is not None and not rec.terminal:
            expires = format_timestamp(rec.started + 86_400)
            raise ArmError(
                409,
                "DeploymentActive",
                f"The deployment with resource id '{rec.id}' cannot be saved, because this would "
                "overwrite an existing deployment which is still active. Please see "
                "https://aka.ms/arm-deployment-active for usage details. The previous deployment "
                f"was started at '{format_timestamp(rec.started)}' with correlationId "
                f"'{rec.correlation_id}', and will expire at '{expires}'.",
            )
        return rec

    def new_record(
        self,
        scope: Scope,
        req: DeploymentRequest,
        prepared: Prepared,
        correlation: str,
        parent_id: str | None = None,
    ) -> DeploymentRecord:
        now = self.clock()
        return DeploymentRecord(
            id=deployment_id(scope.subscription_id, scope.resource_group, scope.deployment_name),
            name=scope.deployment_name,
            subscription=scope.subscription_id,
            resource_group=scope.resource_group,
            state=ACCEPTED,
            mode=req.mode,
            template=req.template,
            template_hash=template_hash(req.template),
            parameters=dict(prepared.parameters),
            tags=req.tags,
            correlation_id=correlation,
            status_id=new_status_id(),
            started=now,
            updated=now,
            providers=providers_of(prepared.resources, scope.location),
            dependencies=dependencies_of(prepared.resources),
            parent_id=parent_id,
        )

    def start(self, rec: DeploymentRecord, prepared: Prepared) -> None:
        """Save the Accepted record and run it in the background."""
        self.history.save(rec)
        task = asyncio.get_running_loop().create_task(self.run(rec, prepared, rec.key))
        self._tasks[rec.key] = task
        task.add_done_callback(self._forget)

    def _forget(self, task: asyncio.Task[None]) -> None:
        for key, known in list(self._tasks.items()):
            if known is task:
                del self._tasks[key]

    # -- cancel / recover ----------------------------------------------------------------
    def cancel(self, rec: DeploymentRecord) -> None:
        task = self._tasks.get(rec.key)
        if rec.terminal or task is None or rec.parent_id is not None:
            raise ArmError(
                409,
                "DeploymentCannotBeCancelled",
                f"The deployment '{rec.name}' cannot be cancelled because it is in "
                f"'{rec.state}' state. Only deployments in 'Accepted' or 'Running' state can be "
                "cancelled.",
            )
        self._cancelling.add(rec.key)
        self._finish(rec, CANCELED, None)  # Azure sets no error
        task.cancel()

    def recover(self) -> int:
        """Mark deployments left unfinished by a previous server process as Failed."""
        count = 0
        for rec in self.history.everything():
            if rec.terminal:
                continue
            for op in self.history.operations(rec.id):
                if op.state == RUNNING:
                    self.history.save_operation(replace(op, state=FAILED, status_code="Conflict"))
            error = {
                "code": "DeploymentFailed",
                "target": rec.id,
                "message": "The deployment was interrupted because localcloud stopped while it "
                "was running. Start it again.",
            }
            self._finish(rec, FAILED, error)
            count += 1
        return count

    def active(self) -> int:
        return len(self._tasks)

    # -- run -----------------------------------------------------------------------------
    async def run(self, rec: DeploymentRecord, prepared: Prepared, root: str) -> None:
        rec = self._save(replace(rec, state=RUNNING, updated=self.clock()))
        try:
            results = await self._resources(rec, prepared, root)
            failures = [r.error_detail for r in results if r.error_detail is not None]
            outputs_ids = [rid for r in results for rid in r.output_resources]
            rec = self._save(replace(rec, output_resources=outputs_ids))
            if not failures and rec.mode == "Complete":
                failures = self._complete_mode(rec, prepared, outputs_ids)
            if failures:
                self._finish(rec, FAILED, deployment_failed(rec, failures))
                return
            await self._outputs(rec, prepared)
        except asyncio.CancelledError:
            if root in self._cancelling:
                self._finish(rec, CANCELED, None)  # Azure sets no error
                if rec.key == root:
                    self._cancelling.discard(root)
            raise
        except Exception as e:  # a bug must fail the deployment, not leave it Running forever
            log.exception("deployment %s crashed", rec.id)
            detail = {"code": "InternalServerError", "message": f"localcloud: {e}"}
            self._finish(rec, FAILED, deployment_failed(rec, [detail]))

    async def _resources(
        self, rec: DeploymentRecord, prepared: Prepared, root: str
    ) -> list[StepResult]:
        plans = prepared.resources
        started: set[int] = set()
        succeeded: set[int] = set()
        running: dict[int, asyncio.Task[StepResult]] = {}
        results: list[StepResult] = []
        try:
            while True:
                step = next_step(plans, started, succeeded, set(running))
                started.update(step.blocked)
                for i in step.start:
                    started.add(i)
                    coro = self.steps.run(rec, prepared, plans[i], root)
                    running[i] = asyncio.get_running_loop().create_task(coro)
                if not running:
                    return results
                done, _ = await asyncio.wait(running.values(), return_when=asyncio.FIRST_COMPLETED)
                for i, task in list(running.items()):
                    if task in done:
                        del running[i]
                        result = task.result()
                        results.append(result)
                        if result.ok:
                            succeeded.add(i)
                if self.history.get(rec.id) is None:  # its resource group was deleted
                    await _stop(running.values())
                    return results
        except asyncio.CancelledError:
            await _stop(running.values())
            raise

    def _complete_mode(
        self, rec: DeploymentRecord, prepared: Prepared, deployed: list[str]
    ) -> list[dict[str, Any]]:
        """Delete the group's resources the template does not declare; the failures."""
        prefix = f"{prepared.scope.group_path}/".lower()
        group_ids = [str(d.get("id", "")) for d in self.cloud.store.list(RESOURCE, prefix)]
        keep = [p.resource_id for p in prepared.resources] + deployed
        results = [self.steps.delete(rec, rid) for rid in complete_mode_deletions(group_ids, keep)]
        return [r.error_detail for r in results if r.error_detail is not None]

    async def _outputs(self, rec: DeploymentRecord, prepared: Prepared) -> None:
        now = self.clock()
        op = OperationRecord(
            deployment_id=rec.id,
            # ARM names this operation after the deployment's `operationStatuses` id
            # (test_group_deployment.yaml: operations/08586202029730107967).
            operation_id=rec.status_id,
            seq=self.steps.next_seq(),
            provisioning_operation="EvaluateDeploymentOutput",
            state=RUNNING,
            started=now,
            updated=now,
            tracking_id=str(uuid.uuid4()),
        )
        self.history.save_operation(op)
        try:
            outputs = typed_outputs(prepared.evaluate_outputs(self.resolver()))
        except (TemplateError, ArmError) as e:
            error = {
                "code": "DeploymentOutputEvaluationFailed",
                "message": f"Unable to evaluate template outputs: '{e}'. Please see error "
                "details and deployment operations. Please see https://aka.ms/arm-common-errors "
                "for usage details.",
                "target": rec.id,
            }
            end = self.clock()
            self.history.save_operation(
                replace(op, state=FAILED, updated=end, status_code="BadRequest", error=error)
            )
            self._finish(rec, FAILED, error)
            return
        self.history.save_operation(
            replace(op, state=SUCCEEDED, updated=self.clock(), status_code="OK")
        )
        self._finish(replace(rec, outputs=outputs), SUCCEEDED, None)

    def _save(self, rec: DeploymentRecord) -> DeploymentRecord:
        if self.history.get(rec.id) is not None:  # gone: its resource group was deleted
            self.history.save(rec)
        return rec

    def _finish(self, rec: DeploymentRecord, state: str, error: dict[str, Any] | None) -> None:
        current = self.history.get(rec.id)
        if current is None or (current.terminal and current.started == rec.started):
            return  # removed with its group, or already finished (canceled meanwhile)
        self.history.save(replace(rec, state=state, error=error, updated=self.clock()))


async def _stop(tasks: Iterable[asyncio.Task[StepResult]]) -> None:
    pending = list(tasks)
    for task in pending:
        task.cancel()
    await asyncio.gather(*pending, return_exceptions=True)


def typed_outputs(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Outputs as `{"name": {"type": "String", "value": ...}}`."""
    out: dict[str, Any] = {}
    for name, entry in raw.items():
        if isinstance(entry, Mapping) and "type" in entry:
            out[name] = dict(entry)
        else:
            out[name] = {"type": arm_type(entry), "value": entry}
    return out


def arm_type(value: Any) -> str:
    if isinstance(value, bool):
        return "Bool"
    if isinstance(value, int):
        return "Int"
    if isinstance(value, list):
        return "Array"
    if isinstance(value, dict):
        return "Object"
    return "String"


def deployment_failed(rec: DeploymentRecord, details: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "code": "DeploymentFailed",
        "target": rec.id,
        "message": DEPLOYMENT_FAILED_MESSAGE,
        "details": details,
    }
