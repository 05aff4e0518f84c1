"""Storage test cases, live."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from devtools_testutils.storage.testcase import LogCaptured, StorageRecordedTestCase


class GenericTestProxyParametrize1:
    """Upstream adapts a one-argument parametrized test to the recording proxy; live, the
    test runs as written."""

    def __call__(self, test: Callable[..., Any]) -> Callable[..., Any]:
        return test


__all__ = ["GenericTestProxyParametrize1", "LogCaptured", "StorageRecordedTestCase"]
