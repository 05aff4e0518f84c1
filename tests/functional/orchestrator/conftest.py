"""Fixtures shared by the orchestrator functional tests."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import reset


@pytest.fixture
def lc(localcloud: LocalCloudHandle) -> Iterator[LocalCloudHandle]:
    """The worker's localcloud, with faults, settings and the request log cleared after."""
    try:
        yield localcloud
    finally:
        reset(localcloud)
