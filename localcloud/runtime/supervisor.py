"""Container apps as local processes (placeholder)."""

from __future__ import annotations

from localcloud.cloud import LocalCloud


def install(cloud: LocalCloud) -> None:
    """Set `cloud.runtime` to the supervisor."""
