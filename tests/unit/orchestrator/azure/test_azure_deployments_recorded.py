"""The deployments adapter against recorded Azure answers (served by RecordedTransport)."""

from __future__ import annotations

import pytest
from azure.mgmt.resource.deployments import DeploymentsMgmtClient
from recorded import (
    SUBSCRIPTION,
    Exchange,
    RecordedTransport,
    StaticToken,
    client_kwargs,
    recorded_arm,
    recording,
)

from orchestrator.azure.deployments import Deployments
from orchestrator.azure.errors import DeploymentFailedError, Throttled
from orchestrator.provision.outputs import OutputSpec, map_outputs

BODY = {"properties": {"mode": "Incremental", "template": {}, "parameters": {}}}


def deployments(exchanges: list[Exchange]) -> tuple[Deployments, RecordedTransport]:
    transport = RecordedTransport(exchanges)
    kwargs = client_kwargs(transport)
    adapter = Deployments(
        recorded_arm(transport),
        lambda: DeploymentsMgmtClient(StaticToken(), SUBSCRIPTION, **kwargs),
    )
    return adapter, transport


def test_a_list_follows_next_link_through_empty_pages() -> None:
    pages = recording("deployments_list_empty_pages")
    adapter, transport = deployments(pages)
    found = adapter.list_deployments("rg-azdtest-d209f3e")
    assert [d.name for d in found] == ["azdtest-d209f3e-1775758879"]
    assert len(transport.asked) == len(pages) == 5  # every page read, the empty ones too
    assert all("skiptoken" in url.lower() for _method, url in transport.asked[1:])


def test_a_succeeded_deployment_reads_as_typed_values() -> None:
    adapter, _ = deployments(recording("deployment_get_succeeded"))
    found = adapter.get_deployment("rg-azdtest-d65c7c0", "azdtest-d65c7c0-1775762128")
    assert found.succeeded and not found.canceled
    assert found.duration == pytest.approx(20.7905082)
    assert found.output_resources[0].endswith("/storageAccounts/stue5q5duuc4yby")
    mapped = map_outputs(found.outputs, [OutputSpec("STORAGE_ACCOUNT_NAME")])
    assert mapped.values == {
        "STORAGE_ACCOUNT_NAME": "stue5q5duuc4yby",
        "STORAGE_ACCOUNT_ID": (found.output_resources[0]),
    }


def test_the_group_list_reads_tags_and_template_hash() -> None:
    adapter, _ = deployments(recording("deployments_list_group"))
    (found,) = adapter.list_deployments("rg-azdtest-d65c7c0")
    assert found.template_hash and "azd-env-name" in found.tags


def test_create_returns_arm_s_first_answer_without_polling() -> None:
    adapter, transport = deployments(recording("deployment_create"))
    found = adapter.create("rg-azdtest-d65c7c0", "azdtest-d65c7c0-1775762128", BODY)
    assert found.state == "Accepted" and not found.is_terminal
    assert [method for method, _url in transport.asked] == ["PUT"]


def test_an_accepted_preflight_has_no_warnings() -> None:
    adapter, _ = deployments(recording("deployment_validate_ok"))
    assert adapter.validate("rg", "azdtest-d209f3e-1775758879", BODY).warnings == ()


# Azure answers a template error at validate with a top-level 400 InvalidTemplate whose
# message names line and column (the shape Azure/azure-cli's recordings show; this body is
# written here, not recorded).
INVALID_TEMPLATE = {
    "error": {
        "code": "InvalidTemplate",
        "message": "Deployment template validation failed: 'The template resource 'st' at line "
        "'12' and column '9' is not valid: The language expression property 'nme' doesn't "
        "exist. Please see https://aka.ms/arm-functions for usage details.'.",
        "additionalInfo": [{"type": "TemplateViolation", "info": {"lineNumber": 12}}],
    }
}


def test_a_template_error_at_validate_names_line_and_column() -> None:
    adapter, _ = deployments([Exchange("POST", 400, INVALID_TEMPLATE)])
    with pytest.raises(DeploymentFailedError) as caught:
        adapter.validate("rg", "d", BODY)
    (cause,) = caught.value.causes
    assert cause.code == "InvalidTemplate"
    assert cause.resource == "template line 12, column 9"
    assert "validate" in cause.hint
    assert "template line 12, column 9: InvalidTemplate: " in "\n".join(caught.value.lines())


def test_429_waits_as_long_as_retry_after_says() -> None:
    throttled = {"error": {"code": "SubscriptionRequestsThrottled", "message": "too many"}}
    adapter, _ = deployments([Exchange("GET", 429, throttled, {"Retry-After": "7"})])
    with pytest.raises(Throttled) as caught:
        adapter.get_deployment("rg", "d", retry=False)
    assert caught.value.retry_after == 7.0
