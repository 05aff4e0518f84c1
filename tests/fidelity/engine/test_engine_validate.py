"""`validate` (and a PUT) of a template with a syntax error: a top-level 400 `InvalidTemplate`
naming the declaration's line and column in the request, as ARM answers (not wrapped in
`InvalidTemplateDeployment`, which is for resources a provider rejects)."""

from __future__ import annotations

import json
from typing import Any

import pytest
import requests
from localcloud_fixture import LocalCloudHandle

pytestmark = pytest.mark.functional

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"
API = "api-version=2024-03-01"


def _template(output: str) -> dict[str, Any]:
    return {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"prefix": {"type": "string", "defaultValue": "app"}},
        "resources": [],
        "outputs": {
            "ok": {"type": "string", "value": "[parameters('prefix')]"},
            "endpoint": {"type": "string", "value": output},
        },
    }


def _post(
    cloud: LocalCloudHandle, group: str, action: str, text: str, method: str = "POST"
) -> requests.Response:
    path = (
        f"/subscriptions/{cloud.subscription_id}/resourcegroups/{group}/providers/"
        f"Microsoft.Resources/deployments/syntax{action}?{API}"
    )
    return cloud.request(
        method, path, data=text.encode(), headers={"Content-Type": "application/json"}
    )


def _body(output: str) -> str:
    body = {"properties": {"mode": "Incremental", "template": _template(output)}}
    return json.dumps(body, indent=2)


def _declaration_line(text: str, name: str) -> tuple[int, int]:
    for number, line in enumerate(text.splitlines(), 1):
        if line.strip().startswith(f'"{name}": {{'):
            return number, line.index("{") + 1
    raise AssertionError(name)


def test_validate_answers_a_syntax_error_in_an_output_with_its_line_and_column(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    text = _body("[concat('https://', parameters('prefix')]")
    response = _post(localcloud, fresh_group, "/validate", text)
    assert response.status_code == 400
    error = response.json()["error"]
    line, column = _declaration_line(text, "endpoint")
    assert error["code"] == "InvalidTemplate"
    assert "details" not in error
    assert error["message"] == (
        f"Deployment template validation failed: 'The template output 'endpoint' at line "
        f"'{line}' and column '{column}' is not valid: Unable to parse language expression "
        "'concat('https://', parameters('prefix')': expected token 'RightParenthesis' and "
        "actual 'EndOfData'.. Please see https://aka.ms/arm-template-expressions for usage "
        "details.'."
    )
    assert error["additionalInfo"] == [
        {
            "type": "TemplateViolation",
            "info": {
                "lineNumber": line,
                "linePosition": column,
                "path": "properties.template.outputs.endpoint.value",
            },
        }
    ]


def test_put_rejects_the_same_syntax_error_before_deploying(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    response = _post(localcloud, fresh_group, "", _body("[concat('a']"), method="PUT")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "InvalidTemplate"
    listed = _post(localcloud, fresh_group, "", "", method="GET")
    assert listed.status_code == 404  # nothing was recorded


def test_validate_accepts_the_template_once_the_output_parses(
    localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    response = _post(localcloud, fresh_group, "/validate", _body("[concat('https://', 'x')]"))
    assert response.status_code == 200, response.text
    assert response.json()["properties"]["provisioningState"] == "Succeeded"
