"""The comparison rules of the harness (pure): what diverges and what does not."""

from __future__ import annotations

from fid_compare import compare_body, compare_headers
from fid_exchange import judge
from fid_patterns import expect

VALUES = {"subscription": "s-1", "group": "rg-1", "endpoint": "https://127.0.0.1:9"}


def wheres(expected: object, actual: object) -> list[str]:
    return [d.where for d in compare_body(expected, actual, VALUES)]


def test_key_sets_are_compared_with_casing_both_ways() -> None:
    assert wheres({"a": 1, "Type": "x"}, {"a": 1, "type": "x", "extra": 2}) == [
        "body.Type",
        "body.type",
        "body.extra",
    ]


def test_placeholders_and_markers_match_formats() -> None:
    expected = {"id": "/subscriptions/{subscription}/resourceGroups/{group}/x/<segment>"}
    assert wheres(expected, {"id": "/subscriptions/s-1/resourceGroups/rg-1/x/abc"}) == []
    assert wheres(expected, {"id": "/subscriptions/s-1/resourcegroups/rg-1/x/abc"}) == ["body.id"]


def test_recorded_timestamps_keep_their_zone_style() -> None:
    assert expect("2026-04-09T19:15:38.4398241Z", {}).matches("2027-01-01T00:00:00.12Z")
    assert not expect("2026-04-09T19:15:38.4398241Z", {}).matches("2027-01-01T00:00:00.12")
    assert not expect("<=>18238344461959563427", {}).matches("18238344461959563428")


def test_optional_absent_and_each() -> None:
    assert wheres({"a": "<optional>", "b": "<absent>"}, {}) == []
    assert wheres({"b": "<absent>"}, {"b": 1}) == ["body.b"]
    assert wheres(["<each>", {"n": "<number>"}], [{"n": 1}, {"n": "x"}]) == ["body[1].n"]
    assert wheres(["<each>", {"n": 1}], []) == ["body"]


def test_headers_present_absent_and_patterns() -> None:
    expected = {"Location": "{endpoint}/op/<guid>", "Retry-After": "<absent>"}
    ok = {"location": "https://127.0.0.1:9/op/0c36389f-39a6-455c-8402-77862623e4e6"}
    assert compare_headers(expected, ok, VALUES) == []
    bad = {"Retry-After": "1"}
    assert [d.where for d in compare_headers(expected, bad, VALUES)] == [
        "header.Location",
        "header.Retry-After",
    ]


def test_allowlisted_divergences_pass_and_stale_entries_fail() -> None:
    diverged = compare_body({"a": 1}, {"a": 2}, VALUES)
    allow = {"x/y: body.a": "reason", "x/y: body.b": "gone"}
    verdict = judge("x/y", diverged, allow)
    assert (verdict.unexpected, verdict.stale, verdict.ok) == ((), ("body.b",), False)
