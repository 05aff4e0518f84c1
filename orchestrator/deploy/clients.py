"""What the deploy pipeline needs from Azure, as built by `orchestrator.factory`.

Plain data: the factory fills it with real SDK clients (or localcloud-pointed ones); tests of
the pure steps never need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class DeployClients:
    storage: Any  # azure.mgmt.storage.StorageManagementClient
    apps: Any  # azure.mgmt.appcontainers.ContainerAppsAPIClient
    share: Callable[[str, str, str, str], Any]  # (account_url, share, account, key) -> ShareClient
    http_get: Callable[[str, Mapping[str, str], float], tuple[int, bytes]]  # url, headers, timeout
    http_stream: Callable[[str, Mapping[str, str]], Any]  # url, headers -> iterator of lines
    portal: str | None  # portal base for links (None on localcloud)


def raw(model: Any) -> dict[str, Any]:
    """An SDK model as the JSON Azure sent (hybrid models are mappings of wire names)."""
    if model is None:
        return {}
    if isinstance(model, dict):
        return model
    return {key: model[key] for key in model}
