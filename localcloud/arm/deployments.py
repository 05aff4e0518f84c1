"""Deployment routes (placeholder)."""

from __future__ import annotations

from localcloud.cloud import LocalCloud


def install(cloud: LocalCloud) -> None:
    """Register deployment routes on `cloud.arm` and set `cloud.engine`."""
