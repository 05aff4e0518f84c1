"""The fine-tuning assets on a real localcloud, driven by the pure modules of
orchestrator/finetune: a workspace's template deployed with its localcloud parameters, the
config filled from the outputs, the run's layout uploaded, a secret added with
`secrets.set_secret_body`, the execution started with `override.start_body` - then the job
really trains, keeps its secret and writes its model; a failing run ends Failed and leaves
the model alone."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
import requests
from azure.storage.fileshare import ShareClient
from localcloud_fixture import LocalCloudHandle

from orchestrator.finetune import config, layout, logs, override, secrets, status
from orchestrator.finetune.family import FinetuneFiles, detect
from orchestrator.workspace import Workspace

pytestmark = [pytest.mark.functional, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[3]
API = "2025-07-01"
LOG_ANALYTICS_SCOPE = "https://api.loganalytics.io/.default"


def wait_for(check: Callable[[], Any], timeout: float = 60.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        found = check()
        if found:
            return found
        assert time.monotonic() < deadline, f"not met within {timeout}s"
        time.sleep(0.1)


class Run:
    """One workspace deployed to one resource group of the localcloud."""

    def __init__(self, lc: LocalCloudHandle, group: str, root: Path, scratch: Path) -> None:
        self.lc, self.group = lc, group
        self.files: FinetuneFiles = detect(Workspace(root))
        self.base = f"/subscriptions/{lc.subscription_id}/resourceGroups/{group}"
        merged = config.checked_merge(
            config.read(self.files).values,
            self.deploy(),
            self.files.family,
            "cfg",
            reset_commands=True,
        )
        written = replace(self.files, config=scratch / self.files.config.name)  # not the repo's
        assert config.write(written.config, merged)
        self.cfg = config.require(written)
        self.job_path = f"{self.base}/providers/Microsoft.App/jobs/{self.cfg.job}"

    def arm(self, method: str, path: str, body: Any = None, api: str = API) -> requests.Response:
        sep = "&" if "?" in path else "?"
        return self.lc.request(method, f"{path}{sep}api-version={api}", json=body)

    def deploy(self) -> dict[str, Any]:
        template = json.loads(self.files.compiled.read_text())
        parameters = json.loads(self.files.localcloud_parameters.read_text())["parameters"]
        path = f"{self.base}/providers/Microsoft.Resources/deployments/finetuning"
        body = {"properties": {"mode": "Incremental", "template": template,
                               "parameters": parameters}}  # fmt: skip
        assert self.arm("PUT", path, body, "2021-04-01").status_code in (200, 201)

        def done() -> Any:
            props = self.arm("GET", path, api="2021-04-01").json()["properties"]
            return props if props["provisioningState"] in ("Succeeded", "Failed") else None

        props = wait_for(done)
        assert props["provisioningState"] == "Succeeded", props.get("error")
        outputs: dict[str, Any] = props["outputs"]
        return outputs

    def share(self) -> ShareClient:
        account = f"{self.base}/providers/Microsoft.Storage/storageAccounts/{self.cfg.account}"
        key = self.arm("POST", f"{account}/listKeys", api="2023-01-01").json()["keys"][0]["value"]
        return ShareClient(f"{self.lc.endpoint}/{self.cfg.account}", self.cfg.share,
                           credential=key, connection_verify=self.lc.ca_file)  # fmt: skip

    def upload(self, run: layout.RunLayout) -> None:
        share = self.share()
        uploads: dict[str, bytes] = {}
        for folder in run.folders:
            for path in sorted((self.files.root / folder.local).rglob("*")):
                if path.is_file() and "__pycache__" not in path.parts:
                    local = path.relative_to(self.files.root).as_posix()
                    uploads[run.remote(local)] = path.read_bytes()
        for rendered in run.rendered:
            text = layout.render(rendered.local.read_text(), str(run.run_id))
            uploads[rendered.remote] = text.encode()
        made: set[str] = set()
        for remote, data in uploads.items():
            assert not layout.is_never_synced(remote)
            parts = remote.split("/")
            for depth in range(1, len(parts)):
                directory = share.get_directory_client("/".join(parts[:depth]))
                if directory.directory_path not in made and not directory.exists():
                    directory.create_directory()
                made.add(directory.directory_path)
            share.get_file_client(remote).upload_file(data)

    def job(self) -> dict[str, Any]:
        found: dict[str, Any] = self.arm("GET", self.job_path).json()
        return found

    def start(self, run_id: str | None) -> str:
        body = override.start_body(self.job(), override.run_command(self.cfg, run_id))
        answer = self.arm("POST", f"{self.job_path}/start", body)
        assert answer.status_code in (200, 202), answer.text
        name: str = answer.json()["name"]
        return name

    def finished(self, execution: str) -> status.ExecutionSummary:
        def done() -> Any:
            doc = self.arm("GET", f"{self.job_path}/executions/{execution}").json()
            found = status.summary(doc)
            return found if found.status.terminal else None

        summary: status.ExecutionSummary = wait_for(done)
        return summary

    def console(self, execution: str) -> list[logs.LogLine]:
        workspaces = f"{self.base}/providers/Microsoft.OperationalInsights/workspaces"
        listed = self.arm("GET", workspaces, api="2022-10-01").json()["value"]
        (workspace,) = [w for w in listed if w["name"] == self.cfg.log_analytics] or listed
        answer = requests.post(
            f"{self.lc.endpoint}/v1/workspaces/{workspace['properties']['customerId']}/query",
            json={"query": logs.console_query(execution)},
            headers={"Authorization": f"Bearer {self.lc.token(LOG_ANALYTICS_SCOPE)}"},
            verify=self.lc.ca_file,
            timeout=30,
        )
        assert answer.status_code == 200, answer.text
        return logs.rows_to_lines(answer.json())


def test_the_workspace_job_trains_keeps_its_secret_and_writes_the_model(
    localcloud: LocalCloudHandle, fresh_group: str, tmp_path: Path
) -> None:
    run = Run(localcloud, fresh_group, ROOT, tmp_path)
    assert run.cfg.commands[-1].startswith("python3 ./finetuning/train.py")  # from the outputs
    run.upload(layout.plan(run.files, None))
    listed = run.arm("POST", f"{run.job_path}/listSecrets").json()
    patch = secrets.set_secret_body(run.job(), secrets.secrets_from_list(listed), "HF_TOKEN",
                                    secrets.secret_name_for("HF_TOKEN"), "hf_s3cret")  # fmt: skip
    assert run.arm("PATCH", run.job_path, patch).status_code in (200, 201, 202)
    wait_for(lambda: secrets.secret_refs(run.job()) == {"HF_TOKEN": "hf-token"})

    execution = run.start(None)
    summary = run.finished(execution)
    assert summary.status is status.ExecutionStatus.SUCCEEDED
    assert summary.start is not None and summary.end is not None
    meta = json.loads(
        run.share().get_file_client("models/qa-classifier/metadata.json").download_file().readall()
    )
    assert meta["examples"] == 186 and meta["steps"] == 30 * 186
    lines = wait_for(lambda: [x.text for x in run.console(execution)] or None, timeout=30)
    assert "HF_TOKEN is set" in lines and "hf_s3cret" not in " ".join(lines)
    assert any(line.startswith("epoch 30/30 ") for line in lines)

    bad = run.share().get_file_client("dataset/qa.jsonl")
    bad.upload_file(b'{"question": "only one answer"}\n')
    failed = run.finished(run.start(None))
    assert failed.status is status.ExecutionStatus.FAILED and status.exit_code(failed.status) == 1
    still = run.share().get_file_client("models/qa-classifier/metadata.json")
    assert json.loads(still.download_file().readall()) == meta


def test_a_phi_silica_run_gets_its_run_folder_and_args(
    localcloud: LocalCloudHandle, fresh_group: str, tmp_path: Path
) -> None:
    fixture = ROOT / "tests" / "fixtures" / "workspaces" / "phisilica"
    run = Run(localcloud, fresh_group, fixture, tmp_path)
    assert run.cfg.log_analytics is not None and run.cfg.args == ("mount/<run_id>/lora.yaml",)
    run_id = layout.generate_run_id()
    run.upload(layout.plan(run.files, run_id))
    summary = run.finished(run.start(run_id))
    assert summary.status is status.ExecutionStatus.SUCCEEDED
    adapter = run.share().get_file_client(f"{run_id}/save_dir/adapter/adapter_model.json")
    assert json.loads(adapter.download_file().readall())
