"""Shared pytest fixtures.

- `localcloud`: one real `localcloud serve` per test session *per xdist worker* (state in a
  temp dir, free port). Tests share it, so they must use unique names (`fresh_group`) and
  must clear admin faults/settings they set (`DELETE faults`, `POST reset`).
- `private_localcloud`: a server of the test's own (restarts, faults, settings, resets).
- `fresh_group`: a uniquely named resource group on `localcloud`, deleted afterwards.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from localcloud_fixture import (
    LocalCloudHandle,
    sdk_kwargs,
    start_localcloud,
    unique_name,
)


@pytest.fixture(scope="session")
def localcloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudHandle]:
    handle = start_localcloud(tmp_path_factory.mktemp("localcloud"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def private_localcloud(tmp_path: Path) -> Iterator[LocalCloudHandle]:
    handle = start_localcloud(tmp_path / "localcloud")
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture
def fresh_group(localcloud: LocalCloudHandle) -> Iterator[str]:
    """The name of a new, empty resource group (location eastus) on `localcloud`."""
    from azure.mgmt.resource.resources import ResourceManagementClient

    client = ResourceManagementClient(
        localcloud.credential(), localcloud.subscription_id, **sdk_kwargs(localcloud)
    )
    name = unique_name("rg")
    client.resource_groups.create_or_update(name, {"location": "eastus"})
    try:
        yield name
    finally:
        if localcloud.running:
            client.resource_groups.begin_delete(name, polling=False)
