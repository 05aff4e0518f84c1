"""The terminal display: a live table whose final frame shows every resource and the end state."""

from __future__ import annotations

import io
import re

from orchestrator.events import Finished, ResourceChanged, Started, StateChanged
from orchestrator.richdisplay import RichDisplay

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def final_frame(text: str) -> list[str]:
    """The lines of the last frame a terminal would show (after the last cursor-up run)."""
    plain = ANSI.sub("", text.split("\x1b[2K")[-1])
    return [line.rstrip() for line in plain.replace("\r", "").splitlines() if line.strip()]


def make() -> tuple[RichDisplay, io.StringIO, list[float]]:
    out = io.StringIO()
    now = [100.0]
    display = RichDisplay(
        out, clock=lambda: now[0], force_terminal=True, width=120, auto_refresh=False
    )
    return display, out, now


def test_final_frame_shows_each_resource_and_the_finished_state() -> None:
    display, out, now = make()
    display.show(Started("inference-1", "/subscriptions/s/deployments/inference-1", ""))
    display.show(StateChanged("inference-1", "Running"))
    display.show(ResourceChanged("op1", "Microsoft.Storage/storageAccounts", "aistore", "Running"))
    now[0] = 103.0
    display.show(
        ResourceChanged("op1", "Microsoft.Storage/storageAccounts", "aistore", "Succeeded", 2.5)
    )
    display.show(ResourceChanged("op2", "Microsoft.App/containerApps", "aiapp", "Running"))
    display.show(Finished("inference-1", "Succeeded", 9.0))
    lines = final_frame(out.getvalue())
    assert lines[-1] == "deployment inference-1 succeeded in 9.0s"
    assert "deployment: Succeeded" in lines
    rows = {line.split()[1]: line.split() for line in lines if len(line.split()) == 4}
    assert rows["aistore"][2:] == ["Succeeded", "2.5s"]
    assert rows["aiapp"][2] == "Running"


def test_a_running_resource_shows_its_time_so_far() -> None:
    display, out, now = make()
    display.show(ResourceChanged("op1", "Microsoft.App/containerApps", "aiapp", "Running"))
    now[0] = 142.0
    display.show(StateChanged("inference-1", "Running"))
    row = next(line for line in final_frame(out.getvalue()) if "aiapp" in line)
    assert row.split()[-1] == "42.0s"
    display.close()
