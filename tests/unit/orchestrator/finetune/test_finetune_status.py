"""Execution statuses: terminal or not, success, durations."""

from __future__ import annotations

import datetime as dt

import pytest

from orchestrator.finetune import status
from orchestrator.finetune.status import ExecutionStatus as S

UTC = dt.timezone.utc
T0 = dt.datetime(2026, 12, 2, 21, 0, 0, tzinfo=UTC)


@pytest.mark.parametrize(
    ("text", "expected", "terminal", "in_flight"),
    [
        ("Running", S.RUNNING, False, True),
        ("processing", S.PROCESSING, False, True),
        ("Degraded", S.DEGRADED, False, True),
        ("Succeeded", S.SUCCEEDED, True, False),
        ("FAILED", S.FAILED, True, False),
        ("Stopped", S.STOPPED, True, False),
        ("Unknown", S.UNKNOWN, False, False),
        ("Exploded", S.UNKNOWN, False, False),
        (None, S.UNKNOWN, False, False),
    ],
)
def test_statuses(text: object, expected: S, terminal: bool, in_flight: bool) -> None:
    got = status.parse_status(text)
    assert got is expected and got.terminal is terminal and got.in_flight is in_flight


def test_only_succeeded_is_success() -> None:
    assert [s for s in S if s.succeeded] == [S.SUCCEEDED]
    assert status.exit_code(S.SUCCEEDED) == 0
    assert {status.exit_code(s) for s in S if s is not S.SUCCEEDED} == {1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-12-02T21:00:00Z", T0),
        ("2026-12-02T21:00:00.1234567Z", T0.replace(microsecond=123456)),
        ("2026-12-02T22:00:00+01:00", T0),
        ("2026-12-02T21:00:00", T0),
        ("yesterday", None),
        (None, None),
        ("2026-13-02T21:00:00Z", None),
    ],
)
def test_times(text: object, expected: dt.datetime | None) -> None:
    assert status.parse_time(text) == expected


def test_summary_and_durations() -> None:
    doc = {
        "name": "job-abc1234",
        "properties": {"status": "Succeeded", "startTime": "2026-12-02T21:00:00Z",
                       "endTime": "2026-12-02T21:03:05Z"},
    }  # fmt: skip
    done = status.summary(doc)
    assert done.duration(T0 + dt.timedelta(hours=5)) == dt.timedelta(minutes=3, seconds=5)
    assert done.describe(T0)["duration_s"] == 185.0
    running = status.ExecutionSummary("j-x", S.RUNNING, T0, None)
    assert running.duration(T0 + dt.timedelta(seconds=42)) == dt.timedelta(seconds=42)
    queued = status.ExecutionSummary("j-y", S.PROCESSING, None, None)
    assert queued.duration(T0) is None
    ended_without_end = status.ExecutionSummary("j-z", S.FAILED, T0, None)
    assert ended_without_end.duration(T0 + dt.timedelta(hours=1)) is None


def test_latest_in_flight_is_the_newest_running_one() -> None:
    items = [
        status.ExecutionSummary("old", S.RUNNING, T0, None),
        status.ExecutionSummary("new", S.RUNNING, T0 + dt.timedelta(minutes=5), None),
        status.ExecutionSummary("done", S.SUCCEEDED, T0 + dt.timedelta(minutes=9), None),
    ]
    found = status.latest_in_flight(items)
    assert found is not None and found.name == "new"
    queued = status.ExecutionSummary("queued", S.PROCESSING, None, None)
    assert status.newest_first([*items, queued])[0].name == "queued"
    assert status.latest_in_flight(items[2:]) is None


@pytest.mark.parametrize(
    ("seconds", "text"), [(0, "0s"), (42, "42s"), (185, "3m 05s"), (3723, "1h 02m 03s")]
)
def test_format_duration(seconds: int, text: str) -> None:
    assert status.format_duration(dt.timedelta(seconds=seconds)) == text
