"""Container probes, Kubernetes semantics, against the replica's host port.

- Startup runs first; liveness and readiness wait until it has passed. Its failureThreshold
  exhausted -> the container is restarted.
- Liveness failureThreshold consecutive failures -> the container is restarted.
- Readiness successThreshold consecutive successes -> ready; failureThreshold failures -> not
  ready. It never restarts anything.
- Without a readiness probe, ready means "the port accepts TCP connections" (Azure adds
  default TCP probes to apps with ingress).
- While liveness / readiness keep passing they probe every `steady_period` (at most the
  template's period, 2 s by default) instead of the scaled period, so logs stay readable.

`observe` is the pure counting rule; `watch` drives the probes with an injected check, sleep
and clock so tests never wait.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from enum import Enum
from typing import Protocol

import aiohttp

from localcloud.runtime.settings import RuntimeSettings, ScaledProbe
from localcloud.runtime.spec import ContainerSpec, ProbeSpec

Checker = Callable[[ScaledProbe], Awaitable[bool]]
Sleep = Callable[[float], Awaitable[None]]
Clock = Callable[[], float]


class Outcome(Enum):
    PENDING = "pending"
    PASSED = "passed"
    FAILED = "failed"


@dataclass(frozen=True)
class ProbeCount:
    successes: int = 0
    failures: int = 0


def observe(count: ProbeCount, probe: ProbeSpec, ok: bool) -> tuple[ProbeCount, Outcome]:
    """Count one probe result; PASSED/FAILED once the matching threshold is reached."""
    if ok:
        after = ProbeCount(successes=count.successes + 1, failures=0)
        passed = after.successes >= max(1, probe.success_threshold)
        return after, Outcome.PASSED if passed else Outcome.PENDING
    after = ProbeCount(successes=0, failures=count.failures + 1)
    failed = after.failures >= max(1, probe.failure_threshold)
    return after, Outcome.FAILED if failed else Outcome.PENDING


@dataclass(frozen=True)
class ProbeSet:
    startup: ScaledProbe | None
    liveness: ScaledProbe | None
    readiness: ScaledProbe

    @staticmethod
    def for_container(container: ContainerSpec, settings: RuntimeSettings) -> ProbeSet:
        def scaled(kind: str) -> ScaledProbe | None:
            spec = next((p for p in container.probes if p.kind == kind), None)
            return settings.scale(spec) if spec is not None else None

        readiness = scaled("Readiness") or settings.scale(
            ProbeSpec(kind="Readiness", path=None, period=0.0, failure_threshold=1)
        )
        return ProbeSet(scaled("Startup"), scaled("Liveness"), readiness)


@dataclass(frozen=True)
class RestartNeeded:
    reason: str  # StartupProbeFailed | LivenessProbeFailed
    message: str


class ProbeListener(Protocol):
    def started(self) -> None: ...
    def ready_changed(self, ready: bool) -> None: ...
    def probe_failed(self, probe: ScaledProbe, failures: int) -> None: ...


async def watch(
    probes: ProbeSet, check: Checker, listener: ProbeListener, sleep: Sleep, clock: Clock
) -> RestartNeeded:
    """Run the probes of one container start until a restart is needed (never returns
    otherwise: cancel it when the process exits or the replica stops)."""
    began = clock()
    if probes.startup is not None:
        failure = await _until_passed(probes.startup, check, listener, sleep)
        if failure is not None:
            return failure
    listener.started()
    readiness = asyncio.ensure_future(
        _readiness(probes.readiness, began, check, listener, sleep, clock)
    )
    try:
        if probes.liveness is None:
            await readiness
            raise AssertionError("the readiness loop never ends")
        return await _liveness(probes.liveness, began, check, listener, sleep, clock)
    finally:
        readiness.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await readiness


async def _until_passed(
    probe: ScaledProbe, check: Checker, listener: ProbeListener, sleep: Sleep
) -> RestartNeeded | None:
    await sleep(probe.initial_delay)
    count = ProbeCount()
    while True:
        ok = await check(probe)
        count, outcome = observe(count, probe.spec, ok)
        if not ok:
            listener.probe_failed(probe, count.failures)
        if outcome is Outcome.PASSED:
            return None
        if outcome is Outcome.FAILED:
            return RestartNeeded(
                "StartupProbeFailed",
                f"Startup probe failed {count.failures} times; the container will be restarted",
            )
        await sleep(probe.period)


async def _liveness(
    probe: ScaledProbe,
    began: float,
    check: Checker,
    listener: ProbeListener,
    sleep: Sleep,
    clock: Clock,
) -> RestartNeeded:
    await sleep(max(0.0, probe.initial_delay - (clock() - began)))
    count = ProbeCount()
    while True:
        ok = await check(probe)
        count, outcome = observe(count, probe.spec, ok)
        if not ok:
            listener.probe_failed(probe, count.failures)
        if outcome is Outcome.FAILED:
            return RestartNeeded(
                "LivenessProbeFailed",
                f"Liveness probe failed {count.failures} times; the container will be restarted",
            )
        await sleep(probe.steady_period if ok else probe.period)


async def _readiness(
    probe: ScaledProbe,
    began: float,
    check: Checker,
    listener: ProbeListener,
    sleep: Sleep,
    clock: Clock,
) -> None:
    await sleep(max(0.0, probe.initial_delay - (clock() - began)))
    count = ProbeCount()
    ready = False
    while True:
        ok = await check(probe)
        count, outcome = observe(count, probe.spec, ok)
        if not ok and ready:
            listener.probe_failed(probe, count.failures)
        if outcome is not Outcome.PENDING and (outcome is Outcome.PASSED) != ready:
            ready = outcome is Outcome.PASSED
            listener.ready_changed(ready)
        await sleep(probe.steady_period if ready and ok else probe.period)


def port_checker(session: aiohttp.ClientSession, port: int) -> Checker:
    """Probe the replica at 127.0.0.1:<port>: HTTP GET (2xx/3xx passes) or TCP connect."""

    async def check(probe: ScaledProbe) -> bool:
        try:
            if probe.spec.path is None:
                return await asyncio.wait_for(_tcp(port), probe.timeout)
            url = f"http://127.0.0.1:{port}{probe.spec.path}"
            timeout = aiohttp.ClientTimeout(total=probe.timeout)
            headers = dict(probe.spec.headers)
            async with session.get(
                url, timeout=timeout, headers=headers, allow_redirects=False
            ) as resp:
                return 200 <= resp.status < 400
        except (OSError, asyncio.TimeoutError, aiohttp.ClientError):
            return False

    return check


async def _tcp(port: int) -> bool:
    _reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
