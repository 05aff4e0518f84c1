"""Plain HTTPS (requests) for what no SDK covers: the app's endpoint and its log stream.

`session.verify` alone is not enough: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
override it, so every call also passes `verify=` explicitly.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import TYPE_CHECKING

from orchestrator.errors import AzureError

if TYPE_CHECKING:
    import requests


def http_session(verify: str | bool) -> requests.Session:
    """A requests session with a connection pool large enough for parallel uploads."""
    import requests
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    session.verify = verify
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session


class LazySession:
    """One `http_session`, made (and requests imported) on first use; `verify` is what
    every call passes explicitly."""

    def __init__(self, verify: str | bool) -> None:
        self.verify = verify
        self._session: requests.Session | None = None

    def __call__(self) -> requests.Session:
        if self._session is None:
            self._session = http_session(self.verify)
        return self._session


class Https:
    """GET a URL (status and body) or stream its lines; connection errors are OSErrors."""

    def __init__(self, verify: str | bool) -> None:
        self._open = LazySession(verify)
        self._verify = verify

    def get(self, url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        response = self._open().get(
            url, headers=dict(headers), timeout=timeout, verify=self._verify
        )
        return response.status_code, response.content

    def stream(self, url: str, headers: Mapping[str, str]) -> Iterator[str]:
        with self._open().get(
            url, headers=dict(headers), stream=True, timeout=(10, None), verify=self._verify
        ) as response:
            if response.status_code != 200:
                raise AzureError(f"log stream answered HTTP {response.status_code}")
            for line in response.iter_lines(decode_unicode=True):
                yield str(line)
