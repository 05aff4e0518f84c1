"""Adaptive polling: interval schedule, Retry-After, 404 grace, transient failures, events."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orchestrator.azure.errors import NotFound, Throttled, Transient
from orchestrator.azure.models import DeploymentSnapshot, OperationSnapshot
from orchestrator.events import Event, Finished, Notice, ResourceChanged
from orchestrator.provision.watch import (
    PollPolicy,
    Watcher,
    WatchTimedOut,
    budget_wait,
    next_interval,
)

POLICY = PollPolicy(initial=1.0, factor=1.5, maximum=2.0, throttled=10.0, not_found_grace=5.0)


class FakeClock:
    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def show(self, event: Event) -> None:
        self.events.append(event)

    def close(self) -> None:
        pass


def op(op_id: str, state: str, name: str = "st1") -> OperationSnapshot:
    return OperationSnapshot(
        op_id, "Create", state, "Microsoft.Storage/storageAccounts", name, f"/x/{name}"
    )


def deployment(state: str) -> DeploymentSnapshot:
    return DeploymentSnapshot("d1", "/deployments/d1", state, duration=3.0)


Step = Callable[[], object]


class ScriptedSource:
    """Answers from a script: each call pops the next answer (an exception is raised)."""

    def __init__(self, ops: list[object], deps: list[object]) -> None:
        self.ops = ops
        self.deps = deps
        self.calls: list[str] = []

    def _next(self, queue: list[object]) -> object:
        answer = queue.pop(0) if len(queue) > 1 else queue[0]
        if isinstance(answer, Exception):
            raise answer
        return answer

    def list_operations(self, group: str, name: str) -> list[OperationSnapshot]:
        self.calls.append("ops")
        return self._next(self.ops)  # type: ignore[return-value]

    def get_deployment(self, group: str, name: str) -> DeploymentSnapshot:
        self.calls.append("get")
        return self._next(self.deps)  # type: ignore[return-value]


def watcher(source: ScriptedSource, clock: FakeClock, display: Recorder) -> Watcher:
    return Watcher(source, display, policy=POLICY, clock=clock, sleep=clock.sleep)


def test_interval_backs_off_while_nothing_changes_and_is_capped() -> None:
    assert next_interval(POLICY, 1.0, changed=False) == 1.5
    assert next_interval(POLICY, 1.5, changed=False) == 2.0
    assert next_interval(POLICY, 2.0, changed=False) == 2.0


def test_interval_resets_on_change() -> None:
    assert next_interval(POLICY, 2.0, changed=True) == 1.0


def test_retry_after_is_honoured_and_a_bare_429_waits_the_throttle_interval() -> None:
    assert next_interval(POLICY, 1.0, changed=False, retry_after=7.0) == 7.0
    assert next_interval(POLICY, 1.0, changed=False, retry_after=0.0) == 10.0


def test_watch_schedule_backs_off_then_resets_when_a_resource_changes() -> None:
    running = [op("1", "Running")]
    source = ScriptedSource(
        ops=[running, running, running, running, [op("1", "Succeeded")], [op("1", "Succeeded")]],
        deps=[deployment("Running"), deployment("Running"), deployment("Succeeded")],
    )
    clock, display = FakeClock(), Recorder()
    result = watcher(source, clock, display).watch("rg", "d1", timeout=100)
    assert result.deployment.state == "Succeeded"
    # tick 1 sees a new resource (→ 1.0), tick 2 nothing new (→ 1.5), tick 3 reads the
    # deployment's first state (→ 1.0), tick 4 nothing (→ 1.5), tick 5 the resource is done
    # (→ 1.0), tick 6 the deployment is done.
    assert clock.sleeps == [1.0, 1.0, 1.5, 1.0, 1.5, 1.0]
    assert isinstance(display.events[-1], Finished)


def test_deployment_is_read_only_every_few_ticks_while_resources_run() -> None:
    running = [op("1", "Running")]
    source = ScriptedSource(
        ops=[running] * 7 + [[op("1", "Succeeded")]],
        deps=[
            deployment("Running"),
            deployment("Running"),
            deployment("Running"),
            deployment("Succeeded"),
        ],
    )
    watcher(source, FakeClock(), Recorder()).watch("rg", "d1", timeout=100)
    gets = source.calls.count("get")
    opses = source.calls.count("ops")
    assert gets < opses
    # while a resource runs, the deployment itself is read every third tick only
    assert source.calls[:5] == ["ops", "ops", "ops", "get", "ops"]


def test_retry_after_from_a_429_sets_the_next_wait() -> None:
    source = ScriptedSource(
        ops=[Throttled("slow down", retry_after=4.0), []], deps=[deployment("Succeeded")]
    )
    clock, display = FakeClock(), Recorder()
    watcher(source, clock, display).watch("rg", "d1", timeout=100)
    assert clock.sleeps[:2] == [1.0, 4.0]
    assert any(isinstance(e, Notice) and "throttling" in e.text for e in display.events)


def test_not_found_right_after_create_is_tolerated() -> None:
    source = ScriptedSource(
        ops=[NotFound("DeploymentNotFound"), NotFound("DeploymentNotFound"), []],
        deps=[deployment("Succeeded")],
    )
    result = watcher(source, FakeClock(), Recorder()).watch("rg", "d1", timeout=100)
    assert result.deployment.succeeded


def test_not_found_after_the_grace_period_is_an_error() -> None:
    source = ScriptedSource(ops=[NotFound("DeploymentNotFound")], deps=[deployment("Running")])
    with pytest.raises(NotFound):
        watcher(source, FakeClock(), Recorder()).watch("rg", "d1", timeout=100)


def test_transient_failures_are_retried_then_given_up() -> None:
    ok = ScriptedSource(
        ops=[Transient("dropped"), Transient("dropped"), []], deps=[deployment("Succeeded")]
    )
    assert watcher(ok, FakeClock(), Recorder()).watch("rg", "d1", timeout=100).deployment.succeeded
    always = ScriptedSource(ops=[Transient("dropped")], deps=[deployment("Running")])
    with pytest.raises(Transient):
        watcher(always, FakeClock(), Recorder()).watch("rg", "d1", timeout=1000)


def test_timeout_leaves_the_deployment_running() -> None:
    source = ScriptedSource(ops=[[op("1", "Running")]], deps=[deployment("Running")])
    with pytest.raises(WatchTimedOut) as caught:
        watcher(source, FakeClock(), Recorder()).watch("rg", "d1", timeout=10)
    assert "attach" in caught.value.hint


def test_each_resource_state_change_is_one_event() -> None:
    source = ScriptedSource(
        ops=[
            [op("1", "Running")],
            [op("1", "Running")],
            [op("1", "Succeeded"), op("2", "Running", "app")],
            [op("1", "Succeeded"), op("2", "Succeeded", "app")],
        ],
        deps=[
            deployment("Running"),
            deployment("Running"),
            deployment("Running"),
            deployment("Succeeded"),
        ],
    )
    display = Recorder()
    watcher(source, FakeClock(), display).watch("rg", "d1", timeout=100)
    changes = [(e.resource_name, e.state) for e in display.events if isinstance(e, ResourceChanged)]
    assert changes == [
        ("st1", "Running"),
        ("st1", "Succeeded"),
        ("app", "Running"),
        ("app", "Succeeded"),
    ]


def test_failed_deployment_reads_operations_once_more_for_root_causes() -> None:
    failed = op("1", "Failed")
    source = ScriptedSource(ops=[[], [failed]], deps=[deployment("Failed")])
    result = watcher(source, FakeClock(), Recorder()).watch("rg", "d1", timeout=100)
    assert result.deployment.state == "Failed"
    assert failed in result.operations


def test_budget_wait_is_zero_while_reads_are_within_budget() -> None:
    policy = PollPolicy(reads_per_second=1.0, read_burst=1.0)
    assert budget_wait(policy, reads=3, elapsed=5.0) == 0.0


def test_budget_wait_stretches_the_wait_when_reads_ran_ahead() -> None:
    policy = PollPolicy(reads_per_second=0.5, read_burst=1.0)
    # 5 reads so far, the 6th allowed once 0.5 * t + 1 >= 6, i.e. at t = 10
    assert budget_wait(policy, reads=5, elapsed=4.0) == 6.0


def test_a_zero_budget_rate_means_no_budget() -> None:
    assert budget_wait(PollPolicy(reads_per_second=0.0), reads=100, elapsed=1.0) == 0.0


def changing_every_tick(ticks: int) -> ScriptedSource:
    """A deployment whose only resource changes state on every read (the worst case)."""
    states = ["Running", "Accepted"]
    ops = [[op("1", states[i % 2])] for i in range(ticks)] + [[op("1", "Succeeded")]]
    deps = [deployment("Running"), deployment("Accepted")] * ticks + [deployment("Succeeded")]
    return ScriptedSource(ops=ops, deps=deps)


def test_reads_stay_within_the_budget_when_everything_keeps_changing() -> None:
    policy = PollPolicy(
        initial=1.0, deployment_every=1, deployment_seconds=0.0, reads_per_second=0.9
    )
    source, clock = changing_every_tick(40), FakeClock()
    Watcher(source, Recorder(), policy=policy, clock=clock, sleep=clock.sleep).watch(
        "rg", "d1", timeout=1000
    )
    # every tick costs two reads and resets the interval; the budget alone spaces them: a
    # tick starts only within budget (+ burst 1), and its second read may go one over
    assert source.calls.count("get") == source.calls.count("ops")
    assert len(source.calls) <= 0.9 * clock.now + 1.0 + 1
    assert len(source.calls) / clock.now > 0.8  # ...and does not starve the watcher


def test_periodic_deployment_reads_are_spaced_in_time_after_the_first() -> None:
    running = [op("1", "Running")]
    source = ScriptedSource(
        ops=[running] * 30 + [[op("1", "Succeeded")]], deps=[deployment("Running")]
    )
    clock = FakeClock()
    policy = PollPolicy(initial=1.0, factor=1.0, maximum=1.0, deployment_seconds=10.0)
    with pytest.raises(WatchTimedOut):
        Watcher(source, Recorder(), policy=policy, clock=clock, sleep=clock.sleep).watch(
            "rg", "d1", timeout=25
        )
    # ticks every second for 25 s: the first GET on tick 3 (t = 3), then t = 13 and t = 23
    assert source.calls[:4] == ["ops", "ops", "ops", "get"]
    assert source.calls.count("get") == 3


def test_default_policy_first_polls_after_about_a_second() -> None:
    source = ScriptedSource(ops=[[]], deps=[deployment("Succeeded")])
    clock = FakeClock()
    Watcher(source, Recorder(), clock=clock, sleep=clock.sleep).watch("rg", "d1", timeout=100)
    assert len(clock.sleeps) == 1
    assert 0.75 <= clock.sleeps[0] <= 1.25
