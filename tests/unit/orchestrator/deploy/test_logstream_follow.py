"""logstream.follow: one replica's console, then the next one's after a restart."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from types import SimpleNamespace
from typing import Any

from orchestrator.deploy import logstream
from orchestrator.deploy.clients import DeployClients
from orchestrator.deploy.restart import AppState

BASE = "https://region.azurecontainerapps.dev"
STATE = AppState("Succeeded", "Running", "app--1", "app.example", f"{BASE}/subscriptions/x", "app")


class FakeApp:
    """An app whose replica list advances each time it is read, and whose streams end."""

    def __init__(self, replica_lists: list[list[str]], streams: Mapping[str, list[str]]) -> None:
        self.replica_lists = replica_lists
        self.streams = streams
        self.urls: list[str] = []

    def get(self, group: str, app: str) -> dict[str, Any]:
        props = {"latestReadyRevisionName": "app--1", "eventStreamEndpoint": STATE.event_stream}
        return {"properties": {**props, "template": {"containers": [{"name": "app"}]}}}

    def get_auth_token(self, group: str, app: str) -> dict[str, Any]:
        return {"properties": {"token": "t"}}

    def list_revisions(self, group: str, app: str) -> list[dict[str, Any]]:
        return [{"name": "app--1", "properties": {"active": True}}]

    def list_replicas(self, group: str, app: str, revision: str) -> dict[str, Any]:
        names = self.replica_lists.pop(0) if len(self.replica_lists) > 1 else self.replica_lists[0]
        return {"value": [{"name": n, "properties": {"createdTime": n}} for n in names]}

    def stream(self, url: str, headers: Mapping[str, str]) -> Iterator[str]:
        self.urls.append(url)
        replica = url.split("/replicas/", 1)[1].split("/", 1)[0]
        yield from self.streams[replica]


def clients(fake: FakeApp) -> DeployClients:
    apps = SimpleNamespace(
        container_apps=fake, container_apps_revisions=fake, container_apps_revision_replicas=fake
    )
    return DeployClients(None, apps, lambda *a: None, lambda *a: (0, b""), fake.stream, None)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_next_replica_is_followed_when_the_first_one_is_gone() -> None:
    fake = FakeApp([["r1"], ["r1"], ["r1"], ["r2"]], {"r1": ["a", "b"], "r2": ["c"]})
    clock, said = Clock(), []
    how = logstream.Follow(said.append, clock.sleep, lambda: clock.now, patience=3.0)
    lines = list(logstream.follow(clients(fake), STATE, "sub", "rg", "app", 5, how))
    assert lines == ["a", "b", "c"]
    assert said[0] == "replica r1 is gone; following r2"
    assert said[-1] == "replica r2 is gone and none replaced it within 3 s"
    assert "tailLines=5" in fake.urls[0] and "tailLines=300" in fake.urls[1]


def test_following_stops_when_no_replica_replaces_the_gone_one() -> None:
    fake = FakeApp([["r1"]], {"r1": ["a"]})
    clock, said = Clock(), []
    how = logstream.Follow(said.append, clock.sleep, lambda: clock.now, patience=10.0)
    assert list(logstream.follow(clients(fake), STATE, "sub", "rg", "app", 5, how)) == ["a"]
    assert said == ["replica r1 is gone and none replaced it within 10 s"]
    assert clock.now >= 10.0
