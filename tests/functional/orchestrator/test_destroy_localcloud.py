"""`orchestrator destroy` against localcloud: what it deletes, what it keeps, and how it
asks."""

from __future__ import annotations

import json
import os
import pty
import select
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest
import requests
from deploy_support import Provisioned, provision, remote_tree, seed, share_client
from localcloud_fixture import LocalCloudHandle, sdk_kwargs
from provision_support import (
    add_fault,
    cli_env,
    config,
    make_workspace,
    orchestrator_argv,
    requests_log,
    run_cli,
)

pytestmark = pytest.mark.functional

MODEL = {"models/adapter.safetensors": b"fine-tuned weights", "dataset/train.jsonl": b"{}\n"}


def exists(p: Provisioned, resource_id: str, api_version: str = "2024-03-01") -> bool:
    from azure.core.exceptions import ResourceNotFoundError
    from azure.mgmt.resource.resources import ResourceManagementClient

    client = ResourceManagementClient(p.lc.credential(), p.lc.subscription_id, **sdk_kwargs(p.lc))
    try:
        client.resources.get_by_id(resource_id, api_version=api_version)
    except ResourceNotFoundError:
        return False
    return True


def rid(p: Provisioned, kind: str, name: str) -> str:
    return f"/subscriptions/{p.lc.subscription_id}/resourceGroups/{p.group}/providers/{kind}/{name}"


def deletes(lc: LocalCloudHandle, group: str) -> list[str]:
    return [
        str(e["path"])
        for e in requests_log(lc)
        if str(e["method"]).upper() == "DELETE"
        and f"/resourcegroups/{group.lower()}/" in str(e["path"]).lower()
    ]


def env_id(p: Provisioned) -> str:
    app = rid(p, "Microsoft.App/containerApps", p.app)
    from azure.mgmt.resource.resources import ResourceManagementClient

    client = ResourceManagementClient(p.lc.credential(), p.lc.subscription_id, **sdk_kwargs(p.lc))
    found = client.resources.get_by_id(app, api_version="2024-03-01").as_dict()
    return str(found["properties"]["environmentId"])


@pytest.fixture
def provisioned(tmp_path: Path, lc: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path / "ws", lc)


def test_destroy_deletes_the_app_and_keeps_the_share_and_its_files(
    provisioned: Provisioned,
) -> None:
    p = provisioned
    seed(share_client(p), MODEL)
    environment = env_id(p)
    endpoint = p.endpoint
    ran = p.cli("destroy", "--yes")
    assert ran.code == 0, ran.output
    assert not exists(p, rid(p, "Microsoft.App/containerApps", p.app))
    assert exists(p, environment)
    assert exists(p, rid(p, "Microsoft.Storage/storageAccounts", p.account), "2023-01-01")
    assert remote_tree(share_client(p)) == MODEL
    after = config(p.workspace)
    assert after["ACA_APP_NAME"] is None and after["ACA_APP_ENDPOINT"] is None
    assert after["STORAGE_ACCOUNT_NAME"] == p.account and after["NOTE"] == "kept by provision"
    assert "keep file share " + p.share_name in ran.stderr
    polled = [e for e in requests_log(p.lc) if "containerappoperation" in str(e["path"]).lower()]
    assert polled, "the app's 202 was followed"
    with pytest.raises(requests.RequestException):
        requests.get(endpoint, verify=p.lc.ca_file, timeout=5)  # the replicas are stopped


def test_dry_run_sends_no_delete_and_changes_nothing(provisioned: Provisioned) -> None:
    p = provisioned
    before = (p.workspace / "infra" / "inference.config.json").read_text()
    ran = p.cli("destroy", "--all", "--purge", "--dry-run", "--json")
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert doc["action"] == "dry-run" and doc["deleted"] == []
    roles = [d["role"] for d in doc["plan"]["delete"]]
    assert roles == [
        "app",
        "environment storage",
        "environment",
        "log analytics workspace",
        "storage account",
    ]
    assert [d["force"] for d in doc["plan"]["delete"]] == [False, False, False, True, False]
    assert deletes(p.lc, p.group) == []
    assert (p.workspace / "infra" / "inference.config.json").read_text() == before


def test_a_rerun_after_a_partial_destroy_finishes_it(provisioned: Provisioned) -> None:
    p = provisioned
    environment = env_id(p)
    error = {"error": {"code": "ManagedEnvironmentHasBuilders", "message": "builders attached"}}
    add_fault(
        p.lc, method="DELETE", path="managedEnvironments/[^/]+\\?", status=409, body=error, count=1
    )
    first = p.cli("destroy", "--yes", "--all")
    assert first.code == 1, first.output
    assert "ManagedEnvironmentHasBuilders" in first.stderr
    assert not exists(p, rid(p, "Microsoft.App/containerApps", p.app))
    assert exists(p, environment)
    assert config(p.workspace)["ACA_APP_NAME"] == p.app  # cleared only when all is done
    second = p.cli("destroy", "--yes", "--all", "--purge", "--json")
    assert second.code == 0, second.output
    results = {d["role"]: d["result"] for d in second.json()["deleted"]}
    assert results["app"] == "already gone"
    assert results["environment storage"] == "already gone"
    assert results["environment"] == "deleted" and results["storage account"] == "deleted"
    assert not exists(p, environment)
    workspace_deletes = [d for d in deletes(p.lc, p.group) if "/workspaces/" in d.lower()]
    assert len(workspace_deletes) == 1 and "force=true" in workspace_deletes[0]
    after = config(p.workspace)
    assert after["ACA_APP_NAME"] is None and after["STORAGE_ACCOUNT_NAME"] is None
    assert after["RESOURCE_GROUP_NAME"] == p.group  # the group is kept


def test_all_without_a_terminal_or_yes_refuses_with_the_exact_command(
    provisioned: Provisioned,
) -> None:
    ran = provisioned.cli("destroy", "--all", "--purge")
    assert ran.code == 2, ran.output
    assert "`orchestrator destroy --all --purge --yes`" in ran.stderr
    assert deletes(provisioned.lc, provisioned.group) == []


def test_purge_needs_all(provisioned: Provisioned) -> None:
    ran = provisioned.cli("destroy", "--purge", "--yes")
    assert ran.code == 2 and "--all" in ran.stderr


def run_on_terminal(p: Provisioned, answer: str, *args: str) -> tuple[int, str]:
    """The CLI with a pseudo-terminal as stdin/stdout/stderr; `answer` typed at the prompt."""
    main, sub = pty.openpty()
    proc = subprocess.Popen(
        orchestrator_argv(*args),
        cwd=p.workspace,
        env=cli_env(p.lc),
        stdin=sub,
        stdout=sub,
        stderr=sub,
        close_fds=True,
    )
    os.close(sub)
    seen, typed = b"", False
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _w, _x = select.select([main], [], [], 0.2)
        if ready:
            try:
                chunk = os.read(main, 4096)
            except OSError:
                break
            if not chunk:
                break
            seen += chunk
        if not typed and b"to delete it all" in seen:
            os.write(main, answer.encode() + b"\r")
            typed = True
        if proc.poll() is not None and not ready:
            break
    os.close(main)
    return proc.wait(timeout=30), seen.decode(errors="replace")


def test_all_asks_to_type_the_storage_account_name_on_a_terminal(
    provisioned: Provisioned,
) -> None:
    p = provisioned
    seed(share_client(p), MODEL)
    code, text = run_on_terminal(p, "not-the-name", "destroy", "--all")
    assert code == 0, text
    assert "holds the file share" in text and "nothing deleted" in text
    assert deletes(p.lc, p.group) == []
    code, text = run_on_terminal(p, p.account, "destroy", "--all")
    assert code == 0, text
    assert "deleted 5 resource(s)" in text
    assert not exists(p, rid(p, "Microsoft.Storage/storageAccounts", p.account), "2023-01-01")


def test_json_output_and_progress_events(provisioned: Provisioned) -> None:
    p = provisioned
    ran = p.cli("destroy", "--yes", "--json")
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert doc["command"] == "destroy" and doc["action"] == "destroyed"
    assert [d["role"] for d in doc["deleted"]] == ["app"]
    assert doc["config"]["cleared"] == ["ACA_APP_NAME", "ACA_APP_ENDPOINT"]
    events = [json.loads(line) for line in ran.stderr.splitlines() if line.strip()]
    progress: list[Any] = [e["text"] for e in events if e["event"] == "progress"]
    assert any(t.startswith("deleting app ") for t in progress)
    assert any(t.startswith("deleted: app ") for t in progress)


def test_finetune_deletes_the_job_clears_its_key_and_keeps_the_app(
    provisioned: Provisioned,
) -> None:
    p = provisioned
    job = rid(p, "Microsoft.App/jobs", "ftjob1")
    body = {
        "location": "eastus",
        "properties": {
            "environmentId": env_id(p),
            "configuration": {
                "triggerType": "Manual",
                "replicaTimeout": 600,
                "manualTriggerConfig": {"parallelism": 1, "replicaCompletionCount": 1},
            },
            "template": {"containers": [{"name": "ft", "image": "python:3.12"}]},
        },
    }
    created = p.lc.request("PUT", f"{job}?api-version=2024-03-01", json=body)
    assert created.status_code in (200, 201), created.text
    ft_config = {
        "SUBSCRIPTION_ID": p.lc.subscription_id,
        "RESOURCE_GROUP_NAME": p.group,
        "STORAGE_ACCOUNT_NAME": p.account,
        "FILE_SHARE_NAME": p.share_name,
        "ACA_JOB_NAME": "ftjob1",
        "COMMANDS": ["python3 finetune.py"],
    }
    path = p.workspace / "infra" / "finetuning.config.json"
    path.write_text(json.dumps(ft_config, indent=2) + "\n")
    ran = p.cli("destroy", "--finetune", "--yes")
    assert ran.code == 0, ran.output
    assert not exists(p, job)
    assert exists(p, rid(p, "Microsoft.App/containerApps", p.app))
    after = json.loads(path.read_text())
    assert after["ACA_JOB_NAME"] is None and after["COMMANDS"] == ["python3 finetune.py"]
    assert config(p.workspace)["ACA_APP_NAME"] == p.app


def test_a_group_deleted_by_hand_leaves_nothing_to_delete_and_clears_the_keys(
    tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    path = workspace / "infra" / "inference.config.json"
    doc = json.loads(path.read_text())
    doc |= {"SUBSCRIPTION_ID": lc.subscription_id, "RESOURCE_GROUP_NAME": "rg-never-made"}
    doc |= {"ACA_APP_NAME": "app1", "ACA_APP_ENDPOINT": "app1.example"}
    path.write_text(json.dumps(doc, indent=2) + "\n")
    ran = run_cli(workspace, lc, "destroy", "--json")
    assert ran.code == 0, ran.output
    assert ran.json()["config"]["cleared"] == ["ACA_APP_NAME", "ACA_APP_ENDPOINT"]
    assert "rg-never-made does not exist" in ran.stderr
