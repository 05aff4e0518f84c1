"""Console lines, de-duplication across reconnects, the Log Analytics queries."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from orchestrator.finetune import logs

LINE = "2024-05-07T06:53:56.635556647Z step 10 loss 2.31"


def test_a_stream_line_is_split_into_time_and_text() -> None:
    line = logs.parse_line(LINE + "\n")
    assert (line.timestamp, line.text) == ("2024-05-07T06:53:56.635556647Z", "step 10 loss 2.31")
    assert line.at == dt.datetime(2024, 5, 7, 6, 53, 56, 635556, tzinfo=dt.timezone.utc)
    assert str(line) == LINE


def test_a_line_without_a_time_is_kept_whole() -> None:
    line = logs.parse_line("Traceback (most recent call last):")
    assert line.timestamp == "" and line.text == "Traceback (most recent call last):"
    assert line.at is None


def test_an_empty_text_after_the_time_is_an_empty_line() -> None:
    assert logs.parse_line("2024-05-07T06:53:56Z").text == ""
    assert logs.parse_line("2024-05-07T06:53:56Z ").text == ""


def test_a_replayed_tail_is_shown_once() -> None:
    first = [logs.parse_line(f"2024-05-07T06:53:5{i}.1Z line {i}") for i in range(5)]
    again = [*first[2:], logs.parse_line("2024-05-07T06:54:00.1Z line 5")]
    dedup = logs.Deduplicator()
    assert dedup.fresh(first) == first
    assert [line.text for line in dedup.fresh(again)] == ["line 5"]


def test_same_time_different_text_are_both_kept() -> None:
    dedup = logs.Deduplicator()
    a, b = logs.parse_line("2024-05-07T06:53:56Z a"), logs.parse_line("2024-05-07T06:53:56Z b")
    assert dedup.admit(a) and dedup.admit(b) and not dedup.admit(a)


def test_lines_without_time_are_never_dropped() -> None:
    dedup = logs.Deduplicator()
    plain = logs.parse_line("no time")
    assert dedup.admit(plain) and dedup.admit(plain)


def test_memory_is_bounded() -> None:
    dedup = logs.Deduplicator(memory=2)
    lines = [logs.parse_line(f"2024-05-07T06:53:5{i}Z x") for i in range(3)]
    assert dedup.fresh(lines) == lines
    assert dedup.admit(lines[0])  # forgotten: the oldest of three with room for two


@given(st.lists(st.tuples(st.integers(0, 59), st.sampled_from("abc")), max_size=40), st.data())
def test_any_reconnect_pattern_shows_each_line_exactly_once(
    items: list[tuple[int, str]], data: st.DataObject
) -> None:
    unique = list(dict.fromkeys(items))
    lines = [logs.parse_line(f"2024-05-07T06:53:{s:02d}Z {t}") for s, t in unique]
    dedup = logs.Deduplicator()
    shown: list[logs.LogLine] = []
    start = 0
    while start < len(lines):
        end = data.draw(st.integers(start + 1, len(lines)))
        replay = data.draw(st.integers(0, start))
        shown += dedup.fresh(lines[start - replay : end])
        start = end
    assert shown == lines


def test_the_console_query_is_the_portals() -> None:
    assert logs.console_query("aijob06acf-w0fevcg") == (
        "ContainerAppConsoleLogs_CL | where ContainerGroupName_s startswith 'aijob06acf-w0fevcg' "
        "| order by time_t desc | project time_t, Log_s"
    )


def test_query_strings_are_escaped() -> None:
    assert logs.kql_string("a'b\\c") == "'a\\'b\\\\c'"
    assert "where ExecutionName_s == 'x\\'y'" in logs.system_query("x'y")


def test_query_rows_become_lines_oldest_first() -> None:
    answer = {
        "tables": [
            {
                "name": "PrimaryResult",
                "columns": [{"name": "time_t", "type": "datetime"}, {"name": "Log_s"}],
                "rows": [
                    ["2024-05-07T06:53:58.2Z", "second"],
                    ["2024-05-07T06:53:57.1Z", "first"],
                    ["not-a-time", None],
                ],
            }
        ]
    }
    lines = logs.rows_to_lines(answer)
    assert [line.text for line in lines] == ["", "first", "second"]


def test_system_rows_read_reason_then_message() -> None:
    answer = {
        "tables": [
            {
                "columns": [{"name": "time_t"}, {"name": "Reason_s"}, {"name": "Log_s"}],
                "rows": [["2024-05-07T06:53:57Z", "BackoffLimitExceeded", "Job has failed"]],
            }
        ]
    }
    assert logs.rows_to_lines(answer)[0].text == "BackoffLimitExceeded Job has failed"
    assert logs.rows_to_lines({}) == []
