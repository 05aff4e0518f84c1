"""The parameter-value schema derived from a compiled template's `parameters` section."""

from __future__ import annotations

from typing import Any

import pytest

from orchestrator.schemas import schema_problems
from orchestrator.template_schema import parameter_schema, required_parameters

TEMPLATE: dict[str, Any] = {
    "parameters": {
        "name": {"type": "string", "minLength": 3, "maxLength": 5},
        "secret": {"type": "secureString", "defaultValue": ""},
        "count": {"type": "int", "minValue": 1, "maxValue": 4, "defaultValue": 1},
        "flag": {"type": "bool", "defaultValue": False},
        "list": {"type": "array", "allowedValues": ["a", "b"], "defaultValue": []},
        "obj": {"type": "object", "defaultValue": {}},
        "sobj": {"type": "secureObject", "defaultValue": {}},
        "sku": {"type": "string", "allowedValues": ["S1", "S2"], "defaultValue": "S1"},
    }
}


def test_required_means_no_default_value() -> None:
    assert required_parameters(TEMPLATE) == ["name"]


@pytest.mark.parametrize(
    ("name", "json_type"),
    [
        ("name", "string"),
        ("secret", "string"),
        ("count", "integer"),
        ("flag", "boolean"),
        ("list", "array"),
        ("obj", "object"),
        ("sobj", "object"),
    ],
)
def test_arm_types_map_to_json_types(name: str, json_type: str) -> None:
    assert parameter_schema(TEMPLATE["parameters"][name])["type"] == json_type


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("name", "ab", '"ab" is 2 characters long (limit 3)'),
        ("name", "abcdef", '"abcdef" is 6 characters long (limit 5)'),
        ("count", 0, "is 0 (limit 1)"),
        ("count", 5, "is 5 (limit 4)"),
        ("count", "2", "is a string"),
        ("count", True, "is a boolean"),
        ("flag", "true", "is a string"),
        ("sku", "S3", '"S3" is not an allowed value'),
        ("list", ["c"], '"c" is not an allowed value'),
    ],
)
def test_bad_values_are_reported_with_path(name: str, value: Any, message: str) -> None:
    schema = parameter_schema(TEMPLATE["parameters"][name])
    problems = schema_problems(schema, value, "f.json", ["parameters", name, "value"])
    assert [p.message for p in problems] == [message]
    assert problems[0].path.startswith(f"parameters.{name}.value")


def test_allowed_values_are_listed_in_expected_text() -> None:
    schema = parameter_schema(TEMPLATE["parameters"]["sku"])
    assert schema["description"] == "a string (template type string), one of 'S1', 'S2'"
