"""`GET /metadata/endpoints`: the cloud description ARM publishes (az CLI's
`ARM_CLOUD_METADATA_URL`), pointing every endpoint at this server."""

from __future__ import annotations

from typing import Any


def cloud_metadata(base_url: str) -> list[dict[str, Any]]:
    base = base_url.rstrip("/")
    host = base.split("://", 1)[-1]
    return [
        {
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
    ]
