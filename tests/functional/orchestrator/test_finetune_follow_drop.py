"""`finetune logs --follow` when the log stream's connection really drops mid-execution:
localcloud cuts every open job log stream (`DELETE /_localcloud/logstreams`) while the
execution prints, and the CLI reconnects, prints the later lines once each, and exits with the
execution's result - on a workspace of each template family."""

from __future__ import annotations

import json
import queue
import shutil
import subprocess
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import run_cli, start_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"
CONFIG = {
    "legacy": "infra/finetuning.config.json",
    "phisilica": "infra/provision/finetuning.config.json",
    "aion": "infra/provision/finetuning.config.json",
}
TICKS = 16
STEPS = 14  # the stand-in LoRA trainer's steps: one per line of the fixtures' train.json
PAUSE = "0.5"  # seconds between lines, so the drop lands mid-execution
LINE_WAIT = 120.0


@dataclass(frozen=True)
class Workspace:
    family: str
    root: Path
    lc: LocalCloudHandle

    def set_commands(self, commands: list[str]) -> None:
        path = self.root / CONFIG[self.family]
        config = json.loads(path.read_text())
        path.write_text(json.dumps(config | {"COMMANDS": commands}, indent=2) + "\n")


def provisioned(root: Path, lc: LocalCloudHandle, family: str) -> Workspace:
    workspace = shutil.copytree(FIXTURES / family, root / family)
    ran = run_cli(
        workspace, lc, "finetune", "provision", "-g", unique_name("ftdrop"), "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL, "--reset-commands",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    return Workspace(family, workspace, lc)


def slow_run(ws: Workspace, *, fail: bool) -> tuple[str, list[str]]:
    """Start an execution that prints a line every PAUSE seconds (and, legacy, exits 3 with
    `fail`); its name and the lines it prints, in order."""
    if ws.family == "legacy":
        loop = f"for i in $(seq 1 {TICKS}); do echo tick $i/{TICKS}; sleep {PAUSE}; done"
        ws.set_commands([loop, "exit 3" if fail else "true"])
        expected = [f"tick {i}/{TICKS}" for i in range(1, TICKS + 1)]
    else:  # the stand-in reads its step pause from the environment: a job secret sets it
        assert not fail
        ran = run_cli(
            ws.root, ws.lc, "finetune", "secret", "set", "STANDIN_STEP_PAUSE", "--from-env",
            "PAUSE", PAUSE=PAUSE,
        )  # fmt: skip
        assert ran.code == 0, ran.output
        expected = [f"step {i}/{STEPS}" for i in range(1, STEPS + 1)]
    ran = run_cli(ws.root, ws.lc, "finetune", "run", "--json")
    assert ran.code == 0, ran.output
    return str(ran.json()["execution"]), expected


class Lines:
    """The NDJSON records a running CLI writes to stdout, read on a thread."""

    def __init__(self, process: subprocess.Popen[str]) -> None:
        self.process = process
        self.records: queue.Queue[dict[str, Any] | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if line.startswith("{"):
                self.records.put(json.loads(line))
        self.records.put(None)

    def next(self) -> dict[str, Any] | None:
        return self.records.get(timeout=LINE_WAIT)


def console(records: list[dict[str, Any]]) -> list[str]:
    texts = [r["text"] for r in records if r.get("event") == "log"]
    return [t.split(" eval_loss")[0] for t in texts if t.startswith(("tick ", "step "))]


def follow_through_a_drop(ws: Workspace, expected: list[str]) -> tuple[int, list[dict[str, Any]]]:
    """`finetune logs --follow --json` until the execution ends, with every open log stream
    cut once the second expected line was shown; its exit code and records."""
    process = start_cli(ws.root, ws.lc, "finetune", "logs", "--follow", "--json")
    lines = Lines(process)
    seen: list[dict[str, Any]] = []
    try:
        while len(console(seen)) < min(2, len(expected)):
            record = lines.next()
            assert record is not None, f"the CLI ended early: {seen}"
            seen.append(record)
        dropped = ws.lc.admin("DELETE", "logstreams")
        assert dropped.status_code == 200 and dropped.json()["dropped"] >= 1, dropped.text
        while (record := lines.next()) is not None:
            seen.append(record)
        return process.wait(timeout=LINE_WAIT), seen
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()


@pytest.mark.parametrize("family", ["legacy", "phisilica", "aion"])
def test_follow_reconnects_after_a_dropped_stream_and_exits_0_on_success(
    tmp_path: Path, lc: LocalCloudHandle, family: str
) -> None:
    ws = provisioned(tmp_path, lc, family)
    execution, expected = slow_run(ws, fail=False)
    code, records = follow_through_a_drop(ws, expected)
    assert console(records) == expected  # every line, once, in order
    end = records[-1]
    assert end["event"] == "end" and end["execution"] == execution
    assert end["status"] == "Succeeded" and end["reconnects"] >= 1
    assert code == 0


def test_follow_through_a_drop_exits_1_when_the_execution_fails(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    ws = provisioned(tmp_path, lc, "legacy")
    execution, expected = slow_run(ws, fail=True)
    code, records = follow_through_a_drop(ws, expected)
    assert console(records) == expected
    end = records[-1]
    assert end["execution"] == execution and end["status"] == "Failed"
    assert end["reconnects"] >= 1 and end["exit_code"] == 1
    assert code == 1
