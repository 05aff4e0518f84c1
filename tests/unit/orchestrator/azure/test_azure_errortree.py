"""ARM error trees flattened into root causes (golden files in golden/; UPDATE_GOLDEN=1
rewrites the .txt files after a deliberate change)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from orchestrator.azure.errortree import flatten, hint_for, render_causes, root_causes
from orchestrator.azure.parse import error_from_wire, operation_from_wire

GOLDEN = Path(__file__).parent / "golden"
CASES = sorted(p.stem for p in GOLDEN.glob("*.json"))


def flattened_text(case: str) -> str:
    doc = json.loads((GOLDEN / f"{case}.json").read_text())
    operations = [operation_from_wire(op) for op in doc["operations"]]
    error = error_from_wire(doc["deployment_error"])
    return "\n".join(render_causes(root_causes(error, operations))) + "\n"


@pytest.mark.parametrize("case", CASES)
def test_flattening_matches_golden_file(case: str) -> None:
    expected_path = GOLDEN / f"{case}.txt"
    actual = flattened_text(case)
    if os.environ.get("UPDATE_GOLDEN"):
        expected_path.write_text(actual)
    assert actual == expected_path.read_text()


def test_there_are_golden_cases() -> None:
    assert len(CASES) >= 5


def test_wrappers_are_dropped_and_json_in_message_is_parsed() -> None:
    tree = {
        "code": "DeploymentFailed",
        "message": "At least one resource deployment operation failed.",
        "details": [{"code": "Conflict", "message": '{"error":{"code":"X","message":"m"}}'}],
    }
    assert [(c.code, c.message) for c in flatten(error_from_wire(tree))] == [("X", "m")]


def test_failed_operation_names_its_resource() -> None:
    op = operation_from_wire(
        {
            "operationId": "1",
            "properties": {
                "provisioningState": "Failed",
                "statusMessage": {"error": {"code": "QuotaExceeded", "message": "no GPUs"}},
                "targetResource": {
                    "resourceType": "Microsoft.App/managedEnvironments",
                    "resourceName": "env1",
                },
            },
        }
    )
    (cause,) = root_causes(None, [op])
    assert cause.resource == "Microsoft.App/managedEnvironments env1"
    assert cause.hint


def test_duplicates_keep_the_copy_that_names_a_resource() -> None:
    leaf = {"code": "Boom", "message": "it broke"}
    op = operation_from_wire(
        {
            "operationId": "1",
            "properties": {
                "provisioningState": "Failed",
                "statusMessage": {"error": leaf},
                "targetResource": {"resourceType": "T", "resourceName": "n"},
            },
        }
    )
    causes = root_causes(error_from_wire({"code": "DeploymentFailed", "details": [leaf]}), [op])
    assert [(c.code, c.resource) for c in causes] == [("Boom", "T n")]


def test_gpu_quota_in_the_message_gets_the_quota_hint() -> None:
    assert "quota" in hint_for("OperationFailed", "Quota for NCA100 GPUs exceeded").lower()
    assert hint_for("SomethingElse", "unrelated") == ""
