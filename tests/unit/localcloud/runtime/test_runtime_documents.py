"""Revision health from the replica's state, and the log-stream request parsing."""

from __future__ import annotations

from datetime import datetime, timezone

from localcloud.runtime.documents import revision_health, running_status
from localcloud.runtime.logstream import StreamOptions, parse_path
from localcloud.runtime.replica import ReplicaStatus


def status(**kw: object) -> ReplicaStatus:
    base: dict[str, object] = dict(
        name="r",
        created=datetime(2026, 1, 1, tzinfo=timezone.utc),
        container="c",
        port=1,
        pid=1,
        started=True,
        ready=False,
        ever_ready=False,
        restart_count=0,
        consecutive_exits=0,
        state="Running",
        details="",
        stopped=False,
    )
    return ReplicaStatus(**{**base, **kw})  # type: ignore[arg-type]


def test_revision_health_follows_the_replica() -> None:
    assert revision_health(True, status(ready=True), 3).running_state == "Running"
    assert revision_health(True, status(), 3).running_state == "Processing"
    failed = revision_health(True, status(consecutive_exits=3), 3)
    assert (failed.running_state, failed.health_state) == ("Failed", "Unhealthy")
    degraded = revision_health(True, status(consecutive_exits=3, ever_ready=True), 3)
    assert degraded.running_state == "Degraded"
    assert revision_health(False, status(ready=True), 3).running_state == "Stopped"


def test_app_running_status_maps_revision_states() -> None:
    assert running_status(revision_health(True, status(ready=True), 3)) == "Running"
    assert running_status(revision_health(True, None, 3)) == "Progressing"
    assert running_status(revision_health(True, status(consecutive_exits=5), 3)) == "Degraded"


def test_parse_console_and_event_stream_paths() -> None:
    base = "/logstream/subscriptions/s/resourceGroups/rg/containerApps/app"
    console = parse_path(f"{base}/revisions/app--r1/replicas/rep1/containers/c1/logstream")
    assert console is not None and console.console
    assert (console.revision, console.replica, console.container) == ("app--r1", "rep1", "c1")
    assert console.app_id.endswith("/providers/Microsoft.App/containerApps/app")
    events = parse_path(f"{base}/eventstream")
    assert events is not None and not events.console
    assert parse_path(f"{base}/revisions/x") is None


def test_stream_options_clamp_tail_lines() -> None:
    opts = StreamOptions.parse({"follow": "true", "tailLines": "999", "output": "json"})
    assert (opts.follow, opts.tail, opts.json_output) == (True, 300, True)
    assert StreamOptions.parse({}).tail == 20
