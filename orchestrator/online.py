"""`validate --online`: do the resources a (hand-filled) inference config names exist?

Checks, in order, each problem naming the config key: the subscription and the resource
group; the storage account and its file share; the container app; ACA_APP_ENDPOINT equals
the app's ingress FQDN (read by the one Container Apps reader). Problems use the same
`FILE: KEY: message` shape as the offline config checks.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Protocol

from orchestrator import inference_config
from orchestrator.azure.containerapps import ContainerApps
from orchestrator.azure.deployments import Deployments
from orchestrator.azure.errors import NotFound, ResourceGroupMissing
from orchestrator.errors import Problem

STORAGE_API = "2023-01-01"


def _text(config: Mapping[str, object], key: str) -> str:
    value = config.get(key)
    return value.strip() if isinstance(value, str) else ""


class Adapters(Protocol):
    """What the checks read through (the composition root's `App` is one)."""

    def deployments(self, subscription: str) -> Deployments: ...
    def containerapps(self, subscription: str) -> ContainerApps: ...


def check_config_resources(
    app: Adapters, shown: str, config: Mapping[str, object]
) -> list[Problem]:
    names = {key: _text(config, key) for key in inference_config.KEYS}
    unset = [key for key, value in names.items() if not value]
    if unset:
        return [
            Problem(shown, key, "not set", "run `orchestrator provision` or fill it in")
            for key in unset
        ]
    subscription = names["SUBSCRIPTION_ID"]
    checker = ConfigChecker(app.deployments(subscription), shown, names)
    return checker.problems(lambda: app.containerapps(subscription))


class ConfigChecker:
    def __init__(self, deployments: Deployments, shown: str, names: Mapping[str, str]) -> None:
        self._deployments = deployments
        self._shown = shown
        self._names = names

    def _problem(self, key: str, message: str, expected: str = "") -> Problem:
        return Problem(self._shown, key, message, expected)

    def problems(self, containerapps: Callable[[], ContainerApps]) -> list[Problem]:
        group_problem = self._group_problem()
        if group_problem is not None:
            return [group_problem]
        return self._storage_problems() + self._app_problems(containerapps())

    def _group_problem(self) -> Problem | None:
        n = self._names
        group, subscription = n["RESOURCE_GROUP_NAME"], n["SUBSCRIPTION_ID"]
        try:
            self._deployments.group_location(group)
        except ResourceGroupMissing:
            return self._problem(
                "RESOURCE_GROUP_NAME",
                f"resource group {group} does not exist in subscription {subscription}",
            )
        except NotFound as exc:
            if exc.code != "SubscriptionNotFound":
                raise
            return self._problem("SUBSCRIPTION_ID", f"subscription {subscription} was not found")
        return None

    def _storage_problems(self) -> list[Problem]:
        n = self._names
        group, account = n["RESOURCE_GROUP_NAME"], n["STORAGE_ACCOUNT_NAME"]
        share = n["FILE_SHARE_NAME"]
        base = f"/subscriptions/{n['SUBSCRIPTION_ID']}/resourceGroups/{group}/providers"
        account_id = f"{base}/Microsoft.Storage/storageAccounts/{account}"
        if not self._deployments.resource_exists(account_id, STORAGE_API):
            return [
                self._problem(
                    "STORAGE_ACCOUNT_NAME",
                    f"storage account {account} does not exist in resource group {group}",
                )
            ]
        share_id = f"{account_id}/fileServices/default/shares/{share}"
        if not self._deployments.resource_exists(share_id, STORAGE_API):
            return [
                self._problem(
                    "FILE_SHARE_NAME",
                    f"file share {share} does not exist in storage account {account}",
                )
            ]
        return []

    def _app_problems(self, apps: ContainerApps) -> list[Problem]:
        n = self._names
        group, name = n["RESOURCE_GROUP_NAME"], n["ACA_APP_NAME"]
        try:
            fqdn = apps.view(group, name, with_replicas=False).app.fqdn
        except NotFound:
            return [
                self._problem(
                    "ACA_APP_NAME", f"container app {name} does not exist in resource group {group}"
                )
            ]
        configured = n["ACA_APP_ENDPOINT"]
        endpoint, _warning = inference_config.normalise_endpoint(configured)
        if not fqdn:
            return [
                self._problem(
                    "ACA_APP_ENDPOINT",
                    f"container app {name} has no ingress, so {configured} cannot reach it",
                    "enable external ingress on the app",
                )
            ]
        if str(endpoint).lower() != fqdn.lower():
            return [
                self._problem(
                    "ACA_APP_ENDPOINT",
                    f"{configured} is not the endpoint of container app {name}",
                    f"expected {fqdn}",
                )
            ]
        return []
