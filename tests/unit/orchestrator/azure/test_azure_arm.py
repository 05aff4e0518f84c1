"""The plain ARM client: retries as the SDK pipelines retry, a refused token renewed once,
errors worded as the SDK's, segments encoded."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, cast

import pytest

from orchestrator.azure.arm import RETRIES, Arm
from orchestrator.azure.errors import (
    AuthFailed,
    ResourceGroupMissing,
    Throttled,
    Transient,
)
from orchestrator.azure.tokens import Token
from orchestrator.azure.transport import Response

ENDPOINT = "https://management.example"
SCOPE = "https://management.azure.com/.default"


class Wire:
    """Answers queued in order; an exception in the queue is raised instead."""

    def __init__(self, *answers: Response | OSError) -> None:
        self.answers = list(answers)
        self.sent: list[tuple[str, str, dict[str, str], bytes | None]] = []

    def request(
        self, method: str, url: str, headers: Mapping[str, str], body: bytes | None
    ) -> Response:
        self.sent.append((method, url, dict(headers), body))
        found = self.answers.pop(0)
        if isinstance(found, OSError):
            raise found
        return found


def answer(status: int, body: object = None, **headers: str) -> Response:
    data = json.dumps(body).encode() if body is not None else b""
    return Response(status, "reason", {k.replace("_", "-"): v for k, v in headers.items()}, data)


class Credential:
    def __init__(self) -> None:
        self.issued = 0
        self.refusals: list[str] = []

    def get_token(self, *scopes: str, **kwargs: Any) -> Token:
        self.issued += 1
        return Token(f"t{self.issued}", 4102444800)

    def refused(self, *scopes: str) -> None:
        self.refusals.extend(scopes)


def arm(wire: Wire, credential: Credential | None = None) -> tuple[Arm, list[float]]:
    slept: list[float] = []
    client = Arm(
        ENDPOINT,
        "sub",
        cast(Any, credential or Credential()),
        SCOPE,
        cast(Any, wire),
        backoff=1.0,
        sleep=slept.append,
    )
    return client, slept


def test_a_throttled_request_waits_what_azure_asks_and_is_sent_again() -> None:
    wire = Wire(answer(429, retry_after="7"), answer(200, {"name": "x"}))
    client, slept = arm(wire)
    assert client.get("/subscriptions/sub", "2025-01-01", "reading") == {"name": "x"}
    assert slept == [7.0] and len(wire.sent) == 2


def test_a_5xx_is_tried_again_then_left_as_transient() -> None:
    wire = Wire(*[answer(503, {"error": {"code": "Busy", "message": "m"}})] * (RETRIES + 1))
    client, slept = arm(wire)
    with pytest.raises(Transient, match="reading x: Busy: m"):
        client.get("/x", "1", "reading x")
    assert len(wire.sent) == RETRIES + 1 and len(slept) == RETRIES


def test_without_retry_the_first_5xx_is_the_answer() -> None:
    wire = Wire(answer(500))
    client, _ = arm(wire)
    with pytest.raises(Transient):
        client.send("GET", "/x", "reading x", api_version="1", retry=False)
    assert len(wire.sent) == 1


def test_a_429_left_over_carries_its_retry_after() -> None:
    wire = Wire(*[answer(429, retry_after_ms="2500")] * (RETRIES + 1))
    client, _ = arm(wire)
    with pytest.raises(Throttled) as caught:
        client.get("/x", "1", "reading x")
    assert caught.value.retry_after == 2.5


def test_a_refused_token_is_dropped_and_the_request_sent_once_more_with_a_new_one() -> None:
    credential = Credential()
    wire = Wire(answer(401), answer(200, {}))
    client, _ = arm(wire, credential)
    client.get("/x", "1", "reading x")
    assert credential.refusals == [SCOPE]
    assert [h["Authorization"] for _, _, h, _ in wire.sent] == ["Bearer t1", "Bearer t2"]


def test_a_second_401_is_an_auth_failure() -> None:
    wire = Wire(answer(401), answer(401, {"error": {"code": "InvalidAuthenticationToken"}}))
    client, _ = arm(wire)
    with pytest.raises(AuthFailed, match="InvalidAuthenticationToken"):
        client.get("/x", "1", "reading x")


def test_a_dropped_connection_is_tried_again_for_a_get_but_not_for_a_post() -> None:
    wire = Wire(ConnectionResetError("reset"), answer(200, {"ok": True}))
    client, _ = arm(wire)
    assert client.get("/x", "1", "reading x") == {"ok": True}
    wire = Wire(ConnectionResetError("reset"), answer(200, {}))
    client, _ = arm(wire)
    with pytest.raises(Transient, match=f"restarting: cannot reach {ENDPOINT}"):
        client.post("/x/restart", "1", "restarting")
    assert len(wire.sent) == 1


def test_a_missing_group_is_resource_group_missing() -> None:
    body = {"error": {"code": "ResourceGroupNotFound", "message": "Resource group 'g' could"}}
    client, _ = arm(Wire(answer(404, body)))
    with pytest.raises(ResourceGroupMissing, match="reading g: ResourceGroupNotFound"):
        client.get("/subscriptions/sub/resourcegroups/g", "1", "reading g")


def test_names_are_encoded_segment_by_segment_and_the_api_version_added() -> None:
    wire = Wire(answer(200, {}))
    client, _ = arm(wire)
    client.get(client.provider("my group", "Microsoft.App", "containerApps", "a/b"), "2", "r")
    method, url, headers, body = wire.sent[0]
    assert url == (
        f"{ENDPOINT}/subscriptions/sub/resourceGroups/my%20group/providers/Microsoft.App/"
        "containerApps/a%2Fb?api-version=2"
    )
    assert method == "GET" and body is None and headers["Accept"] == "application/json"
    assert headers["x-ms-client-request-id"]


def test_a_body_is_sent_as_json_and_a_next_link_keeps_its_own_query() -> None:
    first = answer(200, {"value": [{"n": 1}], "nextLink": f"{ENDPOINT}/next?api-version=9&s=2"})
    wire = Wire(answer(201, {}), first, answer(200, {"value": [{"n": 2}]}))
    client, _ = arm(wire)
    client.send("PUT", "/x", "putting", api_version="1", body={"a": 1})
    assert json.loads(wire.sent[0][3] or b"") == {"a": 1}
    assert wire.sent[0][2]["Content-Type"] == "application/json"
    assert [i["n"] for i in client.items("/list", "1", "listing")] == [1, 2]
    assert wire.sent[2][1] == f"{ENDPOINT}/next?api-version=9&s=2"
