"""Ctrl-C while watching (leave running / cancel), attach after it, and a second provision
of the same target while one is active (it waits, then decides on the result)."""

from __future__ import annotations

import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import (
    config,
    config_text,
    make_workspace,
    reset,
    run_cli,
    set_settings,
    start_cli,
    wait_for_deployment,
    wait_until_done,
)

pytestmark = [pytest.mark.functional, pytest.mark.slow]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


@pytest.fixture
def slow_lc(localcloud: LocalCloudHandle) -> Iterator[LocalCloudHandle]:
    set_settings(localcloud, {"provisioning_seconds": {"*": 1.5}})
    try:
        yield localcloud
    finally:
        reset(localcloud)


def interrupt_when_watching(proc: subprocess.Popen[str], lc: LocalCloudHandle, group: str) -> str:
    name = str(wait_for_deployment(lc, group)["name"])
    time.sleep(1.0)  # inside the watch loop by now
    proc.send_signal(signal.SIGINT)
    return name


def test_ctrl_c_leaves_the_deployment_running_and_attach_finishes_it(
    workspace: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    before = config_text(workspace)
    proc = start_cli(workspace, slow_lc, "provision", "-g", fresh_group, "--on-interrupt", "leave")
    name = interrupt_when_watching(proc, slow_lc, fresh_group)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"deployment {name} left running" in err
    assert "orchestrator attach" in err
    assert config_text(workspace) == before
    attached = run_cli(workspace, slow_lc, "attach")
    assert attached.code == 0, attached.output
    assert config(workspace)["RESOURCE_GROUP_NAME"] == fresh_group


def test_ctrl_c_with_on_interrupt_cancel_cancels_the_deployment(
    workspace: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    proc = start_cli(workspace, slow_lc, "provision", "-g", fresh_group, "--on-interrupt", "cancel")
    name = interrupt_when_watching(proc, slow_lc, fresh_group)
    _out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, err
    assert f"canceled deployment {name}" in err
    assert wait_until_done(slow_lc, fresh_group, name) == "Canceled"
    assert not (workspace / ".orchestrator" / "inflight.json").exists()


def test_a_second_provision_waits_for_the_active_one_then_skips(
    workspace: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    first = start_cli(workspace, slow_lc, "provision", "-g", fresh_group)
    name = str(wait_for_deployment(slow_lc, fresh_group)["name"])
    second = run_cli(workspace, slow_lc, "provision", "-g", fresh_group, "--json")
    first.communicate(timeout=60)
    assert first.returncode == 0
    assert second.code == 0, second.output
    assert f"deployment {name} is already running" in second.stderr
    assert second.json()["action"] == "skipped"


def test_no_wait_refuses_while_another_deployment_is_active(
    workspace: Path, slow_lc: LocalCloudHandle, fresh_group: str
) -> None:
    first = start_cli(workspace, slow_lc, "provision", "-g", fresh_group)
    name = str(wait_for_deployment(slow_lc, fresh_group)["name"])
    second = run_cli(workspace, slow_lc, "provision", "-g", fresh_group, "--no-wait")
    first.communicate(timeout=60)
    assert second.code == 1
    assert f"deployment {name} of this template is still running" in second.stderr
