"""What the deploy pipeline needs from Azure, as built by `orchestrator.factory`.

Plain data: the factory fills it with real SDK clients (or localcloud-pointed ones); tests of
the pure steps never need it.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

# Seconds before the first retry of a refused or dropped call (file share requests, a 409 on
# restart); doubled per retry. A setting, read once from the invocation's environment.
RETRY_BACKOFF_ENV = "ORCHESTRATOR_RETRY_BACKOFF"
DEFAULT_RETRY_BACKOFF = 1.0


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


def retry_backoff(env: Mapping[str, str]) -> float:
    """ORCHESTRATOR_RETRY_BACKOFF (0-60 s, default 1); anything else is the default."""
    try:
        value = float(env.get(RETRY_BACKOFF_ENV, DEFAULT_RETRY_BACKOFF))
    except ValueError:
        return DEFAULT_RETRY_BACKOFF
    return value if 0 <= value <= 60 else DEFAULT_RETRY_BACKOFF
