"""deploy's sync progress (`Transfer` events): a bar on a terminal, a few summary lines when
piped, every event with --json; closing the display stops the live part before a question."""

from __future__ import annotations

import io
import json
import re

from orchestrator.display import JsonDisplay, PlainDisplay
from orchestrator.events import Notice, ResourceChanged, Transfer
from orchestrator.richdisplay import RichDisplay

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
MIB = 1024 * 1024


def transfers(files: int) -> list[Transfer]:
    steps = [Transfer(0, files, 0, files * MIB)]
    return steps + [Transfer(i, files, i * MIB, files * MIB, f"f{i}") for i in range(1, files + 1)]


def test_plain_display_says_the_start_and_the_end_of_the_sync_only() -> None:
    out = io.StringIO()
    display = PlainDisplay(out)
    for event in transfers(50):
        display.show(event)
    assert out.getvalue().splitlines() == [
        "  sync: uploading 0/50 files (0.0 MiB of 50.0 MiB)",
        "  sync: uploaded 50/50 files (50.0 MiB of 50.0 MiB)",
    ]


def test_json_display_carries_every_transfer_event() -> None:
    out = io.StringIO()
    display = JsonDisplay(out, clock=lambda: 1.0)
    for event in transfers(3):
        display.show(event)
    records = [json.loads(line) for line in out.getvalue().splitlines()]
    assert [r["event"] for r in records] == ["transfer"] * 4
    assert records[-1] | {"time": 0} == {
        "time": 0,
        "event": "transfer",
        "files_done": 3,
        "files_total": 3,
        "bytes_done": 3 * MIB,
        "bytes_total": 3 * MIB,
        "path": "f3",
    }


def test_the_terminal_shows_a_bar_not_a_line_per_file() -> None:
    out = io.StringIO()
    display = RichDisplay(out, force_terminal=True, width=100, auto_refresh=False)
    for event in transfers(20):
        display.show(event)
    display.close()
    text = ANSI.sub("", out.getvalue())
    assert "20/20 files" in text
    assert "f7" not in text  # no per-file line
    assert "━" in text  # the bar


def test_closing_stops_the_live_table_and_later_events_show_again() -> None:
    out = io.StringIO()
    display = RichDisplay(out, force_terminal=True, width=100, auto_refresh=False)
    display.show(ResourceChanged("op", "Microsoft.App/containerApps", "app", "Running"))
    display.close()  # what the pipeline does before it asks a question
    stopped = out.getvalue()
    assert stopped.endswith("\x1b[?25h")  # the live display gave the cursor back
    display.show(Notice("after the question"))
    assert "after the question" in out.getvalue()[len(stopped) :]
