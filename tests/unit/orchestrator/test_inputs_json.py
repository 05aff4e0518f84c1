"""JSON inputs: value positions (FILE:LINE:COLUMN), ECMA `$` in schema patterns (no trailing
newline), and ARM's 64-bit integers."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.jsonio import SourceMap
from orchestrator.parameters import FinalParameters
from orchestrator.schemas import ecma_pattern, load_schema, schema_problems
from orchestrator.template_schema import INT64_MAX, INT64_MIN
from orchestrator.validation import check_config, check_parameter_values, load_config

GUID = "00000000-0000-0000-0000-000000000000"
TEMPLATE = {
    "parameters": {
        "count": {"type": "int"},
        "bounded": {"type": "int", "minValue": 1, "maxValue": 4, "defaultValue": 1},
        "tags": {"type": "object", "defaultValue": {}},
    }
}


def test_positions_of_values_keys_and_missing_members() -> None:
    text = '{\n  "a": [1, {"b": "x\\"y"}],\n  "c\\u0041" : null\n}\n'
    where = SourceMap("f.json", text).where
    assert where([]) == "f.json:1:1"
    assert where(["a"]) == "f.json:2:8"
    assert where(["a", 1, "b"]) == "f.json:2:18"
    assert where(["cA"]) == "f.json:3:15"
    assert where(["missing", "deeper"]) == "f.json:1:1"  # the nearest value that exists


def test_positions_count_characters_not_bytes_and_survive_crlf() -> None:
    text = '{"é": 1,\r\n "x": "ü", "y": 2}'
    where = SourceMap("f.json", text).where
    assert where(["y"]) == "f.json:2:17"
    assert where(["x"]) == "f.json:2:7"


def test_a_text_that_is_not_json_has_no_positions_and_no_failure() -> None:
    assert SourceMap("f.json", "{not json").where(["a"]) == "f.json"


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)


@settings(max_examples=100, deadline=None)
@given(json_values, st.sampled_from([None, 2]))
def test_every_value_position_points_at_that_value(value: object, indent: int | None) -> None:
    text = json.dumps(value, indent=indent)
    source_map = SourceMap("f.json", text)
    lines = text.split("\n")

    def check(item: object, path: list[str | int]) -> None:
        position = source_map.position(path)
        assert position is not None
        rest = lines[position[0] - 1][position[1] - 1 :]
        assert rest.startswith(json.dumps(item, indent=indent).split("\n")[0])
        if isinstance(item, list):
            for i, child in enumerate(item):
                check(child, [*path, i])
        elif isinstance(item, dict):
            for key, child in item.items():
                check(child, [*path, key])

    check(value, [])


# --- patterns ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("pattern", "python"),
    [("^a$", "^a\\Z"), ("^[$]x$", "^[$]x\\Z"), ("a\\$b$", "a\\$b\\Z"), ("(a|b$)", "(a|b\\Z)")],
)
def test_ecma_dollar_becomes_end_of_text(pattern: str, python: str) -> None:
    assert ecma_pattern(pattern) == python


@pytest.mark.parametrize("value", [GUID + "\n", GUID + "\r\n", "\n" + GUID])
def test_a_subscription_with_a_newline_is_refused(value: str) -> None:
    problems = check_config({"SUBSCRIPTION_ID": value}, "c.json", require_complete=False)
    assert [p.path for p in problems if "wrong form" in p.message] == ["SUBSCRIPTION_ID"]


def test_the_parameters_schema_refuses_a_content_version_with_a_newline() -> None:
    doc = {"contentVersion": "1.0.0.0\n", "parameters": {}}
    problems = schema_problems(load_schema("deployment_parameters"), doc, "p.json")
    assert [p.path for p in problems] == ["contentVersion"]


def test_config_problems_name_line_and_column(tmp_path: Path) -> None:
    path = tmp_path / "c.json"
    path.write_text(
        '{\n  "SUBSCRIPTION_ID": "x\\n",\n  "RESOURCE_GROUP_NAME": "a/b",\n'
        '  "ACA_APP_ENDPOINT": "https://h"\n}\n'
    )
    problems = check_config(load_config(path, "c.json"), "c.json", require_complete=False)
    where = {p.path: p.file for p in problems}
    assert where["SUBSCRIPTION_ID"] == "c.json:2:22"
    assert where["RESOURCE_GROUP_NAME"] == "c.json:3:26"
    assert where["ACA_APP_ENDPOINT"] == "c.json:4:23"
    assert where["STORAGE_ACCOUNT_NAME"] == "c.json:1:1"  # missing: the object itself


# --- 64-bit integers -------------------------------------------------------------------------


def final(**values: object) -> FinalParameters:
    return FinalParameters(values=values, source="p.json")


@pytest.mark.parametrize("number", [INT64_MAX + 1, INT64_MIN - 1, 10**400])
def test_an_int_parameter_beyond_int64_is_refused(number: int) -> None:
    problems = check_parameter_values(final(count=number), TEMPLATE)
    assert [p.path for p in problems] == ["parameters.count.value"]
    assert len(str(problems[0])) < 400


@pytest.mark.parametrize("number", [INT64_MAX, INT64_MIN, 0])
def test_an_int_parameter_within_int64_passes(number: int) -> None:
    assert check_parameter_values(final(count=number), TEMPLATE) == []


def test_an_integer_inside_an_object_beyond_int64_is_refused() -> None:
    problems = check_parameter_values(final(count=1, tags={"a": [1, 2**64]}), TEMPLATE)
    assert [(p.path, "64-bit" in p.expected) for p in problems] == [
        ("parameters.tags.value.a[1]", True)
    ]


def test_the_template_range_still_applies() -> None:
    problems = check_parameter_values(final(count=1, bounded=5), TEMPLATE)
    assert [p.message for p in problems] == ["is 5 (limit 4)"]


def test_a_number_too_large_for_a_double_is_not_infinity() -> None:
    from orchestrator.jsonio import JsonFileError, parse_json
    from orchestrator.parameters import parse_override

    with pytest.raises(JsonFileError, match="1e400 is too large a number"):
        parse_json('{"parameters": {"x": {"value": 1e400}}}', "p.json")
    assert parse_override("x=1e400") == ("x", "1e400")  # not JSON, so the text as given
