"""Signing in the two documented ways (README "Signing in to localcloud"), in fresh processes:
azure-identity trusting the CA only through `REQUESTS_CA_BUNDLE`, and the Azure CLI with
localcloud registered as a custom cloud.

This machine (and CI) exports REQUESTS_CA_BUNDLE pointing at the system bundle, so each
subprocess gets an environment that sets it explicitly. The az CLI test runs only where an
`az` executable is found (`$LOCALCLOUD_TEST_AZ`, else `az` on PATH) and is skipped otherwise.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from deployments_helpers import INFERENCE
from localcloud_fixture import LocalCloudHandle, unique_name

pytestmark = pytest.mark.functional

SYSTEM_BUNDLE = "/etc/ssl/certs/ca-certificates.crt"

# An SDK client with no `connection_verify`: it trusts whatever requests trusts.
UNCONFIGURED_CLIENT = """
import json, sys
from azure.identity import ClientSecretCredential
from azure.mgmt.resource.resources import ResourceManagementClient
endpoint, tenant, client_id, secret, sub, group = sys.argv[1:]
cred = ClientSecretCredential(tenant, client_id, secret, authority=endpoint,
                              disable_instance_discovery=True)
client = ResourceManagementClient(cred, sub, base_url=endpoint,
                                  credential_scopes=["https://management.azure.com/.default"])
client.resource_groups.create_or_update(group, {"location": "eastus"})
print(json.dumps(sorted(g.name for g in client.resource_groups.list())))
"""


JSONC_TEMPLATE = """{
  // written by hand
  "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
  "contentVersion": "1.0.0.0",
  /* one resource of a type localcloud stores as given */
  "resources": [
    {
      "type": "Test.Things/things",
      "apiVersion": "2024-01-01",
      "name": "commented",
      "location": "eastus",
      "properties": {"size": 1,},
    },
  ],
}
"""


def _env(**overrides: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CURL_CA_BUNDLE", "SSL_CERT_FILE")}
    env.update(overrides)
    return env


def _run_unconfigured_client(
    handle: LocalCloudHandle, bundle: str, group: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            sys.executable,
            "-c",
            UNCONFIGURED_CLIENT,
            handle.endpoint,
            handle.tenant_id,
            handle.client_id,
            handle.client_secret,
            handle.subscription_id,
            group,
        ],
        env=_env(REQUESTS_CA_BUNDLE=bundle),
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_requests_ca_bundle_alone_makes_sdk_clients_trust_localcloud(
    localcloud: LocalCloudHandle,
) -> None:
    group = unique_name("bundle")
    trusted = _run_unconfigured_client(localcloud, localcloud.ca_file, group)
    assert trusted.returncode == 0, trusted.stderr[-3000:]
    assert group in json.loads(trusted.stdout)

    untrusted = _run_unconfigured_client(localcloud, SYSTEM_BUNDLE, unique_name("bundle"))
    assert untrusted.returncode != 0
    assert "CERTIFICATE_VERIFY_FAILED" in untrusted.stderr


def _az_executable() -> str | None:
    chosen = os.environ.get("LOCALCLOUD_TEST_AZ")
    if chosen:
        return chosen if Path(chosen).is_file() else None
    return shutil.which("az")


class AzCli:
    """Runs `az` with its own config dir and localcloud's CA, the README's way."""

    def __init__(self, executable: str, config_dir: Path, ca_file: str) -> None:
        self.executable = executable
        self.env = _env(
            AZURE_CONFIG_DIR=str(config_dir),
            REQUESTS_CA_BUNDLE=ca_file,
            AZURE_CORE_COLLECT_TELEMETRY="false",
            AZURE_CORE_SURVEY_MESSAGE="false",
            AZURE_CORE_NO_COLOR="true",
        )

    def __call__(self, *args: str) -> Any:
        done = subprocess.run(
            [self.executable, *args, "--output", "json"],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=180,
        )
        assert done.returncode == 0, f"az {' '.join(args[:3])}: {done.stderr[-3000:]}"
        return json.loads(done.stdout) if done.stdout.strip() else None


@pytest.mark.slow
def test_az_cli_registers_localcloud_signs_in_and_manages_groups(
    localcloud: LocalCloudHandle, tmp_path: Path
) -> None:
    executable = _az_executable()
    if executable is None:
        pytest.skip("no az executable (set LOCALCLOUD_TEST_AZ or put az on PATH)")
    az = AzCli(executable, tmp_path / "azure", localcloud.ca_file)

    az("cloud", "register", "-n", "localcloud", "--endpoint-resource-manager",
       localcloud.endpoint + "/")  # fmt: skip
    az("cloud", "set", "-n", "localcloud")
    az("config", "set", "core.instance_discovery=false")
    [account] = az(
        "login", "--service-principal", "-u", localcloud.client_id,
        f"--password={localcloud.client_secret}", "--tenant", localcloud.tenant_id,
    )  # fmt: skip
    assert account["id"] == localcloud.subscription_id
    assert account["tenantId"] == localcloud.tenant_id
    assert account["cloudName"] == "localcloud"
    assert account["user"] == {"name": localcloud.client_id, "type": "servicePrincipal"}

    group = unique_name("az")
    created = az("group", "create", "-n", group, "-l", "eastus")
    assert created["properties"]["provisioningState"] == "Succeeded"
    assert group in {g["name"] for g in az("group", "list")}

    # az sends the template file's text spliced into the body (JSONC, unquoted key).
    validated = az(
        "deployment", "group", "validate", "-g", group, "-n", "inference",
        "--template-file", str(INFERENCE),
        "--parameters", 'defaultCommands=["sleep 600"]', "maximumInstanceCount=1",
    )  # fmt: skip
    assert validated["properties"]["provisioningState"] == "Succeeded"
    assert len(validated["properties"]["validatedResources"]) == 7

    # A hand-written template with comments and a trailing comma, as ARM accepts it.
    jsonc = tmp_path / "commented.json"
    jsonc.write_text(JSONC_TEMPLATE)
    checked = az("deployment", "group", "validate", "-g", group, "--template-file", str(jsonc))
    assert [r["id"].rsplit("/", 1)[1] for r in checked["properties"]["validatedResources"]] == [
        "commented"
    ]

    az("group", "delete", "-n", group, "--yes")
    assert group not in {g["name"] for g in az("group", "list")}
