"""The storage test case: account URLs, connection strings, deterministic data, logging."""

from __future__ import annotations

import logging
import math
import os
import random
import zlib
from collections.abc import Iterable
from datetime import datetime, timedelta
from io import StringIO
from typing import Any

import pytest
from azure.storage.fileshare import AccountSasPermissions, ResourceTypes, generate_account_sas

from devtools_testutils import AzureRecordedTestCase

LOGGING_FORMAT = "%(asctime)s %(name)-20s %(levelname)-5s %(message)s"


def generate_sas_token() -> str:
    """An account SAS signed with a made-up key (tests only parse it)."""
    return "?" + generate_account_sas(
        account_name="test",
        account_key="a" * 30 + "b" * 30,
        resource_types=ResourceTypes(object=True),
        permission=AccountSasPermissions(read=True, list=True),
        start=datetime.now() - timedelta(hours=24),
        expiry=datetime.now() + timedelta(days=8),
    )


class StorageRecordedTestCase(AzureRecordedTestCase):
    def setup_class(cls) -> None:
        cls.logger = logging.getLogger("azure.storage")
        cls.sas_token = generate_sas_token()

    def setup_method(self, _: Any) -> None:
        self.logger = logging.getLogger("azure.storage")

    def account_url(self, storage_account: str | None, storage_type: str) -> str:
        """The production URL; the plugin sends its requests to localcloud."""
        protocol = os.environ.get("PROTOCOL", "https")
        suffix = os.environ.get("ACCOUNT_URL_SUFFIX", "core.windows.net")
        return f"{protocol}://{storage_account}.{storage_type}.{suffix}"

    def connection_string(self, account_name: str, key: Any) -> str:
        return (
            f"DefaultEndpointsProtocol=https;AccountName={account_name};AccountKey={key};"
            "EndpointSuffix=core.windows.net"
        )

    def enable_logging(self) -> None:
        self.logger.setLevel(logging.DEBUG)
        self.logger.disabled = False

    def disable_logging(self) -> None:
        self.logger.disabled = True

    def configure_logging(self) -> None:
        self.enable_logging()

    def get_random_bytes(self, size: int) -> bytes:
        return b"a" * size

    def get_random_text_data(self, size: int) -> str:
        rand = random.Random(zlib.adler32(self.qualified_test_name.encode()))
        words = ["hello", "world", "python", "啊齄丂狛狜"]
        text = ""
        while len(text) < size:
            text += " " + words[int(rand.random() * (len(words) - 1))]
        return text

    def get_datetime_variable(self, variables: dict[str, str], name: str, dt: datetime) -> datetime:
        value = variables.setdefault(name, dt.isoformat())
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f")

    def assertNamedItemInContainer(
        self, container: Iterable[Any], item_name: str, msg: str | None = None
    ) -> None:
        items = list(container)
        for item in items:
            name = item if isinstance(item, str) else getattr(item, "name", None)
            if isinstance(item, dict):
                name = item.get("name")
            if name == item_name or getattr(item, "snapshot", None) == item_name:
                return
        pytest.fail(f"{item_name!r} not found in {[str(c) for c in items]}")

    def assertNamedItemNotInContainer(
        self, container: Iterable[Any], item_name: str, msg: str | None = None
    ) -> None:
        for item in container:
            if item.name == item_name:
                pytest.fail(f"{item_name!r} unexpectedly found")

    def assert_upload_progress(
        self, size: int, max_chunk_size: int, progress: list[Any], unknown_size: bool = False
    ) -> None:
        total = None if unknown_size else size
        small_chunk_size = size % max_chunk_size
        assert len(progress) == math.ceil(size / max_chunk_size)
        for current, reported_total in progress:
            assert current % max_chunk_size in (0, small_chunk_size)
            assert reported_total == total

    def assert_download_progress(
        self, size: int, max_chunk_size: int, max_get_size: int, progress: list[Any]
    ) -> None:
        if size <= max_get_size:
            assert len(progress) == 1
            return
        small_chunk_size = (size - max_get_size) % max_chunk_size
        assert len(progress) == 1 + math.ceil((size - max_get_size) / max_chunk_size)
        for current, reported_total in progress[1:]:
            assert current % max_chunk_size in (0, small_chunk_size)
            assert reported_total == size


class LogCaptured:
    """`with LogCaptured(self) as log:` collects the azure.storage log as text."""

    def __init__(self, test_case: Any = None) -> None:
        self.test_case = test_case

    def __enter__(self) -> StringIO:
        self.stream = StringIO()
        self.handler = logging.StreamHandler(self.stream)
        self.handler.setFormatter(logging.Formatter(LOGGING_FORMAT))
        self.logger = logging.getLogger("azure.storage")
        self.logger.setLevel(logging.DEBUG)
        self.logger.disabled = False
        self.logger.addHandler(self.handler)
        return self.stream

    def __exit__(self, *exc: object) -> None:
        self.logger.removeHandler(self.handler)
        self.stream.close()
