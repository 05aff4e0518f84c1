"""Ctrl-C ends `logs --follow` and `finetune logs --follow` with exit 130, as it ends every
other command (README: exit codes): with `--json` stdout stays NDJSON to the last record (an
`end` record saying `"interrupted": true`), stderr stays NDJSON, no traceback, and the
execution being watched keeps running."""

from __future__ import annotations

import json
import shutil
import signal
from pathlib import Path

import pytest
from deploy_support import LineReader, Provisioned, provision
from localcloud_fixture import LocalCloudHandle, unique_name
from provision_support import run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"
EXIT_INTERRUPTED = 130


def interrupted(reader: LineReader) -> tuple[int, dict[str, object], str]:
    """SIGINT the following CLI: its exit code, its last stdout record, and its stderr."""
    reader.process.send_signal(signal.SIGINT)
    code = reader.process.wait(60)
    end = json.loads(reader.wait_for('"end"', timeout=30))
    assert isinstance(end, dict)
    return code, end, reader.stderr()


def assert_ndjson(text: str) -> None:
    for line in text.splitlines():
        assert isinstance(json.loads(line), dict), line


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, localcloud: LocalCloudHandle) -> Provisioned:
    provisioned = provision(tmp_path_factory.mktemp("follow-int") / "ws", localcloud)
    ran = provisioned.deploy()
    assert ran.code == 0, ran.output
    return provisioned


def test_logs_follow_json_ctrl_c_exits_130_with_an_interrupted_end_record(
    deployed: Provisioned,
) -> None:
    reader = LineReader(
        deployed.workspace, deployed.lc, ["logs", "--follow", "--tail", "5", "--json"]
    )
    try:
        reader.wait_for('"log"')
        code, end, err = interrupted(reader)
    finally:
        reader.stop()
    assert code == EXIT_INTERRUPTED, err
    assert end["event"] == "end" and end["command"] == "logs"
    assert end["exit_code"] == EXIT_INTERRUPTED and end["interrupted"] is True
    assert "Traceback" not in err
    assert_ndjson(err)


def test_finetune_logs_follow_ctrl_c_exits_130_and_the_execution_runs_on(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    workspace = shutil.copytree(FIXTURES / "legacy", tmp_path / "legacy")
    ran = run_cli(
        workspace, localcloud, "finetune", "provision", "-g", unique_name("ftint"), "-l",
        "eastus", "--create-resource-group", "--parameters", LOCAL, "--reset-commands",
    )  # fmt: skip
    assert ran.code == 0, ran.output
    path = workspace / "infra" / "finetuning.config.json"
    config = json.loads(path.read_text())
    loop = "for i in $(seq 1 600); do echo tick $i; sleep 0.2; done"
    path.write_text(json.dumps(config | {"COMMANDS": [loop]}, indent=2) + "\n")
    started = run_cli(workspace, localcloud, "finetune", "run", "--json")
    assert started.code == 0, started.output
    execution = started.json()["execution"]

    reader = LineReader(workspace, localcloud, ["finetune", "logs", "--follow", "--json"])
    try:
        reader.wait_for("tick ")
        code, end, err = interrupted(reader)
    finally:
        reader.stop()
    assert code == EXIT_INTERRUPTED, err
    assert end["event"] == "end" and end["execution"] == execution
    assert end["exit_code"] == EXIT_INTERRUPTED and end["interrupted"] is True
    assert "Traceback" not in err
    assert_ndjson(err)

    status = run_cli(workspace, localcloud, "finetune", "status", "--json")
    assert status.code == 0, status.output
    latest = status.json()["executions"][0]
    assert latest["name"] == execution and latest["status"] in ("Running", "Processing")
    stopped = run_cli(workspace, localcloud, "finetune", "stop")
    assert stopped.code == 0, stopped.output
