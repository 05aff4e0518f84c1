"""Following an execution's console (no I/O: hand-written fakes of the jobs adapter and the
stream): waiting while queued, reconnecting after a drop without repeating replayed lines,
and reading what was written after the last drop once the execution ends."""

from __future__ import annotations

from collections.abc import Iterator

from orchestrator.azure.jobs import Execution, ExecutionReplica, Job, StreamNotReady
from orchestrator.finetune.commands.follow import Clock, Follower, Where

JOB = Job(
    name="job",
    id="/subscriptions/s/resourceGroups/g/providers/Microsoft.App/jobs/job",
    environment_id="",
    event_stream="https://stream.example/subscriptions/s/resourceGroups/g/jobs/job/eventstream",
    container="job",
    replica_timeout=600,
    storage_name="",
    document={},
)


class FakeJobs:
    """Statuses in order (the last repeats), replicas once `replica_after` reads passed."""

    def __init__(self, statuses: list[str], replica_after: int = 0) -> None:
        self.statuses = statuses
        self.reads = 0
        self.replica_after = replica_after

    def execution(self, group: str, job: str, name: str) -> Execution:
        status = self.statuses[min(self.reads, len(self.statuses) - 1)]
        self.reads += 1
        return Execution(name, "", status, "", "", {})

    def replicas(self, group: str, job: str, execution: str) -> list[ExecutionReplica]:
        if self.reads <= self.replica_after:
            return []
        return [ExecutionReplica(f"{execution}-r1", "2026-01-01T00:00:00Z", "Running", ("job",))]

    def auth_token(self, group: str, name: str) -> str:
        return "token"


class FakeStream:
    """Each connection answers the next script: a list of lines (then the stream ends) or
    None (404: no replica yet)."""

    def __init__(self, scripts: list[list[str] | None]) -> None:
        self.scripts = scripts
        self.calls: list[tuple[str, bool]] = []

    def lines(self, url: str, token: str, *, follow: bool, tail: int) -> Iterator[str]:
        self.calls.append((url, follow))
        script = self.scripts.pop(0) if self.scripts else []
        if script is None:
            raise StreamNotReady("404")
        yield from script


def line(n: int) -> str:
    return f"2026-01-01T00:00:0{n}.000000000Z step {n}"


def follower(jobs: FakeJobs, stream: FakeStream, notes: list[str]) -> Follower:
    where = Where("s", "g", JOB, "job-abc1234")
    return Follower(jobs, stream, where, notes.append, Clock(sleep=lambda _s: None))


def test_a_dropped_stream_is_reconnected_and_replayed_lines_are_not_repeated() -> None:
    jobs = FakeJobs(["Running", "Running", "Running", "Running", "Succeeded"])
    first, replay = [line(1), line(2)], [line(1), line(2), line(3)]
    stream = FakeStream([first, replay, [line(3), line(4)]])
    notes: list[str] = []
    follow = follower(jobs, stream, notes)
    texts = [x.text for x in follow.lines()]
    assert texts == ["step 1", "step 2", "step 3", "step 4"]
    assert follow.reconnects == 2  # both streams ended while it ran
    assert any("reconnecting" in n for n in notes)
    assert stream.calls[0][0].endswith(
        "/subscriptions/s/resourceGroups/g/jobs/job/executions/job-abc1234"
        "/replicas/job-abc1234-r1/containers/job/logstream"
    )
    assert stream.calls[-1][1] is False  # the last read, after the end, does not follow


def test_a_queued_execution_is_waited_for_and_said_once() -> None:
    jobs = FakeJobs(["Processing", "Processing", "Processing", "Running", "Succeeded"], 3)
    stream = FakeStream([[line(1)], []])
    notes: list[str] = []
    texts = [x.text for x in follower(jobs, stream, notes).lines()]
    assert texts == ["step 1"]
    assert notes == ["execution job-abc1234 is Processing: waiting for a replica"]


def test_a_404_before_the_replica_streams_is_not_an_error() -> None:
    jobs = FakeJobs(["Running", "Running", "Running", "Succeeded"])
    stream = FakeStream([None, [line(1)], []])
    texts = [x.text for x in follower(jobs, stream, []).lines()]
    assert texts == ["step 1"]


def test_an_execution_that_already_ended_is_read_once_without_following() -> None:
    jobs = FakeJobs(["Failed"])
    stream = FakeStream([[line(1), line(2)]])
    follow = follower(jobs, stream, [])
    assert [x.text for x in follow.lines()] == ["step 1", "step 2"]
    assert [call[1] for call in stream.calls] == [False]
    assert follow.last is not None and follow.last.status == "Failed"
