"""Container Apps jobs: the job, its secrets, its executions and their replicas, the log
stream token, and the managed environment the job runs in.

Job documents are kept as ARM's wire JSON next to the typed fields (`Job.document`): the
start override and the secret PATCH are built from the job's current definition
(`orchestrator.finetune.override` / `secrets`), so nothing of it may be lost on the way.
The SDK covers the job, its secrets, start, stop and executions; the log-stream token and the
replicas of an execution (what `az containerapp job logs show` reads) are plain requests
through the same client pipeline, at the API version az uses for them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeVar

from orchestrator.azure.errors import calling
from orchestrator.azure.http import LazySession
from orchestrator.azure.wire import JsonObject, as_object, at, integer, objects, text, wire
from orchestrator.errors import AzureError

if TYPE_CHECKING:
    from azure.mgmt.appcontainers import ContainerAppsAPIClient

    from orchestrator.azure.clients import ClientFactory

T = TypeVar("T")

LOG_STREAM_API_VERSION = "2023-11-02-preview"  # azure-cli-extensions containerapp _clients.py
WORKSPACES_API_VERSION = "2022-10-01"


@dataclass(frozen=True)
class Job:
    name: str
    id: str
    environment_id: str
    event_stream: str  # eventStreamEndpoint (the log stream's host)
    container: str  # the first container's name (its console is the execution's log)
    replica_timeout: int
    storage_name: str  # the environment storage of the first AzureFile volume ("" if none)
    document: JsonObject = field(repr=False)  # GET job, as ARM sent it


@dataclass(frozen=True)
class Started:
    name: str
    id: str


@dataclass(frozen=True)
class Execution:
    name: str
    id: str
    status: str
    start: str
    end: str
    document: JsonObject = field(repr=False)


@dataclass(frozen=True)
class ExecutionReplica:
    name: str
    created: str
    running: str
    containers: tuple[str, ...]


@dataclass(frozen=True)
class Environment:
    name: str
    id: str
    log_customer_id: str  # the Log Analytics workspace it sends logs to ("" when none)


@dataclass(frozen=True)
class LogWorkspace:
    name: str
    customer_id: str


class StreamNotReady(AzureError):
    """The log stream has no replica to read yet (404: queued, or between replicas)."""


def job_from_wire(doc: JsonObject) -> Job:
    props = as_object(doc.get("properties"))
    containers = objects(at(props, "template", "containers"))
    volumes = objects(at(props, "template", "volumes"))
    share = next((v for v in volumes if text(v, "storageType").lower() == "azurefile"), {})
    return Job(
        name=text(doc, "name"),
        id=text(doc, "id"),
        environment_id=text(props, "environmentId"),
        event_stream=text(props, "eventStreamEndpoint"),
        container=text(containers[0], "name") if containers else "",
        replica_timeout=integer(props, "configuration", "replicaTimeout"),
        storage_name=text(share, "storageName"),
        document=doc,
    )


def execution_from_wire(doc: JsonObject) -> Execution:
    props = as_object(doc.get("properties"))
    return Execution(
        name=text(doc, "name"),
        id=text(doc, "id"),
        status=text(props, "status") or "Unknown",
        start=text(props, "startTime"),
        end=text(props, "endTime"),
        document=doc,
    )


def replica_from_wire(doc: JsonObject) -> ExecutionReplica:
    props = as_object(doc.get("properties"))
    names = tuple(text(c, "name") for c in objects(props.get("containers")))
    return ExecutionReplica(
        name=text(doc, "name"),
        created=text(props, "createdTime"),
        running=text(props, "runningState"),
        containers=names,
    )


class Jobs:
    """The Container Apps jobs of one subscription."""

    def __init__(self, client: ContainerAppsAPIClient, subscription: str, *, endpoint: str):
        self._client = client
        self.subscription = subscription
        self.endpoint = endpoint.rstrip("/")

    def _call(self, doing: str, func: Callable[[], T]) -> T:
        with calling(doing, self.endpoint):
            return func()
        raise AssertionError("unreachable")  # pragma: no cover

    def _job_path(self, group: str, job: str) -> str:
        return (
            f"/subscriptions/{self.subscription}/resourceGroups/{group}"
            f"/providers/Microsoft.App/jobs/{job}"
        )

    def _send(self, method: str, path: str, doing: str, api_version: str) -> JsonObject:
        from azure.core.exceptions import HttpResponseError
        from azure.core.rest import HttpRequest

        request = HttpRequest(method, self.endpoint + path, params={"api-version": api_version})
        with calling(doing, self.endpoint):
            response = self._client.send_request(request)
            if response.status_code >= 400:
                raise HttpResponseError(response=response)
        try:
            return as_object(json.loads(response.text())) if response.content else {}
        except ValueError:
            return {}

    # --- the job --------------------------------------------------------------------------

    def job(self, group: str, name: str) -> Job:
        found = self._call(f"reading job {name}", lambda: self._client.jobs.get(group, name))
        return job_from_wire(wire(found))

    def update(self, group: str, name: str, body: Mapping[str, Any]) -> Job:
        """PATCH the job (ARM merges objects and replaces arrays) and wait for it. The body
        may carry secret values: never logged, not even with --debug."""
        from azure.mgmt.appcontainers.models import JobPatchProperties

        found = self._call(
            f"updating job {name}",
            lambda: self._client.jobs.begin_update(
                group, name, JobPatchProperties(dict(body)), logging_enable=False
            ).result(),
        )
        return job_from_wire(wire(found)) if found is not None else self.job(group, name)

    def list_secrets(self, group: str, name: str) -> JsonObject:
        """`POST .../listSecrets`: `{"value": [{"name", "value", ...}]}` (kept in memory,
        never logged)."""
        found = self._call(
            f"reading the secrets of job {name}",
            lambda: self._client.jobs.list_secrets(group, name, logging_enable=False),
        )
        return wire(found)

    def auth_token(self, group: str, name: str) -> str:
        """A short-lived token for the job's log stream."""
        path = self._job_path(group, name) + "/getAuthToken"
        found = self._send(
            "POST", path, f"getting a log-stream token for {name}", LOG_STREAM_API_VERSION
        )
        return text(found, "properties", "token")

    # --- executions -----------------------------------------------------------------------

    def start(self, group: str, name: str, body: Mapping[str, Any] | None) -> Started:
        """Start an execution (no body: the template as defined) without waiting for it."""

        from azure.mgmt.appcontainers.models import JobExecutionTemplate

        template = JobExecutionTemplate(dict(body)) if body is not None else None

        def start() -> Any:
            poller = self._client.jobs.begin_start(group, name, template=template, polling=False)
            return poller.result()

        found = wire(self._call(f"starting job {name}", start))
        return Started(text(found, "name"), text(found, "id"))

    def executions(self, group: str, name: str) -> list[Execution]:
        def read() -> list[Execution]:
            pages = self._client.jobs_executions.list(group, name)
            return [execution_from_wire(wire(e)) for e in pages]

        return self._call(f"listing the executions of job {name}", read)

    def execution(self, group: str, job: str, name: str) -> Execution:
        found = self._call(
            f"reading execution {name}", lambda: self._client.job_execution(group, job, name)
        )
        return execution_from_wire(wire(found))

    def stop(self, group: str, job: str, name: str) -> None:
        self._call(
            f"stopping execution {name}",
            lambda: self._client.jobs.begin_stop_execution(group, job, name, polling=False),
        )

    def replicas(self, group: str, job: str, execution: str) -> list[ExecutionReplica]:
        path = self._job_path(group, job) + f"/executions/{execution}/replicas"
        found = self._send(
            "GET", path, f"listing the replicas of {execution}", LOG_STREAM_API_VERSION
        )
        return [replica_from_wire(r) for r in objects(found.get("value"))]

    # --- the environment ------------------------------------------------------------------

    def environment(self, environment_id: str) -> Environment:
        group, name = _group_and_name(environment_id)
        found = self._call(
            f"reading environment {name}",
            lambda: self._client.managed_environments.get(group, name),
        )
        doc = wire(found)
        customer = text(
            doc, "properties", "appLogsConfiguration", "logAnalyticsConfiguration", "customerId"
        )
        return Environment(text(doc, "name") or name, text(doc, "id"), customer)

    def log_workspaces(self, group: str) -> list[LogWorkspace]:
        path = (
            f"/subscriptions/{self.subscription}/resourceGroups/{group}"
            "/providers/Microsoft.OperationalInsights/workspaces"
        )
        found = self._send(
            "GET", path, f"listing Log Analytics workspaces in {group}", WORKSPACES_API_VERSION
        )
        return [
            LogWorkspace(text(w, "name"), text(w, "properties", "customerId"))
            for w in objects(found.get("value"))
        ]


def jobs_adapter(clients: ClientFactory, subscription: str) -> Jobs:
    """The jobs adapter on the factory's profile and credential (1 s polling, the cloud's CA
    and scope)."""
    from azure.mgmt.appcontainers import ContainerAppsAPIClient

    from orchestrator.azure.clients import POLLING_INTERVAL

    profile = clients.profile
    client = ContainerAppsAPIClient(
        clients.credential,
        subscription,
        base_url=profile.arm_endpoint,
        credential_scopes=list(profile.credential_scopes),
        connection_verify=profile.connection_verify,
        polling_interval=POLLING_INTERVAL,
        logging_enable=clients.debug,
    )
    return Jobs(client, subscription, endpoint=profile.arm_endpoint)


def _group_and_name(resource_id: str) -> tuple[str, str]:
    parts = resource_id.strip("/").split("/")
    lowered = [p.lower() for p in parts]
    try:
        group = parts[lowered.index("resourcegroups") + 1]
    except (ValueError, IndexError):
        raise AzureError(f"{resource_id!r} is not a resource ID") from None
    return group, parts[-1]


def name_of(resource_id: str) -> str:
    """The last segment of a resource ID."""
    return resource_id.rstrip("/").rsplit("/", 1)[-1]


# --- the log stream -----------------------------------------------------------------------


def stream_url(job: Job, subscription: str, group: str, execution: str, replica: str) -> str:
    """The console stream of one replica, under the job's eventStreamEndpoint host."""
    base = job.event_stream.split("/subscriptions/", 1)[0]
    if not base:
        raise AzureError(f"job {job.name} reports no eventStreamEndpoint; cannot read its log")
    return (
        f"{base}/subscriptions/{subscription}/resourceGroups/{group}/jobs/{job.name}"
        f"/executions/{execution}/replicas/{replica}/containers/{job.container}/logstream"
    )


class LogStream:
    """Reads a job replica's console stream; a 404 (no replica yet) is `StreamNotReady`,
    a connection that breaks simply ends the iteration's lines (the caller reconnects)."""

    def __init__(self, verify: str | bool) -> None:
        self._open = LazySession(verify)
        self._verify = verify

    def lines(self, url: str, token: str, *, follow: bool, tail: int) -> Iterator[str]:
        import requests

        params = {
            "follow": "true" if follow else "false",
            "tailLines": str(tail),
            "output": "text",
        }
        headers = {"Authorization": f"Bearer {token}"}
        try:
            with self._open().get(
                url,
                params=params,
                headers=headers,
                stream=True,
                timeout=(10, 60 if follow else 30),
                verify=self._verify,
            ) as response:
                if response.status_code == 404:
                    raise StreamNotReady("no streaming log endpoint yet (the replica is not up)")
                if response.status_code != 200:
                    raise AzureError(f"the log stream answered HTTP {response.status_code}")
                for line in response.iter_lines(decode_unicode=True):
                    yield str(line)
        except requests.RequestException:
            return  # dropped: the caller decides whether to reconnect
