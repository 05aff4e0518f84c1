"""logstream.follow: one replica's console, then the next one's after a restart."""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from orchestrator.azure.appmodels import AppView, ContainerApp, Replica, Revision
from orchestrator.deploy import logstream

BASE = "https://region.azurecontainerapps.dev"
APP = ContainerApp(
    "app",
    "Succeeded",
    "Running",
    "app--1",
    "app--1",
    "app.example",
    f"{BASE}/subscriptions/x",
    "app",
)
REVISION = Revision("app--1", True)
WHERE = logstream.Where("sub", "rg", "app")


class FakeApps:
    """An app whose replica list advances each time it is read, and whose streams end (the
    Apps protocol of deploy, and the Http of the log stream)."""

    def __init__(self, replica_lists: list[list[str]], streams: Mapping[str, list[str]]) -> None:
        self.replica_lists = replica_lists
        self.streams = streams
        self.urls: list[str] = []

    def view(self, group: str, name: str, *, with_replicas: bool = True) -> AppView:
        found = self.replicas(group, name, REVISION.name) if with_replicas else []
        return AppView(APP, REVISION, tuple(found))

    def revision(self, group: str, app: str, name: str) -> Revision:
        return REVISION

    def replicas(self, group: str, app: str, revision: str) -> list[Replica]:
        names = self.replica_lists.pop(0) if len(self.replica_lists) > 1 else self.replica_lists[0]
        return [Replica(n, n, "Running", True, 0, "") for n in names]

    def restart_revision(self, group: str, app: str, revision: str) -> None:
        raise AssertionError("not restarted by logs")

    def auth_token(self, group: str, app: str) -> str:
        return "t"

    def get(self, url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        return 0, b""

    def stream(self, url: str, headers: Mapping[str, str]) -> Iterator[str]:
        self.urls.append(url)
        replica = url.split("/replicas/", 1)[1].split("/", 1)[0]
        yield from self.streams[replica]


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def sleep(self, seconds: float) -> None:
        self.now += seconds


def test_the_next_replica_is_followed_when_the_first_one_is_gone() -> None:
    fake = FakeApps([["r1"], ["r1"], ["r1"], ["r2"]], {"r1": ["a", "b"], "r2": ["c"]})
    clock, said = Clock(), []
    how = logstream.Follow(said.append, clock.sleep, lambda: clock.now, patience=3.0)
    view = fake.view("rg", "app")
    lines = list(logstream.follow(fake, fake, view, WHERE, 5, how))
    assert lines == ["a", "b", "c"]
    assert said[0] == "replica r1 is gone; following r2"
    assert said[-1] == "replica r2 is gone and none replaced it within 3 s"
    assert "tailLines=5" in fake.urls[0] and "tailLines=300" in fake.urls[1]


def test_following_stops_when_no_replica_replaces_the_gone_one() -> None:
    fake = FakeApps([["r1"]], {"r1": ["a"]})
    clock, said = Clock(), []
    how = logstream.Follow(said.append, clock.sleep, lambda: clock.now, patience=10.0)
    view = fake.view("rg", "app")
    assert list(logstream.follow(fake, fake, view, WHERE, 5, how)) == ["a"]
    assert said == ["replica r1 is gone and none replaced it within 10 s"]
    assert clock.now >= 10.0
