from __future__ import annotations

from localcloud.runtime.jobstate import (
    Finish,
    Launch,
    Policy,
    Progress,
    Wait,
    lost_status,
    next_step,
    running_status,
)


def test_policy_reads_the_manual_trigger_and_limits() -> None:
    config = {
        "replicaTimeout": 30,
        "replicaRetryLimit": 3,
        "manualTriggerConfig": {"parallelism": 2, "replicaCompletionCount": 4},
    }
    assert Policy.from_configuration(config) == Policy(2, 4, 3, 30.0)


def test_policy_defaults_when_fields_are_missing_or_invalid() -> None:
    config = {"replicaTimeout": "x", "replicaRetryLimit": -1, "manualTriggerConfig": None}
    assert Policy.from_configuration(config) == Policy(1, 1, 0, 1800.0)


def test_first_step_launches_parallelism_replicas_bounded_by_completions() -> None:
    assert next_step(Policy(3, 2), Progress(), stopped=False, timed_out=False) == Launch(2)
    assert next_step(Policy(2, 5), Progress(), stopped=False, timed_out=False) == Launch(2)


def test_waits_while_replicas_run() -> None:
    assert next_step(Policy(1, 1), Progress(running=1), stopped=False, timed_out=False) == Wait()


def test_succeeds_once_completions_are_reached() -> None:
    step = next_step(Policy(1, 2), Progress(succeeded=2), stopped=False, timed_out=False)
    assert isinstance(step, Finish) and step.status == "Succeeded"


def test_a_failure_within_the_retry_limit_launches_a_new_replica() -> None:
    progress = Progress(running=1).exited(1)
    assert next_step(Policy(1, 1, retry_limit=1), progress, stopped=False, timed_out=False) == (
        Launch(1)
    )
    assert running_status(progress, assigned=True) == "Degraded"


def test_failures_beyond_the_retry_limit_end_with_backoff_limit_exceeded() -> None:
    step = next_step(
        Policy(1, 1, retry_limit=1), Progress(failed=2), stopped=False, timed_out=False
    )
    assert isinstance(step, Finish)
    assert (step.status, step.reason) == ("Failed", "BackoffLimitExceeded")


def test_deadline_and_stop_win_over_everything_else() -> None:
    progress = Progress(running=1, succeeded=0)
    timed = next_step(Policy(), progress, stopped=False, timed_out=True)
    stopped = next_step(Policy(), progress, stopped=True, timed_out=True)
    assert isinstance(timed, Finish) and (timed.status, timed.reason) == (
        "Failed",
        "DeadlineExceeded",
    )
    assert isinstance(stopped, Finish) and stopped.status == "Stopped"


def test_status_is_processing_until_a_replica_is_assigned() -> None:
    assert running_status(Progress(), assigned=False) == "Processing"
    assert running_status(Progress(running=1), assigned=True) == "Running"


def test_an_execution_lost_with_localcloud_is_failed_with_pod_deletion() -> None:
    assert lost_status() == ("Failed", "PodDeletion")
