from __future__ import annotations

from collections.abc import Mapping

from orchestrator.azure.appmodels import Replica, Revision
from orchestrator.deploy.health import EndpointAnswer, Waiter, judge, wait_for_endpoint


def rep(name: str, running: str = "Running", ready: bool = True, restarts: int = 0) -> Replica:
    return Replica(name, "2026-11-25T09:00:00Z", running, ready, restarts, "")


def revision(running: str, details: str = "") -> Revision:
    return Revision("app--1", True, running_state=running, running_state_details=details)


def test_the_old_replica_being_ready_is_not_enough() -> None:
    verdict = judge([rep("old")], {"old"}, revision("Running"))
    assert verdict.state == "waiting"
    assert verdict.replica is None


def test_a_new_running_ready_replica_is_ready() -> None:
    verdict = judge([rep("old"), rep("new")], {"old"}, revision("Running"))
    assert (verdict.state, verdict.replica and verdict.replica.name) == ("ready", "new")


def test_a_new_replica_not_ready_yet_is_waiting() -> None:
    verdict = judge([rep("new", ready=False)], {"old"}, revision("Processing"))
    assert verdict.state == "waiting"
    assert "not ready" in verdict.reason


def test_a_crash_looping_replica_fails_fast() -> None:
    verdict = judge([rep("new", "NotRunning", False, 3)], {"old"}, revision("Degraded"))
    assert verdict.state == "failed"
    assert "keeps exiting" in verdict.reason


def test_a_failed_revision_fails_fast() -> None:
    verdict = judge([], {"old"}, revision("Failed", "exit 1"))
    assert verdict.state == "failed"
    assert "exit 1" in verdict.reason


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0

    def time(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.now += seconds


class Answering:
    """An endpoint answering with `statuses` in turn (None: the connection is refused)."""

    def __init__(self, statuses: list[int | None]) -> None:
        self.statuses = statuses

    def get(self, url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        status = self.statuses.pop(0)
        if status is None:
            raise ConnectionRefusedError("refused")
        return status, b""


def clients_answering(statuses: list[int | None]) -> Answering:
    return Answering(statuses)


def test_endpoint_wait_treats_404_502_503_504_and_refusals_as_not_yet() -> None:
    clock = FakeClock()
    lines: list[str] = []
    clients = clients_answering([None, 503, 502, 504, 404, 200])
    answer = wait_for_endpoint(
        clients, "https://x/", Waiter(clock.time, clock.sleep, lines.append, 100.0), interval=0.25
    )
    assert answer == EndpointAnswer(200, 1.25, "HTTP 200")
    assert lines[0] == "endpoint not answering yet (connection failed: ConnectionRefusedError)"


def test_endpoint_wait_notices_the_answer_within_one_poll_interval() -> None:
    clock = FakeClock()
    clients = clients_answering([503] * 8 + [200])
    answer = wait_for_endpoint(
        clients, "https://x/", Waiter(clock.time, clock.sleep, lambda s: None, 100.0), interval=0.25
    )
    assert answer.seconds == 2.0


def test_endpoint_wait_gives_up_at_the_deadline() -> None:
    clock = FakeClock()
    clients = clients_answering([503] * 100)
    answer = wait_for_endpoint(
        clients, "https://x/", Waiter(clock.time, clock.sleep, lambda s: None, 3.0), interval=1.0
    )
    assert answer.status is None
    assert answer.seconds == 3.0


def test_a_failed_revision_without_details_says_why_its_replica_failed() -> None:
    crashed = Replica("new", "", "NotRunning", False, 3, "CrashLoopBackOff: exited with code 1")
    verdict = judge([crashed], {"old"}, revision("Failed"))
    assert verdict.state == "failed"
    assert verdict.reason == "revision failed: CrashLoopBackOff: exited with code 1"
