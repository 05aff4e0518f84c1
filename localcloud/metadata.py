"""`GET /metadata/endpoints`: the cloud description ARM publishes, pointing every endpoint at
this server.

The shape depends on the api-version, as on management.azure.com: `2019-05-01` (what
`ARM_CLOUD_METADATA_URL` readers and the Go SDKs ask for) is a JSON array of clouds;
`2022-09-01` (what `az cloud register --endpoint-resource-manager` asks for and reads as one
object) is the single cloud object. Where the switch lies between the two is assumed.
"""

from __future__ import annotations

from typing import Any

# Versions from here on answer the single cloud object (assumed boundary, see above).
SINGLE_CLOUD_SINCE = "2020-06-01"


def cloud_metadata(base_url: str, api_version: str | None = None) -> dict[str, Any] | list[Any]:
    """The document for `api_version` (missing or unparsable: the current, single-object form)."""
    cloud = cloud_description(base_url)
    if api_version and api_version.strip()[:10] < SINGLE_CLOUD_SINCE:
        return [cloud]
    return cloud


def cloud_description(base_url: str) -> dict[str, Any]:
    base = base_url.rstrip("/")
    host = base.split("://", 1)[-1]
    return {
        "name": "localcloud",
        "portal": base,
        "resourceManager": base + "/",
        "authentication": {
            "loginEndpoint": base,
            "audiences": [
                "https://management.core.windows.net/",
                "https://management.azure.com/",
            ],
            "tenant": "common",
            "identityProvider": "AAD",
        },
        "media": base,
        "graphAudience": "https://graph.windows.net/",
        "graph": "https://graph.windows.net/",
        "batch": "https://batch.core.windows.net/",
        "activeDirectoryDataLake": "https://datalake.azure.net/",
        "sqlManagement": "https://management.core.windows.net:8443/",
        "gallery": "https://gallery.azure.com/",
        "microsoftGraphResourceId": "https://graph.microsoft.com/",
        "logAnalyticsResourceId": "https://api.loganalytics.io",
        "appInsightsResourceId": "https://api.applicationinsights.io",
        "suffixes": {
            "storage": host,
            "keyVaultDns": "vault.azure.net",
            "acrLoginServer": "azurecr.io",
            "sqlServerHostname": "database.windows.net",
        },
    }
