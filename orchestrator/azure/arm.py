"""Azure Resource Manager over plain HTTPS: the requests of the adapters that need no SDK.

Reading an app, a storage account's keys, the deployments of a group: each is one JSON
request, and the management SDKs cost far more to import than the requests take. `Arm` sends
them the way the SDK pipelines do (same paths and api-versions, a bearer token for the
cloud's scope, `x-ms-client-request-id`, JSON in and out) over `transport.Transport`:

- 408, 429, 500, 502, 503 and 504 are tried again (`RETRIES` times, Retry-After honoured up
  to `MAX_WAIT_S`, else `backoff` seconds doubled); a dropped connection is tried again for
  GET, PUT, DELETE and HEAD;
- a 401 drops the token (it was revoked, or localcloud restarted) and the request is sent
  once more with a new one;
- every other 4xx/5xx leaves as one of `errors`' types, worded as the SDK's exceptions are;
- with --debug each exchange is logged on the `orchestrator.http` logger (method, URL,
  status, time, request id; never a header or body).
"""

from __future__ import annotations

import json
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping
from typing import TYPE_CHECKING
from urllib.parse import quote, urlencode

from orchestrator import __version__
from orchestrator.azure.errors import Transient, from_answer, retry_after_header
from orchestrator.azure.rest import Answer
from orchestrator.azure.transport import Response, Transport
from orchestrator.azure.wire import JsonObject, as_object, objects, text
from orchestrator.errors import AzureError

if TYPE_CHECKING:
    import logging

    from orchestrator.azure.credentials import Credential

RETRIES = 3
MAX_WAIT_S = 60.0
MAX_PAGES = 100
RETRY_STATUSES = frozenset({408, 429, 500, 502, 503, 504})
IDEMPOTENT = frozenset({"GET", "PUT", "DELETE", "HEAD"})
USER_AGENT = f"orchestrator/{__version__}"
HTTP_LOGGER = "orchestrator.http"


def segment(name: str) -> str:
    """One path segment, percent-encoded as the SDK encodes names."""
    return quote(name, safe="")


class Arm:
    """ARM requests of one subscription, signed with `credential`'s token for `scope`."""

    def __init__(
        self,
        endpoint: str,
        subscription: str,
        credential: Credential,
        scope: str,
        transport: Transport,
        *,
        backoff: float = 1.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.subscription = subscription
        self._credential = credential
        self._scope = scope
        self._transport = transport
        self._backoff = backoff
        self._sleep = sleep

    def path(self, *parts: str) -> str:
        """`/subscriptions/{subscription}/resourceGroups/...`: the parts encoded one by one."""
        return "/subscriptions/" + "/".join(segment(p) for p in (self.subscription, *parts))

    def provider(self, group: str, namespace: str, *parts: str) -> str:
        return self.path("resourceGroups", group, "providers", namespace, *parts)

    def url(self, path_or_url: str, params: Mapping[str, str] | None = None) -> str:
        url = path_or_url if "://" in path_or_url else self.endpoint + path_or_url
        if params:
            url += ("&" if "?" in url else "?") + urlencode(params, quote_via=quote)
        return url

    def send(
        self,
        method: str,
        path_or_url: str,
        doing: str,
        *,
        api_version: str = "",
        body: Mapping[str, object] | None = None,
        params: Mapping[str, str] | None = None,
        retry: bool = True,
    ) -> Answer:
        """One request (tried again as the module says, unless not `retry`: the caller has
        its own schedule); 4xx/5xx raise our errors."""
        retries = RETRIES if retry else 0
        query = dict(params or {})
        if api_version and "api-version=" not in path_or_url:
            query["api-version"] = api_version
        url = self.url(path_or_url, query)
        data = json.dumps(body).encode() if body is not None else None
        refreshed = False
        attempt = 0
        while True:
            response = self._exchange(method, url, data, doing, last=attempt >= retries)
            if response is None:  # the connection dropped; tried again
                attempt += 1
                self._sleep(self._wait(attempt, 0.0))
                continue
            status = response.status
            if status < 400:
                return _answer(response)
            if status == 401 and not refreshed:
                refreshed = True
                self._refused()
                continue
            if status in RETRY_STATUSES and attempt < retries:
                attempt += 1
                self._sleep(self._wait(attempt, retry_after_header(response.headers)))
                continue
            wait = retry_after_header(response.headers)
            raise from_answer(status, response.body, response.reason, doing, wait)

    def get(self, path_or_url: str, api_version: str, doing: str) -> JsonObject:
        return self.send("GET", path_or_url, doing, api_version=api_version).body

    def post(
        self,
        path_or_url: str,
        api_version: str,
        doing: str,
        body: Mapping[str, object] | None = None,
    ) -> JsonObject:
        return self.send("POST", path_or_url, doing, api_version=api_version, body=body).body

    def items(
        self, path: str, api_version: str, doing: str, *, retry: bool = True
    ) -> Iterator[JsonObject]:
        """Every item of a list, following nextLink (through empty pages)."""
        url, version = path, api_version
        for _ in range(MAX_PAGES):
            body = self.send("GET", url, doing, api_version=version, retry=retry).body
            yield from objects(body.get("value"))
            url, version = text(body, "nextLink"), ""  # a nextLink carries its own query
            if not url:
                return

    # --- one exchange ----------------------------------------------------------------------

    def _exchange(
        self, method: str, url: str, data: bytes | None, doing: str, *, last: bool
    ) -> Response | None:
        headers = {
            "Authorization": f"Bearer {self._token(doing)}",
            "Accept": "application/json",
            "User-Agent": USER_AGENT,
            "x-ms-client-request-id": str(uuid.uuid4()),
        }
        if data is not None:
            headers["Content-Type"] = "application/json"
        elif method in ("POST", "PUT", "PATCH"):
            headers["Content-Length"] = "0"
        started = time.monotonic()
        try:
            response = self._transport.request(method, url, headers, data)
        except OSError as exc:
            if log := _debug_log():
                log.debug("%s %s failed: %s", method, url, type(exc).__name__)
            if last or method not in IDEMPOTENT:
                raise Transient(f"{doing}: cannot reach {self.endpoint} ({exc})") from exc
            return None
        if log := _debug_log():
            log.debug(
                "%s %s %d (%.0f ms) x-ms-request-id=%s",
                method,
                url,
                response.status,
                (time.monotonic() - started) * 1000,
                response.header("x-ms-request-id") or "-",
            )
        return response

    def _token(self, doing: str) -> str:
        try:
            return str(self._credential.get_token(self._scope).token)
        except AzureError:
            raise
        except Exception as exc:  # the credential's own error: the sign-in failed
            from orchestrator.azure.errors import translate

            raise translate(exc, doing, self.endpoint) from exc

    def _refused(self) -> None:
        refused = getattr(self._credential, "refused", None)
        if callable(refused):
            refused(self._scope)

    def _wait(self, attempt: int, asked: float) -> float:
        """Before a retry: the server's Retry-After, else a jittered exponential backoff."""
        if asked > 0:
            return min(asked, MAX_WAIT_S)
        import random  # only a retry without Retry-After needs it

        wait = min(MAX_WAIT_S, self._backoff * 2 ** (attempt - 1))
        return float(wait * random.uniform(0.8, 1.2))


def _debug_log() -> logging.Logger | None:
    """The `orchestrator.http` logger when --debug turned it on, else None. --debug imports
    `logging` (app.configure_logging); a run without it need not import it at all."""
    logging = sys.modules.get("logging")
    if logging is None:
        return None
    log = logging.getLogger(HTTP_LOGGER)
    return log if log.isEnabledFor(logging.DEBUG) else None


def _answer(response: Response) -> Answer:
    try:
        body = as_object(json.loads(response.body)) if response.body else {}
    except ValueError:
        body = {}
    operation = response.header("azure-asyncoperation")
    location = response.header("location") or operation
    return Answer(
        response.status,
        body,
        location=location,
        async_operation=bool(operation) and not response.header("location"),
        retry_after=retry_after_header(response.headers),
    )
