"""Crash safety: SIGKILL the CLI at random moments of a provision. The config is always valid
JSON (the old or the new one), and a re-run or `attach` converges. Also: two workspaces
provisioned in parallel against one localcloud both succeed."""

from __future__ import annotations

import json
import os
import random
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import (
    CONFIG_KEYS,
    config,
    make_workspace,
    reset,
    run_cli,
    set_settings,
    start_cli,
)

pytestmark = [pytest.mark.functional, pytest.mark.slow]

TRIALS = 20


@pytest.fixture
def quick_lc(localcloud: LocalCloudHandle) -> Iterator[LocalCloudHandle]:
    set_settings(localcloud, {"provisioning_seconds": {"*": 0.1}})
    try:
        yield localcloud
    finally:
        reset(localcloud)


def assert_config_valid(workspace: Path, group: str) -> None:
    doc = json.loads((workspace / "infra" / "inference.config.json").read_text())
    assert list(doc) == ["NOTE", *CONFIG_KEYS]
    assert doc["RESOURCE_GROUP_NAME"] in (None, group)  # old (never provisioned) or new
    inflight = workspace / ".orchestrator" / "inflight.json"
    if inflight.exists():
        json.loads(inflight.read_text())


def test_sigkill_at_random_moments_never_corrupts_and_a_rerun_converges(
    tmp_path: Path, quick_lc: LocalCloudHandle, fresh_group: str
) -> None:
    seed = int(os.environ.get("CRASH_SEED", time.time()))
    rng = random.Random(seed)
    workspace = make_workspace(tmp_path / "ws")
    for trial in range(TRIALS):
        count = 1 + trial % 3  # change a parameter so most trials really deploy
        args = ("provision", "-g", fresh_group, "-p", f"maximumInstanceCount={count}")
        proc = start_cli(workspace, quick_lc, *args)
        time.sleep(rng.uniform(0.0, 2.5))
        proc.send_signal(signal.SIGKILL)
        proc.communicate(timeout=30)
        assert_config_valid(workspace, fresh_group)
        if trial % 2 and (workspace / ".orchestrator" / "inflight.json").exists():
            converged = run_cli(workspace, quick_lc, "attach")
            if converged.code != 0:  # killed before the watch began: the record is stale
                converged = run_cli(workspace, quick_lc, *args)
        else:
            converged = run_cli(workspace, quick_lc, *args)
        assert converged.code == 0, f"seed {seed}, trial {trial}: {converged.output}"
        done = config(workspace)
        assert done["RESOURCE_GROUP_NAME"] == fresh_group, f"seed {seed}, trial {trial}"
        assert all(done[key] for key in CONFIG_KEYS)


def test_two_workspaces_in_parallel_against_one_localcloud_both_succeed(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    groups = [unique_name("par"), unique_name("par")]
    workspaces = [make_workspace(tmp_path / f"ws{i}") for i in range(2)]
    procs = [
        start_cli(ws, localcloud, "provision", "-g", g, "--create-resource-group", "-l", "eastus")
        for ws, g in zip(workspaces, groups, strict=True)
    ]
    for proc in procs:
        _out, err = proc.communicate(timeout=120)
        assert proc.returncode == 0, err
    for ws, group in zip(workspaces, groups, strict=True):
        assert config(ws)["RESOURCE_GROUP_NAME"] == group
    assert config(workspaces[0])["ACA_APP_NAME"] != config(workspaces[1])["ACA_APP_NAME"]
