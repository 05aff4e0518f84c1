"""SDK exceptions translated into our errors: the one translation (no network)."""

from __future__ import annotations

import json
from typing import Any

from azure.core.exceptions import (
    ClientAuthenticationError,
    HttpResponseError,
    ServiceResponseError,
)

from orchestrator.azure.errors import (
    AuthFailed,
    Conflict,
    DeploymentActive,
    DeploymentFailedError,
    NotFound,
    ResourceGroupMissing,
    Throttled,
    Transient,
    credential_failure,
    translate,
)


class FakeResponse:
    """Just enough of an azure-core HttpResponse for HttpResponseError."""

    def __init__(self, status: int, body: Any, headers: dict[str, str] | None = None) -> None:
        self.status_code = status
        self.reason = "reason"
        self.headers = headers or {}
        self._text = json.dumps(body)
        self.content_type = "application/json"
        self.request = None

    def text(self, encoding: str | None = None) -> str:
        return self._text

    def json(self) -> Any:
        return json.loads(self._text)

    def body(self) -> bytes:
        return self._text.encode()


def error(status: int, code: str, message: str = "m", **headers: str) -> HttpResponseError:
    body = {"error": {"code": code, "message": message}}
    return HttpResponseError(response=FakeResponse(status, body, headers))  # type: ignore[arg-type]


def test_429_becomes_throttled_with_retry_after() -> None:
    found = translate(error(429, "SubscriptionRequestsThrottled", **{"Retry-After": "7"}), "x", "e")
    assert isinstance(found, Throttled) and found.retry_after == 7.0


def test_missing_group_says_how_to_create_it() -> None:
    found = translate(
        error(404, "ResourceGroupNotFound", "Resource group 'g' could not be found."), "x", "e"
    )
    assert isinstance(found, ResourceGroupMissing)
    assert "--create-resource-group" in found.hint


def test_other_404_is_not_found() -> None:
    assert isinstance(translate(error(404, "DeploymentNotFound"), "x", "e"), NotFound)


def test_409_deployment_active() -> None:
    found = translate(error(409, "DeploymentActive", "still active"), "creating d", "e")
    assert isinstance(found, DeploymentActive)
    assert "creating d" in found.message and "attach" in found.hint


def test_5xx_and_dropped_connections_are_transient() -> None:
    assert isinstance(translate(error(503, "ServiceUnavailable"), "x", "e"), Transient)
    assert isinstance(translate(ServiceResponseError("reset"), "x", "https://h"), Transient)


def test_credential_failure_says_how_to_sign_in() -> None:
    found = translate(ClientAuthenticationError("AADSTS7000215: Invalid client secret"), "x", "e")
    assert isinstance(found, AuthFailed)
    assert "az login" in found.hint


def test_401_is_an_auth_failure() -> None:
    assert isinstance(translate(error(401, "InvalidAuthenticationToken"), "x", "e"), AuthFailed)


def test_nested_400_is_flattened() -> None:
    body = {
        "error": {
            "code": "InvalidTemplateDeployment",
            "message": "not valid",
            "details": [{"code": "AccountNameInvalid", "message": "bad name"}],
        }
    }
    exc = HttpResponseError(response=FakeResponse(400, body))  # type: ignore[arg-type]
    found = translate(exc, "validating", "e")
    assert isinstance(found, DeploymentFailedError)
    assert [(c.code, c.message) for c in found.causes] == [("AccountNameInvalid", "bad name")]
    assert found.as_data()["causes"] == [
        {
            "code": "AccountNameInvalid",
            "target": None,
            "resource": None,
            "message": "bad name",
            "hint": None,
        }
    ]


def test_retry_after_in_milliseconds_and_as_a_date_are_read_by_azure_core() -> None:
    in_ms = translate(error(429, "Throttled", **{"retry-after-ms": "2500"}), "x", "e")
    assert isinstance(in_ms, Throttled) and in_ms.retry_after == 2.5
    past = translate(
        error(429, "Throttled", **{"Retry-After": "Wed, 21 Oct 2015 07:28:00 GMT"}), "x", "e"
    )
    assert isinstance(past, Throttled) and past.retry_after == 0.0


def test_other_409s_are_conflicts_with_their_code() -> None:
    found = translate(error(409, "ContainerAppOperationInProgress", "busy"), "restarting r", "e")
    assert isinstance(found, Conflict) and not isinstance(found, DeploymentActive)
    assert found.code == "ContainerAppOperationInProgress"


def test_a_failed_credential_chain_is_one_line_naming_the_link_that_failed() -> None:
    message = (
        "ChainedTokenCredential failed to retrieve a token from the included credentials.\n"
        "Attempted credentials:\n"
        "\tClientSecretCredential: Authentication failed: AADSTS7000215: Invalid client secret\n"
        "Trace ID: 1234\n"
        "To mitigate this issue, please refer to the troubleshooting guidelines here at "
        "https://aka.ms/azsdk/python/identity/defaultazurecredential/troubleshoot."
    )
    line = credential_failure(message)
    assert (
        line
        == "ClientSecretCredential: Authentication failed: AADSTS7000215: Invalid client secret"
    )
    found = translate(ClientAuthenticationError(message), "reading deployment d", "e")
    assert "\n" not in found.message and line in found.message
