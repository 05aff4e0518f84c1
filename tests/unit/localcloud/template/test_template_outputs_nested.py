"""Outputs (copy, condition, secure, type checks) and nested deployments (inner and outer)."""

from __future__ import annotations

from typing import Any

import pytest
from tmpl_support import GROUP_ID, SUBSCRIPTION, FakeResolver, make_scope

from localcloud.template import TemplateError, prepare

SA = "Microsoft.Storage/storageAccounts"


def _outputs(outputs: dict[str, Any], resolver: FakeResolver | None = None, **template: Any) -> Any:
    prepared = prepare({"outputs": outputs, **template}, {}, make_scope())
    return prepared.evaluate_outputs(resolver or FakeResolver())


def test_outputs_have_arm_type_names_and_values() -> None:
    assert _outputs(
        {
            "S": {"type": "string", "value": "[subscription().subscriptionId]"},
            "I": {"type": "int", "value": 3},
            "B": {"type": "bool", "value": "[true()]"},
            "O": {"type": "object", "value": {"a": "[concat('x', 'y')]"}},
            "A": {"type": "array", "value": "[createArray(1)]"},
        }
    ) == {
        "S": {"type": "String", "value": SUBSCRIPTION},
        "I": {"type": "Int", "value": 3},
        "B": {"type": "Bool", "value": True},
        "O": {"type": "Object", "value": {"a": "xy"}},
        "A": {"type": "Array", "value": [1]},
    }


def test_secure_outputs_have_no_value() -> None:
    outputs = {
        "p": {"type": "securestring", "value": "s"},
        "o": {"type": "secureObject", "value": {}},
    }
    assert _outputs(outputs) == {"p": {"type": "SecureString"}, "o": {"type": "SecureObject"}}


def test_output_condition_false_omits_the_output() -> None:
    outputs = {
        "a": {"type": "string", "condition": "[equals(1, 2)]", "value": "x"},
        "b": {"type": "int", "value": 1},
    }
    assert list(_outputs(outputs)) == ["b"]


def test_output_copy_loop() -> None:
    outputs = {
        "names": {"type": "array", "copy": {"count": 3, "input": "[format('n{0}', copyIndex())]"}}
    }
    assert _outputs(outputs) == {"names": {"type": "Array", "value": ["n0", "n1", "n2"]}}


def test_output_type_mismatch_fails() -> None:
    with pytest.raises(TemplateError, match=r"Expected 'String'\. Actual 'Integer'"):
        _outputs({"x": {"type": "string", "value": 1}})


def test_outputs_use_reference_through_the_resolver() -> None:
    rid = f"{GROUP_ID}/providers/Microsoft.App/containerApps/app"
    resolver = FakeResolver(
        {rid: {"properties": {"configuration": {"ingress": {"fqdn": "app.local"}}}}}
    )
    outputs = {
        "E": {
            "type": "string",
            "value": f"[reference('{rid}', '2023-11-02-preview').configuration.ingress.fqdn]",
        }
    }
    assert _outputs(outputs, resolver) == {"E": {"type": "String", "value": "app.local"}}


def _nested_template(scope: str | None) -> dict[str, Any]:
    options = {"expressionEvaluationOptions": {"scope": scope}} if scope else {}
    return {
        "parameters": {"prefix": {"type": "string", "defaultValue": "outer"}},
        "variables": {"suffix": "1"},
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "inner",
                "properties": {
                    **options,
                    "mode": "Incremental",
                    "parameters": {"prefix": {"value": "[concat(parameters('prefix'), '-passed')]"}}
                    if scope == "inner"
                    else None,
                    "template": {
                        "parameters": {"prefix": {"type": "string"}} if scope == "inner" else {},
                        "resources": [
                            {
                                "type": SA,
                                "apiVersion": "1",
                                "name": "[concat(parameters('prefix'), 'sa')]",
                                "properties": {
                                    "where": "[deployment().name]",
                                    "rg": "[resourceGroup().name]",
                                },
                            }
                        ],
                        "outputs": {"n": {"type": "string", "value": "[parameters('prefix')]"}},
                    },
                },
            }
        ],
    }


def test_inner_scope_nested_deployment_gets_the_parameters_passed_in() -> None:
    outer = prepare(_nested_template("inner"), {}, make_scope())
    plan = outer.resources[0]
    assert plan.evaluate(FakeResolver())["properties"]["template"]["resources"][0]["name"] == (
        "[concat(parameters('prefix'), 'sa')]"
    )
    nested = outer.prepare_nested(plan, FakeResolver())
    assert nested.parameters == {"prefix": {"type": "String", "value": "outer-passed"}}
    (child,) = nested.resources
    assert child.name == "outer-passedsa"
    assert child.evaluate(FakeResolver())["properties"] == {"where": "inner", "rg": "myRg"}
    assert nested.evaluate_outputs(FakeResolver()) == {
        "n": {"type": "String", "value": "outer-passed"}
    }


@pytest.mark.parametrize("scope", [None, "outer"])
def test_outer_scope_nested_deployment_uses_the_outer_parameters(scope: str | None) -> None:
    outer = prepare(_nested_template(scope), {}, make_scope())
    nested = outer.prepare_nested(outer.resources[0], FakeResolver())
    assert [p.name for p in nested.resources] == ["outersa"]
    assert nested.scope.deployment_name == "inner"


def test_nested_deployment_in_another_resource_group() -> None:
    template = _nested_template("inner")
    template["resources"][0]["resourceGroup"] = "otherRg"
    outer = prepare(template, {}, make_scope())
    nested = outer.prepare_nested(outer.resources[0], FakeResolver())
    assert nested.scope.resource_group == "otherRg"
    assert nested.resources[0].resource_id.startswith(
        f"/subscriptions/{SUBSCRIPTION}/resourceGroups/otherRg/"
    )


def test_prepare_nested_rejects_other_resources() -> None:
    outer = prepare(
        {"resources": [{"type": SA, "apiVersion": "1", "name": "sa"}]}, {}, make_scope()
    )
    with pytest.raises(TemplateError, match="is not a nested deployment"):
        outer.prepare_nested(outer.resources[0], FakeResolver())


def test_template_link_deployments_are_not_supported() -> None:
    outer = prepare(
        {
            "resources": [
                {
                    "type": "Microsoft.Resources/deployments",
                    "apiVersion": "1",
                    "name": "d",
                    "properties": {"templateLink": {"uri": "https://x"}},
                }
            ]
        },
        {},
        make_scope(),
    )
    with pytest.raises(TemplateError, match=r"inline 'properties\.template'"):
        outer.prepare_nested(outer.resources[0], FakeResolver())


def test_user_defined_functions_see_only_their_own_parameters() -> None:
    functions = [
        {
            "namespace": "contoso",
            "members": {
                "uniqueName": {
                    "parameters": [{"name": "namePrefix", "type": "string"}],
                    "output": {
                        "type": "string",
                        "value": "[concat(toLower(parameters('namePrefix')), 'x')]",
                    },
                }
            },
        }
    ]
    outputs = {"n": {"type": "string", "value": "[contoso.uniqueName('ABC')]"}}
    assert _outputs(outputs, functions=functions) == {"n": {"type": "String", "value": "abcx"}}
    bad = {"n": {"type": "string", "value": "[contoso.uniqueName(1, 2)]"}}
    with pytest.raises(TemplateError, match="expects 1 argument"):
        _outputs(bad, functions=functions)
