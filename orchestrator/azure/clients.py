"""The SDK clients behind the adapters, built for one cloud profile and credential.

Every client polls long-running calls every second (never the SDK's 30 s default), trusts
the profile's CA (localcloud's, or the system's), asks for the cloud's token scope, and logs
its HTTP exchanges only when asked to (--debug).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from orchestrator.azure.cloud import CloudProfile

if TYPE_CHECKING:
    from orchestrator.azure.containerapps import ContainerApps
    from orchestrator.azure.credentials import Credential
    from orchestrator.azure.deployments import Deployments
    from orchestrator.azure.rest import ArmRest
    from orchestrator.azure.storage import Storage

POLLING_INTERVAL = 1


@dataclass(frozen=True)
class ClientFactory:
    profile: CloudProfile
    credential: Credential
    debug: bool = False

    def _kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.profile.arm_endpoint,
            "credential_scopes": list(self.profile.credential_scopes),
            "connection_verify": self.profile.connection_verify,
            "polling_interval": POLLING_INTERVAL,
            "logging_enable": self.debug,
        }

    def deployments(self, subscription: str) -> Deployments:
        from azure.mgmt.resource.deployments import DeploymentsMgmtClient
        from azure.mgmt.resource.resources import ResourceManagementClient

        from orchestrator.azure.deployments import Deployments

        kwargs = self._kwargs()
        return Deployments(
            DeploymentsMgmtClient(self.credential, subscription, **kwargs),
            ResourceManagementClient(self.credential, subscription, **kwargs),
            endpoint=self.profile.arm_endpoint,
        )

    def containerapps(self, subscription: str) -> ContainerApps:
        from azure.mgmt.appcontainers import ContainerAppsAPIClient

        from orchestrator.azure.containerapps import ContainerApps

        client = ContainerAppsAPIClient(self.credential, subscription, **self._kwargs())
        return ContainerApps(client, endpoint=self.profile.arm_endpoint)

    def storage(self, subscription: str) -> Storage:
        from azure.mgmt.storage import StorageManagementClient

        from orchestrator.azure.storage import Storage

        client = StorageManagementClient(self.credential, subscription, **self._kwargs())
        return Storage(client, endpoint=self.profile.arm_endpoint)

    def rest(self, subscription: str) -> ArmRest:
        from azure.mgmt.resource.resources import ResourceManagementClient

        from orchestrator.azure.rest import ArmRest

        client = ResourceManagementClient(self.credential, subscription, **self._kwargs())
        return ArmRest(client, endpoint=self.profile.arm_endpoint)
