"""Plain ARM requests through an SDK client's pipeline (sign-in, retries, CA, --debug
logging), for the calls no typed SDK operation covers as we need them: the usage lists
(whose usage field Azure has named both `currentValue` and `usage`, which the SDK models
would drop), the workload profile types, and deletions by resource ID with their own
progress (a Log Analytics workspace with `force=true`).

Every status other than 2xx leaves as one of `errors`' types (`NotFound` for 404).
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from orchestrator.azure.errors import calling
from orchestrator.azure.wire import JsonObject, as_object, objects, text

if TYPE_CHECKING:
    from azure.core.rest import HttpResponse
    from azure.mgmt.resource.resources import ResourceManagementClient

MAX_PAGES = 100


@dataclass(frozen=True)
class Answer:
    """One response: status, the JSON body ({} when none) and the headers that matter."""

    status: int
    body: JsonObject
    location: str = ""  # Location, else Azure-AsyncOperation ("" when neither)
    async_operation: bool = False  # the URL is an Azure-AsyncOperation status document
    retry_after: float = 0.0


class ArmRest:
    """GET / DELETE on ARM URLs (a path under the endpoint, or a full URL such as a
    nextLink or a Location) with the client's credential."""

    def __init__(self, client: ResourceManagementClient, *, endpoint: str) -> None:
        self._client = client
        self.endpoint = endpoint.rstrip("/")

    def url(self, path_or_url: str) -> str:
        return path_or_url if "://" in path_or_url else self.endpoint + path_or_url

    def send(
        self, method: str, path_or_url: str, doing: str, params: Mapping[str, str] | None = None
    ) -> Answer:
        """One request; 4xx/5xx raise our error (404: NotFound)."""
        from azure.core.exceptions import HttpResponseError
        from azure.core.rest import HttpRequest

        request = HttpRequest(method, self.url(path_or_url), params=dict(params or {}))
        with calling(doing, self.endpoint):
            response = self._client.send_request(request)
            if response.status_code >= 400:
                raise HttpResponseError(response=response)
        return _answer(response)

    def get(self, path_or_url: str, api_version: str, doing: str) -> JsonObject:
        params = {} if "api-version=" in path_or_url else {"api-version": api_version}
        return self.send("GET", path_or_url, doing, params).body

    def items(self, path: str, api_version: str, doing: str) -> Iterator[JsonObject]:
        """Every item of a list, following nextLink (through empty pages)."""
        url: str = path
        params: Mapping[str, str] | None = {"api-version": api_version}
        for _ in range(MAX_PAGES):
            body = self.send("GET", url, doing, params).body
            yield from objects(body.get("value"))
            url = text(body, "nextLink")
            params = None  # a nextLink carries its own query
            if not url:
                return


def _answer(response: HttpResponse) -> Answer:
    headers = response.headers
    try:
        body = as_object(json.loads(response.text())) if response.content else {}
    except ValueError:
        body = {}
    operation = headers.get("Azure-AsyncOperation", "")
    location = headers.get("Location", "") or operation
    try:
        wait = float(headers.get("Retry-After", "0") or 0)
    except ValueError:
        wait = 0.0
    return Answer(
        response.status_code,
        body,
        location=location,
        async_operation=bool(operation) and not headers.get("Location"),
        retry_after=wait,
    )
