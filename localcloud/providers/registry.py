"""Registers every resource provider with `cloud.providers` and their extra ARM routes."""

from __future__ import annotations

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
from localcloud.providers.loganalytics import WorkspaceProvider
from localcloud.providers.storage import (
    FileServiceProvider,
    FileShareProvider,
    StorageAccountProvider,
)

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
    """Register every provider with `cloud.providers` and their extra ARM routes."""
    for provider in PROVIDERS:
        cloud.providers.register(provider(cloud))
    install_routes(cloud)
