"""The Log Analytics query API: `POST {endpoint}/v1/workspaces/{customerId}/query`.

The token is always asked for the API's audience (`https://api.loganalytics.io`), whatever
host answers: Azure's public cloud at https://api.loganalytics.io, a sovereign cloud at its
own host, localcloud on its own endpoint (docs/localcloud-jobs.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import TYPE_CHECKING

from orchestrator.azure.http import LazySession
from orchestrator.azure.wire import JsonObject, as_object, at, text
from orchestrator.errors import AzureError

if TYPE_CHECKING:
    from orchestrator.azure.cloud import CloudProfile
    from orchestrator.azure.credentials import Credential

AUDIENCE = "https://api.loganalytics.io"
SCOPE = AUDIENCE + "/.default"
# The query endpoint of each az CLI cloud (Azure's metadata names only the audience).
QUERY_ENDPOINTS = {
    "azurecloud": "https://api.loganalytics.io",
    "azurechinacloud": "https://api.loganalytics.azure.cn",
    "azureusgovernment": "https://api.loganalytics.us",
}


def query_endpoint(profile: CloudProfile) -> str:
    """Where the cloud answers queries: localcloud's own endpoint, else the cloud's host."""
    if profile.local is not None:
        return profile.arm_endpoint.rstrip("/")
    return QUERY_ENDPOINTS.get(profile.az_cloud.lower(), QUERY_ENDPOINTS["azurecloud"])


class LogAnalytics:
    def __init__(self, credential: Credential, endpoint: str, verify: str | bool) -> None:
        self._credential = credential
        self.endpoint = endpoint.rstrip("/")
        self._open = LazySession(verify)
        self._verify = verify

    def query(self, customer_id: str, kql: str, timespan: str | None = None) -> JsonObject:
        """The answer (`{"tables": [...]}`); a refused query is an AzureError with its code."""
        import requests

        from orchestrator.azure.errors import calling

        with calling("getting a Log Analytics token", self.endpoint):
            token = self._credential.get_token(SCOPE).token
        body: dict[str, str] = {"query": kql}
        if timespan:
            body["timespan"] = timespan
        url = f"{self.endpoint}/v1/workspaces/{customer_id}/query"
        try:
            response = self._open().post(
                url,
                json=body,
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
                verify=self._verify,
            )
        except requests.RequestException as exc:
            raise AzureError(f"could not query Log Analytics: {type(exc).__name__}") from exc
        answer = _json(response.content)
        if response.status_code != 200:
            raise _refused(response.status_code, answer)
        return answer


def _json(content: bytes) -> JsonObject:
    try:
        return as_object(json.loads(content)) if content else {}
    except ValueError:
        return {}


class QueryRefused(AzureError):
    """The API refused the query: its `error.code` and the innermost code (`SEM0100`: a
    table that has no rows yet)."""

    def __init__(self, message: str, *, code: str, inner_code: str) -> None:
        super().__init__(message)
        self.code = code
        self.inner_code = inner_code


def _refused(status: int, answer: Mapping[str, object]) -> QueryRefused:
    error = as_object(answer.get("error"))
    code = text(error, "code") or f"HTTP {status}"
    innermost = as_object(at(error, "innererror", "innererror")) or as_object(
        error.get("innererror")
    )
    message = text(innermost, "message") or text(error, "message")
    return QueryRefused(
        f"Log Analytics refused the query ({code}): {message}".rstrip(": "),
        code=code,
        inner_code=text(innermost, "code"),
    )
