from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from localcloud.loganalytics.api import answer, ingested, parse_timespan, query_error
from localcloud.loganalytics.evaluate import Result, render_datetime
from localcloud.loganalytics.kqltokens import KqlError

NOW = datetime(2026, 12, 2, 12, 0, 0, tzinfo=timezone.utc)


def test_answer_has_the_primary_result_shape_with_seven_digit_times() -> None:
    moment = datetime(2024, 5, 7, 6, 53, 56, 635556, tzinfo=timezone.utc)
    result = Result((("time_t", "datetime"), ("Log_s", "string")), ((moment, "hi"),))
    assert answer(result) == {
        "tables": [
            {
                "name": "PrimaryResult",
                "columns": [
                    {"name": "time_t", "type": "datetime"},
                    {"name": "Log_s", "type": "string"},
                ],
                "rows": [["2024-05-07T06:53:56.6355560Z", "hi"]],
            }
        ]
    }
    assert render_datetime(moment) == "2024-05-07T06:53:56.6355560Z"


def test_syntax_error_shape() -> None:
    body = query_error(KqlError("syntax", "Query could not be parsed at 'x' on line [1,5]", 5, "x"))
    error = body["error"]
    assert (error["code"], error["message"]) == (
        "BadArgumentError",
        "The request had some invalid properties",
    )
    assert error["innererror"]["code"] == "SyntaxError"
    assert error["innererror"]["innererror"] == {
        "code": "SYN0002",
        "message": "Query could not be parsed at 'x' on line [1,5]",
        "line": 1,
        "pos": 5,
        "token": "x",
    }


def test_semantic_error_shape() -> None:
    inner = query_error(KqlError("semantic", "Failed"))["error"]["innererror"]
    assert inner["code"] == "SemanticError" and inner["innererror"]["code"] == "SEM0100"


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("PT1H", NOW - timedelta(hours=1), NOW),
        ("P1D", NOW - timedelta(days=1), NOW),
        (
            "2026-12-01T00:00:00Z/2026-12-01T06:00:00Z",
            NOW.replace(day=1, hour=0),
            NOW.replace(day=1, hour=6),
        ),
        (
            "2026-12-01T00:00:00Z/PT30M",
            NOW.replace(day=1, hour=0),
            NOW.replace(day=1, hour=0, minute=30),
        ),
    ],
)
def test_timespans(text: str, start: datetime, end: datetime) -> None:
    assert parse_timespan(text, NOW) == (start, end)


def test_a_bad_timespan_is_refused() -> None:
    with pytest.raises(ValueError):
        parse_timespan("yesterday", NOW)


def test_ingestion_delay_hides_rows_not_yet_ingested() -> None:
    fresh = {"TimeGenerated": NOW}
    old = {"TimeGenerated": NOW - timedelta(minutes=5)}
    tables = {"ContainerAppConsoleLogs_CL": [old, fresh], "ContainerAppSystemLogs_CL": [fresh]}
    seen = ingested(tables, NOW - timedelta(minutes=1))
    assert seen == {"ContainerAppConsoleLogs_CL": [old]}
