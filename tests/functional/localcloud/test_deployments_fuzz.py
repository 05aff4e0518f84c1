"""Random request bodies, templates and raw text never make the deployment routes answer 500:
bad input is a 4xx with an ARM error body."""

from __future__ import annotations

import json
from typing import Any

import pytest
from azure.core.exceptions import HttpResponseError
from deployments_helpers import SCHEMA, THING, deployments_client, group_path
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from localcloud_fixture import LocalCloudHandle

pytestmark = [pytest.mark.functional, pytest.mark.slow]

json_scalars = st.none() | st.booleans() | st.integers(-(2**40), 2**40) | st.text(max_size=12)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
expressions = st.sampled_from(
    [
        "[parameters('p')]",
        "[variables('v')]",
        "[reference('nope').x]",
        "[concat('a', 1)]",
        "[resourceId('Test.Things/things', 'x')]",
        "[[literal",
        "[",
        "[if(true(), 'a')]",
        "[listKeys('x', '2020-01-01')]",
        "[substring('abc', 5)]",
        "[json('{')]",
    ]
)
# Arbitrary text inside `[...]`: the expression parser sees every kind of garbage.
arbitrary_expressions = st.text(max_size=30).map(lambda t: f"[{t}]")
resource_values = json_values | expressions | arbitrary_expressions
resources = st.fixed_dictionaries(
    {"type": st.sampled_from([THING, "Bad", "A/b/c", 5]), "name": resource_values},
    optional={
        "apiVersion": st.sampled_from(["2024-01-01", "", None]),
        "properties": st.dictionaries(st.text(max_size=6), resource_values, max_size=3),
        "dependsOn": st.lists(resource_values, max_size=2),
        "condition": resource_values,
        "copy": json_values,
        "location": resource_values,
    },
)
templates = st.fixed_dictionaries(
    {"resources": st.lists(resources, max_size=3) | json_values},
    optional={
        "$schema": st.just(SCHEMA),
        "parameters": st.dictionaries(st.sampled_from(["p", "q"]), json_values, max_size=2),
        "variables": st.dictionaries(st.sampled_from(["v"]), resource_values, max_size=1),
        "outputs": st.dictionaries(st.sampled_from(["O"]), json_values, max_size=1),
    },
)
bodies = st.one_of(
    json_values,
    st.fixed_dictionaries(
        {"properties": st.fixed_dictionaries({"template": templates | json_values})},
        optional={"tags": json_values},
    ).map(lambda b: _with_mode(b)),
)


def _with_mode(doc: dict[str, Any]) -> dict[str, Any]:
    doc["properties"]["mode"] = "Incremental"
    return doc


@settings(
    max_examples=100,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(doc=bodies, validate=st.booleans())
def test_random_bodies_never_get_a_500(
    localcloud: LocalCloudHandle, fresh_group: str, doc: Any, validate: bool
) -> None:
    client = deployments_client(localcloud, retry_total=0)
    log_start = len(localcloud.log_text())
    try:
        if validate:
            client.deployments.begin_validate(fresh_group, "fuzz", doc, polling=False)
        else:
            client.deployments.begin_create_or_update(fresh_group, "fuzz", doc, polling=False)
    except HttpResponseError as err:
        assert err.status_code is not None and err.status_code < 500, err.message
        assert err.error is not None and err.error.code
    assert "internal error serving" not in localcloud.log_text()[log_start:]


# Raw bodies: JSON, near-JSON (what az's JSONC rewrite sees) and arbitrary text.
raw_texts = st.one_of(
    json_values.map(json.dumps),
    st.text(alphabet='{}[]:,"/*\\ \nabt-1', max_size=80),
    st.text(max_size=80),
    templates.map(
        lambda t: '{"properties": {"mode": "Incremental", template: ' + json.dumps(t) + "}}"
    ),
)
ROUTES = ["", "/validate", "/whatIf", "CALCULATE"]


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(text=raw_texts, route=st.sampled_from(ROUTES))
def test_raw_text_bodies_get_an_arm_error_or_succeed_never_a_500(
    localcloud: LocalCloudHandle, fresh_group: str, text: str, route: str
) -> None:
    if route == "CALCULATE":
        method, path = "POST", "/providers/Microsoft.Resources/calculateTemplateHash"
    else:
        deployments = f"{group_path(localcloud, fresh_group)}/providers/Microsoft.Resources"
        method, path = ("POST" if route else "PUT"), f"{deployments}/deployments/raw{route}"
    response = localcloud.request(
        method,
        f"{path}?api-version=2026-06-01",
        data=text.encode(),
        headers={"Content-Type": "application/json"},
    )
    assert response.status_code < 500, (path, text, response.text[:300])
    if response.status_code >= 400:
        error = response.json()["error"]
        assert isinstance(error["code"], str) and error["code"]
        assert isinstance(error["message"], str) and error["message"]
