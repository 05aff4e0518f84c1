"""The one subscription and tenant localcloud serves, its locations and provider
registrations (what `az login`, `az account` and the SDKs' registration policy read)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.responses import json_response
from localcloud.cloud import Identity, LocalCloud

LOCATIONS = (
    "eastus",
    "eastus2",
    "westus",
    "westus2",
    "westus3",
    "centralus",
    "northeurope",
    "westeurope",
    "swedencentral",
    "uksouth",
    "japaneast",
    "australiaeast",
)


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
        "displayName": name,
        "regionalDisplayName": name,
        "metadata": {"regionType": "Physical", "regionCategory": "Recommended"},
    }


def provider_doc(cloud: LocalCloud, namespace: str) -> dict[str, Any]:
    sub = cloud.identity.subscription_id
    return {
        "id": f"/subscriptions/{sub}/providers/{namespace}",
        "namespace": namespace,
        "registrationState": "Registered",
        "registrationPolicy": "RegistrationRequired",
        "resourceTypes": [],
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
        return json_response({"value": []})

    cloud.arm.add("GET", "/subscriptions", list_subscriptions)
    cloud.arm.add("GET", "/subscriptions/{sub}", get_subscription)
    cloud.arm.add("GET", "/tenants", list_tenants)
    cloud.arm.add("GET", "/subscriptions/{sub}/locations", list_locations)
    cloud.arm.add("GET", "/subscriptions/{sub}/providers", list_providers)
    cloud.arm.add("GET", "/subscriptions/{sub}/providers/{ns}", get_provider)
    cloud.arm.add("POST", "/subscriptions/{sub}/providers/{ns}/register", get_provider)
