"""Registers the resource providers (placeholder until the providers land)."""

from __future__ import annotations

from localcloud.cloud import LocalCloud


def install(cloud: LocalCloud) -> None:
    """Register every provider with `cloud.providers` and their extra ARM routes."""
