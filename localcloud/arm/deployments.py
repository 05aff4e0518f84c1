"""Deployment routes (resource-group scope) - the HTTP face of `engine.Engine`.

    PUT|GET|HEAD|DELETE  {group}/providers/Microsoft.Resources/deployments/{name}
    GET                  {group}/providers/Microsoft.Resources/deployments         ($filter, $top)
    GET                  {deployment}/operationStatuses/{id}
    POST                 {deployment}/validate | /whatIf | /cancel | /exportTemplate
    GET                  {group}[/providers/Microsoft.Resources]/deployments/{name}/operations
    GET                  .../operations/{id}
    GET                  /subscriptions/{sub}/operationresults/{token}            (what-if, delete)
    POST                 /providers/Microsoft.Resources/calculateTemplateHash

`{group}` is `/subscriptions/{sub}/resourcegroups/{rg}`. `install(cloud)` registers the routes
first (ahead of the generic resource routes) and marks deployments a previous server left
running as Failed.

Polling headers, as recorded from Azure (Azure/azure-dev
`cli/azd/test/functional/testdata/recordings/Test_CLI_Up_ResourceGroupScope.yaml`; MicrosoftDocs/
azure-docs `articles/azure-resource-manager/management/async-operations.md`): a PUT answers
with `Azure-AsyncOperation` only - no `Location`, no `Retry-After` - and status polls carry
no `Retry-After` either, so clients poll at their own `polling_interval` (a client relying
on the SDK's 30 s default is as slow here as against Azure). What-if and deletion answer
202 + `Location` + `Retry-After: 1` (Azure sends 0, which the SDK ignores).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.engine import Engine
from localcloud.arm.errors import ArmError
from localcloud.arm.history import deployment_id
from localcloud.arm.jobs import JobResult, Jobs, accepted, failed_result, what_if_result
from localcloud.arm.paging import page_response
from localcloud.arm.preflight import (
    check_name,
    invalid_deployment,
    parse_request,
    preflight,
    prepare_template,
    resource_problems,
)
from localcloud.arm.records import (
    SUCCEEDED,
    render_deployment,
    render_operation,
    render_status,
)
from localcloud.arm.responses import (
    api_version,
    correlation_id,
    empty_response,
    json_response,
    query_value,
    read_json,
)
from localcloud.arm.router import Handler
from localcloud.arm.templatehash import minified, template_hash
from localcloud.arm.whatif_run import compute_what_if
from localcloud.cloud import LocalCloud
from localcloud.template import TemplateError

GROUP = "/subscriptions/{sub}/resourcegroups/{rg}"
DEPLOYMENTS = GROUP + "/providers/Microsoft.Resources/deployments"
ONE = DEPLOYMENTS + "/{name}"
PAGE_SIZE = 100
FILTER = re.compile(r"^\s*provisioningState\s+eq\s+'([^']*)'\s*$", re.IGNORECASE)


async def read_body(request: web.Request) -> Any:
    """The JSON (or az CLI's JSONC) body; JSON nested too deeply to parse is a 400 like any
    other bad JSON."""
    try:
        return await read_json(request, lenient=True)
    except RecursionError as e:
        raise ArmError(
            400,
            "InvalidRequestContent",
            "The request content was invalid and could not be deserialized: 'The JSON is "
            "nested too deeply.'.",
        ) from e


def top(request: web.Request) -> int | None:
    raw = query_value(request, "$top")
    if raw is None:
        return None
    try:
        value = int(raw)
    except ValueError:
        value = 0
    if value < 1:
        raise ArmError(400, "InvalidQueryParameterValue", f"The '$top' value '{raw}' is invalid.")
    return value


class DeploymentRoutes:
    def __init__(
        self, cloud: LocalCloud, engine: Engine, jobs: Jobs, group_results: Handler
    ) -> None:
        self.cloud = cloud
        self.engine = engine
        self.jobs = jobs
        self.group_results = group_results  # resource-group deletions poll the same path

    def _id(self, m: Mapping[str, str]) -> str:
        group = self.engine.group(m["sub"], m["rg"])
        return deployment_id(m["sub"], str(group.get("name") or m["rg"]), m["name"])

    # -- the deployment ------------------------------------------------------------------
    async def put(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        check_name(m["name"])
        dep_id = self._id(m)
        req = parse_request(await read_body(request))
        existing = self.engine.check_not_active(dep_id)
        scope = self.engine.scope(
            m["sub"], m["rg"], m["name"], req.mode, template_hash(req.template)
        )
        prepared = prepare_template(req, scope, await request.read())
        preflight(self.cloud, m["name"], prepared, self.engine.resolver(lenient=True))
        rec = self.engine.new_record(scope, req, prepared, correlation_id(request))
        if existing is not None:
            self.engine.history.delete(existing)
        self.engine.start(rec, prepared)
        status_url = (
            f"{self.cloud.base_url}/subscriptions/{m['sub']}/resourcegroups/{m['rg']}"
            f"/providers/Microsoft.Resources/deployments/{m['name']}/operationStatuses/"
            f"{rec.status_id}?api-version={api_version(request)}"
        )
        body = render_deployment(rec, self.engine.clock())
        headers = {"Azure-AsyncOperation": status_url, "x-ms-deployment-engine-version": "1.628.3"}
        return json_response(body, 200 if existing else 201, headers)

    async def get(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        rec = self.engine.require(self._id(m), m["name"])
        return json_response(render_deployment(rec, self.engine.clock()))

    async def head(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        found = self.engine.history.get(self._id(m)) is not None
        return empty_response(204 if found else 404)

    async def delete(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        dep_id = self._id(m)
        rec = self.engine.check_not_active(dep_id)
        if rec is None:
            return empty_response(204)
        self.engine.history.delete(rec)
        group = self.engine.group(m["sub"], m["rg"])
        location = str(group.get("location") or self.cloud.location)
        token = self.jobs.finished("DeploymentDeletionJob", location, JobResult(204))
        return accepted(self.jobs.location(m["sub"], token, api_version(request) or ""))

    async def status(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        rec = self.engine.require(self._id(m), m["name"])
        return json_response(render_status(rec))

    async def cancel(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        self.engine.cancel(self.engine.require(self._id(m), m["name"]))
        return empty_response(204)

    async def export(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        rec = self.engine.require(self._id(m), m["name"])
        return json_response({"template": rec.template})

    async def list(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        group = self.engine.group(m["sub"], m["rg"])
        records = self.engine.history.in_group(m["sub"], str(group.get("name") or m["rg"]))
        raw_filter = query_value(request, "$filter")
        if raw_filter:
            match = FILTER.match(raw_filter)
            if match is None:
                raise ArmError(
                    400,
                    "InvalidFilterInQueryString",
                    f"The filter '{raw_filter}' is not supported. Supported: "
                    "provisioningState eq '{state}'.",
                )
            records = [r for r in records if r.state.lower() == match.group(1).lower()]
        limit = top(request)
        if limit is not None:
            records = records[-limit:]
        now = self.engine.clock()
        items = [render_deployment(r, now) for r in records]
        return page_response(
            self.cloud.base_url, request, items, self.cloud.settings, default_size=PAGE_SIZE
        )

    # -- operations ----------------------------------------------------------------------
    async def operations(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        rec = self.engine.require(self._id(m), m["name"])
        ops = self.engine.history.operations(rec.id)
        limit = top(request)
        if limit is not None:
            ops = ops[:limit]
        now = self.engine.clock()
        items = [render_operation(op, now) for op in ops]
        return page_response(self.cloud.base_url, request, items, self.cloud.settings)

    async def operation(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        rec = self.engine.require(self._id(m), m["name"])
        op = self.engine.history.operation(rec.id, m["op"])
        if op is None:
            raise ArmError(
                404,
                "DeploymentOperationNotFound",
                f"Deployment operation '{m['op']}' could not be found in deployment '{rec.name}'.",
            )
        return json_response(render_operation(op, self.engine.clock()))

    # -- validate / what-if --------------------------------------------------------------
    async def validate(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        check_name(m["name"])
        dep_id = self._id(m)
        req = parse_request(await read_body(request))
        scope = self.engine.scope(
            m["sub"], m["rg"], m["name"], req.mode, template_hash(req.template)
        )
        prepared = prepare_template(req, scope, await request.read())
        preflight(self.cloud, m["name"], prepared, self.engine.resolver(lenient=True))
        now = self.engine.clock()
        ids = [p.resource_id for p in prepared.resources if p.condition]
        rec = self.engine.new_record(scope, req, prepared, correlation_id(request))
        body = render_deployment(rec, now)
        body["id"] = dep_id
        props = body["properties"]
        props.update(provisioningState=SUCCEEDED, duration="PT0S")
        props["validatedResources"] = [{"id": rid} for rid in ids]
        return json_response(body)

    async def what_if(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        check_name(m["name"])
        group = self.engine.group(m["sub"], m["rg"])
        req = parse_request(await read_body(request))
        scope = self.engine.scope(
            m["sub"], m["rg"], m["name"], req.mode, template_hash(req.template)
        )
        prepared = prepare_template(req, scope, await request.read())
        correlation = correlation_id(request)
        full = req.what_if_format.lower() != "resourceidonly"

        def work() -> JobResult:
            problems = resource_problems(self.cloud, prepared, self.engine.resolver(lenient=True))
            if problems:
                return failed_result(invalid_deployment(m["name"], problems).detail.to_json())
            try:
                changes = compute_what_if(self.engine, scope, prepared, full=full)
            except TemplateError as e:
                return failed_result({"code": e.code, "message": e.message})
            return what_if_result(correlation, changes)

        location = str(group.get("location") or self.cloud.location)
        token = self.jobs.start("DeploymentWhatIfJob", location, work)
        return accepted(self.jobs.location(m["sub"], token, api_version(request) or ""))

    async def job(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        if not self.jobs.knows(m["token"]):
            # Resource-group deletions poll the same path (arm/groups.py).
            return await self.group_results(request, {"sub": m["sub"], "op": m["token"]})
        return self.jobs.respond(request, m["sub"], m["token"])

    async def template_hash(self, request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        template = await read_body(request)
        if not isinstance(template, Mapping):
            raise ArmError(400, "InvalidTemplate", "The template must be a JSON object.")
        return json_response(
            {"minifiedTemplate": minified(template), "templateHash": template_hash(template)}
        )


def install(cloud: LocalCloud, group_results: Handler) -> None:
    """Register deployment routes on `cloud.arm`; `group_results` answers the operation
    results of resource-group deletions (arm/groups.py)."""
    engine = Engine(cloud)
    engine.recover()
    routes = DeploymentRoutes(cloud, engine, Jobs(cloud.base_url), group_results)
    table = [
        ("GET", DEPLOYMENTS, routes.list),
        ("PUT", ONE, routes.put),
        ("GET", ONE, routes.get),
        ("HEAD", ONE, routes.head),
        ("DELETE", ONE, routes.delete),
        ("GET", ONE + "/operationStatuses/{opid}", routes.status),
        ("POST", ONE + "/cancel", routes.cancel),
        ("POST", ONE + "/validate", routes.validate),
        ("POST", ONE + "/whatIf", routes.what_if),
        ("POST", ONE + "/exportTemplate", routes.export),
        ("GET", ONE + "/operations", routes.operations),
        ("GET", ONE + "/operations/{op}", routes.operation),
        ("GET", GROUP + "/deployments/{name}/operations", routes.operations),
        ("GET", GROUP + "/deployments/{name}/operations/{op}", routes.operation),
        ("GET", "/subscriptions/{sub}/operationresults/{token}", routes.job),
        ("POST", "/providers/Microsoft.Resources/calculateTemplateHash", routes.template_hash),
    ]
    for method, pattern, handler in reversed(table):
        cloud.arm.add(method, pattern, handler, first=True)
