"""Resource groups and generic resource routes (placeholder)."""

from __future__ import annotations

from localcloud.cloud import LocalCloud


def install(cloud: LocalCloud) -> None:
    """Register resource-group and generic resource routes on `cloud.arm`."""
