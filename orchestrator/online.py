"""`validate --online`: do the resources a (hand-filled) inference config names exist?

Checks, in order, each problem naming the config key: the subscription and the resource
group; the storage account and its file share; the container app; ACA_APP_ENDPOINT equals
the app's ingress FQDN. Problems use the same `FILE: KEY: message` shape as the offline
config checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from orchestrator.errors import Problem
from orchestrator.factory import make_clients
from orchestrator.invocation import Invocation
from orchestrator.provision.arm import Arm, translate, wire
from orchestrator.provision.faults import NotFound, ResourceGroupMissing
from orchestrator.workspace import CONFIG_KEYS

STORAGE_API = "2023-01-01"


def _text(config: Mapping[str, Any], key: str) -> str:
    value = config.get(key)
    return value.strip() if isinstance(value, str) else ""


def check_config_resources(inv: Invocation, config: Mapping[str, Any]) -> list[Problem]:
    shown = inv.workspace.shown(inv.workspace.config)
    names = {key: _text(config, key) for key in CONFIG_KEYS}
    unset = [key for key, value in names.items() if not value]
    if unset:
        return [
            Problem(shown, key, "not set", "run `orchestrator provision` or fill it in")
            for key in unset
        ]
    clients = make_clients(inv.env)
    arm = clients.arm(names["SUBSCRIPTION_ID"])
    return ConfigChecker(arm, shown, names).problems(
        lambda: clients.containerapps(names["SUBSCRIPTION_ID"])
    )


class ConfigChecker:
    def __init__(self, arm: Arm, shown: str, names: Mapping[str, str]) -> None:
        self._arm = arm
        self._shown = shown
        self._names = names

    def _problem(self, key: str, message: str, expected: str = "") -> Problem:
        return Problem(self._shown, key, message, expected)

    def problems(self, containerapps: Callable[[], Any]) -> list[Problem]:
        group_problem = self._group_problem()
        if group_problem is not None:
            return [group_problem]
        return self._storage_problems() + self._app_problems(containerapps())

    def _group_problem(self) -> Problem | None:
        n = self._names
        group, subscription = n["RESOURCE_GROUP_NAME"], n["SUBSCRIPTION_ID"]
        try:
            self._arm.group_location(group)
        except ResourceGroupMissing as exc:
            if getattr(exc.__cause__, "code", "") == "SubscriptionNotFound":
                return self._problem(
                    "SUBSCRIPTION_ID", f"subscription {subscription} was not found"
                )
            return self._problem(
                "RESOURCE_GROUP_NAME",
                f"resource group {group} does not exist in subscription {subscription}",
            )
        return None

    def _storage_problems(self) -> list[Problem]:
        n = self._names
        group, account, share = (
            n["RESOURCE_GROUP_NAME"],
            n["STORAGE_ACCOUNT_NAME"],
            n["FILE_SHARE_NAME"],
        )
        base = f"/subscriptions/{n['SUBSCRIPTION_ID']}/resourceGroups/{group}/providers"
        account_id = f"{base}/Microsoft.Storage/storageAccounts/{account}"
        if not self._arm.resource_exists(account_id, STORAGE_API):
            return [
                self._problem(
                    "STORAGE_ACCOUNT_NAME",
                    f"storage account {account} does not exist in resource group {group}",
                )
            ]
        share_id = f"{account_id}/fileServices/default/shares/{share}"
        if not self._arm.resource_exists(share_id, STORAGE_API):
            return [
                self._problem(
                    "FILE_SHARE_NAME",
                    f"file share {share} does not exist in storage account {account}",
                )
            ]
        return []

    def _app_problems(self, client: Any) -> list[Problem]:
        n = self._names
        group, app = n["RESOURCE_GROUP_NAME"], n["ACA_APP_NAME"]
        try:
            doc = wire(client.container_apps.get(group, app))
        except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
            error = translate(exc, f"reading container app {app}", self._arm.endpoint)
            if not isinstance(error, NotFound):
                raise error from exc
            return [
                self._problem(
                    "ACA_APP_NAME", f"container app {app} does not exist in resource group {group}"
                )
            ]
        ingress = ((doc.get("properties") or {}).get("configuration") or {}).get("ingress") or {}
        fqdn = str(ingress.get("fqdn") or "")
        endpoint = n["ACA_APP_ENDPOINT"].removeprefix("https://").rstrip("/")
        if not fqdn:
            return [
                self._problem(
                    "ACA_APP_ENDPOINT",
                    f"container app {app} has no ingress, so {n['ACA_APP_ENDPOINT']} cannot "
                    "reach it",
                    "enable external ingress on the app",
                )
            ]
        if endpoint.lower() != fqdn.lower():
            return [
                self._problem(
                    "ACA_APP_ENDPOINT",
                    f"{n['ACA_APP_ENDPOINT']} is not the endpoint of container app {app}",
                    f"expected {fqdn}",
                )
            ]
        return []
