from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest

from localcloud.loganalytics.evaluate import Result, run
from localcloud.loganalytics.kql import parse
from localcloud.loganalytics.kqltokens import KqlError
from localcloud.loganalytics.tables import Source, console_row, system_row

NOW = datetime(2026, 12, 2, 12, 0, 0, tzinfo=timezone.utc)
JOB = Source("ws", "tenant", "/subscriptions/s/jobs/train", "env", "train", True, "img")
APP = Source("ws", "tenant", "/subscriptions/s/containerApps/web", "env", "web", False, "img")


def rows() -> dict[str, list[dict[str, Any]]]:
    console = [
        console_row(
            JOB, NOW - timedelta(minutes=3), "train-aaa1111", "train-aaa1111-bcdfg", "c", "epoch 1"
        ),
        console_row(
            JOB, NOW - timedelta(minutes=2), "train-aaa1111", "train-aaa1111-bcdfg", "c", "epoch 2"
        ),
        console_row(
            JOB, NOW - timedelta(hours=2), "train-zzz9999", "train-zzz9999-hjklm", "c", "old run"
        ),
        console_row(
            APP, NOW - timedelta(minutes=1), "web--r1", "web--r1-abc-def12", "c", "GET / 200"
        ),
    ]
    system = [
        system_row(JOB, NOW, "train-aaa1111", "", "BackoffLimitExceeded", "backoff", True),
        system_row(JOB, NOW, "train-aaa1111", "r", "ContainerStarted", "started", False),
    ]
    return {"ContainerAppConsoleLogs_CL": console, "ContainerAppSystemLogs_CL": system}


def query(text: str) -> Result:
    return run(parse(text), rows(), NOW)


def test_the_portal_console_query_for_an_execution() -> None:
    result = query(
        "ContainerAppConsoleLogs_CL | where ContainerGroupName_s startswith 'train-aaa1111' "
        "| order by time_t desc | project time_t, Log_s"
    )
    assert result.columns == (("time_t", "datetime"), ("Log_s", "string"))
    assert [r[1] for r in result.rows] == ["epoch 2", "epoch 1"]


def test_job_name_equality_and_time_window() -> None:
    result = query(
        "ContainerAppConsoleLogs_CL | where ContainerJobName_s == 'train' "
        "and TimeGenerated > ago(1h) | project Log_s"
    )
    assert sorted(r[0] for r in result.rows) == ["epoch 1", "epoch 2"]


def test_system_logs_by_reason_with_take_and_limit() -> None:
    text = "ContainerAppSystemLogs_CL | where Reason_s in~ ('backofflimitexceeded') | project Log_s"
    assert query(text).rows == (("backoff",),)
    assert len(query("ContainerAppSystemLogs_CL | take 1").rows) == 1
    assert len(query("ContainerAppSystemLogs_CL | limit 5").rows) == 2


def test_string_operators_and_rename() -> None:
    result = query(
        "ContainerAppConsoleLogs_CL | where Log_s has 'epoch' and not(Log_s contains '2') "
        "| project Message = Log_s"
    )
    assert result.columns == (("Message", "string"),)
    assert result.rows == (("epoch 1",),)


def test_equality_is_case_sensitive_and_tilde_is_not() -> None:
    assert query("ContainerAppConsoleLogs_CL | where ContainerAppName_s == 'WEB'").rows == ()
    assert len(query("ContainerAppConsoleLogs_CL | where ContainerAppName_s =~ 'WEB'").rows) == 1


def test_top_and_count() -> None:
    top = query("ContainerAppConsoleLogs_CL | top 1 by TimeGenerated asc | project Log_s")
    assert top.rows == (("old run",),)
    count = query("ContainerAppConsoleLogs_CL | where ContainerJobName_s == 'train' | count")
    assert count.columns == (("Count", "long"),) and count.rows == ((3,),)


def test_datetime_literal_comparison() -> None:
    text = "ContainerAppConsoleLogs_CL | where time_t >= datetime(2026-12-02T11:58:30Z)"
    assert [r for r in query(text).rows] and len(query(text).rows) == 1


def syntax_error(text: str) -> KqlError:
    with pytest.raises(KqlError) as err:
        query(text)
    return err.value


def test_syntax_errors_point_at_the_token() -> None:
    err = syntax_error("ContainerAppConsoleLogs_CL | where Log_s ==")
    assert err.kind == "syntax" and "<end of query>" in str(err)
    assert syntax_error("ContainerAppConsoleLogs_CL || take 1").kind == "syntax"


def test_unknown_tables_and_columns_are_semantic_errors() -> None:
    err = syntax_error("AppTraces | where x == 1")
    assert err.kind == "semantic"
    assert (
        str(err)
        == "'where' operator: Failed to resolve table or column expression named 'AppTraces'"
    )
    err = syntax_error("ContainerAppConsoleLogs_CL | project Nope_s")
    assert (
        str(err)
        == "'project' operator: Failed to resolve column or scalar expression named 'Nope_s'"
    )


def test_a_table_without_rows_does_not_exist_yet() -> None:
    with pytest.raises(KqlError) as err:
        run(parse("ContainerAppSystemLogs_CL"), {"ContainerAppSystemLogs_CL": []}, NOW)
    assert err.value.kind == "semantic"


def test_unsupported_operators_say_so() -> None:
    err = syntax_error("ContainerAppConsoleLogs_CL | summarize count() by RevisionName_s")
    assert err.kind == "unsupported" and "summarize" in str(err)
    err = syntax_error("ContainerAppConsoleLogs_CL | where Log_s matches regex 'x'")
    assert err.kind == "unsupported"
