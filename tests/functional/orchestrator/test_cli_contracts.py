"""The command line's contracts: settings checked once, --json failures as fields (stderr
pure NDJSON), SDK log lines only with --debug, `status` never starting localcloud,
service-principal sign-in at a custom cloud's own authority, and the inference config's
values checked before `outputs --write` writes them."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from deploy_support import Provisioned, hand_filled, provision
from localcloud_fixture import LocalCloudHandle
from provision_support import (
    Ran,
    config_text,
    deployments_client,
    make_workspace,
    orchestrator_argv,
    run_cli,
    set_settings,
    start_cli,
    wait_for_deployment,
)

pytestmark = [pytest.mark.functional]

CRASHING = 'defaultCommands=["echo booting up", "echo about to fail >&2", "exit 1"]'


def run_bare(workspace: Path, env: dict[str, str], *args: str) -> Ran:
    done = subprocess.run(
        orchestrator_argv(*args),
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ORCHESTRATOR_"))}
    return {**env, **extra}


def ndjson(stderr: str) -> list[dict[str, Any]]:
    """Every stderr line is one JSON object (fails otherwise)."""
    return [json.loads(line) for line in stderr.splitlines()]


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def test_an_unknown_cloud_is_exit_2_with_one_line(workspace: Path, tmp_path: Path) -> None:
    env = clean_env(ORCHESTRATOR_CLOUD="bogus", LOCALCLOUD_STATE_DIR=str(tmp_path / "lc"))
    ran = run_bare(workspace, env, "status")
    assert ran.code == 2
    assert ran.stderr.splitlines() == [
        "error: ORCHESTRATOR_CLOUD=bogus: unknown cloud (expected azure or local)"
    ]
    assert ran.stdout == ""


def test_a_bad_retry_backoff_is_exit_2_with_one_line(workspace: Path, tmp_path: Path) -> None:
    env = clean_env(ORCHESTRATOR_RETRY_BACKOFF="-1", LOCALCLOUD_STATE_DIR=str(tmp_path / "lc"))
    ran = run_bare(workspace, env, "status")
    assert ran.code == 2
    assert ran.stderr.splitlines() == [
        "error: ORCHESTRATOR_RETRY_BACKOFF='-1': expected seconds from 0 to 60"
    ]
    assert ran.stdout == ""


@pytest.mark.parametrize(
    "command",
    [
        ("validate",),
        ("deploy",),
        ("status", "-g", "rg"),
        ("provision", "-g", "rg"),
        ("plan", "-g", "rg"),
    ],
)
def test_outside_a_workspace_every_command_says_so_the_same_way(
    command: tuple[str, ...], tmp_path: Path
) -> None:
    state = tmp_path / "lc"
    state.mkdir()
    elsewhere = tmp_path / "not-a-workspace"
    elsewhere.mkdir()
    env = clean_env(ORCHESTRATOR_CLOUD="local", LOCALCLOUD_STATE_DIR=str(state))
    ran = run_bare(elsewhere, env, *command)
    assert ran.code == 2, ran.output
    first = ran.stderr.splitlines()[0]
    assert first.startswith("error: /") and first.endswith(
        ": not an AI Toolkit workspace (there is no infra/ folder)"
    )
    assert "Traceback" not in ran.output
    assert sorted(p.name for p in state.iterdir()) == []  # no localcloud was started


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (("-g", "a/b"), "--resource-group"),
        (("-g", "rg", "-l", "east us;$(id)"), "--location"),
        (("-g", "rg", "-s", "123"), "--subscription"),
    ],
)
def test_bad_target_flags_fail_before_localcloud_starts(
    workspace: Path, tmp_path: Path, flags: tuple[str, ...], message: str
) -> None:
    state = tmp_path / "lc"
    state.mkdir()
    env = clean_env(ORCHESTRATOR_CLOUD="local", LOCALCLOUD_STATE_DIR=str(state))
    ran = run_bare(workspace, env, "provision", *flags)
    assert ran.code == 2, ran.output
    assert ran.stderr.startswith(f"error: {message}: "), ran.stderr
    assert "starting localcloud" not in ran.output
    assert sorted(p.name for p in state.iterdir()) == []


def test_status_never_starts_localcloud(workspace: Path, tmp_path: Path) -> None:
    state = tmp_path / "no-instance"
    state.mkdir()
    env = clean_env(ORCHESTRATOR_CLOUD="local", LOCALCLOUD_STATE_DIR=str(state))
    ran = run_bare(workspace, env, "status", "-g", "rg")
    assert ran.code == 1, ran.output
    assert f"error: localcloud is not running (state {state})" in ran.stderr
    assert "Traceback" not in ran.output
    assert sorted(p.name for p in state.iterdir()) == []  # nothing was started there


def test_a_failed_provision_s_json_document_carries_its_root_causes(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    quota = {"code": "MaxRegionalQuotaExceeded", "message": "SubscriptionNCA100Gpus quota is 0."}
    set_settings(lc, {"fail": {"Microsoft.App/managedEnvironments": quota}})
    ran = run_cli(workspace, lc, "provision", "-g", fresh_group, "--json")
    assert ran.code == 1, ran.output
    error = ran.json()["error"]
    assert error["state"] == "Failed"
    (cause,) = [c for c in error["causes"] if c["code"] == "MaxRegionalQuotaExceeded"]
    assert cause["message"] == quota["message"]
    assert cause["target"].startswith("Microsoft.App/managedEnvironments ")
    assert "quota" in cause["hint"].lower()
    events = ndjson(ran.stderr)
    assert events[-1]["event"] == "error" and events[-1]["causes"] == error["causes"]


def test_a_canceled_provision_is_canceled_not_a_failure_tree(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    set_settings(lc, {"provisioning_seconds": {"*": 3}})
    proc = start_cli(workspace, lc, "provision", "-g", fresh_group, "--json")
    name = wait_for_deployment(lc, fresh_group)["name"]
    deployments_client(lc).deployments.cancel(fresh_group, name)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 1, err
    error = json.loads(out)["error"]
    assert error["state"] == "Canceled" and "causes" not in error
    assert error["message"].startswith(f"deployment {name} was canceled")
    assert all(e["event"] != "problem" for e in ndjson(err))


def test_sdk_log_lines_show_only_with_debug(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    quiet = run_cli(workspace, lc, "status", "-g", fresh_group)
    loud = run_cli(workspace, lc, "--debug", "status", "-g", fresh_group)
    assert quiet.code == loud.code == 0, quiet.output + loud.output
    assert "debug: " not in quiet.stderr and "azure" not in quiet.stderr.lower()
    assert "debug: orchestrator.http: GET https://" in loud.stderr
    assert "Bearer" not in loud.stderr and "authorization" not in loud.stderr.lower()
    assert lc.client_secret not in loud.output


def custom_cloud(config_dir: Path, lc: LocalCloudHandle) -> None:
    """localcloud registered as the az CLI's active custom cloud (`az cloud register`)."""
    config_dir.mkdir()
    (config_dir / "config").write_text("[cloud]\nname = localcloud\n")
    (config_dir / "clouds.config").write_text(
        "[localcloud]\n"
        f"endpoint_resource_manager = {lc.endpoint}/\n"
        f"endpoint_active_directory = {lc.endpoint}\n"
        "endpoint_active_directory_resource_id = https://management.core.windows.net/\n"
    )


def test_a_service_principal_signs_in_at_the_custom_cloud_s_authority(
    workspace: Path, tmp_path: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    custom_cloud(tmp_path / "az", lc)
    env = clean_env(
        AZURE_CONFIG_DIR=str(tmp_path / "az"),
        AZURE_CLIENT_ID=lc.client_id,
        AZURE_TENANT_ID=lc.tenant_id,
        AZURE_CLIENT_SECRET=lc.client_secret,
        REQUESTS_CA_BUNDLE=lc.ca_file,  # how users trust a private CA
        PATH="/usr/bin:/bin",  # no az CLI: only the service principal can have signed in
    )
    ok = run_bare(workspace, env, "status", "-s", lc.subscription_id, "-g", fresh_group)
    assert ok.code == 0, ok.output
    assert "none by orchestrator in this resource group" in ok.stdout
    wrong = run_bare(
        workspace,
        {**env, "AZURE_CLIENT_SECRET": "not-the-secret"},
        "status",
        "-s",
        lc.subscription_id,
        "-g",
        fresh_group,
    )
    assert wrong.code == 1, wrong.output
    first, *rest = wrong.stderr.splitlines()
    assert first.startswith("error: ") and "could not get a token: ClientSecretCredential" in first
    assert [line for line in rest if not line.startswith("hint: ")] == []
    assert "Traceback" not in wrong.output


OUTPUTS_TEMPLATE = {
    "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
    "contentVersion": "1.0.0.0",
    "resources": [],
    "outputs": {
        name: {"type": "string", "value": value}
        for name, value in {
            "SUBSCRIPTION_ID": "not-a-subscription",
            "RESOURCE_GROUP_NAME": "rg",
            "STORAGE_ACCOUNT_NAME": "account1",
            "FILE_SHARE_NAME": "share1",
            "ACA_APP_NAME": "app1",
            "ACA_APP_ENDPOINT": "app1.example.io",
        }.items()
    },
}


def test_outputs_write_checks_the_values_before_writing(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str
) -> None:
    body = {"properties": {"mode": "Incremental", "template": OUTPUTS_TEMPLATE}}
    deployments_client(lc).deployments.begin_create_or_update(fresh_group, "bad", body).result()
    before = config_text(workspace)
    ran = run_cli(workspace, lc, "outputs", "-g", fresh_group, "--deployment", "bad", "--write")
    assert ran.code == 2, ran.output
    assert "SUBSCRIPTION_ID" in ran.stderr and "not-a-subscription" in ran.stderr
    assert "Traceback" not in ran.output
    assert config_text(workspace) == before


@pytest.fixture(scope="module")
def crashing(tmp_path_factory: pytest.TempPathFactory, localcloud: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path_factory.mktemp("crashing") / "ws", localcloud, CRASHING)


def test_a_failed_deploy_s_json_document_carries_revision_replicas_and_log(
    crashing: Provisioned,
) -> None:
    ran = crashing.deploy("--timeout", "90", "--json")
    assert ran.code == 1, ran.output
    error = ran.json()["error"]
    assert error["revision"]["name"] and error["revision"]["running_state"]
    assert error["replicas"] and {"name", "running_state", "ready", "restarts"} <= set(
        error["replicas"][0]
    )
    assert any("about to fail" in line for line in error["log"])
    kinds = ("progress", "transfer", "notice", "error")
    assert all(e["event"] in kinds for e in ndjson(ran.stderr))


def test_a_pasted_url_in_aca_app_endpoint_is_read_as_the_host_with_a_warning(
    tmp_path: Path, crashing: Provisioned
) -> None:
    pasted = f"https://{crashing.config['ACA_APP_ENDPOINT']}/"
    typed = hand_filled(tmp_path / "typed", crashing, ACA_APP_ENDPOINT=pasted)
    ran = typed.deploy("--dry-run")
    assert ran.code == 0, ran.output
    assert f"warning: infra/inference.config.json: ACA_APP_ENDPOINT {pasted!r} read as " in (
        ran.stdout
    )
    assert "dry run: nothing was changed" in ran.stdout


def test_help_and_argument_errors_need_no_sdk() -> None:
    code = (
        "import sys\n"
        "from orchestrator.cli import main\n"
        "main(['deploy', '--help'])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in "
        "('jsonschema', 'jinja2', 'azure', 'rich', 'aiohttp', 'requests'))\n"
        "print('HEAVY', heavy)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60, check=True
    )
    assert "HEAVY []" in done.stdout


def test_starting_localcloud_in_the_background_is_announced(
    workspace: Path, tmp_path: Path
) -> None:
    state = tmp_path / "fresh-instance"
    env = clean_env(ORCHESTRATOR_CLOUD="local", LOCALCLOUD_STATE_DIR=str(state))
    try:
        ran = run_bare(workspace, env, "outputs", "-g", "nosuchgroup")
        assert f"starting localcloud in the background (state {state})" in ran.stderr
        assert (state / "client.json").is_file()  # it runs, and said how to reach it
        again = run_bare(workspace, env, "outputs", "-g", "nosuchgroup")
        assert "starting localcloud" not in again.stderr  # found running: not started twice
    finally:
        subprocess.run(
            [sys.executable, "-m", "localcloud", "stop"], env=env, capture_output=True, timeout=60
        )
