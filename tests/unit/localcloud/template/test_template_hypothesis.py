"""Property tests: arbitrary input never raises anything but TemplateError."""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tmpl_support import FakeResolver, ev, make_scope

from localcloud.template import TemplateError, parse_expression, prepare
from localcloud.template.interpreter import FUNCTIONS, SPECIAL

NAMES = sorted({f.name for f in FUNCTIONS.values()} | set(SPECIAL) | {"listKeys"})
SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _literal() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers(-5, 40).map(str),
        st.sampled_from(
            [
                "'a'",
                "'js26o'",
                "''",
                "'{0}'",
                "'P1D'",
                "'x,y'",
                "'1'",
                "'true'",
                "'{\"a\":1}'",
                "'[1,2]'",
                "'/subscriptions/s/resourceGroups/g'",
                "'Microsoft.Storage/storageAccounts'",
                "'2020-01-01T00:00:00Z'",
            ]
        ),
    )


def _call(children: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    args = st.lists(children, max_size=4).map(", ".join)
    call = st.builds(lambda name, a: f"{name}({a})", st.sampled_from(NAMES), args)
    access = st.builds(
        lambda target, tail: target + tail,
        call,
        st.sampled_from(["", ".a", "[0]", "['name']", ".id", "[1]"]),
    )
    return st.one_of(call, access)


EXPRESSIONS = st.recursive(_literal(), _call, max_leaves=12)


@SETTINGS
@given(st.text(max_size=60))
def test_arbitrary_text_parses_or_raises_template_error(text: str) -> None:
    with contextlib.suppress(TemplateError):
        parse_expression(f"[{text}]")


@SETTINGS
@given(st.text(alphabet="()[],.' -0123456789abcfonuxyz_", max_size=60))
def test_expression_like_text_parses_or_raises_template_error(text: str) -> None:
    with contextlib.suppress(TemplateError):
        parse_expression(f"[{text}]")


@SETTINGS
@given(EXPRESSIONS, st.sampled_from(["parameters", "variables", "properties", "outputs"]))
def test_random_expressions_evaluate_or_raise_template_error(text: str, stage: Any) -> None:
    with contextlib.suppress(TemplateError):
        ev(f"[{text}]", stage=stage, resolver=FakeResolver())


JSON_LEAVES = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.sampled_from(["x", "[[y", "2"]),
    EXPRESSIONS.map(lambda e: f"[{e}]"),
)
VALUES = st.recursive(
    JSON_LEAVES,
    lambda c: st.one_of(
        st.lists(c, max_size=3),
        st.dictionaries(
            st.sampled_from(["a", "b", "copy", "count", "name", "input"]), c, max_size=3
        ),
    ),
    max_leaves=8,
)
RESOURCE = st.fixed_dictionaries(
    {
        "type": st.sampled_from(
            ["Microsoft.Storage/storageAccounts", "A.B/c/d", "[concat('A.B/', 'c')]", "x"]
        ),
        "apiVersion": st.sampled_from(["2023-01-01", "[string(1)]"]),
        "name": st.one_of(
            st.sampled_from(["sa", "p/q", "[format('n{0}', copyIndex())]"]), JSON_LEAVES
        ),
    },
    optional={
        "condition": JSON_LEAVES,
        "copy": st.fixed_dictionaries({"name": st.sampled_from(["l", "m"]), "count": JSON_LEAVES}),
        "dependsOn": st.lists(
            st.sampled_from(
                ["sa", "l", "[resourceId('Microsoft.Storage/storageAccounts', 'sa')]", "nope"]
            ),
            max_size=2,
        ),
        "properties": VALUES,
        "location": JSON_LEAVES,
    },
)
TEMPLATES = st.fixed_dictionaries(
    {"resources": st.lists(RESOURCE, max_size=3)},
    optional={
        "parameters": st.dictionaries(
            st.sampled_from(["p", "q"]),
            st.fixed_dictionaries(
                {"type": st.sampled_from(["string", "int", "array", "bool", "object", "weird"])},
                optional={
                    "defaultValue": JSON_LEAVES,
                    "allowedValues": st.lists(JSON_LEAVES, max_size=2),
                },
            ),
            max_size=2,
        ),
        "variables": st.dictionaries(st.sampled_from(["v", "w", "copy"]), VALUES, max_size=2),
        "outputs": st.dictionaries(
            st.sampled_from(["o"]),
            st.fixed_dictionaries(
                {"type": st.sampled_from(["string", "array", "int"]), "value": VALUES}
            ),
            max_size=1,
        ),
    },
)
SUPPLIED = st.dictionaries(
    st.sampled_from(["p", "q", "r"]), st.fixed_dictionaries({"value": JSON_LEAVES}), max_size=2
)


@SETTINGS
@given(TEMPLATES, SUPPLIED, st.booleans())
def test_random_templates_prepare_and_evaluate_or_raise_template_error(
    template: dict[str, Any], supplied: dict[str, Any], lenient: bool
) -> None:
    with contextlib.suppress(TemplateError):
        prepared = prepare(template, supplied, make_scope())
        for plan in prepared.resources:
            plan.evaluate(FakeResolver(), lenient=lenient)
        prepared.evaluate_outputs(FakeResolver())


ANY_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8), JSON_LEAVES),
    lambda c: st.one_of(
        st.lists(c, max_size=3),
        st.dictionaries(
            st.sampled_from(
                ["resources", "parameters", "variables", "outputs", "functions", "type", "name",
                 "value", "copy", "count", "input", "properties", "dependsOn", "template"]
            ),
            c,
            max_size=4,
        ),
    ),
    max_leaves=12,
)  # fmt: skip


@SETTINGS
@given(ANY_JSON, ANY_JSON)
def test_arbitrary_json_as_template_raises_only_template_error(
    template: Any, supplied: Any
) -> None:
    with contextlib.suppress(TemplateError):
        prepared = prepare(template, supplied if isinstance(supplied, dict) else {}, make_scope())
        for plan in prepared.resources:
            plan.evaluate(FakeResolver())
        prepared.evaluate_outputs(FakeResolver())
