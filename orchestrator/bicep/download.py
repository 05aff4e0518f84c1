"""The HTTPS download of a release asset, streamed in chunks (network errors → our errors).

`requests` is imported only when a download happens: the commands that may offer an install
(`validate` above all) load no network client until they need one.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from typing import TYPE_CHECKING, Protocol

from orchestrator.errors import FatalError

if TYPE_CHECKING:
    import requests

CHUNK = 1 << 20
MAX_BYTES = 512 << 20  # a Bicep binary is under 100 MB; anything this large is not one
TIMEOUT = (15.0, 60.0)  # connect, read between bytes
HINT = "check the network, or ORCHESTRATOR_BICEP_DOWNLOAD_URL if it is set"
CA_HINT = "REQUESTS_CA_BUNDLE (or CURL_CA_BUNDLE) must name a readable CA bundle file"


class DownloadError(FatalError):
    """The release host could not be reached or refused the download. Exit 1."""


class Download(Protocol):
    """`with download(url) as chunks:` gives the body in chunks; errors are DownloadError."""

    def __call__(self, url: str) -> AbstractContextManager[Iterator[bytes]]: ...


class HttpsDownload:
    """GET over HTTPS with `verify` passed per request (never from the environment)."""

    def __init__(self, verify: str | bool) -> None:
        self.verify = verify

    @contextmanager
    def __call__(self, url: str) -> Iterator[Iterator[bytes]]:
        import requests

        try:
            response = requests.get(url, stream=True, timeout=TIMEOUT, verify=self.verify)
        except requests.RequestException as exc:
            raise DownloadError(f"GET {url}: {_reason(exc)}", hint=HINT) from exc
        except OSError as exc:  # requests' check of the CA bundle path
            raise DownloadError(f"GET {url}: {exc}", hint=CA_HINT) from exc
        with response:
            if not response.url.startswith("https://"):  # redirected off HTTPS
                raise DownloadError(f"GET {url}: redirected to {response.url}, not HTTPS")
            if response.status_code != 200:
                raise DownloadError(
                    f"GET {url}: HTTP {response.status_code} {response.reason}",
                    hint="check the release name (`--version`), or " + HINT,
                )
            yield _body(url, response.iter_content(CHUNK))


def _body(url: str, chunks: Iterator[bytes]) -> Iterator[bytes]:
    """The chunks, bounded in size; a failure while reading is a DownloadError."""
    import requests

    total = 0
    try:
        for chunk in chunks:
            total += len(chunk)
            if total > MAX_BYTES:
                raise DownloadError(f"GET {url}: larger than {MAX_BYTES >> 20} MB, not a Bicep CLI")
            yield chunk
    except requests.RequestException as exc:
        raise DownloadError(f"GET {url}: {_reason(exc)} while reading", hint=HINT) from exc


def _reason(exc: requests.RequestException) -> str:
    import requests

    if isinstance(exc, requests.exceptions.SSLError):
        return "TLS certificate not trusted (REQUESTS_CA_BUNDLE names the CA bundle to trust)"
    if isinstance(exc, requests.Timeout):
        return "timed out"
    if isinstance(exc, requests.ConnectionError):
        return "cannot connect"
    return type(exc).__name__
