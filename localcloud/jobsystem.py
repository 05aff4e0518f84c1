"""Jobs that really run, their logs in Log Analytics, and Container Apps quota: built once by
`server.build_server` after the providers, from the runtime's pieces.

- executions (runtime/executions.py) run job replicas through the runtime's launch machinery
  and sandbox; the job provider is registered again with them, and their ARM routes
  (providers/containerapps/jobroutes.py) go ahead of the generic ones;
- the job log stream (runtime/joblogstream.py) answers under `/logstream/.../jobs/...`;
- the log sink (loganalytics/sink.py) listens to the apps' and the jobs' LogBooks, and the
  query API (loganalytics/api.py) answers `/v1/workspaces/{customerId}/query`;
- usages, workload profile types and the quota checks of deployments
  (providers/containerapps/usages.py);
- admin endpoints `/_localcloud/executions`, `/_localcloud/logstreams`, `/_localcloud/quota`
  and `/_localcloud/loganalytics`.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Protocol

from aiohttp import web

from localcloud.cloud import LocalCloud
from localcloud.loganalytics.api import LogAnalyticsAdmin, LogQueryApi
from localcloud.loganalytics.sink import LogSink
from localcloud.providers.containerapps import jobroutes, usages
from localcloud.providers.containerapps.jobs import JobProvider
from localcloud.runtime.executions import Executions
from localcloud.runtime.jobadmin import ExecutionsAdmin, LogStreamsAdmin
from localcloud.runtime.joblogstream import JobLogStream
from localcloud.runtime.launch import LaunchRequest, build_launch, host_environment
from localcloud.runtime.logs import LogBook
from localcloud.runtime.mounts import namespace_available
from localcloud.runtime.replica import Launch
from localcloud.runtime.sandbox import SandboxConfig, prepare_environment, venv_key
from localcloud.runtime.settings import RuntimeSettings


class AdminEndpoint(Protocol):
    async def handle(self, method: str, request: web.Request) -> web.Response: ...
    def reset(self) -> None: ...


@dataclass
class HostLauncher:
    """Builds job replicas exactly as the supervisor builds app replicas (same sandbox)."""

    cloud: LocalCloud
    settings: RuntimeSettings
    sandbox: SandboxConfig | None
    host_env: Mapping[str, str]
    _namespace: bool | None = None

    def build(self, request: LaunchRequest) -> Launch:
        container = request.container
        keyed = LaunchRequest(
            request.app,
            container,
            request.revision,
            request.replica,
            request.port,
            request.replica_dir,
            venv_key(request.app.key, container.name, container.image),
        )
        return build_launch(
            keyed,
            namespace=self._use_namespace(),
            lookup_storage=lambda k: self.cloud.store.get("resource", k),
            share_path=self.cloud.files.share_path,
            host_env=self.host_env,
            sandbox=self.sandbox,
        )

    def prepare(self, launch: Launch) -> str:
        return prepare_environment(launch.sandbox, launch.dirs)

    def _use_namespace(self) -> bool:
        if self._namespace is None:
            mode = self.settings.mount_mode
            self._namespace = namespace_available() if mode == "auto" else mode == "namespace"
        return self._namespace


@dataclass(frozen=True)
class JobSystem:
    executions: Executions
    sink: LogSink
    queries: LogQueryApi
    logstream: JobLogStream
    admin_extensions: Mapping[str, AdminEndpoint]

    async def handle_logstream(self, request: web.Request) -> web.StreamResponse:
        return await self.logstream.handle(request)

    async def shutdown(self) -> None:
        await self.executions.shutdown()
        self.sink.close()


def build_jobs(
    cloud: LocalCloud,
    app_logs: LogBook,
    settings: RuntimeSettings,
    sandbox: SandboxConfig | None,
) -> JobSystem:
    sink = LogSink(cloud.store, cloud.state_dir / "loganalytics", cloud.identity.tenant_id)
    app_logs.add_listener(sink.record)
    launcher = HostLauncher(cloud, settings, sandbox, host_environment(os.environ))
    executions = Executions(cloud.store, cloud.state_dir, cloud.base_url, settings, launcher)
    executions.logbook.add_listener(sink.record)
    executions.recover()
    cloud.providers.register(JobProvider(cloud, executions))
    jobroutes.install(cloud, executions)
    quota = usages.install(cloud, executions)
    executions.capacity = quota.quota.free_replicas  # a full environment queues executions
    queries = LogQueryApi(sink, cloud.tokens)
    logstream = JobLogStream(executions, cloud.tokens)
    return JobSystem(
        executions=executions,
        sink=sink,
        queries=queries,
        logstream=logstream,
        admin_extensions={
            "executions": ExecutionsAdmin(executions),
            "logstreams": LogStreamsAdmin(logstream),
            "quota": quota,
            "loganalytics": LogAnalyticsAdmin(queries),
        },
    )
