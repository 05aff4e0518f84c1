"""The template engine against values ARM's own engine computed (expectations/*.json).

Each case cites the Azure/bicep file and test it comes from; a case marked
`known_difference` must still differ, so the list of differences stays true.
"""

from __future__ import annotations

from typing import Any

import pytest
from engine_cases import BICEP_COMMIT, load_expectations, read_path, run_case, same

CASES = list(load_expectations())


def _id(item: tuple[dict[str, Any], dict[str, Any]]) -> str:
    source, case = item
    return f"{source['path'].rsplit('/', 1)[-1]}::{case['name']}"


@pytest.mark.parametrize("item", CASES, ids=[_id(item) for item in CASES])
def test_engine_agrees_with_arms_engine(item: tuple[dict[str, Any], dict[str, Any]]) -> None:
    _, case = item
    outcome = run_case(case)
    assert outcome.status != "failed", outcome.detail


def test_every_case_cites_a_pinned_source() -> None:
    for source, case in CASES:
        assert source["repo"] and source["path"], case["name"]
        if source["repo"] == "Azure/bicep":
            assert source["commit"] == BICEP_COMMIT, case["name"]
        assert case["expect"] or case.get("error"), case["name"]


def test_the_comparison_keeps_booleans_apart_from_numbers() -> None:
    assert not same(True, 1)
    assert not same([0], [False])
    assert same({"a": [1, {"b": None}]}, {"a": [1, {"b": None}]})


def test_json_paths_read_like_fluent_assertions() -> None:
    doc = {"outputs": {"it's": {"value": [{"x": 1}]}}}
    assert read_path(doc, "$.outputs['it''s'].value[0].x") == (True, 1)
    assert read_path(doc, "$.outputs.missing.value") == (False, None)
