"""The one subscription and tenant localcloud serves, its locations and provider
registrations (what `az login`, `az account` and the SDKs' registration policy read)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.locations import DISPLAY_NAMES, LOCATIONS
from localcloud.arm.responses import json_response
from localcloud.cloud import Identity, LocalCloud


def subscription_doc(identity: Identity) -> dict[str, Any]:
    sub = identity.subscription_id
    return {
        "id": f"/subscriptions/{sub}",
        "authorizationSource": "RoleBased",
        "managedByTenants": [],
        "subscriptionId": sub,
        "tenantId": identity.tenant_id,
        "displayName": "localcloud",
        "state": "Enabled",
        "subscriptionPolicies": {
            "locationPlacementId": "Public_2014-09-01",
            "quotaId": "PayAsYouGo_2014-09-01",
            "spendingLimit": "Off",
        },
    }


def tenant_doc(identity: Identity) -> dict[str, Any]:
    tid = identity.tenant_id
    return {
        "id": f"/tenants/{tid}",
        "tenantId": tid,
        "tenantCategory": "Home",
        "countryCode": "US",
        "displayName": "localcloud",
        "domains": ["localcloud.onmicrosoft.com"],
        "defaultDomain": "localcloud.onmicrosoft.com",
        "tenantType": "AAD",
    }


def location_doc(sub: str, name: str) -> dict[str, Any]:
    return {
        "id": f"/subscriptions/{sub}/locations/{name}",
        "name": name,
        "type": "Region",
        "displayName": DISPLAY_NAMES.get(name, name),
        "regionalDisplayName": DISPLAY_NAMES.get(name, name),
        "metadata": {"regionType": "Physical", "regionCategory": "Recommended"},
    }


# The resource types localcloud serves, by namespace, with the api-versions a client may
# pick (`az resource show --ids` takes the newest one of the type).
RESOURCE_TYPES: dict[str, dict[str, tuple[str, ...]]] = {
    "Microsoft.Storage": {
        "storageAccounts": ("2025-08-01", "2025-06-01", "2024-01-01", "2023-05-01", "2023-01-01"),
        "storageAccounts/fileServices": ("2025-08-01", "2024-01-01", "2023-05-01", "2023-01-01"),
        "storageAccounts/fileServices/shares": (
            "2025-08-01",
            "2024-01-01",
            "2023-05-01",
            "2023-01-01",
        ),
        "checkNameAvailability": ("2025-08-01", "2024-01-01", "2023-05-01", "2023-01-01"),
        "locations/asyncoperations": ("2025-08-01", "2024-01-01", "2023-05-01", "2023-01-01"),
    },
    "Microsoft.App": {
        "managedEnvironments": ("2025-07-01", "2025-01-01", "2024-03-01", "2023-05-01"),
        "managedEnvironments/storages": ("2025-07-01", "2025-01-01", "2024-03-01", "2023-05-01"),
        "containerApps": ("2025-07-01", "2025-01-01", "2024-03-01", "2023-05-01"),
        "jobs": ("2025-07-01", "2025-01-01", "2024-03-01", "2023-05-01"),
        "locations/containerappOperationStatuses": ("2025-07-01", "2025-01-01", "2024-03-01"),
        "locations/managedEnvironmentOperationStatuses": ("2025-07-01", "2025-01-01"),
    },
    "Microsoft.OperationalInsights": {
        "workspaces": ("2025-02-01", "2023-09-01", "2022-10-01", "2021-12-01-preview"),
    },
    "Microsoft.Resources": {
        "deployments": ("2025-04-01", "2024-03-01", "2022-09-01", "2021-04-01"),
        "resourceGroups": ("2025-04-01", "2024-03-01", "2022-09-01", "2021-04-01"),
    },
}


def resource_type_doc(resource_type: str, versions: tuple[str, ...]) -> dict[str, Any]:
    regional = not resource_type.startswith("locations/") and resource_type not in (
        "checkNameAvailability",
        "deployments",
        "resourceGroups",
    )
    return {
        "resourceType": resource_type,
        "locations": [DISPLAY_NAMES[n] for n in LOCATIONS] if regional else [],
        "apiVersions": list(versions),
        "defaultApiVersion": versions[0],
        "capabilities": "SupportsTags, SupportsLocation" if regional else "None",
    }


def provider_doc(cloud: LocalCloud, namespace: str) -> dict[str, Any]:
    """A provider registration with its resource types (Azure/azure-cli recording
    containerapp/.../test_containerapp_env_storage.yaml, GET providers/Microsoft.App)."""
    sub = cloud.identity.subscription_id
    canonical = next((n for n in RESOURCE_TYPES if n.lower() == namespace.lower()), namespace)
    types = RESOURCE_TYPES.get(canonical, {})
    return {
        "id": f"/subscriptions/{sub}/providers/{canonical}",
        "namespace": canonical,
        "authorizations": [],
        "resourceTypes": [resource_type_doc(t, v) for t, v in types.items()],
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
    }


def install(cloud: LocalCloud) -> None:
    identity = cloud.identity

    async def list_subscriptions(request: web.Request, m: Mapping[str, str]) -> web.Response:
        return json_response(
            {"value": [subscription_doc(identity)], "count": {"type": "Total", "value": 1}}
        )

    async def get_subscription(request: web.Request, m: Mapping[str, str]) -> web.Response:
        # The dispatcher already answered 404 SubscriptionNotFound for other ids.
        return json_response(subscription_doc(identity))

    async def list_tenants(request: web.Request, m: Mapping[str, str]) -> web.Response:
        return json_response({"value": [tenant_doc(identity)]})

    async def list_locations(request: web.Request, m: Mapping[str, str]) -> web.Response:
        sub = identity.subscription_id
        return json_response({"value": [location_doc(sub, name) for name in LOCATIONS]})

    async def get_provider(request: web.Request, m: Mapping[str, str]) -> web.Response:
        return json_response(provider_doc(cloud, m["ns"]))

    async def list_providers(request: web.Request, m: Mapping[str, str]) -> web.Response:
        return json_response({"value": [provider_doc(cloud, ns) for ns in RESOURCE_TYPES]})

    cloud.arm.add("GET", "/subscriptions", list_subscriptions)
    cloud.arm.add("GET", "/subscriptions/{sub}", get_subscription)
    cloud.arm.add("GET", "/tenants", list_tenants)
    cloud.arm.add("GET", "/subscriptions/{sub}/locations", list_locations)
    cloud.arm.add("GET", "/subscriptions/{sub}/providers", list_providers)
    cloud.arm.add("GET", "/subscriptions/{sub}/providers/{ns}", get_provider)
    cloud.arm.add("POST", "/subscriptions/{sub}/providers/{ns}/register", get_provider)
