"""The plain part of ARM expressions, read offline (orchestrator/provision/armexpr.py)."""

from __future__ import annotations

import pytest

from orchestrator.provision.armexpr import UNRESOLVED, Scope, evaluate

PARAMETERS = {"suffix": "x1", "count": 2, "names": ["a", "b"]}
VARIABLES = {"base": "ai"}
SCOPE = Scope(
    lambda name: PARAMETERS.get(name, UNRESOLVED),
    lambda name: VARIABLES.get(name, UNRESOLVED),
    group_location="westus3",
    group_name="rg1",
)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("parameters('suffix')", "x1"),
        ("format('{0}env{1}', variables('base'), parameters('suffix'))", "aienvx1"),
        ("concat('ai', 'job-', parameters('suffix'))", "aijob-x1"),
        ("toLower('GPU')", "gpu"),
        ("resourceGroup().location", "westus3"),
        ("resourceGroup().name", "rg1"),
        ("parameters('names')[1]", "b"),
        ("int(string(parameters('count')))", 2),
        ("'it''s'", "it's"),
    ],
)
def test_plain_expressions_are_read(text: str, value: object) -> None:
    assert evaluate(text, SCOPE) == value


@pytest.mark.parametrize(
    "text",
    [
        "uniqueString(resourceGroup().id)",
        "format('aienv{0}', substring(uniqueString(resourceGroup().id), 0, 5))",
        "subscription().subscriptionId",
        "parameters('missing')",
        "format('{1}', 'only one')",
        "parameters('suffix'",
        "reference('x').outputs",
    ],
)
def test_anything_else_is_unresolved(text: str) -> None:
    assert evaluate(text, SCOPE) is UNRESOLVED
