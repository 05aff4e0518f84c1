"""Registers every resource provider with `cloud.providers` and their extra ARM routes
(including the operation status routes of long-running writes, localcloud/arm/asyncops.py)."""

from __future__ import annotations

from collections.abc import Mapping

from aiohttp import web

from localcloud.arm import asyncops
from localcloud.arm.responses import json_response, read_json_object, require_api_version
from localcloud.cloud import LocalCloud
from localcloud.providers.base import Provider
from localcloud.providers.containerapps.apps import ContainerAppProvider
from localcloud.providers.containerapps.environments import (
    EnvironmentProvider,
    EnvironmentStorageProvider,
)
from localcloud.providers.containerapps.jobs import JobExecutionProvider, JobProvider
from localcloud.providers.containerapps.revisions import ReplicaProvider, RevisionProvider
from localcloud.providers.containerapps.routes import install_routes
from localcloud.providers.fileshares import FileServiceProvider, FileShareProvider
from localcloud.providers.loganalytics import WorkspaceProvider
from localcloud.providers.storage import ACCOUNT_TYPE, StorageAccountProvider

PROVIDERS: tuple[type[Provider], ...] = (
    StorageAccountProvider,
    FileServiceProvider,
    FileShareProvider,
    WorkspaceProvider,
    EnvironmentProvider,
    EnvironmentStorageProvider,
    ContainerAppProvider,
    RevisionProvider,
    ReplicaProvider,
    JobProvider,
    JobExecutionProvider,
)


def install(cloud: LocalCloud) -> None:
    """Register every provider (and the default one) with `cloud.providers`, and their extra
    ARM routes."""
    cloud.providers.register_default(Provider(cloud))
    for provider in PROVIDERS:
        cloud.providers.register(provider(cloud))
    install_routes(cloud)
    asyncops.install(cloud)
    install_storage_routes(cloud)


def install_storage_routes(cloud: LocalCloud) -> None:
    """`POST /subscriptions/{sub}/providers/Microsoft.Storage/checkNameAvailability`."""

    async def check_name(request: web.Request, m: Mapping[str, str]) -> web.StreamResponse:
        require_api_version(request)
        body = await read_json_object(request)
        provider = cloud.providers.for_type(ACCOUNT_TYPE)
        assert isinstance(provider, StorageAccountProvider)
        return json_response(provider.name_availability(str(body.get("name", ""))))

    cloud.arm.add(
        "POST", "/subscriptions/{sub}/providers/Microsoft.Storage/checkNameAvailability", check_name
    )
