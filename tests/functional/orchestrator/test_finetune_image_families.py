"""The run-time cases of `orchestrator finetune` on the Phi Silica and Aion workspaces, whose
job runs its image's entrypoint with the config's `ARGS` (the 2024 family's are in
test_finetune_commands.py): a failing run gives a non-zero `run --wait` with its last lines,
stop ends a running execution, and a queued execution is waited for."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import Ran, run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
CONFIG = "infra/provision/finetuning.config.json"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"


@dataclass(frozen=True)
class ImageWorkspace:
    root: Path
    lc: LocalCloudHandle

    def cli(self, *args: str, **env: str) -> Ran:
        return run_cli(self.root, self.lc, *args, **env)

    def config(self) -> dict[str, Any]:
        return json.loads((self.root / CONFIG).read_text())  # type: ignore[no-any-return]

    def set_args(self, args: list[str]) -> None:
        (self.root / CONFIG).write_text(json.dumps(self.config() | {"ARGS": args}, indent=2))

    def step_pause(self, seconds: str) -> None:
        """The stand-in trainer's pause between steps, through a job secret."""
        ran = self.cli(
            "finetune", "secret", "set", "STANDIN_STEP_PAUSE", "--from-env", "PAUSE", PAUSE=seconds
        )
        assert ran.code == 0, ran.output


@pytest.fixture(scope="module", params=["phisilica", "aion"])
def image_ws(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    localcloud: LocalCloudHandle,
) -> ImageWorkspace:
    family = str(request.param)
    root = shutil.copytree(FIXTURES / family, tmp_path_factory.mktemp(family) / family)
    ran = run_cli(
        root, localcloud, "finetune", "provision", "-g", unique_name("ftimg"), "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL, "--reset-commands",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    return ImageWorkspace(root, localcloud)


def test_a_failing_run_gives_a_non_zero_run_wait_with_its_last_lines(
    image_ws: ImageWorkspace,
) -> None:
    args = image_ws.config()["ARGS"]
    image_ws.set_args(["mount/<run_id>/missing.yaml"])
    try:
        ran = image_ws.cli("finetune", "run", "--wait", "--json")
    finally:
        image_ws.set_args(args)
    assert ran.code == 1, ran.output
    doc = ran.json()
    assert doc["status"] == "Failed"
    assert any("missing.yaml" in line and "error:" in line for line in doc["last_lines"]), doc


def test_stop_ends_the_running_execution(image_ws: ImageWorkspace) -> None:
    image_ws.step_pause("60")
    try:
        ran = image_ws.cli("finetune", "run", "--json")
        assert ran.code == 0, ran.output
        stopped = image_ws.cli("finetune", "stop", "--json")
    finally:
        image_ws.step_pause("0.02")
    assert stopped.code == 0, stopped.output
    assert stopped.json()["execution"] == ran.json()["execution"]
    assert stopped.json()["status"] == "Stopped" and stopped.json()["stopped"] is True
    status = image_ws.cli("finetune", "status", "--json").json()
    assert status["executions"][0]["name"] == ran.json()["execution"]
    assert status["executions"][0]["status"] == "Stopped"


def test_a_queued_execution_is_waited_for(image_ws: ImageWorkspace, lc: LocalCloudHandle) -> None:
    assert lc.admin("POST", "executions", json={"queue_seconds": 2}).status_code == 200
    ran = image_ws.cli("finetune", "run", "--wait")  # a run syncs its own <run_id>/ inputs
    assert ran.code == 0, ran.output
    assert "is Processing: waiting for a replica" in ran.stderr
    assert "saved " in ran.stdout and "adapter_model.json" in ran.stdout
