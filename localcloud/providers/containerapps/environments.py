"""Microsoft.App/managedEnvironments and managedEnvironments/storages.

Write-only values (the Log Analytics shared key, a storage's account key) are kept in the
private store (`common.PRIVATE`) and never returned, as in Azure.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from aiohttp import web

from localcloud.arm.asyncops import (
    ENVIRONMENT_KIND,
    AsyncOperations,
    app_delete_answer,
    app_write_answer,
)
from localcloud.arm.errors import ArmError
from localcloud.arm.locations import display_name
from localcloud.arm.responses import json_response
from localcloud.ids import ResourceId
from localcloud.providers.common import (
    CheckedProvider,
    Problem,
    azure_time,
    base_doc,
    drop_private,
    load_private,
    location_check,
    properties_of,
    save_private,
    system_data,
)
from localcloud.providers.loganalytics import customer_ids_and_keys
from localcloud.providers.storage import account_keys

ENVIRONMENT_TYPE = "Microsoft.App/managedEnvironments"
STORAGE_TYPE = "Microsoft.App/managedEnvironments/storages"
# how Azure spells a storage's type (test_containerapp_env_storage.yaml)
STORAGE_TYPE_SHOWN = "Microsoft.App/managedenvironments/storages"

_FIRST = ("happy", "calm", "brave", "lively", "gentle", "proud", "icy", "witty", "bold", "quiet")
_SECOND = ("river", "field", "stone", "meadow", "forest", "island", "bay", "hill", "ocean", "dune")


def digest(text: str) -> str:
    return hashlib.sha256(text.lower().encode()).hexdigest()


def default_domain(env_id: str, location: str) -> str:
    """`<word><word>-<hash8>.<region>.localcloud.internal` (informational, like Azure's)."""
    h = digest(env_id)
    words = _FIRST[int(h[:4], 16) % len(_FIRST)] + _SECOND[int(h[4:8], 16) % len(_SECOND)]
    region = location.replace(" ", "").lower()
    return f"{words}-{h[8:16]}.{region}.localcloud.internal"


def verification_id(subscription: str) -> str:
    return digest(subscription).upper()


def split_log_key(props: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    """The properties without `appLogsConfiguration...sharedKey`, and that key."""
    logs = props.get("appLogsConfiguration")
    la = logs.get("logAnalyticsConfiguration") if isinstance(logs, Mapping) else None
    if not isinstance(la, Mapping) or "sharedKey" not in la:
        return dict(props), None
    assert isinstance(logs, Mapping)
    kept = {k: v for k, v in la.items() if k != "sharedKey"}
    return {**props, "appLogsConfiguration": {**logs, "logAnalyticsConfiguration": kept}}, (
        str(la["sharedKey"]) if la["sharedKey"] is not None else None
    )


def log_key_problem(props: Mapping[str, Any], workspaces: list[dict[str, Any]]) -> list[Problem]:
    """A shared key that does not belong to the workspace with that customer ID fails."""
    clean, key = split_log_key(props)
    la = (clean.get("appLogsConfiguration") or {}).get("logAnalyticsConfiguration") or {}
    customer_id = str(la.get("customerId", "")).lower()
    for ws in workspaces:
        if str(ws.get("customerId", "")).lower() != customer_id or key is None:
            continue
        if key not in (ws.get("primarySharedKey"), ws.get("secondarySharedKey")):
            return [
                Problem(
                    400,
                    "ManagedEnvironmentInvalidLogAnalyticsConfiguration",
                    f"The shared key for Log Analytics workspace '{customer_id}' is invalid.",
                    "properties.appLogsConfiguration.logAnalyticsConfiguration.sharedKey",
                )
            ]
    return []


# What Azure fills in on an environment (Azure/azure-cli recording containerapp/.../
# test_containerapp_env_storage.yaml, PUT and GET managedEnvironments).
_DEFAULTS: dict[str, Any] = {
    "daprAIInstrumentationKey": None,
    "daprAIConnectionString": None,
    "vnetConfiguration": None,
    "zoneRedundant": False,
    "workloadProfiles": None,
    "firstPartyConfiguration": None,
    "peerAuthentication": {"mtls": {"enabled": False}},
}
_CUSTOM_DOMAIN_DEFAULTS: dict[str, Any] = {
    "dnsSuffix": None,
    "certificateValue": None,
    "certificatePassword": None,
    "thumbprint": None,
    "subjectName": None,
    "expirationDate": None,
}


def log_configuration(requested: Mapping[str, Any]) -> dict[str, Any] | None:
    """`appLogsConfiguration` as Azure shows it: the shared key is write-only (null)."""
    config = requested.get("appLogsConfiguration")
    if not isinstance(config, Mapping):
        return None
    analytics = config.get("logAnalyticsConfiguration")
    if isinstance(analytics, Mapping):
        return {**config, "logAnalyticsConfiguration": {**analytics, "sharedKey": None}}
    return dict(config)


def environment_properties(
    rid: ResourceId, location: str, requested: Mapping[str, Any], base_url: str
) -> dict[str, Any]:
    custom = {**_CUSTOM_DOMAIN_DEFAULTS, **(requested.get("customDomainConfiguration") or {})}
    custom["customDomainVerificationId"] = verification_id(rid.subscription)
    return {
        **_DEFAULTS,
        **requested,
        "appLogsConfiguration": log_configuration(requested),
        "customDomainConfiguration": custom,
        "defaultDomain": default_domain(rid.id, location),
        "staticIp": "127.0.0.1",
        "eventStreamEndpoint": (
            f"{base_url}/logstream/subscriptions/{rid.subscription}/resourceGroups/"
            f"{rid.resource_group}/managedEnvironments/{rid.name}/eventstream"
        ),
        "infrastructureResourceGroup": (
            f"ME_{rid.name}_{rid.resource_group}_{location}"
            if requested.get("workloadProfiles")
            else None
        ),
        "kedaConfiguration": {"version": "2.15.1"},
        "daprConfiguration": {"version": "1.13.6-msft.1"},
        "provisioningState": "Succeeded",
    }


class EnvironmentProvider(CheckedProvider):
    types = (ENVIRONMENT_TYPE,)

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*super().preflight(rid, body), *location_check(body)]

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return log_key_problem(properties_of(body), customer_ids_and_keys(self.cloud.store))

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        doc = base_doc(rid, body, ("location", "tags", "identity", "kind"))
        doc["location"] = display_name(str(body.get("location") or ""))
        doc["systemData"] = system_data(
            self.cloud.identity.client_id,
            azure_time().rstrip("Z"),
            (existing or {}).get("systemData"),
        )
        requested, key = split_log_key(properties_of(body))
        if key is not None:
            save_private(self.cloud.store, rid, {"sharedKey": key})
        doc["properties"] = environment_properties(
            rid, str(body.get("location")), requested, self.cloud.base_url
        )
        return doc

    def get(self, rid: ResourceId) -> dict[str, Any] | None:
        doc = self.stored(rid)
        if doc is not None and AsyncOperations(self.cloud.store).pending(str(doc["id"])):
            return {**doc, "properties": {**doc["properties"], "provisioningState": "Waiting"}}
        return doc

    def write_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, created: bool, method: str, api_version: str
    ) -> web.StreamResponse | None:
        """201/200 `Waiting` + Azure-AsyncOperation (localcloud/arm/asyncops.py)."""
        seconds = self.cloud.settings.seconds_for(ENVIRONMENT_TYPE)
        op = AsyncOperations(self.cloud.store).start(
            str(doc["id"]), ENVIRONMENT_KIND, str(doc.get("location") or ""), seconds
        )
        shown = self.get(rid) or doc
        return app_write_answer(self.cloud.base_url, op, api_version, shown, method, created)

    def delete(self, rid: ResourceId) -> bool:
        self.delete_children(rid)
        drop_private(self.cloud.store, rid)
        return super().delete(rid)

    def delete_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, api_version: str
    ) -> web.StreamResponse | None:
        """202 + Azure-AsyncOperation + Location, as Azure deletes an environment."""
        seconds = self.cloud.settings.seconds_for(ENVIRONMENT_TYPE)
        op = AsyncOperations(self.cloud.store).start(
            str(doc["id"]), ENVIRONMENT_KIND, str(doc.get("location") or ""), seconds
        )
        return app_delete_answer(self.cloud.base_url, op, api_version)


def split_account_key(props: Mapping[str, Any]) -> tuple[dict[str, Any], str | None]:
    azure_file = props.get("azureFile")
    if not isinstance(azure_file, Mapping) or "accountKey" not in azure_file:
        return dict(props), None
    kept = {k: v for k, v in azure_file.items() if k != "accountKey"}
    return {**props, "azureFile": kept}, str(azure_file["accountKey"])


def storage_shape_problems(props: Mapping[str, Any]) -> list[Problem]:
    azure_file = props.get("azureFile")
    if not isinstance(azure_file, Mapping):
        if isinstance(props.get("nfsAzureFile"), Mapping):
            return []
        return [
            Problem(
                400,
                "ManagedEnvironmentStorageInvalid",
                "The storage must define properties.azureFile (or properties.nfsAzureFile).",
                "properties.azureFile",
            )
        ]
    missing = [k for k in ("accountName", "shareName") if not azure_file.get(k)]
    problems = [
        Problem(
            400,
            "ManagedEnvironmentStorageInvalid",
            f"properties.azureFile.{k} is required.",
            f"properties.azureFile.{k}",
        )
        for k in missing
    ]
    mode = azure_file.get("accessMode")
    if mode is not None and str(mode) not in ("ReadOnly", "ReadWrite"):
        problems.append(
            Problem(
                400,
                "ManagedEnvironmentStorageInvalid",
                f"accessMode '{mode}' is invalid: use 'ReadOnly' or 'ReadWrite'.",
                "properties.azureFile.accessMode",
            )
        )
    return problems


class EnvironmentStorageProvider(CheckedProvider):
    types = (STORAGE_TYPE,)

    def preflight(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*super().preflight(rid, body), *storage_shape_problems(properties_of(body))]

    def admission(self, rid: ResourceId, body: dict[str, Any]) -> list[Problem]:
        return [*self.parent_check(rid), *self._key_problems(properties_of(body), rid)]

    def _key_problems(self, props: Mapping[str, Any], rid: ResourceId) -> list[Problem]:
        clean, key = split_account_key(props)
        account = str((clean.get("azureFile") or {}).get("accountName", ""))
        if not account:
            return []
        if key is None:
            key = load_private(self.cloud.store, rid).get("accountKey")
        keys = account_keys(self.cloud.store, account) or {}
        if key is not None and key in keys.values():
            return []
        return [
            Problem(
                400,
                "ManagedEnvironmentStorageAccountKeyInvalid",
                f"The account key for storage account '{account}' is invalid or the account "
                "does not exist. Use the key from listKeys on the storage account.",
                "properties.azureFile.accountKey",
            )
        ]

    def shape(
        self, rid: ResourceId, body: dict[str, Any], existing: dict[str, Any] | None
    ) -> dict[str, Any]:
        doc = base_doc(rid, body, ())
        doc["type"] = STORAGE_TYPE_SHOWN
        requested, key = split_account_key(properties_of(body))
        if key is not None:
            save_private(self.cloud.store, rid, {"accountKey": key})
        azure_file = requested.get("azureFile")
        if isinstance(azure_file, Mapping):
            requested["azureFile"] = {"accessMode": "ReadWrite", **azure_file}
        doc["properties"] = requested
        return doc

    def write_answer(
        self, rid: ResourceId, doc: dict[str, Any], *, created: bool, method: str, api_version: str
    ) -> web.StreamResponse | None:
        """200 with the storage, a create too (test_containerapp_env_storage.yaml)."""
        return json_response(doc, 200)

    def missing(self, rid: ResourceId) -> ArmError:
        """Azure's words (test_containerapp_env_storage.yaml, after `env storage remove`)."""
        return ArmError(
            404,
            "ManagedEnvironmentStorageNotFound",
            f"Storage {rid.name} not found under managed environment",
        )

    def delete(self, rid: ResourceId) -> bool:
        drop_private(self.cloud.store, rid)
        return super().delete(rid)
