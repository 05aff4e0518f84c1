"""Microsoft.App/jobs: stored with Azure's computed fields; run by the executions service it is
given (localcloud/runtime/executions.py, wired in localcloud/jobsystem.py; without one, `start`
answers 503).

Actions: `start` (body optional: a JobExecutionTemplate override, merged as Azure merges it),
`stop` (every execution in flight), `getAuthToken` (the log-stream token), `suspend` /
`resume` (the job's `runningState`), `listSecrets`. Secret names follow Azure's rule
(`ContainerAppInvalidSecretName`). Deleting a job ends its executions and deletes them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta, timezone
from typing import TYPE_CHECKING, Any, Protocol

from localcloud.arm.errors import ArmError
from localcloud.arm.locations import display_name
from localcloud.ids import ResourceId
from localcloud.providers.base import RESOURCE, Provider
from localcloud.providers.common import (
    Problem,
    azure_time,
    base_doc,
    properties_of,
    stored_id,
    system_data,
)
from localcloud.providers.containerapps.appbase import APP_KEYS, AppLikeProvider
from localcloud.providers.containerapps.apps import LOGSTREAM_AUDIENCE, TOKEN_LIFETIME_S
from localcloud.providers.containerapps.appshape import environment_id, event_stream

if TYPE_CHECKING:
    from localcloud.cloud import LocalCloud

JOB_TYPE = "Microsoft.App/jobs"
EXECUTION_TYPE = "Microsoft.App/jobs/executions"
TRIGGER_TYPES = ("Manual", "Schedule", "Event")
READY = "Ready"
SUSPENDED = "Suspended"
SECRET_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
SECRET_NAME_MAX = 253


class ExecutionService(Protocol):
    """The job executions service as the provider uses it."""

    def start(
        self, job: Mapping[str, Any], secrets: Sequence[Mapping[str, Any]], body: Any
    ) -> dict[str, Any]: ...
    def stop_all(self, job: ResourceId) -> list[dict[str, Any]]: ...
    def forget_job(self, job: ResourceId) -> None: ...


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


def secret_name_problems(props: Mapping[str, Any]) -> list[Problem]:
    """Azure's rule for `configuration.secrets[].name` (Azure/container-apps-deploy-action#116)."""
    secrets = (props.get("configuration") or {}).get("secrets") or []
    problems = []
    for secret in secrets if isinstance(secrets, list) else []:
        name = str(secret.get("name", "")) if isinstance(secret, Mapping) else ""
        if SECRET_NAME.match(name) and len(name) <= SECRET_NAME_MAX:
            continue
        problems.append(
            Problem(
                400,
                "ContainerAppInvalidSecretName",
                f"Secret name has an invalid value '{name}'. A value must consist of lower case "
                "alphanumeric characters, '-', and must start and end with an alphanumeric "
                "character. The length must not be more than 253 characters.",
                "properties.configuration.secrets",
            )
        )
    return problems


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


def auth_token_doc(doc: Mapping[str, Any], token: str, now: datetime) -> dict[str, Any]:
    expires = now + timedelta(seconds=TOKEN_LIFETIME_S)
    return {
        "id": doc["id"],
        "name": doc["name"],
        "type": "Microsoft.App/jobs/accesstoken",
        "location": doc.get("location"),
        "tags": doc.get("tags") or {},
        "properties": {"token": token, "expires": expires.strftime("%Y-%m-%dT%H:%M:%SZ")},
    }


class JobProvider(AppLikeProvider):
    types = (JOB_TYPE,)
    kind = "container app job"

    def __init__(self, cloud: LocalCloud, executions: ExecutionService | None = None) -> None:
        super().__init__(cloud)
        self.executions = executions

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        props = properties_of(body)
        return [
            *super().preflight(rid, body),
            *trigger_problems(props),
            *secret_name_problems(props),
        ]

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        rid = stored_id(existing, rid)
        requested, _ = self.keep_secrets(rid, properties_of(body))
        doc = base_doc(rid, body, APP_KEYS)
        doc["location"] = display_name(str(body.get("location") or ""))
        doc["systemData"] = system_data(
            self.cloud.identity.client_id,
            azure_time().rstrip("Z"),
            (existing or {}).get("systemData"),
        )
        doc.setdefault("identity", {"type": "None"})
        doc["properties"] = job_properties(rid, requested, self.cloud.base_url)
        if (properties_of(body).get("configuration") or {}).get("secrets", []) is None:
            doc["properties"]["configuration"]["secrets"] = None  # sent as null, read as null
        if existing is not None and properties_of(existing).get("runningState") == SUSPENDED:
            doc["properties"]["runningState"] = SUSPENDED  # an update does not resume a job
        return doc

    def delete(self, rid: ResourceId) -> bool:
        if self.executions is not None:
            self.executions.forget_job(rid)
        self.delete_children(rid)
        return super().delete(rid)

    def action(self, rid: ResourceId, action: str, body: Any, *, api_version: str) -> Any:
        doc = self.require(rid)
        match action.lower():
            case "start":
                return self.start(rid, doc, body)
            case "stop":
                return {"value": self._executions().stop_all(rid), "nextLink": None}
            case "getauthtoken":
                return self.auth_token(doc)
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

    def start(self, rid: ResourceId, doc: Mapping[str, Any], body: Any) -> dict[str, Any]:
        """Start an execution; returns `{name, id}` (JobExecutionBase)."""
        if body is not None and not isinstance(body, Mapping):
            raise ArmError(400, "InvalidRequestContent", "The start body must be a JSON object.")
        started = self._executions().start(doc, self.secrets(rid), body)
        return {"name": started["name"], "id": started["id"]}

    def auth_token(self, doc: Mapping[str, Any]) -> dict[str, Any]:
        """A log-stream token: subject = the job's resource ID, audience
        `containerapps-logstream` (the job log stream verifies both)."""
        token = self.cloud.tokens.issue_token(str(doc["id"]), LOGSTREAM_AUDIENCE, TOKEN_LIFETIME_S)
        return auth_token_doc(doc, token, datetime.now(timezone.utc))

    def _executions(self) -> ExecutionService:
        if self.executions is None:
            raise ArmError(
                503, "ServiceUnavailable", "Job executions are not available in this localcloud."
            )
        return self.executions


class JobExecutionProvider(Provider):
    """Executions are created by `start`; GET and list read them back from the store."""

    types = (EXECUTION_TYPE,)
