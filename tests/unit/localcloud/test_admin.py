"""Admin decisions: fault rules and settings merging (pure)."""

from __future__ import annotations

import pytest

from localcloud.admin import AdminInputError, merge_settings, parse_fault, take_fault
from localcloud.cloud import Settings


def test_fault_defaults_and_method_is_upper_cased() -> None:
    fault = parse_fault({"path": "x", "status": 503, "method": "put"}, 7)
    assert (fault.id, fault.method, fault.remaining, fault.delay, fault.drop) == (
        7,
        "PUT",
        1,
        0.0,
        False,
    )


@pytest.mark.parametrize(
    ("doc", "words"),
    [
        ("x", "object"),
        ({"status": 503}, "'path'"),
        ({"path": "[", "status": 503}, "regular expression"),
        ({"path": "x", "status": 99}, "'status'"),
        ({"path": "x", "status": True}, "'status'"),
        ({"path": "x", "status": 503, "count": 0}, "'count'"),
        ({"path": "x", "status": 503, "delay": -1}, "'delay'"),
        ({"path": "x", "status": 503, "drop": "yes"}, "'drop'"),
        ({"path": "x", "status": 503, "headers": {"a": 1}}, "'headers'"),
        ({"path": "x", "status": 503, "method": "P UT"}, "'method'"),
        ({"path": "x"}, "needs"),
        ({"path": "x", "status": 503, "extra": 1}, "unknown"),
    ],
)
def test_invalid_faults_say_what_is_wrong(doc: object, words: str) -> None:
    with pytest.raises(AdminInputError, match=words):
        parse_fault(doc, 1)


def test_take_fault_counts_down_and_keeps_order() -> None:
    a = parse_fault({"path": "/a", "status": 503, "count": 2}, 1)
    b = parse_fault({"path": "/", "status": 500}, 2)
    first, rules = take_fault([a, b], "GET", "/a?x=1")
    assert first is not None and first.id == 1
    assert [(r.id, r.remaining) for r in rules] == [(1, 1), (2, 1)]
    second, rules = take_fault(rules, "GET", "/a")
    assert second is not None and second.id == 1
    third, rules = take_fault(rules, "GET", "/a")
    assert third is not None and third.id == 2
    assert rules == []


def test_take_fault_respects_the_method_and_searches_path_and_query() -> None:
    rule = parse_fault({"path": r"api-version=2020", "method": "PUT", "status": 503}, 1)
    assert take_fault([rule], "GET", "/x?api-version=2020")[0] is None
    assert take_fault([rule], "PUT", "/x?api-version=2020")[0] is rule
    assert take_fault([rule], "PUT", "/x?api-version=2021")[0] is None


def test_settings_merge_per_type_and_remove_failures_with_null() -> None:
    merged = merge_settings(
        Settings(),
        {
            "provisioning_seconds": {"Microsoft.App/containerApps": 2},
            "fail": {"Microsoft.Storage/storageAccounts": {"code": "X"}},
        },
    )
    assert merged.seconds_for("microsoft.app/containerapps") == 2.0
    assert merged.seconds_for("other") == 0.2
    failure = merged.failure_for("Microsoft.Storage/storageAccounts")
    assert failure is not None and failure["code"] == "X" and failure["message"]
    cleared = merge_settings(merged, {"fail": {"Microsoft.Storage/storageAccounts": None}})
    assert cleared.fail == {}


@pytest.mark.parametrize(
    "doc",
    [
        [],
        {"provisioning_seconds": {"*": -1}},
        {"provisioning_seconds": []},
        {"fail": {"t": "boom"}},
        {"colour": 1},
    ],
)
def test_invalid_settings_are_rejected(doc: object) -> None:
    with pytest.raises(AdminInputError):
        merge_settings(Settings(), doc)


def test_shaping_settings_merge_and_keep_the_others() -> None:
    start = Settings(provisioning_seconds={"*": 0.5}, latency_ms=30)
    merged = merge_settings(start, {"bandwidth_kbps": 8000})
    assert (merged.latency_ms, merged.bandwidth_kbps) == (30, 8000)
    assert merged.provisioning_seconds == {"*": 0.5}
    assert merge_settings(merged, {"latency_ms": 0}).latency_ms == 0


@pytest.mark.parametrize(
    "doc",
    [
        {"latency_ms": -1},
        {"latency_ms": "30"},
        {"bandwidth_kbps": True},
        {"bandwidth_kbps": float("inf")},
        {"bandwidth_kbps": float("nan")},
    ],
)
def test_bad_shaping_values_are_refused_naming_the_setting(doc: dict[str, object]) -> None:
    name = next(iter(doc))
    with pytest.raises(AdminInputError, match=name):
        merge_settings(Settings(), doc)


def test_unknown_settings_list_the_known_ones() -> None:
    with pytest.raises(AdminInputError, match="latency_ms"):
        merge_settings(Settings(), {"latency": 30})
