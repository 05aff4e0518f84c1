"""pytest plugin for the azure-storage-file-share tests run live against localcloud.

The tests build production account URLs (`https://<account>.file.core.windows.net`). The
storage SDKs' headers policy runs before the request is signed, so rewriting the URL there
to localcloud's path-style form (`https://127.0.0.1:PORT/<account>/...`) makes Shared Key
sign exactly what localcloud receives; the URL the tests see on their clients stays the
production one. Plain `requests` calls (SAS URLs) are pointed there too.
`LOCALCLOUD_ENDPOINT` names localcloud.
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

_HOST = re.compile(
    r"(?P<account>[a-z0-9]+)(?:-secondary)?\.(?:file|blob|queue|dfs)\.core\.windows\.net"
)


def to_localcloud(url: str, endpoint: str) -> str:
    """`https://acct.file.core.windows.net/share/x?q` -> `{endpoint}/acct/share/x?q`."""
    parts = urlsplit(url)
    match = _HOST.fullmatch(parts.hostname or "")
    if match is None:
        return url
    target = urlsplit(endpoint)
    path = f"/{match['account']}{parts.path or '/'}"
    return urlunsplit((target.scheme, target.netloc, path, parts.query, parts.fragment))


def _patch(policies: Any, endpoint: str) -> None:
    original = policies.StorageHeadersPolicy.on_request

    def on_request(self: Any, request: Any) -> None:
        request.http_request.url = to_localcloud(request.http_request.url, endpoint)
        original(self, request)

    policies.StorageHeadersPolicy.on_request = on_request


def _patch_requests(endpoint: str) -> None:
    """Some tests fetch SAS URLs with plain `requests` (no SDK pipeline, nothing signed)."""
    import requests

    original = requests.Session.request

    def request(self: Any, method: str, url: str, *args: Any, **kwargs: Any) -> Any:
        return original(self, method, to_localcloud(url, endpoint), *args, **kwargs)

    requests.Session.request = request  # type: ignore[method-assign]


def pytest_configure(config: pytest.Config) -> None:
    endpoint = os.environ["LOCALCLOUD_ENDPOINT"]
    _patch_requests(endpoint)
    from azure.storage.fileshare._shared import policies as file_policies

    _patch(file_policies, endpoint)
    try:
        from azure.storage.blob._shared import policies as blob_policies
    except ImportError:
        pass
    else:
        _patch(blob_policies, endpoint)
    for marker in ("live_test_only", "playback_test_only"):
        config.addinivalue_line("markers", f"{marker}: upstream recording marker")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Live runs skip the tests upstream marks as playback-only, as the SDK's runs do."""
    skip = pytest.mark.skip(reason="playback_test_only: upstream runs it from recordings only")
    for item in items:
        if item.get_closest_marker("playback_test_only") is not None:
            item.add_marker(skip)
