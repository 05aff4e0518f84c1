from __future__ import annotations

from typing import Any

import pytest

from localcloud.runtime.jobadmin import Knobs, KnobsError, merge_knobs
from localcloud.runtime.joblogstream import parse_job_path

BASE = "/logstream/subscriptions/s/resourceGroups/g/jobs/train"


def test_knobs_merge_and_validation() -> None:
    merged = merge_knobs(Knobs(), {"queue_seconds": 2, "early_failures": 1})
    assert merged == Knobs(queue_seconds=2.0, early_failures=1)
    assert merge_knobs(merged, {"early_failures": 0}) == Knobs(2.0, 0)


@pytest.mark.parametrize(
    "body",
    [[], {"colour": 1}, {"queue_seconds": -1}, {"early_failures": 1.5}, {"early_failures": True}],
)
def test_bad_knob_bodies_are_refused(body: Any) -> None:
    with pytest.raises(KnobsError):
        merge_knobs(Knobs(), body)


def test_job_log_stream_paths() -> None:
    console = parse_job_path(f"{BASE}/executions/e1/replicas/r1/containers/c1/logstream")
    assert console is not None and console.console
    assert (console.revision, console.replica, console.container) == ("e1", "r1", "c1")
    assert console.app_key == "/subscriptions/s/resourcegroups/g/providers/microsoft.app/jobs/train"
    events = parse_job_path(f"{BASE}/eventstream")
    assert events is not None and not events.console


def test_app_paths_are_not_job_paths() -> None:
    app = "/logstream/subscriptions/s/resourceGroups/g/containerApps/web/eventstream"
    assert parse_job_path(app) is None
    assert parse_job_path(f"{BASE}/executions/e1/logstream") is None
