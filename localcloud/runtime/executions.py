"""Container Apps job executions that really run (built by localcloud/jobsystem.py).

`start` turns a job (its template, or the start body merged as Azure merges it: jobspec.py)
into an execution `<job>-<7 lowercase alnum>` recorded in the store (type
`Microsoft.App/jobs/executions`) and runs it (jobrun.py): replicas are local process
groups built by the runtime's launch machinery (command/args, env with secretRef resolved,
the file share at its mountPath), counted as jobstate.py decides. Console lines and system
events go to the jobs' LogBook, which the job log stream (joblogstream.py) and the Log
Analytics tables read.

History survives a restart: an execution that was in flight when localcloud stopped is
recorded as Failed (its replicas died with the node, as after a node loss in Azure), with a
`PodDeletion` system event. Admin knobs (`/_localcloud/executions`): `queue_seconds` keeps new
executions in `Processing` with no replica for that long; `early_failures` makes the next N
executions fail at once with `BackoffLimitExceeded`, as serverless GPU jobs sometimes do.
"""

from __future__ import annotations

import asyncio
import logging
import secrets
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol

from localcloud.arm.errors import ArmError
from localcloud.cloud import Store
from localcloud.ids import ResourceId
from localcloud.runtime.jobadmin import Knobs
from localcloud.runtime.jobdocs import (
    EXECUTION_TYPE,
    execution_doc,
    execution_time,
    replica_doc,
)
from localcloud.runtime.jobreplica import JobReplica, ReplicaIdent
from localcloud.runtime.jobrun import ExecutionRun, ReplicaFactory, RunOptions
from localcloud.runtime.jobspec import (
    execution_template,
    job_environment,
    launch_document,
    shown_template,
)
from localcloud.runtime.jobstate import IN_FLIGHT, Policy, Status, lost_status
from localcloud.runtime.launch import LaunchRequest
from localcloud.runtime.ledger import Ledger
from localcloud.runtime.logs import LogBook, SystemEvent, utc_now
from localcloud.runtime.replica import Launch
from localcloud.runtime.settings import RuntimeSettings
from localcloud.runtime.spec import AppSpec

log = logging.getLogger("localcloud.executions")

RESOURCE = "resource"
NAME_ALPHABET = "abcdefghijklmnopqrstuvwxyz0123456789"
UNLIMITED = 1 << 30


def new_execution_name(job: str, taken: set[str]) -> str:
    while True:
        name = f"{job}-{''.join(secrets.choice(NAME_ALPHABET) for _ in range(7))}"
        if name.lower() not in taken:
            return name


class Launcher(Protocol):
    """How a replica becomes a process: the runtime's launch machinery and sandbox."""

    def build(self, request: LaunchRequest) -> Launch: ...
    def prepare(self, launch: Launch) -> str:
        """Make the launch's environment ready (blocking); "" or the reason it failed."""
        ...


class Executions:
    def __init__(
        self,
        store: Store,
        state_dir: Path,
        base_url: str,
        settings: RuntimeSettings,
        launcher: Launcher,
    ) -> None:
        self._store = store
        self._base_url = base_url
        self._settings = settings
        self._launcher = launcher
        folder = state_dir / "runtime"
        self.logbook = LogBook(folder / "job-logs", settings.log_lines)
        self._ledger = Ledger(folder / "job-processes.json")
        self._replica_root = folder / "job-replicas"
        self.knobs = Knobs()
        self._runs: dict[str, ExecutionRun] = {}
        # How many more replicas of this job the environment's quota admits (usages.py).
        self.capacity: Callable[[Mapping[str, Any]], int] = lambda _job: UNLIMITED

    # -- lifecycle --------------------------------------------------------------------------
    def recover(self) -> list[str]:
        """Kill process groups a crashed localcloud left, and record executions that were in
        flight as lost. Returns the names of those executions."""
        self._ledger.reap_leftovers()
        lost: list[str] = []
        for doc in self._store.list(RESOURCE):
            props = doc.get("properties") or {}
            if str(doc.get("type", "")).lower() != EXECUTION_TYPE.lower():
                continue
            execution = ResourceId.parse(str(doc["id"]))
            if props.get("status") == "Stopped" and not props.get("endTime"):
                self._store_status(execution, "Stopped", utc_now())  # stopped as we went down
            if props.get("status") not in IN_FLIGHT:
                continue
            status, reason = lost_status()
            self._store_status(execution, status, utc_now())
            self._event(execution, reason, "The node running this execution was lost.")
            lost.append(execution.name)
        return lost

    async def shutdown(self) -> None:
        runs = list(self._runs.values())
        for run in runs:
            if run.task is not None:
                run.task.cancel()
        await asyncio.gather(*(r.wait() for r in runs), return_exceptions=True)
        self.logbook.close()

    # -- start / stop -----------------------------------------------------------------------
    def start(
        self, job: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]], body: Any
    ) -> dict[str, Any]:
        """Create and launch an execution; returns its stored document."""
        job_id = ResourceId.parse(str(job["id"]))
        props = job.get("properties") or {}
        taken = {str(d.get("name", "")).lower() for d in self.documents(job_id)}
        execution = job_id.child("executions", new_execution_name(job_id.name, taken))
        template = execution_template(props.get("template") or {}, body)
        doc = execution_doc(execution, "Processing", utc_now(), None, shown_template(template))
        self._store.put(RESOURCE, execution.key, doc)
        run = ExecutionRun(
            execution,
            job_id.key,
            Policy.from_configuration(props.get("configuration") or {}),
            self._take_options(),
            self._factory(execution, launch_document(job, template, secrets)),
            lambda status, ended: self._store_status(execution, status, ended),
            self.logbook,
            self._admission(job),
        )
        self._runs[execution.key] = run
        run.start()
        return doc

    def stop(self, execution: ResourceId) -> dict[str, Any]:
        """Ask an execution to stop; a finished one is left as it is."""
        doc = self.document(execution)
        run = self._runs.get(execution.key)
        if run is not None and doc["properties"].get("status") in IN_FLIGHT:
            run.request_stop()
            self._store_status(execution, "Stopped", None)
            doc = self.document(execution)
        return doc

    def stop_all(self, job: ResourceId) -> list[dict[str, Any]]:
        docs = [d for d in self.documents(job) if d["properties"].get("status") in IN_FLIGHT]
        return [self.stop(ResourceId.parse(str(d["id"]))) for d in docs]

    def forget_job(self, job: ResourceId) -> None:
        """The job is being deleted: end its executions without recording anything more."""
        prefix = job.key + "/executions/"
        for key in [k for k in self._runs if k.startswith(prefix)]:
            run = self._runs.pop(key)
            if run.task is not None:
                run.task.cancel()

    # -- reads ------------------------------------------------------------------------------
    def documents(self, job: ResourceId) -> list[dict[str, Any]]:
        prefix = job.key + "/executions/"
        return [
            d
            for d in self._store.list(RESOURCE, prefix)
            if str(d.get("type", "")).lower() == EXECUTION_TYPE.lower()
        ]

    def document(self, execution: ResourceId) -> dict[str, Any]:
        doc = self._store.get(RESOURCE, execution.key)
        if doc is None:
            raise ArmError(
                404,
                "ContainerAppJobExecutionNotFound",
                f"Job execution '{execution.name}' was not found.",
            )
        return doc

    def replicas(self, execution: ResourceId) -> list[dict[str, Any]]:
        self.document(execution)
        run = self._runs.get(execution.key)
        if run is None or execution.parent is None:
            return []
        base = self._base_url
        return [
            replica_doc(execution.parent, execution.name, r.status(), base)
            for r in run.replicas.values()
        ]

    def has_replica(self, job_key: str, execution: str, replica: str) -> bool:
        run = self._runs.get(f"{job_key}/executions/{execution}".lower())
        return run is not None and replica.lower() in {n.lower() for n in run.replicas}

    def replica_ended(self, job_key: str, execution: str, replica: str) -> bool:
        run = self._runs.get(f"{job_key}/executions/{execution}".lower())
        found = [
            r for n, r in (run.replicas.items() if run else ()) if n.lower() == replica.lower()
        ]
        return bool(found) and found[0].status().state == "Terminated"

    def active_replicas(self, job_key: str) -> int:
        prefix = job_key.lower() + "/executions/"
        return sum(r.active_replicas for k, r in self._runs.items() if k.startswith(prefix))

    # -- helpers ----------------------------------------------------------------------------
    def _admission(self, job: Mapping[str, Any]) -> Callable[[int], int]:
        return lambda wanted: min(wanted, self.capacity(job))

    def _take_options(self) -> RunOptions:
        knobs = self.knobs
        fail = knobs.early_failures > 0
        if fail:
            self.knobs = replace(knobs, early_failures=knobs.early_failures - 1)
        return RunOptions(queue_seconds=knobs.queue_seconds, fail_early=fail)

    def _factory(self, execution: ResourceId, launch_doc: Mapping[str, Any]) -> ReplicaFactory:
        spec = AppSpec.parse(launch_doc)
        job = execution.parent
        assert job is not None

        def make(name: str) -> JobReplica:
            folder = self._replica_root / name
            container = spec.containers[0] if spec.containers else None
            launch = (
                self._launch(spec, execution.name, name, folder)
                if container is not None
                else Launch((), {}, folder, folder, "the execution template has no container")
            )
            ident = ReplicaIdent(
                job.key, job.name, execution.name, name, container.name if container else job.name
            )
            return JobReplica(
                ident,
                launch,
                self.logbook,
                self._ledger,
                self._settings.stop_grace,
                self._launcher.prepare,
            )

        return make

    def _launch(self, spec: AppSpec, execution: str, replica: str, folder: Path) -> Launch:
        request = LaunchRequest(spec, spec.containers[0], execution, replica, 0, folder)
        launch = self._launcher.build(request)
        return replace(launch, env=job_environment(launch.env, spec.name, execution, replica))

    def _store_status(self, execution: ResourceId, status: Status, ended: datetime | None) -> None:
        doc = self._store.get(RESOURCE, execution.key)
        if doc is None:
            return  # deleted with its job meanwhile
        props = doc["properties"]
        if props.get("status") == "Stopped" and status != "Stopped":
            return  # a stop was requested: nothing but the final Stopped is recorded
        props["status"] = status
        if ended is not None:
            props["endTime"] = execution_time(ended)
        self._store.put(RESOURCE, execution.key, doc)

    def _event(self, execution: ResourceId, reason: str, message: str) -> None:
        job = execution.parent
        assert job is not None
        event = SystemEvent(utc_now(), job.name, execution.name, "", reason, message, True)
        self.logbook.event(job.key, event)
