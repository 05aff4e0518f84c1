"""Parameters: `--param` overrides, null dropping, sandboxed rendering, the final hash."""

from __future__ import annotations

import json
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

finite = st.floats(allow_nan=False, allow_infinity=False)
json_scalars = st.none() | st.booleans() | st.integers() | st.text() | finite
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
    assert parsed == value


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


# Text made of the pieces Jinja cares about, so that most examples reach the parser and the
# sandbox instead of being plain strings.
jinja_pieces = st.sampled_from(
    ["{{", "}}", "{%", "%}", "{#", "#}", " ", "env", "config", "finetuning", ".", "USER", "|",
     "(", ")", "[", "]", "'", '"', "0", "1", "/", "*", "**", "+", "~", ",", ":", "__class__",
     "range", "for", "in", "if", "endfor", "set", "=", "upper", "join", "lipsum", "-", "\\", "\n"]
)  # fmt: skip
jinja_text = st.lists(jinja_pieces | st.text(max_size=3), max_size=14).map("".join)
rendered_values = st.recursive(
    json_scalars | jinja_text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner),
    max_leaves=8,
)


@settings(deadline=None, max_examples=300)
@given(values=st.dictionaries(st.text(min_size=1, max_size=6), rendered_values, max_size=3))
def test_rendering_arbitrary_text_never_crashes_or_changes_structure(
    values: dict[str, Any],
) -> None:
    out, problems = render_values(values, CONTEXT, dict.fromkeys(values, "p.json"))
    assert _shape(out) == _shape(values)
    for problem in problems:
        assert problem.file == "p.json"
        assert problem.path.startswith("parameters.") or problem.path.startswith("parameters[")
        assert problem.message.startswith("template error: ")
        assert "\n" not in problem.message and "Traceback" not in problem.message


override_text = st.text(max_size=12) | st.builds(
    lambda name, value: f"{name}={value}",
    st.text(min_size=1, max_size=6),
    jinja_text | json_values.map(json.dumps),
)


@settings(deadline=None, max_examples=300)
@given(base=st.dictionaries(st.text(min_size=1, max_size=6), json_values, max_size=3),
       overrides=st.lists(override_text, max_size=4))  # fmt: skip
def test_overrides_then_rendering_never_crash_and_keep_each_values_shape(
    base: dict[str, Any], overrides: list[str]
) -> None:
    try:
        merged = drop_nulls(apply_overrides(base, overrides))
    except InputError as exc:
        assert exc.message.endswith("expected NAME=VALUE")
        return
    assert None not in merged.values()
    out, _ = render_values(merged, CONTEXT, {})
    assert _shape(out) == _shape(merged)
    json.dumps(out)  # still plain JSON data


@pytest.mark.parametrize(
    ("text", "said"),
    [
        ("{{ 1 / 0 }}", "ZeroDivisionError"),
        ("{{ 'a' + 1 }}", "TypeError"),
        ("{{ 'x' * 10**9 }}", "would exceed 100,000 items"),
        ("{{ 9 ** (9 ** 9) }}", "would exceed 100,000 bits"),
        ("{{ config.clear() }}", "unsafe"),
        ("{{ env.update({'USER': 'eve'}) }}", "unsafe"),
        ("{{ " + "(" * 400 + "1" + ")" * 400 + " }}", "template error"),
    ],
)
def test_hostile_templates_are_problems_not_crashes(text: str, said: str) -> None:
    context = {"env": {"USER": "ada"}, "finetuning": {}, "config": {"A": 1}}
    out, problems = render_values({"p": text, "q": "{{ env.USER }}{{ config.A }}"}, context, {})
    assert [p.path for p in problems] == ["parameters.p.value"]
    assert said in problems[0].message
    assert out == {"p": text, "q": "ada1"}  # the context was not changed for later values
    assert context == {"env": {"USER": "ada"}, "finetuning": {}, "config": {"A": 1}}


@pytest.mark.parametrize("raw", ["NaN", "Infinity", "-Infinity"])
def test_non_json_constants_stay_strings(raw: str) -> None:
    assert parse_override(f"location={raw}") == ("location", raw)


@pytest.mark.parametrize("levels", [101, 50_000])
def test_deeply_nested_override_is_an_input_error(levels: int) -> None:
    with pytest.raises(InputError) as caught:
        parse_override("x=" + "[" * levels + "]" * levels)
    assert caught.value.message == "--param x: JSON nested too deeply (expected at most 100 levels)"
