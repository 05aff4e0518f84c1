"""Every expression parsed up front; errors located at their declaration's line and column."""

from __future__ import annotations

import json
from typing import Any

import pytest
from tmpl_support import make_scope

from localcloud.template import TemplateError, locate, prepare, value_position
from localcloud.template.located import json_path

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def _template(**sections: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [], **sections}


def _error(template: dict[str, Any], parameters: dict[str, Any] | None = None) -> TemplateError:
    with pytest.raises(TemplateError) as info:
        prepare(template, parameters or {}, make_scope())
    return info.value


@pytest.mark.parametrize(
    ("template", "target"),
    [
        (_template(outputs={"o": {"type": "string", "value": "[concat('a']"}}), "outputs.o.value"),
        (_template(variables={"v": {"k": ["x", "[a(]"]}}), "variables.v.k[1]"),
        (
            _template(resources=[{"type": "A.B/c", "name": "n", "properties": {"[bad(]": 1}}]),
            "resources[0].properties.[bad(]",
        ),
        (
            _template(parameters={"p": {"type": "string", "defaultValue": "[x y]"}}),
            "parameters.p.defaultValue",
        ),
    ],
)
def test_a_syntax_error_anywhere_fails_prepare_at_its_path(
    template: dict[str, Any], target: str
) -> None:
    error = _error(template)
    assert error.target == target
    assert "language expression" in error.message


def test_metadata_is_not_parsed() -> None:
    template = _template(
        metadata={"description": "[Preview] not an expression"},
        parameters={"p": {"type": "string", "defaultValue": "[[x]"}},
    )
    assert prepare(template, {}, make_scope()).parameters["p"]["value"] == "[x]"


@pytest.mark.parametrize(
    ("declaration", "message"),
    [
        ({"type": "string", "allowedValues": []}, 'The "allowedValues" array must contain'),
        ({"type": "object", "allowedValues": [{"k": "[a()]"}]}, 'The value "[a()]" cannot be'),
        ({"type": "bool", "allowedValues": [True, "yes"]}, 'Expected the value "yes" to be a'),
        ({"type": "strung"}, 'Error converting value "strung" to type'),
        ({"type": 12345}, "Template parameter 'p' has invalid type '12345'. Supported types"),
        ({"type": True}, "Unexpected token Boolean when parsing enum. Path ''."),
    ],
)
def test_declarations_are_checked_as_arm_reads_them(
    declaration: dict[str, Any], message: str
) -> None:
    assert message in _error(_template(parameters={"p": declaration})).message


def test_value_position_finds_values_in_json_with_comments_and_bare_keys() -> None:
    text = '{"properties": {\n  // note\n  template: {"outputs": {\n    "o": {"value": 1},\n  }}}}'
    assert value_position(text, ["properties", "template", "outputs", "o"]) == (4, 10)
    assert value_position(text, ["properties", "template", "outputs", "o", "value"]) == (4, 20)
    assert value_position('{"a": "text", "b": 123}', ["a"]) == (1, 12)
    assert value_position('{"a": "text", "b": 123}', ["b"]) == (1, 22)
    assert value_position(text, ["properties", "template", "missing"]) is None
    assert value_position('[1, 2, {"a": 3}]', [2, "a"]) == (1, 14)


def test_json_path_reads_error_targets_of_both_template_forms() -> None:
    assert json_path("resources[2].properties.x[0]") == ["resources", 2, "properties", "x", 0]
    assert json_path("storage.properties.x") == ["resources", "storage", "properties", "x"]
    assert json_path("outputs.o.value") == ["outputs", "o", "value"]


def test_a_resource_error_names_the_resource_as_written_and_its_position() -> None:
    resource = {"type": "A.B/c", "apiVersion": "1", "name": "[concat('a', 'b')]"}
    resource["condition"] = "[bogus()]"
    template = _template(resources=[resource])
    body = json.dumps({"properties": {"template": template}})
    error = _error(template)
    where = locate(error, template, body)
    assert body[where.column - 1 :].startswith('{"type": "A.B/c"')
    assert where.line == 1
    assert where.message.startswith(
        "Deployment template validation failed: 'The template resource '[concat('a', 'b')]' at "
        f"line '1' and column '{where.column}' is not valid: The template function 'bogus' is "
        "not valid."
    )
    assert where.message.endswith(
        "usage details.. Please see https://aka.ms/arm-template-expressions for usage details.'."
    )


def test_a_parameter_value_error_reads_as_arms() -> None:
    template = _template(parameters={"count": {"type": "int"}})
    body = json.dumps({"properties": {"template": template}}, indent=2)
    where = locate(_error(template, {"count": {"value": "x"}}), template, body)
    line, column = where.line, where.column
    assert body.splitlines()[line - 1][column - 1] == "{"
    assert where.message.startswith(
        "Deployment template validation failed: 'The provided value for the template parameter "
        f"'count' at line '{line}' and column '{column}' is not valid. Template parameter JToken "
        "type is not valid."
    )


def test_a_parameter_default_error_is_labelled_a_resource_as_arm_does() -> None:
    """The shape of microsoft/vscode-azurearmtools#531 (line 5, column 15: the `{` of p1)."""
    template = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "parameters": {"p1": {"type": "string", "defaultValue": "[nope().name]"}},
        "resources": [],
    }
    body = json.dumps(template, indent=4)
    where = locate(_error(template), template, body, prefix=())
    assert (where.line, where.column) == (5, 15)
    assert where.message == (
        "Deployment template validation failed: 'The template resource 'p1' at line '5' and "
        "column '15' is not valid: The template function 'nope' is not valid. Please see "
        "https://aka.ms/arm-template-expressions for usage details.. Please see "
        "https://aka.ms/arm-template-expressions for usage details.'."
    )


def test_an_error_without_a_location_keeps_the_plain_message() -> None:
    template = _template()
    where = locate(_error(template, {"nope": {"value": 1}}), template, "{}")
    assert (where.line, where.column) == (0, 0)
    assert where.message.startswith("Deployment template validation failed: 'The template ")


# Templates and errors as an earlier revision of Azure/bicep's LocalJsonModuleTests quoted
# ARM's engine (positions in the template text; Bicep prefixed "Invalid JSON template: ").
_OUTPUT_NAME = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "resources": [],
  "outputs": {
    "[resourceGroup().id]": {
      "type": "string",
      "value": "hello"
    }
  }
}"""
_PARAMETER_NAME = """{
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  "parameters": {
    "[concat('foo', 'bar')]": {
      "type": "string"
    }
  },
  "resources": []
}"""
_SCHEMA_LINE = '  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",'


def _parameter_type(declared: str) -> str:
    return "\n".join(
        [
            "{",
            _SCHEMA_LINE,
            '  "contentVersion": "1.0.0.0",',
            '  "parameters": {',
            '    "foo": {',
            f'      "type": {declared}',
            "    }",
            "  },",
            '  "resources": []',
            "}",
        ]
    )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            _OUTPUT_NAME,
            "The template output '[resourceGroup().id]' at line '6' and column '29' is not "
            "valid. The output name cannot be an expression. Please see "
            "https://aka.ms/arm-template/#outputs for usage details.",
        ),
        (
            _PARAMETER_NAME,
            "The template parameter '[concat('foo', 'bar')]' at line '5' and column '31' is not "
            "valid. The parameter name cannot be an expression. Please see "
            "https://aka.ms/arm-template/#parameters for usage details.",
        ),
        (
            _parameter_type("12345"),
            "Template parameter 'foo' at line '6' and column '19' has invalid type '12345'. "
            "Supported types are 'String,SecureString,Int,Bool,Array,Object,SecureObject'. Please "
            "see https://aka.ms/arm-template/#parameters for usage details.",
        ),
        (
            _parameter_type('"something"'),
            'Error converting value "something" to type '
            "'Azure.Deployments.Core.Entities.TemplateParameterType'. Path '', line 6, "
            "position 25.",
        ),
        (
            _parameter_type('"[add(1, 1)]"'),
            'Error converting value "[add(1, 1)]" to type '
            "'Azure.Deployments.Core.Entities.TemplateParameterType'. Path '', line 6, "
            "position 27.",
        ),
    ],
)
def test_declaration_errors_read_and_point_as_arms(text: str, message: str) -> None:
    template = json.loads(text)
    where = locate(_error(template), template, text, prefix=())
    assert where.message == f"Deployment template validation failed: '{message}'."


def test_a_symbolic_resource_is_named_by_its_symbol() -> None:
    template = {
        "$schema": SCHEMA,
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "resources": {
            "managedEnvironment": {
                "type": "A.B/c",
                "apiVersion": "1",
                "name": "[concat('cae-', 'x')]",
                "condition": "[nope()]",
            }
        },
    }
    body = json.dumps({"properties": {"template": template}})
    where = locate(_error(template), template, body)
    assert "'The template resource 'managedEnvironment' at line '1' and column" in where.message
    assert body[where.column - 1] == "{"
