"""Microsoft.App/jobs: stored with Azure's computed fields. Jobs do not run in localcloud:
`start` records an execution (type `Microsoft.App/jobs/executions`) that reports Succeeded at
once, so clients that start a job and poll it finish. `suspend` / `resume` set the job's
`runningState` (Suspended / Ready)."""

from __future__ import annotations

import secrets
import string
from collections.abc import Mapping
from typing import Any

from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE, Provider
from localcloud.providers.common import Problem, azure_time, base_doc, properties_of, stored_id
from localcloud.providers.containerapps.appbase import APP_KEYS, AppLikeProvider
from localcloud.providers.containerapps.appshape import environment_id, event_stream

JOB_TYPE = "Microsoft.App/jobs"
EXECUTION_TYPE = "Microsoft.App/jobs/executions"
TRIGGER_TYPES = ("Manual", "Schedule", "Event")
READY = "Ready"
SUSPENDED = "Suspended"


def trigger_problems(props: Mapping[str, Any]) -> list[Problem]:
    trigger = (props.get("configuration") or {}).get("triggerType")
    if trigger in TRIGGER_TYPES:
        return []
    return [
        Problem(
            400,
            "ContainerAppJobInvalidTriggerType",
            f"configuration.triggerType must be one of {', '.join(TRIGGER_TYPES)} "
            f"(got {trigger!r}).",
            "properties.configuration.triggerType",
        )
    ]


def job_properties(rid: ResourceId, requested: Mapping[str, Any], base_url: str) -> dict[str, Any]:
    config = dict(requested.get("configuration") or {})
    config.setdefault("replicaRetryLimit", 0)
    if config.get("triggerType") == "Manual":
        config.setdefault("manualTriggerConfig", {"parallelism": 1, "replicaCompletionCount": 1})
    env_id = environment_id(requested)
    return {
        **requested,
        "configuration": config,
        "environmentId": env_id,
        "eventStreamEndpoint": event_stream(base_url, rid, "jobs"),
        "outboundIpAddresses": ["127.0.0.1"],
        "runningState": READY,
        "provisioningState": "Succeeded",
    }


def execution_name(job: str) -> str:
    alphabet = string.ascii_lowercase + string.digits
    return f"{job}-{''.join(secrets.choice(alphabet) for _ in range(7))}"


class JobProvider(AppLikeProvider):
    types = (JOB_TYPE,)
    kind = "container app job"

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*super().preflight(rid, body), *trigger_problems(properties_of(body))]

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        rid = stored_id(existing, rid)
        requested, _ = self.keep_secrets(rid, properties_of(body))
        doc = base_doc(rid, body, APP_KEYS)
        doc["properties"] = job_properties(rid, requested, self.cloud.base_url)
        if existing is not None and properties_of(existing).get("runningState") == SUSPENDED:
            doc["properties"]["runningState"] = SUSPENDED  # an update does not resume a job
        return doc

    def delete(self, rid: ResourceId) -> bool:
        self.delete_children(rid)
        return super().delete(rid)

    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any:
        doc = self.require(rid)
        match action.lower():
            case "start":
                return self.start(doc, body)
            case "suspend":
                return self.set_running_state(doc, SUSPENDED)
            case "resume":
                return self.set_running_state(doc, READY)
            case "listsecrets":
                return self.list_secrets(rid)
            case _:
                return super().action(rid, action, body, api_version=api_version)

    def set_running_state(self, doc: Mapping[str, Any], state: str) -> dict[str, Any]:
        """`suspend` / `resume`: the job's `runningState`; returns the job as GET shows it."""
        updated = {**doc, "properties": {**doc["properties"], "runningState": state}}
        self.cloud.store.put(RESOURCE, ResourceId.parse(str(doc["id"])).key, updated)
        return updated

    def start(self, doc: Mapping[str, Any], body: Any) -> dict[str, Any]:
        job = ResourceId.parse(str(doc["id"]))
        execution = job.child("executions", execution_name(job.name))
        now = azure_time()
        template = body if isinstance(body, Mapping) and body else doc["properties"].get("template")
        record = {
            "id": execution.id,
            "name": execution.name,
            "type": EXECUTION_TYPE,
            "properties": {
                "status": "Succeeded",
                "startTime": now,
                "endTime": now,
                "template": template,
            },
        }
        self.cloud.store.put(RESOURCE, execution.key, record)
        return {"id": execution.id, "name": execution.name}


class JobExecutionProvider(Provider):
    """Executions are created by `start`; GET and list read them back."""

    types = (EXECUTION_TYPE,)
