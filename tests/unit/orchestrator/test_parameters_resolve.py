"""Parameters: `--param` overrides, null dropping, sandboxed rendering, the final hash."""

from __future__ import annotations

import json
import math
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orchestrator.errors import InputError
from orchestrator.parameters import (
    FinalParameters,
    apply_overrides,
    drop_nulls,
    parse_override,
    render_values,
)

json_scalars = st.none() | st.booleans() | st.integers() | st.text() | st.floats(allow_nan=False)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=12,
)
CONTEXT = {"env": {"USER": "ada", "REGION": "eastus"}, "finetuning": {}, "config": {}}


@settings(deadline=None, max_examples=60)
@given(value=json_values)
def test_any_json_value_round_trips_through_override_parsing(value: Any) -> None:
    name, parsed = parse_override("p=" + json.dumps(value))
    assert name == "p"
    assert parsed == value or (isinstance(value, float) and math.isinf(value))


@settings(deadline=None, max_examples=60)
@given(text=st.text())
def test_text_that_is_not_json_stays_a_string(text: str) -> None:
    try:
        json.loads(text)
    except ValueError:
        assert parse_override("p=" + text) == ("p", text)


@pytest.mark.parametrize("bad", ["nameonly", "=5", " =x", "two words=1"])
def test_override_without_name_equals_value_is_an_input_error(bad: str) -> None:
    with pytest.raises(InputError) as caught:
        parse_override(bad)
    assert caught.value.message == f"--param {bad!r}: expected NAME=VALUE"


def test_overrides_apply_in_order_and_later_wins() -> None:
    values = apply_overrides({"a": 1}, ["a=2", "b=[1,2]", 'a="three"', "c=plain"])
    assert values == {"a": "three", "b": [1, 2], "c": "plain"}


def test_nulls_are_dropped_so_template_defaults_apply() -> None:
    assert drop_nulls({"a": None, "b": 0, "c": "", "d": []}) == {"b": 0, "c": "", "d": []}


def test_rendering_fills_strings_inside_arrays_and_objects() -> None:
    values = {"cmds": ["echo {{ env.USER }}", 3], "obj": {"r": "{{ env.REGION }}"}, "n": 2}
    out, problems = render_values(values, CONTEXT, {})
    assert problems == []
    assert out == {"cmds": ["echo ada", 3], "obj": {"r": "eastus"}, "n": 2}


def test_rendered_json_text_stays_a_string() -> None:
    out, _ = render_values({"x": "{{ '[1, 2]' }}"}, CONTEXT, {})
    assert out == {"x": "[1, 2]"}


@pytest.mark.parametrize(
    ("template", "said"),
    [
        ("{{ ''.__class__ }}", "unsafe"),
        ("{{ ''.__class__.__mro__[1].__subclasses__() }}", "unsafe"),
        ("{{ cycler.__init__.__globals__ }}", "unsafe"),
        ("{{ nope }}", "'nope' is undefined"),
        ("{{ env.MISSING }}", "MISSING"),
        ("{{ env.USER ", "unexpected end of template"),
    ],
)
def test_rendering_problems_name_file_and_path(template: str, said: str) -> None:
    out, problems = render_values({"p": ["ok", template]}, CONTEXT, {"p": "params.json"})
    assert len(problems) == 1
    problem = problems[0]
    assert (problem.file, problem.path) == ("params.json", "parameters.p.value[1]")
    assert problem.message.startswith("template error: ") and said in problem.message
    assert out["p"] == ["ok", template]


def _shape(value: Any) -> Any:
    if isinstance(value, list):
        return [_shape(v) for v in value]
    if isinstance(value, dict):
        return {k: _shape(v) for k, v in value.items()}
    return type(value).__name__


templated_text = st.sampled_from(["{{ env.USER }}", "x{{ 1 + 1 }}y", "{{ nope }}", "{% if"])
templated_values = st.recursive(
    json_scalars | templated_text,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=12,
)


@settings(deadline=None, max_examples=60)
@given(values=st.dictionaries(st.text(min_size=1, max_size=8), templated_values, max_size=4))
def test_rendering_never_changes_structure(values: dict[str, Any]) -> None:
    out, _ = render_values(values, CONTEXT, {})
    assert _shape(out) == _shape(values)


def test_final_parameters_hash_is_stable_and_order_independent() -> None:
    one = FinalParameters(values={"a": 1, "b": [1, {"x": "y"}]}, source="f")
    two = FinalParameters(values={"b": [1, {"x": "y"}], "a": 1}, source="g")
    other = FinalParameters(values={"a": 2, "b": [1, {"x": "y"}]}, source="f")
    assert one.sha256 == two.sha256 != other.sha256
    assert len(one.sha256) == 64


def test_arm_parameters_wrap_values_and_keep_references() -> None:
    ref = {"reference": {"keyVault": {"id": "/kv"}, "secretName": "s"}}
    final = FinalParameters(values={"a": 1}, source="f", references={"b": ref})
    assert final.arm_parameters == {"a": {"value": 1}, "b": ref}
