"""`orchestrator finetune ...` end to end on localcloud, on a workspace of each template family
(tests/fixtures/workspaces): provision writes the config where the family keeps it, a secret
reaches the execution and survives it, the share is mounted, a failing command fails
`run --wait`, stop, a queued execution, a dropped log stream, the history from Log Analytics,
and bad input refused before any request."""

from __future__ import annotations

import json
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name
from provision_support import Ran, run_cli

pytestmark = [pytest.mark.functional, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[3]
FIXTURES = REPO / "tests" / "fixtures" / "workspaces"
CONFIG = {
    "legacy": "infra/finetuning.config.json",
    "phisilica": "infra/provision/finetuning.config.json",
    "aion": "infra/provision/finetuning.config.json",
}
LOCAL_PARAMETERS = "infra/provision/finetuning.localcloud.parameters.json"
SECRET = "t0ken-never-shown"


@dataclass(frozen=True)
class Provisioned:
    family: str
    workspace: Path
    lc: LocalCloudHandle
    group: str

    def cli(self, *args: str, timeout: float = 120, **env: str) -> Ran:
        return run_cli(self.workspace, self.lc, *args, timeout=timeout, **env)

    def config(self) -> dict[str, Any]:
        return json.loads((self.workspace / CONFIG[self.family]).read_text())  # type: ignore[no-any-return]

    def set_commands(self, commands: list[str]) -> None:
        path = self.workspace / CONFIG[self.family]
        path.write_text(json.dumps(self.config() | {"COMMANDS": commands}, indent=2) + "\n")

    def share_has(self, path: str) -> bool:
        """Whether the file share holds `path` (read with the Files SDK)."""
        from azure.core.exceptions import ResourceNotFoundError
        from azure.mgmt.storage import StorageManagementClient
        from azure.storage.fileshare import ShareFileClient

        config = self.config()
        account = config["STORAGE_ACCOUNT_NAME"]
        client = StorageManagementClient(
            self.lc.credential(), self.lc.subscription_id, **sdk_kwargs(self.lc)
        )
        props = client.storage_accounts.get_properties(self.group, account)
        key = client.storage_accounts.list_keys(self.group, account)["keys"][0]["value"]
        file = ShareFileClient(
            str(props["properties"]["primaryEndpoints"]["file"]).rstrip("/"),
            config["FILE_SHARE_NAME"],
            path,
            credential={"account_name": account, "account_key": key},
            connection_verify=self.lc.ca_file,
        )
        try:
            file.get_file_properties()
        except ResourceNotFoundError:
            return False
        return True

    def job(self) -> dict[str, Any]:
        from azure.mgmt.appcontainers import ContainerAppsAPIClient

        client = ContainerAppsAPIClient(
            self.lc.credential(), self.lc.subscription_id, **sdk_kwargs(self.lc)
        )
        return client.jobs.get(self.group, self.config()["ACA_JOB_NAME"]).as_dict()  # type: ignore[no-any-return]


def streamed(ran: Ran) -> list[str]:
    """The console lines `run --wait --json` reported (NDJSON `progress` records, step logs)."""
    records = [json.loads(line) for line in ran.stderr.splitlines() if line.startswith("{")]
    return [r["text"] for r in records if r.get("event") == "progress" and r["step"] == "logs"]


def provision(root: Path, lc: LocalCloudHandle, family: str, *extra: str) -> Provisioned:
    workspace = shutil.copytree(FIXTURES / family, root / family)
    group = unique_name("ft")
    ran = run_cli(
        workspace, lc, "finetune", "provision", "-g", group, "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL_PARAMETERS, "--reset-commands", *extra,
    )  # fmt: skip
    assert ran.code == 0, ran.output
    return Provisioned(family, workspace, lc, group)


@pytest.fixture(scope="module", params=["legacy", "phisilica", "aion"])
def provisioned(
    request: pytest.FixtureRequest,
    tmp_path_factory: pytest.TempPathFactory,
    localcloud: LocalCloudHandle,
) -> Provisioned:
    return provision(tmp_path_factory.mktemp("ft"), localcloud, str(request.param))


@pytest.fixture(scope="module")
def legacy(tmp_path_factory: pytest.TempPathFactory, localcloud: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path_factory.mktemp("legacy"), localcloud, "legacy")


def test_provision_writes_the_config_where_the_family_keeps_it(provisioned: Provisioned) -> None:
    config = provisioned.config()
    assert config["RESOURCE_GROUP_NAME"] == provisioned.group
    assert config["ACA_JOB_NAME"] and config["STORAGE_ACCOUNT_NAME"] and config["FILE_SHARE_NAME"]
    other = "infra/provision/finetuning.config.json"
    if provisioned.family == "legacy":
        assert not (provisioned.workspace / other).exists()
        assert "standin_olive.py" in " ".join(config["COMMANDS"])
    else:
        assert config["ARGS"] == ["mount/<run_id>/lora.yaml"]
        assert config["LOG_ANALYTICS_NAME"]


def test_a_second_provision_skips_and_keeps_the_users_commands(legacy: Provisioned) -> None:
    legacy.set_commands(["cd /mount", "echo mine"])
    ran = legacy.cli("finetune", "provision", "--parameters", LOCAL_PARAMETERS, "--json")
    assert ran.code == 0, ran.output
    assert ran.json()["action"] == "skipped"
    assert legacy.config()["COMMANDS"] == ["cd /mount", "echo mine"]
    ran = legacy.cli("finetune", "provision", "--parameters", LOCAL_PARAMETERS, "--reset-commands")
    assert ran.code == 0, ran.output
    assert "standin_olive.py" in " ".join(legacy.config()["COMMANDS"])


def test_run_wait_trains_with_the_secret_on_the_mounted_share(provisioned: Provisioned) -> None:
    # with --debug the SDK's requests are logged: the value still never shows
    args = ("finetune", "secret", "set", "HF_TOKEN", "--from-env", "MY_TOKEN", "--debug")
    ran = provisioned.cli(*args, MY_TOKEN=SECRET)
    assert ran.code == 0, ran.output
    assert "hf-token" in ran.stdout and SECRET not in ran.output
    ran = provisioned.cli("finetune", "run", "--wait", "--json")
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert doc["status"] == "Succeeded"
    assert "HF_TOKEN is set" in streamed(ran) and SECRET not in ran.output
    assert doc["sync"]["uploads"], "the first run uploads the workspace"
    # the share is mounted at /mount: what the job wrote there is on the file share
    if provisioned.family == "legacy":
        written = "models/qlora/qlora/gpu_model/adapter/adapter_model.json"
    else:
        written = f"{doc['run_id']}/save_dir/adapter/adapter_model.json"
        assert provisioned.share_has(f"{doc['run_id']}/lora.yaml")
    assert provisioned.share_has(written), written
    # the secret survives the run: still a job secret, still an env secretRef
    job = provisioned.job()
    env = job["properties"]["template"]["containers"][0]["env"]
    assert {"name": "HF_TOKEN", "secretRef": "hf-token"} in env
    status = provisioned.cli("finetune", "status", "--json").json()
    assert status["secret_env"] == {"HF_TOKEN": "hf-token"}
    assert status["executions"][0]["name"] == doc["execution"]
    assert status["executions"][0]["status"] == "Succeeded"


def test_patch_job_puts_the_command_into_the_job_and_keeps_its_env(legacy: Provisioned) -> None:
    legacy.set_commands(["cd /mount", "echo patched run"])
    try:
        ran = legacy.cli("finetune", "run", "--wait", "--no-sync", "--patch-job", "--json")
    finally:
        legacy.cli("finetune", "provision", "--parameters", LOCAL_PARAMETERS, "--reset-commands")
    assert ran.code == 0, ran.output
    assert ran.json()["strategy"] == "patch" and "patched run" in ran.json()["last_lines"]
    container = legacy.job()["properties"]["template"]["containers"][0]
    assert container["command"][-1].endswith("cd /mount; echo patched run")
    assert container["volumeMounts"][0]["mountPath"] == "/mount"


def test_logs_of_a_finished_execution_come_from_log_analytics(legacy: Provisioned) -> None:
    assert legacy.cli("finetune", "run", "--wait").code == 0
    ran = legacy.cli("finetune", "logs", "--json")
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert doc["status"] == "Succeeded" and doc["source"] == "log-analytics"
    assert any(line.startswith("step 20/20") for line in doc["lines"])


def test_a_failing_command_fails_run_wait_with_its_last_lines(legacy: Provisioned) -> None:
    legacy.set_commands(["cd /mount", "echo about to fail", "exit 3"])
    try:
        ran = legacy.cli("finetune", "run", "--wait")
    finally:
        legacy.cli("finetune", "provision", "--parameters", LOCAL_PARAMETERS, "--reset-commands")
    assert ran.code == 1, ran.output
    assert "ended Failed" in ran.stdout and "about to fail" in ran.stdout


def test_an_execution_failing_before_it_runs_says_why(
    legacy: Provisioned, lc: LocalCloudHandle
) -> None:
    assert lc.admin("POST", "executions", json={"early_failures": 1}).status_code == 200
    ran = legacy.cli("finetune", "run", "--wait", "--no-sync", "--json")
    assert ran.code == 1, ran.output
    doc = ran.json()
    assert doc["status"] == "Failed"
    assert any(e.startswith("BackoffLimitExceeded") for e in doc["system_events"])


def test_stop_ends_the_running_execution(legacy: Provisioned) -> None:
    legacy.set_commands(["cd /mount", "echo started", "sleep 60"])
    try:
        ran = legacy.cli("finetune", "run", "--no-sync", "--json")
        assert ran.code == 0, ran.output
        stopped = legacy.cli("finetune", "stop", "--json")
    finally:
        legacy.cli("finetune", "provision", "--parameters", LOCAL_PARAMETERS, "--reset-commands")
    assert stopped.code == 0, stopped.output
    assert stopped.json()["execution"] == ran.json()["execution"]
    assert stopped.json()["status"] == "Stopped" and stopped.json()["stopped"] is True


def test_a_queued_execution_is_waited_for(legacy: Provisioned, lc: LocalCloudHandle) -> None:
    assert lc.admin("POST", "executions", json={"queue_seconds": 2}).status_code == 200
    legacy.set_commands(["echo ran after the queue"])
    try:
        ran = legacy.cli("finetune", "run", "--wait", "--no-sync")
    finally:
        legacy.cli("finetune", "provision", "--parameters", LOCAL_PARAMETERS, "--reset-commands")
    assert ran.code == 0, ran.output
    assert "is Processing: waiting for a replica" in ran.stderr
    assert "ran after the queue" in ran.stdout


def test_the_log_stream_is_reconnected_after_dropped_connections(
    legacy: Provisioned, lc: LocalCloudHandle
) -> None:
    legacy.set_commands(["for i in $(seq 1 12); do echo tick $i/12; sleep 0.4; done"])
    fault = {"method": "GET", "path": "/containers/[^/]+/logstream", "drop": True, "count": 2}
    assert lc.admin("POST", "faults", json=fault).status_code in (200, 201)
    try:
        ran = legacy.cli("finetune", "run", "--wait", "--no-sync", "--json")
    finally:
        legacy.cli("finetune", "provision", "--parameters", LOCAL_PARAMETERS, "--reset-commands")
    assert ran.code == 0, ran.output
    assert ran.json()["reconnects"] >= 1
    ticks = [line for line in streamed(ran) if line.startswith("tick ")]
    assert ticks == [f"tick {i}/12" for i in range(1, 13)]  # every line, once, in order


@pytest.mark.parametrize(
    ("args", "env", "said"),
    [
        (("secret", "set", "1BAD"), {}, "NAME: '1BAD' is not a valid variable name"),
        (("secret", "set", "HF_TOKEN", "--from-env", "NOT_SET"), {}, "--from-env NOT_SET"),
        (("secret", "set", "HF_TOKEN"), {}, "no value"),
        (("run", "--run-id", "../up"), {}, "--run-id"),
        (("logs", "--execution", "nope-0000000"), {}, "nope-0000000"),
    ],
)  # fmt: skip
def test_bad_input_is_one_line_and_no_write(
    legacy: Provisioned, lc: LocalCloudHandle, args: tuple[str, ...], env: dict[str, str],
    said: str,
) -> None:  # fmt: skip
    lc.admin("DELETE", "requests")
    ran = legacy.cli("finetune", *args, **env)
    assert ran.code in (1, 2), ran.output
    assert said in ran.stderr and "Traceback" not in ran.output
    writes = [r for r in lc.admin("GET", "requests").json() if r["method"] in ("PUT", "PATCH")]
    assert writes == []


def test_a_workspace_without_fine_tuning_files_is_exit_2(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    (tmp_path / "infra").mkdir()
    ran = run_cli(tmp_path, lc, "finetune", "run", "--json")
    assert ran.code == 2
    assert ran.json()["error"]["kind"] == "InputError"
    assert "finetuning.bicep" in ran.json()["error"]["message"]
