"""Extra ARM routes under a container app (and a job) that a generic resource route would not
serve: revision and replica collections, revision actions, getAuthtoken, listSecrets.

Every handler resolves the provider from `cloud.providers`, so the same logic answers
whether a request comes through these routes or through the generic resource routes.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.errors import ArmError
from localcloud.arm.paging import page_response
from localcloud.arm.responses import json_response, read_json_object, require_api_version
from localcloud.cloud import LocalCloud
from localcloud.ids import ResourceId
from localcloud.providers.containerapps.apps import APP_TYPE
from localcloud.providers.containerapps.jobs import EXECUTION_TYPE, JOB_TYPE
from localcloud.providers.containerapps.revisions import (
    REPLICA_TYPE,
    REVISION_TYPE,
    ReplicaProvider,
    RevisionProvider,
)

APP = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.app/containerapps/{app}"
JOB = "/subscriptions/{sub}/resourcegroups/{rg}/providers/microsoft.app/jobs/{job}"

Handler = Callable[[web.Request, Mapping[str, str]], Awaitable[web.StreamResponse]]


def app_id(match: Mapping[str, str]) -> ResourceId:
    return ResourceId(
        match["sub"], match["rg"], "Microsoft.App", ("containerApps",), (match["app"],)
    )


def job_id(match: Mapping[str, str]) -> ResourceId:
    return ResourceId(match["sub"], match["rg"], "Microsoft.App", ("jobs",), (match["job"],))


def page(items: list[dict[str, Any]]) -> web.Response:
    return json_response({"value": items, "nextLink": None})


class ContainerAppRoutes:
    def __init__(self, cloud: LocalCloud) -> None:
        self.cloud = cloud

    def _revisions(self) -> RevisionProvider:
        provider = self.cloud.providers.for_type(REVISION_TYPE)
        assert isinstance(provider, RevisionProvider)
        return provider

    def _replicas(self) -> ReplicaProvider:
        provider = self.cloud.providers.for_type(REPLICA_TYPE)
        assert isinstance(provider, ReplicaProvider)
        return provider

    async def list_revisions(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        provider = self._revisions()
        revisions = provider.revisions_of(provider.app_doc(app_id(match)))
        # pages as ARM lists do; the last one has no nextLink key at all
        # (test_containerapp_scale_revision_copy.yaml)
        return page_response(self.cloud.base_url, request, revisions, self.cloud.settings)

    async def get_revision(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        provider = self._revisions()
        return json_response(provider.find_revision(provider.app_doc(app_id(match)), match["rev"]))

    async def revision_action(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        rid = app_id(match).child("revisions", match["rev"])
        body = await read_json_object(request, required=False)
        result = self._revisions().action(
            rid, match["action"], body, api_version=require_api_version(request)
        )
        return json_response(result)

    async def list_replicas(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        rid = app_id(match).child("revisions", match["rev"])
        return json_response({"value": self._replicas().replicas_of(rid)})

    async def get_replica(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        rid = app_id(match).child("revisions", match["rev"])
        for replica in self._replicas().replicas_of(rid):
            if replica["name"].lower() == match["replica"].lower():
                return json_response(replica)
        raise ArmError(
            404, "ContainerAppReplicaNotFound", f"Replica '{match['replica']}' was not found."
        )

    async def app_action(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        provider = self.cloud.providers.for_type(APP_TYPE)
        body = await read_json_object(request, required=False)
        result = provider.action(
            app_id(match), match["action"], body, api_version=require_api_version(request)
        )
        return json_response(result)

    async def job_action(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        provider = self.cloud.providers.for_type(JOB_TYPE)
        body = await read_json_object(request, required=False)
        result = provider.action(
            job_id(match), match["action"], body, api_version=require_api_version(request)
        )
        status = 202 if match["action"].lower() == "start" else 200
        return json_response(result, status=status)

    async def list_executions(self, request: web.Request, match: Mapping[str, str]) -> web.Response:
        require_api_version(request)
        job = job_id(match)
        self.cloud.providers.for_type(JOB_TYPE).require(job)
        provider = self.cloud.providers.for_type(EXECUTION_TYPE)
        return page(provider.list(job.key + "/executions/", EXECUTION_TYPE))


def install_routes(cloud: LocalCloud) -> None:
    routes = ContainerAppRoutes(cloud)
    table: list[tuple[str, str, Handler]] = [
        ("GET", APP + "/revisions", routes.list_revisions),
        ("GET", APP + "/revisions/{rev}", routes.get_revision),
        ("GET", APP + "/revisions/{rev}/replicas", routes.list_replicas),
        ("GET", APP + "/revisions/{rev}/replicas/{replica}", routes.get_replica),
        ("POST", APP + "/revisions/{rev}/{action}", routes.revision_action),
        ("POST", APP + "/{action}", routes.app_action),
        ("POST", JOB + "/{action}", routes.job_action),
        ("GET", JOB + "/executions", routes.list_executions),
    ]
    for method, pattern, handler in table:
        cloud.arm.add(method, pattern, handler)
