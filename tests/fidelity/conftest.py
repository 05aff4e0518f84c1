"""Fixtures of the fidelity suite: one localcloud of its own per xdist worker (exchanges
change admin settings such as the page size, which must not leak into other tests)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fid_exchange import ALLOWLIST_FILE, load_allowlist
from harness import Replayer
from localcloud_fixture import LocalCloudHandle, start_localcloud


@pytest.fixture(scope="session")
def fidelity_cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudHandle]:
    handle = start_localcloud(tmp_path_factory.mktemp("fidelity"))
    try:
        yield handle
    finally:
        handle.stop()


@pytest.fixture(scope="session")
def replayer(fidelity_cloud: LocalCloudHandle) -> Replayer:
    return Replayer(fidelity_cloud)


@pytest.fixture(scope="session")
def allowlist() -> dict[str, str]:
    return load_allowlist(ALLOWLIST_FILE)
