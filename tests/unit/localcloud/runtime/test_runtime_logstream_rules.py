"""Which entries a log stream sends, and when a followed console stream ends."""

from __future__ import annotations

from localcloud.runtime.logs import LogLine, SystemEvent, utc_now
from localcloud.runtime.logstream import parse_path
from localcloud.runtime.replica import REPLICA_DELETED

PATH = (
    "/logstream/subscriptions/sub/resourceGroups/rg/containerApps/app"
    "/revisions/app--1/replicas/app--1-abc/containers/app/logstream"
)


def event(replica: str, reason: str) -> SystemEvent:
    return SystemEvent(utc_now(), "app", "app--1", replica, reason, "message")


def test_a_console_stream_ends_when_its_replica_is_deleted() -> None:
    target = parse_path(PATH)
    assert target is not None and target.console
    assert target.ends(event("app--1-abc", REPLICA_DELETED))
    assert target.ends(event("APP--1-ABC", REPLICA_DELETED))  # names are case-insensitive


def test_other_replicas_and_other_events_do_not_end_it() -> None:
    target = parse_path(PATH)
    assert target is not None
    assert not target.ends(event("app--1-other", REPLICA_DELETED))
    assert not target.ends(event("app--1-abc", "ContainerTerminated"))  # a crash restarts it
    assert not target.ends(LogLine(utc_now(), "app--1", "app--1-abc", "app", "text"))


def test_the_event_stream_never_ends_on_a_deleted_replica() -> None:
    target = parse_path(
        "/logstream/subscriptions/sub/resourceGroups/rg/containerApps/app/eventstream"
    )
    assert target is not None and not target.console
    assert not target.ends(event("app--1-abc", REPLICA_DELETED))
    assert target.wants(event("app--1-abc", REPLICA_DELETED))
