"""ARM routes of job executions (registered ahead of the generic job action route):

POST {job}/start                          202, Location: the execution, body {name, id}
POST {job}/stop                           200 ContainerAppJobExecutions (those stopped)
POST {job}/executions/{exec}/stop         200 (Jobs_StopExecution)
POST {job}/stop/{exec}                    200 {name, id} (the older path az 2.91 uses)
GET  {job}/executions[?$filter=]          200 {value, nextLink}, newest first
GET  {job}/executions/{exec}              200 JobExecution
GET  {job}/executions/{exec}/replicas     200 {value: [replica]} (what `az containerapp
                                          job logs show` reads)
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any, Protocol

from aiohttp import web

from localcloud.arm.errors import ArmError
from localcloud.arm.responses import (
    empty_response,
    json_response,
    query_value,
    read_json_object,
    require_api_version,
)
from localcloud.cloud import LocalCloud
from localcloud.ids import ResourceId
from localcloud.providers.containerapps.jobs import JOB_TYPE
from localcloud.runtime.jobdocs import FilterError, newest_first, parse_filter

JOB = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.app/jobs/{job}"

Handler = Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]


class ExecutionReader(Protocol):
    def documents(self, job: ResourceId) -> list[dict[str, Any]]: ...
    def document(self, execution: ResourceId) -> dict[str, Any]: ...
    def stop(self, execution: ResourceId) -> dict[str, Any]: ...
    def replicas(self, execution: ResourceId) -> list[dict[str, Any]]: ...


def job_id(match: Mapping[str, str]) -> ResourceId:
    return ResourceId(match["sub"], match["rg"], "Microsoft.App", ("jobs",), (match["job"],))


def base(doc: Mapping[str, Any]) -> dict[str, Any]:
    return {"name": doc["name"], "id": doc["id"]}


class JobExecutionRoutes:
    def __init__(self, cloud: LocalCloud, executions: ExecutionReader) -> None:
        self.cloud = cloud
        self.executions = executions

    def _service(self) -> ExecutionReader:
        return self.executions

    def _job(self, match: Mapping[str, str]) -> ResourceId:
        rid = job_id(match)
        doc = self.cloud.providers.for_type(JOB_TYPE).require(rid)
        return ResourceId.parse(str(doc["id"]))

    def _execution(self, match: Mapping[str, str]) -> ResourceId:
        return self._job(match).child("executions", match["exec"])

    async def start(self, request: web.Request, match: Mapping[str, str]) -> web.StreamResponse:
        version = require_api_version(request)
        body = await read_json_object(request, required=False)
        job = self._job(match)
        started = self.cloud.providers.for_type(JOB_TYPE).action(
            job, "start", body or None, api_version=version
        )
        location = f"{self.cloud.base_url}{started['id']}?api-version={version}"
        return json_response(started, status=202, headers={"Location": location})

    async def stop_all(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        version = require_api_version(request)
        result = self.cloud.providers.for_type(JOB_TYPE).action(
            self._job(match), "stop", None, api_version=version
        )
        return json_response(result)

    async def stop_one(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        self._service().stop(self._execution(match))
        return empty_response(200)

    async def stop_legacy(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        return json_response(base(self._service().stop(self._execution(match))))

    async def list(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        try:
            keep = parse_filter(query_value(request, "$filter"))
        except FilterError as err:
            raise ArmError(400, "InvalidFilter", str(err)) from err
        docs = [d for d in self._service().documents(self._job(match)) if keep(d)]
        return json_response({"value": newest_first(docs), "nextLink": None})

    async def get(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        return json_response(self._service().document(self._execution(match)))

    async def replicas(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        return json_response({"value": self._service().replicas(self._execution(match))})


def install(cloud: LocalCloud, executions: ExecutionReader) -> None:
    routes = JobExecutionRoutes(cloud, executions)
    table: list[tuple[str, str, Handler]] = [
        ("POST", JOB + "/start", routes.start),
        ("POST", JOB + "/stop", routes.stop_all),
        ("POST", JOB + "/stop/{exec}", routes.stop_legacy),
        ("POST", JOB + "/executions/{exec}/stop", routes.stop_one),
        ("GET", JOB + "/executions", routes.list),
        ("GET", JOB + "/executions/{exec}", routes.get),
        ("GET", JOB + "/executions/{exec}/replicas", routes.replicas),
    ]
    for method, pattern, handler in reversed(table):
        cloud.arm.add(method, pattern, handler, first=True)
