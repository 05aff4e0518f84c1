"""Known facts about ARM's template engine, one test each (sources in each docstring)."""

from __future__ import annotations

import json
from typing import Any

import pytest
from engine_cases import dummy_scope

from localcloud.template import TemplateError, locate, prepare
from localcloud.template.context import Context
from localcloud.template.interpreter import evaluate_expression

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


def ev(text: str) -> Any:
    return evaluate_expression(text, Context(dummy_scope(), {}, "variables"))


def test_booleans_print_as_true_and_false() -> None:
    """Azure/PSRule.Rules.Azure#793 ("ARM: string(true()) = True"); Azure/bicep
    EvaluationTests.String_expressions_are_evaluated_successfully (">False<")."""
    assert ev("[string(true())]") == "True"
    assert ev("[format('>{0}<', false())]") == ">False<"
    assert ev("[concat('is ', true())]") == "is True"


def test_format_prints_objects_and_arrays_as_single_quoted_json() -> None:
    """Azure/bicep EvaluationTests.String_expressions_are_evaluated_successfully:
    `'>${obj}<>${arr}<'` gives `>{'a':'b','!c':2}<>[true,2893,'abc']<`."""
    assert ev("[format('{0}', createObject('a', 'b', '!c', 2))]") == "{'a':'b','!c':2}"
    assert ev("[format('{0}', createArray(true(), 2893, 'abc'))]") == "[true,2893,'abc']"
    # string() stays JSON (template-functions-string.md, "string" example)
    assert ev("[string(createObject('a', 'b'))]") == '{"a":"b"}'


def test_items_orders_keys_ignoring_case() -> None:
    """Azure/bicep EvaluationTests.Items_function_evaluation_works: 123Key, 456Key, abcKey,
    ABCKey, ... (ties keep their order)."""
    keys = ev(
        "[map(items(createObject('ghiKey', 1, 'abcKey', 2, 'GHIKey', 3, 'ABCKey', 4, '1', 5)), "
        "lambda('i', lambdaVariables('i').key))]"
    )
    assert keys == ["1", "abcKey", "ABCKey", "ghiKey", "GHIKey"]


def test_object_keys_merge_ignoring_case() -> None:
    """Azure/bicep SpreadTests.Object_spread_edge_cases: `{ 'ABC': 0, ...{ 'aBC': 1 } }` is
    `{"ABC": 1}`."""
    merged = "[shallowMerge(createArray(createObject('ABC', 0), createObject('aBC', 1)))]"
    assert ev(merged) == {"ABC": 1}
    assert ev("[union(createObject('Key', 0), createObject('KEY', 1))]") == {"Key": 1}


def test_bare_true_and_false_are_not_literals() -> None:
    """ARM's expression grammar has string and integer literals only; `true()`/`false()` are
    functions (template-functions-logical.md), so a bare `true` is a function name without its
    parentheses."""
    with pytest.raises(TemplateError) as info:
        ev("[equals(1, true)]")
    assert info.value.message == (
        "Unable to parse language expression 'equals(1, true)': expected token "
        "'LeftParenthesis' and actual 'RightParenthesis'."
    )
    assert ev("[equals(true(), not(false()))]") is True


def test_a_syntax_error_in_an_output_fails_before_anything_is_evaluated() -> None:
    """ARM rejects at validation a template whose output does not parse, although outputs are
    evaluated only after the resources deploy (message shape: Azure/AI-PredictiveMaintenance#141,
    "The template resource 'x' at line '1' and column '7537' is not valid: Unable to parse ...")."""
    template = {
        "$schema": SCHEMA,
        "contentVersion": "1.0.0.0",
        "resources": [],
        "outputs": {"endpoint": {"type": "string", "value": "[concat('https://', 'x']"}},
    }
    with pytest.raises(TemplateError) as info:
        prepare(template, {}, dummy_scope())
    assert info.value.target == "outputs.endpoint.value"

    body = json.dumps({"properties": {"mode": "Incremental", "template": template}}, indent=2)
    where = locate(info.value, template, body)
    line = body.splitlines()[where.line - 1]
    assert line[where.column - 1] == "{"
    assert '"endpoint"' in line
    assert where.message == (
        "Deployment template validation failed: 'The template output 'endpoint' at line "
        f"'{where.line}' and column '{where.column}' is not valid: Unable to parse language "
        "expression 'concat('https://', 'x'': expected token 'RightParenthesis' and actual "
        "'EndOfData'.. Please see https://aka.ms/arm-template-expressions for usage details.'."
    )
    assert where.path == "properties.template.outputs.endpoint.value"
