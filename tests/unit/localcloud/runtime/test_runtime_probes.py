"""The probe state machine, driven by a fake clock: no real waiting."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import pytest

from localcloud.runtime.probes import (
    Outcome,
    ProbeCount,
    ProbeSet,
    RestartNeeded,
    observe,
    watch,
)
from localcloud.runtime.settings import RuntimeSettings, ScaledProbe
from localcloud.runtime.spec import ContainerSpec, ProbeSpec

SETTINGS = RuntimeSettings(probe_scale=0.01, probe_min_period=0.2, probe_steady_period=0.2)


class FakeTime:
    """A clock that only moves when someone sleeps; stops the run past `limit`."""

    def __init__(self, limit: float = 1000.0) -> None:
        self.now = 0.0
        self.limit = limit

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.now += seconds
        if self.now > self.limit:
            raise TimeoutError("fake time limit")
        await asyncio.sleep(0)


class Recorder:
    def __init__(self, time: FakeTime) -> None:
        self.time = time
        self.log: list[tuple[float, str]] = []

    def started(self) -> None:
        self.log.append((round(self.time.now, 3), "started"))

    def ready_changed(self, ready: bool) -> None:
        self.log.append((round(self.time.now, 3), f"ready={ready}"))

    def probe_failed(self, probe: ScaledProbe, failures: int) -> None:
        self.log.append((round(self.time.now, 3), f"{probe.spec.kind} failed {failures}"))


def probe(kind: str, **kw: float) -> ProbeSpec:
    return ProbeSpec(kind=kind, path="/", **kw)  # type: ignore[arg-type]


def probes(*specs: ProbeSpec) -> ProbeSet:
    return ProbeSet.for_container(ContainerSpec("c", "i", (), (), (), specs, ()), SETTINGS)


def healthy_after(seconds: float, time: FakeTime) -> Callable[[ScaledProbe], object]:
    async def check(_probe: ScaledProbe) -> bool:
        return time.now >= seconds

    return check


def run(coro: object) -> object:
    return asyncio.run(coro)  # type: ignore[arg-type]


def test_observe_counts_consecutive_results_against_thresholds() -> None:
    spec = probe("Readiness", failure_threshold=2, success_threshold=2)
    count, outcome = observe(ProbeCount(), spec, True)
    assert outcome is Outcome.PENDING
    count, outcome = observe(count, spec, True)
    assert outcome is Outcome.PASSED
    count, outcome = observe(count, spec, False)
    assert (count, outcome) == (ProbeCount(0, 1), Outcome.PENDING)
    assert observe(count, spec, False)[1] is Outcome.FAILED


def test_template_timings_are_scaled_with_floors() -> None:
    scaled = SETTINGS.scale(probe("Startup", initial_delay=60, period=120, timeout=1))
    assert (scaled.initial_delay, scaled.period, scaled.timeout) == (0.6, 1.2, 1.0)
    assert SETTINGS.scale(probe("Liveness", period=10)).period == 0.2


def test_startup_then_readiness_makes_the_replica_ready() -> None:
    time = FakeTime(limit=5.0)
    rec = Recorder(time)
    set_ = probes(
        probe("Startup", initial_delay=60, period=120, failure_threshold=10),
        probe("Readiness", initial_delay=60, period=10, failure_threshold=3),
    )
    with pytest.raises(TimeoutError):
        run(watch(set_, healthy_after(2.0, time), rec, time.sleep, time.clock))
    # startup probes at 0.6, 1.8 (ok at 3.0); readiness then passes at once
    assert rec.log[-2:] == [(3.0, "started"), (3.0, "ready=True")]
    assert (0.6, "Startup failed 1") in rec.log


def test_startup_failure_threshold_asks_for_a_restart() -> None:
    time = FakeTime()
    rec = Recorder(time)
    set_ = probes(probe("Startup", initial_delay=60, period=120, failure_threshold=10))
    verdict = run(watch(set_, healthy_after(1e9, time), rec, time.sleep, time.clock))
    assert isinstance(verdict, RestartNeeded) and verdict.reason == "StartupProbeFailed"
    assert time.now == pytest.approx(0.6 + 9 * 1.2)  # ten probes, no sleep after the last
    assert "started" not in [what for _, what in rec.log]


def test_liveness_failures_ask_for_a_restart_after_the_threshold() -> None:
    time = FakeTime()
    rec = Recorder(time)
    state = {"up": True}

    async def check(p: ScaledProbe) -> bool:
        if time.now >= 1.0:
            state["up"] = False
        return state["up"]

    set_ = probes(probe("Liveness", period=10, failure_threshold=3))
    verdict = run(watch(set_, check, rec, time.sleep, time.clock))
    assert isinstance(verdict, RestartNeeded) and verdict.reason == "LivenessProbeFailed"
    assert [w for _, w in rec.log if "Liveness" in w] == [
        "Liveness failed 1",
        "Liveness failed 2",
        "Liveness failed 3",
    ]


def test_readiness_failures_flip_ready_without_restarting() -> None:
    time = FakeTime(limit=4.0)
    rec = Recorder(time)

    async def check(p: ScaledProbe) -> bool:
        return not (1.0 <= time.now < 2.0)

    set_ = probes(probe("Readiness", period=10, failure_threshold=2))
    with pytest.raises(TimeoutError):
        run(watch(set_, check, rec, time.sleep, time.clock))
    flips = [w for _, w in rec.log if w.startswith("ready")]
    assert flips == ["ready=True", "ready=False", "ready=True"]


def test_passing_probes_slow_down_to_the_steady_period() -> None:
    settings = RuntimeSettings(probe_scale=0.01, probe_min_period=0.2, probe_steady_period=2.0)
    time = FakeTime(limit=7.0)
    rec = Recorder(time)
    checks: list[float] = []

    async def check(p: ScaledProbe) -> bool:
        checks.append(round(time.now, 3))
        return time.now < 5.0

    readiness = probe("Readiness", period=10, failure_threshold=3)
    set_ = ProbeSet.for_container(ContainerSpec("c", "i", (), (), (), (readiness,), ()), settings)
    with pytest.raises(TimeoutError):
        run(watch(set_, check, rec, time.sleep, time.clock))
    assert checks == [0.0, 2.0, 4.0, 6.0, 6.2, 6.4, 6.6, 6.8]  # fast again once failing
    assert rec.log[-1] == (6.4, "ready=False")


def test_without_probes_readiness_is_an_implicit_tcp_check() -> None:
    set_ = probes()
    assert set_.startup is None and set_.liveness is None
    assert set_.readiness.spec.path is None
    assert set_.readiness.period == SETTINGS.probe_min_period
