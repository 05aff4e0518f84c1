"""ARM error bodies: nesting, `additionalInfo`, and template errors located in the template."""

from __future__ import annotations

from localcloud.arm.errors import ArmError, ErrorDetail
from localcloud.arm.preflight import invalid_deployment, template_detail
from localcloud.template import TemplateError


def test_error_tree_round_trips_through_json() -> None:
    tree = ErrorDetail(
        "DeploymentFailed",
        "At least one resource deployment operation failed.",
        "/subscriptions/s/resourceGroups/g/providers/Microsoft.Resources/deployments/d",
        (ErrorDetail("BadRequest", '{"error": {"code": "X"}}'),),
        ({"type": "PolicyViolation", "info": {"policyDefinitionId": "p"}},),
    )
    doc = tree.to_json()
    assert doc["details"] == [{"code": "BadRequest", "message": '{"error": {"code": "X"}}'}]
    assert doc["additionalInfo"] == [
        {"type": "PolicyViolation", "info": {"policyDefinitionId": "p"}}
    ]
    assert ErrorDetail.from_json(doc) == tree


def test_optional_members_are_left_out() -> None:
    assert ArmError(404, "NotFound", "gone").body() == {
        "error": {"code": "NotFound", "message": "gone"}
    }


def test_a_template_error_is_invalid_template_with_a_template_violation() -> None:
    detail = template_detail(
        TemplateError("The template function 'x' is not valid.").at("outputs.o")
    )
    assert detail.to_json() == {
        "code": "InvalidTemplate",
        "message": "Deployment template validation failed: "
        "'The template function 'x' is not valid.'.",
        "target": "outputs.o",
        "additionalInfo": [
            {
                "type": "TemplateViolation",
                "info": {
                    "lineNumber": 0,
                    "linePosition": 0,
                    "path": "properties.template.outputs.o",
                },
            }
        ],
    }


def test_invalid_template_deployment_wraps_its_details() -> None:
    inner = ErrorDetail("AccountNameInvalid", "a is not a valid storage account name.", "a")
    body = invalid_deployment("my-deployment", (inner,)).body()["error"]
    assert body["code"] == "InvalidTemplateDeployment"
    assert body["message"].startswith(
        "The template deployment 'my-deployment' is not valid according to the validation "
        "procedure. The tracking id is '"
    )
    assert body["details"] == [inner.to_json()]
