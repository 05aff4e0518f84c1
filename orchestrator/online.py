"""`validate --online`: do the resources a (hand-filled) inference config names exist?

Checks, in order, each problem naming the config key: the resource group; the storage account
and its file share; the container app; ACA_APP_ENDPOINT equals the app's ingress FQDN.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from azure.core.exceptions import HttpResponseError, ServiceRequestError, ServiceResponseError

from orchestrator.errors import Problem
from orchestrator.factory import make_clients
from orchestrator.invocation import Invocation
from orchestrator.provision.arm import Arm, translate, wire
from orchestrator.provision.faults import NotFound, ResourceGroupMissing

STORAGE_API = "2023-01-01"
APP_API = "2023-11-02-preview"


def _text(config: Mapping[str, Any], key: str) -> str:
    value = config.get(key)
    return value.strip() if isinstance(value, str) else ""


def check_config_resources(inv: Invocation, config: Mapping[str, Any]) -> list[Problem]:
    shown = inv.workspace.shown(inv.workspace.config)
    names = {
        key: _text(config, key)
        for key in (
            "SUBSCRIPTION_ID",
            "RESOURCE_GROUP_NAME",
            "STORAGE_ACCOUNT_NAME",
            "FILE_SHARE_NAME",
            "ACA_APP_NAME",
            "ACA_APP_ENDPOINT",
        )
    }
    unset = [key for key, value in names.items() if not value]
    if unset:
        return [
            Problem(shown, f"$.{key}", "not set", "run `orchestrator provision` or fill it in")
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
        return Problem(self._shown, f"$.{key}", message, expected)

    def problems(self, containerapps: Any) -> list[Problem]:
        n = self._names
        group = n["RESOURCE_GROUP_NAME"]
        try:
            self._arm.group_location(group)
        except ResourceGroupMissing:
            return [
                self._problem(
                    "RESOURCE_GROUP_NAME",
                    f"resource group {group} does not exist in subscription {n['SUBSCRIPTION_ID']}",
                )
            ]
        base = f"/subscriptions/{n['SUBSCRIPTION_ID']}/resourceGroups/{group}/providers"
        account = f"{base}/Microsoft.Storage/storageAccounts/{n['STORAGE_ACCOUNT_NAME']}"
        found: list[Problem] = []
        if not self._arm.resource_exists(account, STORAGE_API):
            found.append(
                self._problem(
                    "STORAGE_ACCOUNT_NAME",
                    f"storage account {n['STORAGE_ACCOUNT_NAME']} does not exist in {group}",
                )
            )
        else:
            share = f"{account}/fileServices/default/shares/{n['FILE_SHARE_NAME']}"
            if not self._arm.resource_exists(share, STORAGE_API):
                found.append(
                    self._problem(
                        "FILE_SHARE_NAME",
                        f"file share {n['FILE_SHARE_NAME']} does not exist in storage account "
                        f"{n['STORAGE_ACCOUNT_NAME']}",
                    )
                )
        found += self._app_problems(containerapps(), group)
        return found

    def _app_problems(self, client: Any, group: str) -> list[Problem]:
        n = self._names
        app = n["ACA_APP_NAME"]
        try:
            doc = wire(client.container_apps.get(group, app))
        except (HttpResponseError, ServiceRequestError, ServiceResponseError) as exc:
            error = translate(exc, f"reading container app {app}", self._arm.endpoint)
            if not isinstance(error, NotFound):
                raise error from exc
            return [self._problem("ACA_APP_NAME", f"container app {app} does not exist in {group}")]
        ingress = ((doc.get("properties") or {}).get("configuration") or {}).get("ingress") or {}
        fqdn = str(ingress.get("fqdn") or "")
        endpoint = n["ACA_APP_ENDPOINT"].removeprefix("https://").rstrip("/")
        if fqdn and endpoint.lower() != fqdn.lower():
            return [
                self._problem(
                    "ACA_APP_ENDPOINT",
                    f"{n['ACA_APP_ENDPOINT']} is not the app's endpoint",
                    f"expected {fqdn}",
                )
            ]
        return []
