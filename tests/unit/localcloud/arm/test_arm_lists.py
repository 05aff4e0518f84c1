"""ARM list helpers: `$filter` (odata.py), pages with empty pages (paging.py), the operation
records of long-running writes (asyncops.py), region names (locations.py)."""

from __future__ import annotations

import pytest

from localcloud.arm import odata
from localcloud.arm.asyncops import APP_KIND, STORAGE_KIND, Operation, poll_url, status_body
from localcloud.arm.errors import ArmError
from localcloud.arm.locations import display_name, normalized
from localcloud.arm.paging import PageRequest, page_of, parse_token

SUB = "00000000-0000-0000-0000-000000000000"
APP = {
    "id": f"/subscriptions/{SUB}/resourceGroups/rg1/providers/Microsoft.App/containerApps/web",
    "name": "web",
    "type": "Microsoft.App/containerApps",
    "location": "eastus2",
    "tags": {"azd-service-name": "web", "azd-env-name": "dev"},
}
ACCOUNT = {
    "id": f"/subscriptions/{SUB}/resourceGroups/rg2/providers/Microsoft.Storage/"
    "storageAccounts/st1",
    "name": "st1",
    "type": "Microsoft.Storage/storageAccounts",
    "location": "eastus",
}


@pytest.mark.parametrize(
    ("text", "matches"),
    [
        (None, ["web", "st1"]),
        ("tagName eq 'azd-service-name' and tagValue eq 'web'", ["web"]),
        ("tagName eq 'AZD-SERVICE-NAME' and tagValue eq 'WEB'", ["web"]),
        ("tagName eq 'azd-service-name' and tagValue eq 'api'", []),
        ("tagName eq 'azd-env-name'", ["web"]),
        ("resourceType eq 'microsoft.storage/storageaccounts'", ["st1"]),
        ("resourceGroup eq 'RG1'", ["web"]),
        ("substringof('st', name)", ["st1"]),
        ("location eq 'eastus2' and name eq 'web'", ["web"]),
    ],
)
def test_filter_matches_as_arm_does(text: str | None, matches: list[str]) -> None:
    wanted = odata.parse(text)
    assert [d["name"] for d in (APP, ACCOUNT) if wanted.matches(d)] == matches


@pytest.mark.parametrize("text", ["name ne 'x'", "tags eq 'a'", "resourceType eq x"])
def test_an_unsupported_filter_is_a_400(text: str) -> None:
    with pytest.raises(ArmError) as caught:
        odata.parse(text)
    assert (caught.value.status, caught.value.code) == (400, "InvalidFilterInQueryString")


def test_pages_split_items_and_the_last_has_no_token() -> None:
    first = page_of(["a", "b", "c"], parse_token(None, False), 2, False)
    assert first == (["a", "b"], "2")
    assert page_of(["a", "b", "c"], parse_token("2", False), 2, False) == (["c"], None)


def test_empty_pages_precede_every_page_and_carry_a_token() -> None:
    items = ["a", "b"]
    start = parse_token(None, True)
    assert start == PageRequest(0, True)
    assert page_of(items, start, 1, True) == ([], "0")
    assert page_of(items, parse_token("0", True), 1, True) == (["a"], "e1")
    assert page_of(items, parse_token("e1", True), 1, True) == ([], "1")
    assert page_of(items, parse_token("1", True), 1, True) == (["b"], None)


def test_storage_operation_is_polled_at_its_location_until_ready() -> None:
    op = Operation("op1", ACCOUNT["id"], STORAGE_KIND, "East US", 100.0, 101.0)
    url = poll_url("https://h", op, "2025-08-01")
    assert url == (
        f"https://h/subscriptions/{SUB}/providers/Microsoft.Storage/locations/eastus/"
        "asyncoperations/op1?monitor=true&api-version=2025-08-01"
    )
    assert (op.done(100.5), op.done(101.0)) == (False, True)


def test_app_operation_status_has_azure_shape() -> None:
    op = Operation("op2", APP["id"], APP_KIND, "East US 2", 0.0, 1.0)
    running, done = status_body(op, 0.5), status_body(op, 2.0)
    assert running["id"] == (
        f"/subscriptions/{SUB}/providers/Microsoft.App/locations/eastus2/"
        "containerappOperationStatuses/op2"
    )
    assert (running["status"], done["status"], running["name"]) == (
        "InProgress",
        "Succeeded",
        "op2",
    )
    assert running["startTime"] == "1970-01-01T00:00:00.0000000"
    assert "&azureAsyncOperation=true" in poll_url("https://h", op, "2025-01-01")


def test_regions_have_names_and_display_names() -> None:
    assert (display_name("eastus2"), display_name("East US 2"), display_name("mars")) == (
        "East US 2",
        "East US 2",
        "mars",
    )
    assert normalized("West Europe") == "westeurope"
