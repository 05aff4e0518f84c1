"""Rendering `{{ }}` in parameter values: bounded in time and size, and no secret ever quoted in
a problem line (environment secrets, secure parameters)."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

import pytest

from orchestrator.jsonio import SourceMap
from orchestrator.parameters import FinalParameters, render_values
from orchestrator.redaction import MASK, MaskedEnv, is_secret_name, redact, secret_values
from orchestrator.render_sandbox import Budget, LimitExceeded, bounded_environment, render
from orchestrator.validation import check_parameter_values

REPO = Path(__file__).resolve().parents[3]
TEMPLATE = json.loads((REPO / "infra/provision/inference.json").read_text())
SECRET = "s3cr3t-value-42"
ENV = {"USER": "ada", "MY_API_KEY": SECRET, "PWD": "/home/ada"}
CONTEXT: dict[str, Any] = {"env": MaskedEnv(ENV), "finetuning": {}, "config": {}}

HOSTILE = [
    ("{{ 'x'.ljust(30000000) }}", "over 100,000"),
    ("{{ 'x'|center(30000000) }}", "over 100,000"),
    ("{{ ('x' * 100000).replace('x', 'x' * 1000) }}", "would exceed"),
    ("{{ ('x' * 1000)|replace('x', 'y' * 1000) }}", "would exceed"),
    ("{{ (['x' * 100000] * 100000)|join }}", "would exceed"),
    ("{{ '%999999999s' % 1 }}", "width"),
    ("{{ '%*s' % (999999999, 1) }}", "width"),
    ("{{ '{:>999999999}'.format(1) }}", "width"),
    ("{{ '%999999999s'|format(1) }}", "width"),
    ("{{ 'a\tb'.expandtabs(100000) }}", "would exceed"),
    ("{{ ('x\n' * 50000)|indent(100) }}", "would exceed"),
    ("{% set ns = namespace(x='ab') %}{% for i in range(40) %}{% set ns.x = ns.x ~ ns.x %}"
     "{% endfor %}", "would exceed"),
    ("{% set ns = namespace(x=3) %}{% for i in range(40) %}{% set ns.x = ns.x * ns.x %}"
     "{% endfor %}", "would exceed"),
    ("{% macro f(x) %}{{ f(x ~ x) }}{% endmacro %}{{ f('a') }}", "would exceed"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
     "rendering took"),
    ("{% set b %}{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}"
     "{% endfor %}{% endset %}", "rendering took"),
    ("{% for i in range(100000) %}{% for j in range(100000) %}x{% endfor %}{% endfor %}",
     "would exceed|rendering took"),
    ("{{ lipsum(100000) }}", "undefined"),
]  # fmt: skip


@pytest.mark.parametrize(("text", "said"), HOSTILE)
def test_hostile_templates_stop_at_once_with_a_problem(text: str, said: str) -> None:
    started = time.monotonic()
    out, problems = render_values({"acaAppName": text}, CONTEXT, {"acaAppName": "p.json"})
    assert time.monotonic() - started < 5
    assert out == {"acaAppName": text}  # left as given
    assert len(problems) == 1
    assert re.search(said, problems[0].message), problems[0].message
    assert problems[0].message.startswith("template error: ")


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        self.now += 0.01  # every look at the clock costs 10 ms
        return self.now


def test_the_wall_clock_budget_stops_a_loop_without_calls() -> None:
    env = bounded_environment(Budget(seconds=1.0, clock=FakeClock()))
    env.budget.start()
    loop = "{% set x = 'a' * 300 %}{% for i in x %}{% for j in x %}{% endfor %}{% endfor %}"
    with pytest.raises(LimitExceeded, match="longer than 1 s"):
        render(env, loop, {})


def test_the_budget_is_shared_by_all_values_of_a_command() -> None:
    values = {f"p{i}": "{% for i in range(90000) %}{% endfor %}" for i in range(20)}
    _, problems = render_values(values, CONTEXT, {})
    assert (
        problems and "rendering took" in problems[-1].message
    )  # steps, or seconds on a slow machine


def test_ordinary_templates_still_render() -> None:
    values = {"a": "{{ env.USER }}-{{ 2 ** 20 }}-{{ 'ab'|upper }}-{{ '%5s'|format('x') }}"}
    assert render_values(values, CONTEXT, {}) == ({"a": "ada-1048576-AB-    x"}, [])


def test_the_trace_function_is_restored() -> None:
    def tracer(*_: object) -> None:
        return None

    import sys

    sys.settrace(tracer)
    try:
        render(bounded_environment(), "{{ 1 }}", {})
        assert sys.gettrace() is tracer
    finally:
        sys.settrace(None)


# --- secrets -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "secret"),
    [
        ("AZURE_CLIENT_SECRET", True),
        ("GITHUB_TOKEN", True),
        ("DB_PASSWORD", True),
        ("OPENAI_API_KEY", True),
        ("AZURE_STORAGE_CONNECTION_STRING", True),
        ("SAS", True),
        ("USER", False),
        ("PWD", False),
        ("HOME", False),
    ],
)
def test_secret_names(name: str, secret: bool) -> None:
    assert is_secret_name(name) is secret


def test_env_printed_whole_masks_secrets() -> None:
    out, problems = render_values({"acaAppName": "{{ env }}"}, CONTEXT, {})
    assert SECRET not in out["acaAppName"] and MASK in out["acaAppName"]
    assert "/home/ada" in out["acaAppName"] and problems == []


def test_a_secret_named_in_an_error_is_masked() -> None:
    _, problems = render_values({"a": "{{ env[env.MY_API_KEY] }}"}, CONTEXT, {"a": "p.json"})
    assert len(problems) == 1 and SECRET not in str(problems[0]) and MASK in str(problems[0])


def test_a_rendered_secret_is_masked_in_validation_problems() -> None:
    out, _ = render_values({"acaAppName": "{{ env.MY_API_KEY }}!"}, CONTEXT, {})
    final = FinalParameters(
        values={"defaultCommands": ["x"], "maximumInstanceCount": 1, **out},
        source="p.json",
        secrets=secret_values(ENV),
    )
    problems = check_parameter_values(final, TEMPLATE)
    assert problems and all(SECRET not in str(p) for p in problems)
    assert any(MASK in p.message for p in problems)
    assert final.redacted(final.values)["acaAppName"] == f"{MASK}!"


def test_a_secure_parameter_value_is_never_quoted() -> None:
    template = {"parameters": {"pw": {"type": "securestring", "minLength": 30}}}
    hidden = "[hunter2-expression]"
    final = FinalParameters(values={"pw": hidden}, source="p.json")
    problems = check_parameter_values(final, template)
    assert len(problems) == 2  # too short, and looks like an expression
    assert all("hunter2" not in str(p) for p in problems)


def test_redact_masks_the_longest_secret_first() -> None:
    assert redact("abcdef and abcd", ["abcd", "abcdef"]) == f"{MASK} and {MASK}"


# --- positions -----------------------------------------------------------------------------------

PARAMS_TEXT = """{
  "parameters": {
    "maximumInstanceCount": {"value": 99999999999999999999},
    "acaAppName": {
      "value": "Bad_Name"
    },
    "defaultCommands": {"value": ["ok", 3]}
  }
}
"""


def test_value_problems_name_file_line_and_column() -> None:
    source_map = SourceMap("p.json", PARAMS_TEXT)
    values = json.loads(PARAMS_TEXT)["parameters"]
    final = FinalParameters(
        values={k: v["value"] for k, v in values.items()},
        source="p.json",
        sources=dict.fromkeys(values, "p.json"),
        source_map=source_map,
    )
    found = {(p.file, p.path) for p in check_parameter_values(final, TEMPLATE)}
    assert ("p.json:3:39", "parameters.maximumInstanceCount.value") in found
    assert ("p.json:5:16", "parameters.acaAppName.value") in found
    assert ("p.json:7:41", "parameters.defaultCommands.value[1]") in found


def test_an_override_is_named_as_such_not_by_position() -> None:
    final = FinalParameters(
        values={"defaultCommands": ["x"], "maximumInstanceCount": 1, "acaAppName": "Bad_Name"},
        source="p.json",
        sources={"acaAppName": "--param"},
        source_map=SourceMap("p.json", PARAMS_TEXT),
    )
    files = {p.file for p in check_parameter_values(final, TEMPLATE)}
    assert files == {"--param"}
