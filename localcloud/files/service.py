"""Azure Files data plane (placeholder)."""

from __future__ import annotations

from localcloud.cloud import LocalCloud


def install(cloud: LocalCloud) -> None:
    """Set `cloud.files` to the file service."""
