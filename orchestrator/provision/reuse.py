"""Inference on the fine-tuning resources (pure): the AI Toolkit's inference template reuses
the fine-tuning storage account, file share, environment (with its storage link) and Log
Analytics workspace, so the app reads the model the job wrote. The toolkit's
`inference.parameters.json` leaves those names null (the template then makes up its
defaults, which match the fine-tuning template's only when both used the defaults); a
provision fills each null one from what fine-tuning created, unless `--param` sets it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from orchestrator.parameters import parse_override


@dataclass(frozen=True)
class Shared:
    """The fine-tuning resources, by name ("" when unknown)."""

    account: str
    share: str
    environment: str
    environment_storage: str
    log_analytics: str

    def by_parameter(self) -> dict[str, str]:
        return {
            "storageAccountName": self.account,
            "fileShareName": self.share,
            "acaEnvironmentName": self.environment,
            "acaEnvironmentStorageName": self.environment_storage,
            "acaLogAnalyticsName": self.log_analytics,
        }


def fills(
    file_values: Mapping[str, Any], overrides: Iterable[str], shared: Shared
) -> dict[str, str]:
    """Parameter → fine-tuning resource name, for each reuse parameter that the parameters
    file leaves null or out and no `--param NAME=...` sets."""
    given = {parse_override(text)[0] for text in overrides}
    return {
        name: value
        for name, value in shared.by_parameter().items()
        if value and name not in given and file_values.get(name) is None
    }


def as_overrides(filled: Mapping[str, str]) -> tuple[str, ...]:
    """`--param`-style overrides, to go before the user's (which win)."""
    return tuple(f"{name}={json.dumps(value)}" for name, value in filled.items())
