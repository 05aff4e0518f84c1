from __future__ import annotations

import re

from localcloud.arm.records import (
    DeploymentRecord,
    OperationRecord,
    format_duration,
    format_timestamp,
    new_operation_id,
    new_status_id,
    render_deployment,
    render_operation,
    render_status,
    resource_error_detail,
)


def record(**changes: object) -> DeploymentRecord:
    base = DeploymentRecord(
        id="/subscriptions/s/resourceGroups/rg/providers/Microsoft.Resources/deployments/d",
        name="d",
        subscription="s",
        resource_group="rg",
        state="Running",
        mode="Incremental",
        template={},
        template_hash="1",
        parameters={
            "ACA_APP_NAME": {"type": "String", "value": "app"},
            "secret": {"type": "SecureString", "value": "hidden"},
        },
        tags={},
        correlation_id="c",
        status_id=new_status_id(),
        started=1_700_000_000.0,
        updated=1_700_000_000.0,
    )
    return DeploymentRecord.from_doc({**base.to_doc(), **changes})


def test_timestamp_has_seven_fractional_digits_and_z() -> None:
    assert format_timestamp(1_775_761_738.5) == "2026-04-09T19:08:58.5000000Z"


def test_durations_are_dotnet_iso8601() -> None:
    assert format_duration(0) == "PT0S"
    assert format_duration(20.7905082) == "PT20.7905082S"
    assert format_duration(0.0006313) == "PT0.0006313S"
    assert format_duration(65.5) == "PT1M5.5S"
    assert format_duration(3600) == "PT1H"
    assert format_duration(90000) == "P1DT1H"


def test_ids_have_arm_shapes() -> None:
    assert re.fullmatch(r"[0-9A-F]{16}", new_operation_id())
    assert re.fullmatch(r"\d{20}", new_status_id())


def test_rendered_deployment_camel_cases_parameters_and_outputs_and_hides_secrets() -> None:
    rec = record(
        state="Succeeded",
        updated=1_700_000_020.0,
        outputs={"ACA_APP_ENDPOINT": {"type": "String", "value": "x.example"}},
        output_resources=["/r/1"],
    )
    props = render_deployment(rec, 1_700_000_500.0)["properties"]
    assert props["parameters"] == {
        "acA_APP_NAME": {"type": "String", "value": "app"},
        "secret": {"type": "SecureString"},
    }
    assert props["outputs"] == {"acA_APP_ENDPOINT": {"type": "String", "value": "x.example"}}
    assert props["outputResources"] == [{"id": "/r/1"}]
    assert props["duration"] == "PT20S"


def test_running_deployment_duration_grows_with_the_clock_and_has_no_outputs() -> None:
    props = render_deployment(record(), 1_700_000_003.0)["properties"]
    assert props["duration"] == "PT3S"
    assert "outputs" not in props


def test_status_carries_the_error_only_when_failed_or_canceled() -> None:
    error = {"code": "DeploymentFailed", "message": "m"}
    assert render_status(record(state="Failed", error=error)) == {
        "status": "Failed",
        "error": error,
    }
    assert render_status(record()) == {"status": "Running"}


def test_failed_operation_has_status_message_with_the_error_tree() -> None:
    op = OperationRecord(
        deployment_id="/d",
        operation_id="0123456789ABCDEF",
        seq=1,
        provisioning_operation="Create",
        state="Failed",
        started=1.0,
        updated=2.0,
        tracking_id="t",
        target={"id": "/r"},
        status_code="Conflict",
        error={"code": "X", "message": "y"},
    )
    doc = render_operation(op, 3.0)
    assert doc["id"] == "/d/operations/0123456789ABCDEF"
    assert doc["properties"]["statusMessage"] == {
        "status": "Failed",
        "error": {"code": "X", "message": "y"},
    }
    assert doc["properties"]["statusCode"] == "Conflict"
    assert doc["properties"]["duration"] == "PT1S"


def test_resource_error_detail_holds_the_provider_error_as_a_json_string() -> None:
    detail = resource_error_detail("Conflict", {"code": "VaultAlreadyExists", "message": "m"})
    assert detail["code"] == "Conflict"
    assert '"code": "VaultAlreadyExists"' in detail["message"]
    assert "\r\n" in detail["message"]
