"""The quota reads (orchestrator/azure/quota.py over orchestrator/azure/rest.py): nextLink
followed, either usage field, 404 as "does not exist". A hand-written client stands in for
the SDK's `send_request`."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from orchestrator.azure.quota import QuotaReader, Usage
from orchestrator.azure.rest import ArmRest

ENDPOINT = "https://arm.example"
SUB = "00000000-0000-0000-0000-000000000001"


@dataclass
class FakeResponse:
    status_code: int
    doc: object = None
    headers: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def content(self) -> bytes:
        return b"" if self.doc is None else json.dumps(self.doc).encode()

    def text(self) -> str:
        return self.content.decode()

    def json(self) -> object:
        return self.doc


class FakeClient:
    """Answers by URL (query included); records what was asked."""

    def __init__(self, answers: Mapping[str, FakeResponse]) -> None:
        self.answers = answers
        self.asked: list[str] = []

    def send_request(self, request: Any) -> FakeResponse:
        url = str(request.url)
        self.asked.append(url)
        for prefix, answer in self.answers.items():
            if url.startswith(prefix):
                return answer
        return FakeResponse(404, {"error": {"code": "NotFound", "message": url}})


def reader(answers: Mapping[str, FakeResponse]) -> tuple[QuotaReader, FakeClient]:
    client = FakeClient(answers)
    rest = ArmRest(cast(Any, client), endpoint=ENDPOINT)
    return QuotaReader(rest, SUB), client


def item(name: str, **numbers: float) -> dict[str, object]:
    return {"name": {"value": name, "localizedValue": name}, **numbers}


def test_region_usages_follow_next_link_and_read_either_field() -> None:
    base = f"{ENDPOINT}/subscriptions/{SUB}/providers/Microsoft.App/locations/eastus/usages"
    page2 = f"{ENDPOINT}/page2?token=x"
    found, client = reader(
        {
            page2: FakeResponse(200, {"value": [item("B", usage=2, limit=3)]}),
            base: FakeResponse(
                200, {"value": [item("A", currentValue=1, limit=2)], "nextLink": page2}
            ),
        }
    )
    assert found.region_usages("eastus") == (Usage("A", "A", 1, 2), Usage("B", "B", 2, 3))
    assert client.asked[0].endswith("usages?api-version=2025-07-01")
    assert client.asked[1] == page2  # the nextLink as given, no second api-version


def test_a_missing_environment_is_none_and_an_existing_one_lists_its_profiles() -> None:
    env_url = (
        f"{ENDPOINT}/subscriptions/{SUB}/resourceGroups/rg/providers/Microsoft.App/"
        "managedEnvironments/env1?"
    )
    doc = {
        "id": "/x/env1",
        "name": "env1",
        "location": "eastus",
        "properties": {
            "workloadProfiles": [
                {"name": "GPU", "workloadProfileType": "NC24-A100", "maximumCount": 2}
            ]
        },
    }
    found, _client = reader({env_url: FakeResponse(200, doc)})
    env = found.environment("rg", "env1")
    assert env is not None and env.profiles[0].maximum == 2
    assert found.environment("rg", "env2") is None


def test_profile_types_are_the_item_names() -> None:
    url = (
        f"{ENDPOINT}/subscriptions/{SUB}/providers/Microsoft.App/locations/westus3/"
        "availableManagedEnvironmentsWorkloadProfileTypes"
    )
    body = {"value": [{"name": "Consumption"}, {"name": "NC24-A100"}]}
    found, _client = reader({url: FakeResponse(200, body)})
    assert found.profile_types("westus3") == ("Consumption", "NC24-A100")
