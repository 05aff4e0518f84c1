"""Events rendered as plain lines and NDJSON, and a failing display never failing (both
pipelines share them)."""

from __future__ import annotations

import io
import json

from orchestrator.display import JsonDisplay, PlainDisplay, SafeDisplay
from orchestrator.events import (
    Finished,
    LogLine,
    Notice,
    Progress,
    ResourceChanged,
    Started,
    event_record,
    format_duration,
    format_event,
)

APP = ResourceChanged("Create", "Microsoft.App/containerApps", "aiacaapp1", "Succeeded", 12.34)


def test_resource_line_has_state_type_name_and_duration() -> None:
    line = format_event(APP)
    assert "Succeeded" in line and "containerApps aiacaapp1" in line and "(12.3s)" in line


def test_durations_are_short() -> None:
    assert format_duration(None) == ""
    assert format_duration(5.04) == "5.0s"
    assert format_duration(125) == "2m05s"


def test_started_line_carries_the_portal_link_when_there_is_one() -> None:
    assert "portal: https://portal" in format_event(Started("d", "/id", "https://portal/x"))
    assert "portal" not in format_event(Started("d", "/id"))


def test_plain_display_writes_one_line_per_event() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    display.show(APP)
    display.show(Finished("d1", "Succeeded", 61))
    assert out.getvalue().splitlines()[-1] == "deployment d1 succeeded in 1m01s"


def test_json_display_writes_newline_delimited_events() -> None:
    out = io.StringIO()
    display = JsonDisplay(out, clock=lambda: 100.0)
    display.show(APP)
    display.show(Notice("hello"))
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert records[0] == {
        "time": 100.0,
        "event": "resource",
        "operation": "Create",
        "resource_type": "Microsoft.App/containerApps",
        "resource_name": "aiacaapp1",
        "state": "Succeeded",
        "duration": 12.34,
    }
    assert records[1]["event"] == "notice"


class Broken:
    def __init__(self) -> None:
        self.calls = 0

    def show(self, event: object) -> None:
        self.calls += 1
        raise OSError("terminal went away")

    def close(self) -> None:
        raise OSError("still gone")


def test_a_failing_display_is_switched_off_with_one_warning() -> None:
    inner, fallback = Broken(), io.StringIO()
    display = SafeDisplay(inner, fallback)
    display.show(APP)
    display.show(APP)
    display.close()
    assert inner.calls == 1
    assert fallback.getvalue().count("warning: progress display stopped") == 1


def test_deploy_progress_and_log_lines_share_the_model() -> None:
    out = io.StringIO()
    display = JsonDisplay(out, clock=lambda: 5.0)
    display.show(Progress("sync", "uploaded inference/app.py (1/1)"))
    record = json.loads(out.getvalue())
    assert record == {
        "time": 5.0,
        "event": "progress",
        "step": "sync",
        "text": "uploaded inference/app.py (1/1)",
    }
    assert format_event(Progress("sync", "x")) == "  x"
    assert event_record(LogLine("hello")) == {"event": "log", "text": "hello"}
