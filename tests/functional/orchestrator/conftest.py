"""Fixtures shared by the orchestrator functional tests."""

from __future__ import annotations

import os
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


@pytest.fixture(autouse=True, scope="session")
def _token_cache_of_the_session(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The CLIs these tests start keep their access tokens in the session's own cache folder,
    never in the user's."""
    before = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("xdg-cache"))
    try:
        yield
    finally:
        if before is None:
            os.environ.pop("XDG_CACHE_HOME", None)
        else:
            os.environ["XDG_CACHE_HOME"] = before
