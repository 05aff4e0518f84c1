"""How LogBook entries become Log Analytics rows (pure parts of sink.py, a dict as store)."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from localcloud.loganalytics.sink import decode, encode, source_of, to_row
from localcloud.runtime.logs import LogLine, SystemEvent

SUB = "/subscriptions/s/resourceGroups/g/providers/Microsoft.App"
WHEN = datetime(2026, 12, 2, 12, 0, 0, 123456, tzinfo=timezone.utc)


class DictStore:
    def __init__(self, docs: dict[str, dict[str, Any]]) -> None:
        self.docs = {k.lower(): v for k, v in docs.items()}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        found = self.docs.get(key.lower())
        return copy.deepcopy(found) if found else None

    def put(self, kind: str, key: str, doc: Mapping[str, Any]) -> None:
        self.docs[key.lower()] = dict(doc)

    def delete(self, kind: str, key: str) -> bool:
        return self.docs.pop(key.lower(), None) is not None

    def list(self, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        return [d for k, d in self.docs.items() if k.startswith(prefix.lower())]


def store(destination: str | None = "log-analytics") -> DictStore:
    logs: dict[str, Any] = {"logAnalyticsConfiguration": {"customerId": "WS-1"}}
    if destination:
        logs["destination"] = destination
    env = {"id": f"{SUB}/managedEnvironments/env", "name": "env"}
    env["properties"] = {"appLogsConfiguration": logs}  # type: ignore[assignment]
    job = {
        "id": f"{SUB}/jobs/train",
        "name": "train",
        "type": "Microsoft.App/jobs",
        "properties": {
            "environmentId": f"{SUB}/managedEnvironments/env",
            "template": {"containers": [{"image": "img:1"}]},
        },
    }
    return DictStore({env["id"]: env, job["id"]: job})


def test_a_job_logs_to_its_environments_workspace() -> None:
    source = source_of(store(), f"{SUB}/jobs/train".lower(), "tenant")
    assert source is not None
    assert (source.workspace, source.environment, source.app, source.job, source.image) == (
        "ws-1",
        "env",
        "train",
        True,
        "img:1",
    )


def test_nothing_is_sent_without_a_log_analytics_destination() -> None:
    assert source_of(store("azure-monitor"), f"{SUB}/jobs/train", "t") is None
    assert source_of(store(), f"{SUB}/jobs/other", "t") is None


def test_console_and_system_rows_of_a_job_execution() -> None:
    source = source_of(store(), f"{SUB}/jobs/train", "tenant")
    assert source is not None
    table, row = to_row(source, LogLine(WHEN, "train-abc1234", "train-abc1234-bcdfg", "c", "hi"))
    assert table == "ContainerAppConsoleLogs_CL"
    assert (row["ContainerJobName_s"], row["ContainerGroupName_s"], row["Log_s"]) == (
        "train",
        "train-abc1234-bcdfg",
        "hi",
    )
    event = SystemEvent(WHEN, "train", "train-abc1234", "r", "BackoffLimitExceeded", "m", True)
    table, row = to_row(source, event)
    assert table == "ContainerAppSystemLogs_CL"
    assert (row["ExecutionName_s"], row["Reason_s"], row["Type_s"]) == (
        "train-abc1234",
        "BackoffLimitExceeded",
        "Warning",
    )


def test_rows_survive_the_file_round_trip() -> None:
    source = source_of(store(), f"{SUB}/jobs/train", "tenant")
    assert source is not None
    table, row = to_row(source, LogLine(WHEN, "e", "r", "c", "text"))
    assert decode(encode(table, row)) == (table, row)
    assert decode("not json") is None
