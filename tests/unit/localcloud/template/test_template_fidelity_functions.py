"""Functions and behaviours the Bicep corpus and ARM's own results asked for."""

from __future__ import annotations

from typing import Any

import pytest
from tmpl_support import FIXED_NOW, ev, make_scope

from localcloud.template import TemplateError, prepare

SCHEMA = "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#"


@pytest.mark.parametrize(
    ("pattern", "text", "expected"),
    [
        ("abc", "abc", True),
        ("a*c*", "abcdef", True),
        ("*abc", "abcabc", True),
        ("a*a", "aXaYa", True),
        ("***", "", True),
        ("b", "a", False),
        ("*def", "abc**def", True),
        ("A*B*A", "aXbYa", True),
        ("a.c", "abc", False),
    ],
)
def test_like_matches_whole_strings_with_star_wildcards_ignoring_case(
    pattern: str, text: str, expected: bool
) -> None:
    assert ev(f"[like('{text}', '{pattern}')]") is expected


def test_distinct_keeps_first_occurrences_in_order_with_deep_equality() -> None:
    assert ev("[distinct(createArray('a', 'b', 'a', 'c', 'b'))]") == ["a", "b", "c"]
    assert ev("[distinct(createArray(1, true(), 1, '1'))]") == [1, True, "1"]
    objects = "createArray(createObject('a', 1), createObject('a', 1), createObject('b', 2))"
    assert ev(f"[distinct({objects})]") == [{"a": 1}, {"b": 2}]


def test_index_from_end_reads_from_the_last_element() -> None:
    assert ev("[indexFromEnd(createArray(1, 2, 3), 1)]") == 3
    assert ev("[indexFromEnd(createArray(1, 2, 3), 3)]") == 1
    with pytest.raises(TemplateError, match=r"'\^4' is out of bounds"):
        ev("[indexFromEnd(createArray(1, 2, 3), 4)]")


def test_try_index_from_end_and_try_get_from_end_yield_null_out_of_range() -> None:
    assert ev("[tryIndexFromEnd(createArray(1, 2, 3), 2)]") == 2
    assert ev("[tryIndexFromEnd(createArray(1, 2, 3), 0)]") is None
    assert ev("[tryIndexFromEnd(null(), 1)]") is None
    value = "createObject('a', createArray(5, 6, 7))"
    assert ev(f"[tryGet({value}, 'a', createObject('value', 1, 'fromEnd', true()))]") == 7
    assert ev(f"[tryGet({value}, 'a', createObject('value', 9, 'fromEnd', true()))]") is None


def test_group_by_maps_each_member_with_the_value_lambda() -> None:
    items = (
        "createArray(createObject('type', 'a', 'value', 1), createObject('type', 'b', "
        "'value', 2), createObject('type', 'a', 'value', 3))"
    )
    by_type = "lambda('x', lambdaVariables('x').type)"
    value = "lambda('x', lambdaVariables('x').value)"
    assert ev(f"[groupBy({items}, {by_type}, {value})]") == {"a": [1, 3], "b": [2]}


def test_json_reads_comments_and_single_quoted_strings() -> None:
    text = r"""{"a": 1, // one
      /* two */ "b": [1, 2], 'c': 'it\'s'}"""
    assert ev("[json('" + text.replace("'", "''") + "')]") == {"a": 1, "b": [1, 2], "c": "it's"}
    with pytest.raises(TemplateError, match="is not valid JSON"):
        ev("[json('{\"a\": /* open')]")


def test_format_escapes_quotes_inside_single_quoted_values() -> None:
    assert ev("[format('{0}', createArray('it''s', null()))]") == "['it\\'s',null]"


def _template(**sections: Any) -> dict[str, Any]:
    return {"$schema": SCHEMA, "contentVersion": "1.0.0.0", "resources": [], **sections}


def test_a_parameter_without_a_type_takes_any_value() -> None:
    """Bicep compiles `param x any` to a declaration without `type` (classic templates)."""
    prepared = prepare(_template(parameters={"x": {}}), {"x": {"value": [1]}}, make_scope())
    assert prepared.parameters["x"]["value"] == [1]


def test_depends_on_names_one_instance_of_a_symbolic_loop() -> None:
    template = {
        "$schema": SCHEMA,
        "languageVersion": "2.0",
        "contentVersion": "1.0.0.0",
        "resources": {
            "loop": {
                "copy": {"name": "loop", "count": 2},
                "type": "My.Rp/things",
                "apiVersion": "2020-01-01",
                "name": "[format('t{0}', copyIndex())]",
            },
            "after": {
                "copy": {"name": "after", "count": 2},
                "type": "My.Rp/others",
                "apiVersion": "2020-01-01",
                "name": "[format('o{0}', copyIndex())]",
                "dependsOn": ["[format('loop[{0}]', copyIndex())]"],
            },
        },
    }
    plans = {p.name: p for p in prepare(template, {}, make_scope()).resources}
    assert [d.rsplit("/", 1)[-1] for d in plans["o1"].depends_on] == ["t1"]


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("[greater('A', 'a')]", True),
        ("[less('A', 'a')]", False),
        ("[less('a', 'B')]", True),
        ("[greaterOrEquals('abc', 'ABC')]", False),
        ("[lessOrEquals('b', 'b')]", True),
    ],
)
def test_strings_order_by_letters_then_lower_case_first(expression: str, expected: bool) -> None:
    assert ev(expression) is expected


@pytest.mark.parametrize(
    ("pattern", "expected"),
    [
        ("", "20240506T070809Z"),  # the default, yyyyMMddTHHmmssZ
        ("d", "05/06/2024"),  # invariant culture, as template-functions-date.md shows
        ("M d", "5 6"),
        ("u", "2024-05-06 07:08:09Z"),
        ("D", "Monday, 06 May 2024"),
        ("G", "05/06/2024 07:08:09"),
        ("hh\\:mm tt", "07:08 AM"),
    ],
)
def test_utc_now_formats_like_dotnet_in_the_invariant_culture(pattern: str, expected: str) -> None:
    template = _template(
        parameters={"now": {"type": "string", "defaultValue": f"[utcNow('{pattern}')]"}}
    )
    if not pattern:
        template["parameters"]["now"]["defaultValue"] = "[utcNow()]"
    prepared = prepare(template, {}, make_scope(), now=FIXED_NOW)
    assert prepared.parameters["now"]["value"] == expected
