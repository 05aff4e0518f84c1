"""Async storage test cases, live."""

from __future__ import annotations

from typing import Any

from devtools_testutils.storage import GenericTestProxyParametrize1, StorageRecordedTestCase


class AsyncStorageRecordedTestCase(StorageRecordedTestCase):
    def get_credential(self, client_class: Any, **kwargs: Any) -> Any:
        return super().get_credential(client_class, is_async=True)


__all__ = ["AsyncStorageRecordedTestCase", "GenericTestProxyParametrize1"]
