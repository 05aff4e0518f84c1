"""`--cloud azure` with the user's `az login`, reused in-process through azure-cli-core.

localcloud is registered with azure-cli-core as a custom cloud and signed in to with a
service principal, exactly what `az cloud register` + `az login --service-principal` write
into AZURE_CONFIG_DIR. Then the tool runs with no ORCHESTRATOR_CLOUD, no AZURE_CLIENT_*
and no `az` executable on PATH: it can only have reached localcloud through the az CLI's
active cloud, and only have signed in through azure-cli-core's Profile, in-process.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import Ran, config, make_workspace, orchestrator_argv

pytest.importorskip("azure.cli.core")

AZ_LOGIN = """
import sys
import requests
from azure.cli.core import get_default_cli
from azure.cli.core._profile import Profile
from azure.cli.core.cloud import _arm_to_cli_mapper, add_cloud, switch_active_cloud

endpoint, ca_file, tenant, client, secret = sys.argv[1:6]
metadata = requests.get(
    endpoint + "/metadata/endpoints?api-version=2022-09-01", verify=ca_file, timeout=30
).json()
cli = get_default_cli()
cloud = _arm_to_cli_mapper(metadata)
cloud.name = "localcloud"
add_cloud(cli, cloud)
switch_active_cloud(cli, "localcloud")
cli.config.set_value("core", "instance_discovery", "false")
Profile(cli_ctx=cli).login(False, client, {"client_secret": secret}, True, tenant)
"""


def az_env(lc: LocalCloudHandle, config_dir: Path) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("AZURE_", "ORCHESTRATOR_", "LOCALCLOUD_"))
    }
    env.update(
        AZURE_CONFIG_DIR=str(config_dir),
        REQUESTS_CA_BUNDLE=lc.ca_file,  # how az users trust a private CA
        PATH=str(Path(sys.executable).parent) + os.pathsep + "/usr/bin:/bin",
        AZURE_CORE_COLLECT_TELEMETRY="no",
    )
    return env


def az_login(lc: LocalCloudHandle, env: dict[str, str]) -> None:
    args = [lc.endpoint, lc.ca_file, lc.tenant_id, lc.client_id, lc.client_secret]
    done = subprocess.run(
        [sys.executable, "-c", AZ_LOGIN, *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr


def run(workspace: Path, env: dict[str, str], *args: str) -> Ran:
    done = subprocess.run(
        orchestrator_argv(*args),
        cwd=workspace,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    return Ran(done.returncode, done.stdout, done.stderr)


def test_provision_reuses_az_login_in_process_on_the_az_active_cloud(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    env = az_env(localcloud, tmp_path / "azure-config")
    az_login(localcloud, env)
    assert not any((Path(p) / "az").exists() for p in env["PATH"].split(os.pathsep))
    workspace = make_workspace(tmp_path / "ws")
    group = f"azcli-{tmp_path.name[-12:]}".lower()
    ran = run(workspace, env, "provision", "-g", group, "-l", "eastus", "--create-resource-group")
    assert ran.code == 0, ran.output
    assert f"{localcloud.subscription_id} (from az CLI default (" in ran.stdout + ran.stderr
    written = config(workspace)
    assert written["SUBSCRIPTION_ID"] == localcloud.subscription_id
    assert written["RESOURCE_GROUP_NAME"] == group
    assert written["ACA_APP_ENDPOINT"]


def test_an_active_cloud_that_is_not_registered_is_a_clear_error(tmp_path: Path) -> None:
    config_dir = tmp_path / "azure-config"
    config_dir.mkdir()
    (config_dir / "config").write_text("[cloud]\nname = MyPrivateCloud\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AZURE_", "ORCHESTRATOR_"))}
    env["AZURE_CONFIG_DIR"] = str(config_dir)
    workspace = make_workspace(tmp_path / "ws")
    ran = run(workspace, env, "provision", "-g", "rg")
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.stderr
    assert ran.stderr.splitlines()[0] == (
        f"error: the az CLI's active cloud is MyPrivateCloud, but {config_dir / 'clouds.config'} "
        "does not register it"
    )
