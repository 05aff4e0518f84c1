"""The endpoint wait: where it looks (--health-path, the readiness probe, `/`) and which
answers end it (5xx never; a 404 at once only at a declared path)."""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator.azure.appparse import app_from_wire
from orchestrator.deploy.health import (
    UNDECLARED_404_SECONDS,
    HealthPath,
    Waiter,
    answered,
    health_path,
    wait_for_endpoint,
)

PROBE = HealthPath("/ready", "the readiness probe")


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Always:
    """An endpoint that answers `status` to every request, recording the URLs asked."""

    def __init__(self, status: int) -> None:
        self.status = status
        self.urls: list[str] = []

    def get(self, url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        self.urls.append(url)
        return self.status, b""


def waiter(clock: Clock, deadline: float = 1500.0) -> Waiter:
    return Waiter(clock.time, clock.sleep, lambda _line: None, deadline)


def test_5xx_answers_are_never_ready() -> None:
    for status in (500, 502, 503, 504):
        assert not answered(status, PROBE, 0.0)
        assert not answered(status, HealthPath(), 0.0)
    assert not answered(None, PROBE, 0.0)


def test_a_404_at_a_declared_path_is_the_app_s_own_answer() -> None:
    assert answered(404, PROBE, 0.0)
    assert answered(404, HealthPath("/h", "--health-path"), 0.0)


def test_a_404_at_an_undeclared_root_is_waited_out_for_a_minute_only() -> None:
    assert not answered(404, HealthPath(), 0.0)
    assert answered(404, HealthPath(), UNDECLARED_404_SECONDS)
    assert answered(200, HealthPath(), 0.0) and answered(401, HealthPath(), 0.0)


def test_an_app_answering_404_at_root_does_not_wait_for_the_whole_timeout() -> None:
    clock = Clock()
    answer = wait_for_endpoint(Always(404), "https://app/", waiter(clock), interval=1.0)
    assert answer.status == 404
    assert UNDECLARED_404_SECONDS <= answer.seconds < UNDECLARED_404_SECONDS + 2


def test_a_404_at_the_readiness_probe_path_ends_the_wait_at_once() -> None:
    clock = Clock()
    endpoint = Always(404)
    answer = wait_for_endpoint(endpoint, "https://app/ready", waiter(clock), health=PROBE)
    assert (answer.status, answer.seconds) == (404, 0.0)
    assert endpoint.urls == ["https://app/ready"]


def test_a_server_error_is_waited_for_until_the_deadline() -> None:
    clock = Clock()
    answer = wait_for_endpoint(Always(500), "https://app/", waiter(clock, 30.0), health=PROBE)
    assert answer.status is None
    assert answer.seconds == 30.0


def test_the_flag_wins_over_the_probe_which_wins_over_root() -> None:
    assert health_path("health", "/ready") == HealthPath("/health", "--health-path")
    assert health_path(None, "/ready") == PROBE
    assert health_path(None, "") == HealthPath("/", "")


def test_the_readiness_probe_path_is_read_from_the_app() -> None:
    probes = [
        {"type": "Liveness", "httpGet": {"path": "/live", "port": 7860}},
        {"type": "Readiness", "httpGet": {"path": "/ready", "port": 7860}},
    ]
    doc = {"name": "app", "properties": {"template": {"containers": [{"probes": probes}]}}}
    assert app_from_wire(doc).readiness_path == "/ready"
    bare = {"name": "app", "properties": {"template": {"containers": [{"name": "c"}]}}}
    assert app_from_wire(bare).readiness_path == ""
