"""Where a template is deployed (`Scope`) and how runtime references are answered (`Resolver`)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol


def azure_cloud_environment() -> dict[str, Any]:
    """The `environment()` object of the public Azure cloud."""
    return {
        "name": "AzureCloud",
        "gallery": "https://gallery.azure.com/",
        "graph": "https://graph.windows.net/",
        "portal": "https://portal.azure.com",
        "graphAudience": "https://graph.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "batch": "https://batch.core.windows.net/",
        "media": "https://rest.media.azure.net",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "resourceManager": "https://management.azure.com/",
        "authentication": {
            "loginEndpoint": "https://login.microsoftonline.com/",
            "audiences": ["https://management.core.windows.net/", "https://management.azure.com/"],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "suffixes": {
            "acrLoginServer": ".azurecr.io",
            "azureDatalakeAnalyticsCatalogAndJob": "azuredatalakeanalytics.net",
            "azureDatalakeStoreFileSystem": "azuredatalakestore.net",
            "azureFrontDoorEndpointSuffix": "azurefd.net",
            "keyvaultDns": ".vault.azure.net",
            "sqlServerHostname": ".database.windows.net",
            "storage": "core.windows.net",
        },
    }


@dataclass(frozen=True)
class Scope:
    """The deployment's target: subscription, tenant, resource group and deployment."""

    subscription_id: str
    tenant_id: str
    resource_group: str
    location: str
    deployment_name: str
    mode: str = "Incremental"
    resource_group_tags: Mapping[str, str] = field(default_factory=dict)
    resource_group_managed_by: str | None = None
    subscription_display_name: str = "Local Subscription"
    environment: Mapping[str, Any] = field(default_factory=azure_cloud_environment)
    template_hash: str | None = None  # `deployment().properties.templateHash`, when known

    @property
    def subscription_path(self) -> str:
        return f"/subscriptions/{self.subscription_id}"

    @property
    def group_path(self) -> str:
        return f"{self.subscription_path}/resourceGroups/{self.resource_group}"


class Resolver(Protocol):
    """Answers `reference()` and `list*()` at deployment time.

    Raise `Unresolved` when the resource does not exist (yet), `TemplateError` for other
    failures.
    """

    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any: ...

    def list_action(
        self, resource_id: str, action: str, api_version: str | None, body: Any
    ) -> Any: ...
