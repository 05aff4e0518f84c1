"""Parameters: defaults, strict types, constraints and ARM's error messages."""

from __future__ import annotations

from typing import Any

import pytest
from tmpl_support import FIXED_NOW, make_scope

from localcloud.template import TemplateError, prepare


def _prepare(params: dict[str, Any], supplied: dict[str, Any], **template: Any) -> Any:
    return prepare({"parameters": params, **template}, supplied, make_scope(), now=FIXED_NOW)


def test_defaults_may_use_other_parameters_and_functions() -> None:
    prepared = _prepare(
        {
            "name": {"type": "string", "defaultValue": "[format('x{0}', parameters('suffix'))]"},
            "suffix": {
                "type": "string",
                "defaultValue": "[substring(uniqueString(resourceGroup().id), 0, 5)]",
            },
            "location": {"type": "string", "defaultValue": "[resourceGroup().location]"},
        },
        {},
    )
    assert prepared.parameters == {
        "name": {"type": "String", "value": "xjs26o"},
        "suffix": {"type": "String", "value": "js26o"},
        "location": {"type": "String", "value": "eastus"},
    }


def test_a_null_value_or_a_missing_name_means_the_default_applies() -> None:
    params = {"a": {"type": "int", "defaultValue": 1}, "b": {"type": "int", "defaultValue": 2}}
    prepared = _prepare(params, {"a": {"value": None}})
    assert prepared.parameters == {
        "a": {"type": "Int", "value": 1},
        "b": {"type": "Int", "value": 2},
    }


def test_supplied_values_are_not_evaluated() -> None:
    prepared = _prepare({"s": {"type": "string"}}, {"s": {"value": "[concat('a')]"}})
    assert prepared.parameters["s"]["value"] == "[concat('a')]"


def test_supplied_names_match_case_insensitively() -> None:
    prepared = _prepare({"Location": {"type": "String"}}, {"location": {"value": "westus"}})
    assert prepared.parameters == {"Location": {"type": "String", "value": "westus"}}


def test_secure_parameters_carry_no_value() -> None:
    params = {"pw": {"type": "securestring"}, "obj": {"type": "secureObject"}}
    prepared = _prepare(params, {"pw": {"value": "s3cret"}, "obj": {"value": {"a": 1}}})
    assert prepared.parameters == {"pw": {"type": "SecureString"}, "obj": {"type": "SecureObject"}}


def test_all_arm_type_names() -> None:
    params = {
        "s": {"type": "string"},
        "i": {"type": "int"},
        "b": {"type": "bool"},
        "o": {"type": "object"},
        "a": {"type": "array"},
    }
    supplied = {
        "s": {"value": "x"},
        "i": {"value": 1},
        "b": {"value": False},
        "o": {"value": {}},
        "a": {"value": []},
    }
    types = {k: v["type"] for k, v in _prepare(params, supplied).parameters.items()}
    assert types == {"s": "String", "i": "Int", "b": "Bool", "o": "Object", "a": "Array"}


def test_new_guid_and_utc_now_work_in_defaults() -> None:
    params = {
        "g": {"type": "string", "defaultValue": "[newGuid()]"},
        "t": {"type": "string", "defaultValue": "[utcNow()]"},
    }
    prepared = prepare(
        {"parameters": params}, {}, make_scope(), now=FIXED_NOW, new_guid=lambda: "G"
    )
    assert prepared.parameters["g"]["value"] == "G"
    assert prepared.parameters["t"]["value"] == "20240506T070809Z"


@pytest.mark.parametrize(
    ("params", "supplied", "fragment"),
    [
        (
            {"a": {"type": "string"}},
            {"a": {"value": "x"}, "zz": {"value": 1}},
            "The template parameters 'zz' in the parameters file are not valid; they are not "
            "present in the original template and can therefore not be provided at deployment "
            "time. The only supported parameters for this template are 'a'.",
        ),
        (
            {"a": {"type": "string"}},
            {},
            "The value for the template parameter 'a' is not provided.",
        ),
        (
            {"a": {"type": "string"}},
            {"a": {"value": None}},
            "The value for the template parameter 'a' is not provided.",
        ),
        (
            {"flag": {"type": "bool"}},
            {"flag": {"value": "true"}},
            "Template parameter JToken type is not valid. Expected 'Boolean'. Actual 'String'.",
        ),
        (
            {"n": {"type": "int"}},
            {"n": {"value": "1"}},
            "The provided value for the template parameter 'n' is not valid. Template parameter "
            "JToken type is not valid. Expected 'Integer'. Actual 'String'.",
        ),
        (
            {"n": {"type": "int"}},
            {"n": {"value": True}},
            "Expected 'Integer'. Actual 'Boolean'.",
        ),
        (
            {"a": {"type": "array"}},
            {"a": {"value": "x"}},
            "Expected 'Array'. Actual 'String'.",
        ),
        (
            {"o": {"type": "object"}},
            {"o": {"value": []}},
            "Expected 'Object'. Actual 'Array'.",
        ),
        (
            {"sku": {"type": "string", "allowedValues": ["S1", "S2"]}},
            {"sku": {"value": "S3"}},
            "The provided value 'S3' for the template parameter 'sku' is not valid. The parameter "
            "value is not part of the allowed value(s): 'S1, S2'.",
        ),
        (
            {"tags": {"type": "array", "allowedValues": ["a", "b"]}},
            {"tags": {"value": ["a", "c"]}},
            "The provided value 'c' for the template parameter 'tags' is not valid.",
        ),
        (
            {"s": {"type": "string", "minLength": 3}},
            {"s": {"value": "ab"}},
            "Length of the value should be greater than or equal to '3'.",
        ),
        (
            {"s": {"type": "string", "maxLength": 2}},
            {"s": {"value": "abc"}},
            "Length of the value should be less than or equal to '2'.",
        ),
        (
            {"n": {"type": "int", "minValue": 1}},
            {"n": {"value": 0}},
            "Value should be greater than or equal to '1'.",
        ),
        (
            {"n": {"type": "int", "maxValue": 1}},
            {"n": {"value": 5}},
            "Value should be less than or equal to '1'.",
        ),
        (
            {"x": {"type": "string", "defaultValue": "[variables('v')]"}},
            {},
            "The template function 'variables' is not expected at this location.",
        ),
        (
            {"x": {"type": "string", "defaultValue": "[reference('/a/b', '1').x]"}},
            {},
            "The template function 'reference' is not expected at this location.",
        ),
        (
            {"x": {"type": "string", "defaultValue": "[listKeys('/a', '1').k]"}},
            {},
            "The template function 'listKeys' is not expected at this location.",
        ),
        (
            {
                "a": {"type": "string", "defaultValue": "[parameters('b')]"},
                "b": {"type": "string", "defaultValue": "[parameters('a')]"},
            },
            {},
            "Circular reference detected between parameters: a -> b -> a.",
        ),
        (
            {"a": {"type": "strung"}},
            {},
            'Error converting value "strung" to type '
            "'Azure.Deployments.Core.Entities.TemplateParameterType'.",
        ),
        (
            {"a": {"type": "string", "defaultValue": "[parameters('missing')]"}},
            {},
            "The template parameter 'missing' is not found.",
        ),
    ],
)
def test_invalid_parameters_fail_with_arms_message(
    params: dict[str, Any], supplied: dict[str, Any], fragment: str
) -> None:
    with pytest.raises(TemplateError) as info:
        _prepare(params, supplied)
    assert fragment in info.value.message
    assert info.value.code == "InvalidTemplate"


def test_parameter_errors_point_at_the_parameter() -> None:
    with pytest.raises(TemplateError) as info:
        _prepare({"n": {"type": "int", "defaultValue": "[int('x')]"}}, {})
    assert info.value.target == "parameters.n.defaultValue"


def test_variables_copy_loops_and_references_between_variables() -> None:
    prepared = _prepare(
        {"count": {"type": "int", "defaultValue": 2}},
        {},
        variables={
            "prefix": "[concat(variables('base'), '-')]",
            "base": "app",
            "copy": [
                {
                    "name": "disks",
                    "count": "[parameters('count')]",
                    "input": {"name": "[concat(variables('prefix'), copyIndex('disks', 1))]"},
                }
            ],
        },
        outputs={"d": {"type": "array", "value": "[variables('disks')]"}},
    )
    outputs = prepared.evaluate_outputs(_NoResolver())
    assert outputs == {"d": {"type": "Array", "value": [{"name": "app-1"}, {"name": "app-2"}]}}


def test_circular_variables_are_reported() -> None:
    with pytest.raises(TemplateError, match="Circular reference detected between variables"):
        _prepare({}, {}, variables={"a": "[variables('b')]", "b": "[variables('a')]"})


class _NoResolver:
    def reference(self, resource_id: str, api_version: str | None, full: bool) -> Any:
        raise AssertionError("not expected")

    def list_action(self, resource_id: str, action: str, api_version: str | None, body: Any) -> Any:
        raise AssertionError("not expected")
