"""ExecutionRun with hand-written replicas (no processes): the statuses it records."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

from localcloud.ids import ResourceId
from localcloud.runtime.jobreplica import JobReplicaStatus
from localcloud.runtime.jobrun import ExecutionRun, RunOptions
from localcloud.runtime.jobstate import Policy, Status
from localcloud.runtime.logs import LogBook

EXECUTION = ResourceId.parse(
    "/subscriptions/s/resourceGroups/g/providers/Microsoft.App/jobs/train/executions/train-abc1234"
)


class FakeReplica:
    def __init__(self, name: str, code: int | None) -> None:
        self.name = name
        self.code = code  # None: runs until killed
        self.killed = False
        self._done = asyncio.Event()

    async def run(self) -> int:
        if self.code is not None:
            await asyncio.sleep(0.01)
            return self.code
        await self._done.wait()
        return 137

    async def kill(self) -> None:
        self.killed = True
        self._done.set()

    def status(self) -> JobReplicaStatus:
        now = datetime.now(timezone.utc)
        return JobReplicaStatus(self.name, "train", now, "Running", "", None, None)


def run(
    policy: Policy,
    codes: list[int | None],
    options: RunOptions | None = None,
    during: Callable[[ExecutionRun], None] | None = None,
) -> tuple[list[Status], list[FakeReplica], LogBook]:
    recorded: list[Status] = []
    made: list[FakeReplica] = []
    book = LogBook(Path("/nonexistent/logs"))

    def make(name: str) -> FakeReplica:
        replica = FakeReplica(name, codes[len(made)])
        made.append(replica)
        return replica

    async def main() -> None:
        execution = ExecutionRun(
            EXECUTION,
            "key",
            policy,
            options or RunOptions(),
            make,
            lambda s, _end: recorded.append(s),
            book,
        )
        execution.start()
        if during is not None:
            await asyncio.sleep(0.05)
            during(execution)
        await execution.wait()

    asyncio.run(main())
    return recorded, made, book


def test_one_replica_that_exits_zero_succeeds() -> None:
    statuses, made, _ = run(Policy(), [0])
    assert statuses == ["Running", "Succeeded"]
    assert len(made) == 1 and made[0].name.startswith("train-abc1234-")


def test_a_failing_replica_fails_the_execution_with_no_retries() -> None:
    statuses, _, book = run(Policy(), [1])
    assert statuses[-1] == "Failed"
    assert "BackoffLimitExceeded" in [e.reason for e in book.events("key", 100)]


def test_a_retry_replaces_the_failed_replica_and_can_succeed() -> None:
    statuses, made, _ = run(Policy(retry_limit=1), [1, 0])
    assert statuses == ["Running", "Degraded", "Succeeded"]
    assert len({r.name for r in made}) == 2


def test_parallel_replicas_all_count_toward_completions() -> None:
    statuses, made, _ = run(Policy(parallelism=2, completions=3), [0, 0, 0])
    assert len(made) == 3 and statuses[-1] == "Succeeded"


def test_the_deadline_kills_the_replica_and_fails() -> None:
    statuses, made, book = run(Policy(timeout_s=0.1), [None])
    assert statuses[-1] == "Failed" and made[0].killed
    assert "DeadlineExceeded" in [e.reason for e in book.events("key", 100)]


def test_a_stop_kills_the_replica_and_stops() -> None:
    statuses, made, _ = run(Policy(), [None], during=lambda e: e.request_stop())
    assert statuses[-1] == "Stopped" and made[0].killed


def test_a_queued_execution_has_no_replica_until_the_queue_time_passes() -> None:
    seen: list[int] = []
    statuses, _, _ = run(
        Policy(), [0], RunOptions(queue_seconds=0.2), during=lambda e: seen.append(len(e.replicas))
    )
    assert seen == [0] and statuses == ["Running", "Succeeded"]


def test_a_queued_execution_stopped_in_the_queue_never_runs() -> None:
    statuses, made, _ = run(
        Policy(), [0], RunOptions(queue_seconds=5), during=lambda e: e.request_stop()
    )
    assert statuses == ["Stopped"] and made == []


def test_the_early_failure_knob_fails_without_running_anything() -> None:
    statuses, made, book = run(Policy(), [0], RunOptions(fail_early=True))
    reasons = [e.reason for e in book.events("key", 100)]
    assert statuses == ["Failed"] and made == []
    assert reasons == ["AssigningReplica", "SuccessfulCreate", "BackoffLimitExceeded"]


def test_without_quota_room_the_execution_waits_queued_then_runs() -> None:
    answers = iter([0, 0, 1])
    recorded: list[Status] = []
    book = LogBook(Path("/nonexistent/logs"))

    async def main() -> None:
        execution = ExecutionRun(
            EXECUTION,
            "key",
            Policy(),
            RunOptions(),
            lambda name: FakeReplica(name, 0),
            lambda s, _end: recorded.append(s),
            book,
            admit=lambda wanted: min(wanted, next(answers, 1)),
        )
        execution.start()
        await asyncio.sleep(0.2)
        assert execution.replicas == {} and execution.status == "Processing"
        await execution.wait()

    asyncio.run(main())
    assert recorded == ["Running", "Succeeded"]
    reasons = [e.reason for e in book.events("key", 100)]
    assert reasons.count("AssigningReplicaFailed") == 1


def test_a_replica_that_cannot_be_built_fails_the_execution_instead_of_hanging() -> None:
    recorded: list[Status] = []

    def broken(name: str) -> FakeReplica:
        raise OSError("no space left")

    async def main() -> None:
        execution = ExecutionRun(
            EXECUTION,
            "key",
            Policy(),
            RunOptions(),
            broken,
            lambda s, _end: recorded.append(s),
            LogBook(Path("/nonexistent/logs")),
        )
        execution.start()
        await execution.wait()

    asyncio.run(main())
    assert recorded == ["Failed"]
