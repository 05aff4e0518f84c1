from __future__ import annotations

from datetime import datetime, timezone

import pytest

from localcloud.ids import ResourceId
from localcloud.runtime.jobdocs import (
    FilterError,
    execution_doc,
    newest_first,
    parse_filter,
    replica_doc,
)
from localcloud.runtime.jobreplica import JobReplicaStatus

JOB = ResourceId.parse("/subscriptions/s/resourceGroups/g/providers/Microsoft.App/jobs/train")
WHEN = datetime(2026, 1, 2, 3, 4, 5, 678000, tzinfo=timezone.utc)


def doc(name: str, status: str, start: str) -> dict[str, object]:
    return {"name": name, "properties": {"status": status, "startTime": start}}


def test_execution_doc_has_the_spec_shape_with_second_precision_times() -> None:
    out = execution_doc(JOB.child("executions", "train-abc1234"), "Running", WHEN, None, {})
    assert out == {
        "id": JOB.id + "/executions/train-abc1234",
        "name": "train-abc1234",
        "type": "Microsoft.App/jobs/executions",
        "properties": {
            "status": "Running",
            "startTime": "2026-01-02T03:04:05+00:00",
            "template": {},
        },
    }


def test_replica_doc_points_at_the_job_log_stream() -> None:
    status = JobReplicaStatus("train-abc1234-bcdfg", "train", WHEN, "Running", "", 42, None)
    out = replica_doc(JOB, "train-abc1234", status, "https://127.0.0.1:9")
    container = out["properties"]["containers"][0]
    assert out["properties"]["runningState"] == "Running"
    assert container["logStreamEndpoint"] == (
        "https://127.0.0.1:9/logstream/subscriptions/s/resourceGroups/g/jobs/train/executions/"
        "train-abc1234/replicas/train-abc1234-bcdfg/containers/train/logstream"
    )


def test_filter_on_status_and_name() -> None:
    docs = [doc("a", "Running", "1"), doc("b", "Failed", "2"), doc("c", "Running", "3")]
    keep = parse_filter("status eq 'Running' and name ne 'c'")
    assert [d["name"] for d in docs if keep(d)] == ["a"]
    either = parse_filter("properties/status eq 'failed' or name eq 'c'")
    assert [d["name"] for d in docs if either(d)] == ["b", "c"]


def test_empty_filter_keeps_everything_and_bad_ones_are_refused() -> None:
    assert parse_filter(None)({})
    with pytest.raises(FilterError):
        parse_filter("color eq 'red'")


def test_newest_first_orders_by_start_time() -> None:
    docs = [doc("old", "Succeeded", "2026-01-01"), doc("new", "Running", "2026-02-01")]
    assert [d["name"] for d in newest_first(docs)] == ["new", "old"]
