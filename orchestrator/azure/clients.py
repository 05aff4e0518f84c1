"""The clients behind the adapters, built for one cloud profile and credential.

The adapters of the hot paths (Container Apps, storage keys, deployments' reads) send plain
ARM requests (`arm.Arm`) over one shared `transport.Transport`; the rest use the official
SDK clients. Every SDK client polls long-running calls every second (never the SDK's 30 s
default). All of them trust the profile's CA (localcloud's, or the system's), ask for the
cloud's token scope, and log their HTTP exchanges only when asked to (--debug).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from orchestrator.azure.cloud import CloudProfile

if TYPE_CHECKING:
    from orchestrator.azure.arm import Arm
    from orchestrator.azure.containerapps import ContainerApps
    from orchestrator.azure.credentials import Credential
    from orchestrator.azure.deployments import Deployments
    from orchestrator.azure.rest import ArmRest
    from orchestrator.azure.storage import Storage
    from orchestrator.azure.transport import Transport

POLLING_INTERVAL = 1


@dataclass(frozen=True)
class ClientFactory:
    profile: CloudProfile
    credential: Credential
    debug: bool = False
    backoff: float = 1.0  # seconds before the first retry of a plain ARM request
    _shared: dict[str, Transport] = field(default_factory=dict, compare=False, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, compare=False, repr=False)

    def _kwargs(self) -> dict[str, Any]:
        return {
            "base_url": self.profile.arm_endpoint,
            "credential_scopes": list(self.profile.credential_scopes),
            "connection_verify": self.profile.connection_verify,
            "polling_interval": POLLING_INTERVAL,
            "logging_enable": self.debug,
        }

    def transport(self) -> Transport:
        """The one pool of plain HTTPS connections of this invocation (ARM and the file
        shares: on localcloud one host, so the connections made for ARM serve the share)."""
        from orchestrator.azure.transport import shared_transport

        with self._lock:
            if "https" not in self._shared:
                self._shared["https"] = shared_transport(self.profile.connection_verify)
            return self._shared["https"]

    def arm(self, subscription: str) -> Arm:
        from orchestrator.azure.arm import Arm

        return Arm(
            self.profile.arm_endpoint,
            subscription,
            self.credential,
            self.profile.credential_scopes[0],
            self.transport(),
            backoff=self.backoff,
        )

    def deployments(self, subscription: str) -> Deployments:
        from orchestrator.azure.deployments import Deployments

        def sdk() -> Any:
            from azure.mgmt.resource.deployments import DeploymentsMgmtClient

            return DeploymentsMgmtClient(self.credential, subscription, **self._kwargs())

        return Deployments(self.arm(subscription), sdk)

    def containerapps(self, subscription: str) -> ContainerApps:
        from orchestrator.azure.containerapps import ContainerApps

        return ContainerApps(self.arm(subscription))

    def storage(self, subscription: str) -> Storage:
        from orchestrator.azure.storage import Storage

        return Storage(self.arm(subscription))

    def rest(self, subscription: str) -> ArmRest:
        from azure.mgmt.resource.resources import ResourceManagementClient

        from orchestrator.azure.rest import ArmRest

        client = ResourceManagementClient(self.credential, subscription, **self._kwargs())
        return ArmRest(client, endpoint=self.profile.arm_endpoint)
