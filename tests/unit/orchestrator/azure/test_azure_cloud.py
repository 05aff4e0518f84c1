"""localcloud discovery through its client file (no subprocess while it runs), and the
fallback to `localcloud status --json` while an instance writes none."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from orchestrator.azure.cloud import LocalCloudFinder, local_profile
from orchestrator.errors import AzureError

INFO = {
    "running": True,
    "endpoint": "https://127.0.0.1:8443",
    "ca_file": "/lc/ca.pem",
    "tenant_id": "t",
    "client_id": "c",
    "client_secret": "s",
    "subscription_id": "00000000-0000-4000-8000-000000000001",
    "authority": "https://127.0.0.1:8443",
    "admin_url": "https://127.0.0.1:8443/_localcloud",
    "state_dir": "/lc",
}


class Runs:
    """Stands in for subprocess.run: answers `status --json` and `start`, records argv."""

    def __init__(self, status: list[dict[str, Any]], on_start: Any = None) -> None:
        self.status = status
        self.on_start = on_start
        self.argv: list[Sequence[str]] = []

    def __call__(self, argv: Sequence[str], **kwargs: Any) -> subprocess.CompletedProcess[str]:
        self.argv.append(argv)
        if argv[-1] == "start":
            if self.on_start:
                self.on_start()
            return subprocess.CompletedProcess(argv, 0, "", "")
        doc = self.status.pop(0)
        return subprocess.CompletedProcess(
            argv, 0 if doc.get("running") else 3, json.dumps(doc), ""
        )


def finder(state: Path, runs: Runs, said: list[str]) -> LocalCloudFinder:
    return LocalCloudFinder(state, {"PATH": "/bin"}, said.append, runs)


def write_client_file(state: Path, pid: int) -> None:
    state.mkdir(parents=True, exist_ok=True)
    (state / "client.json").write_text(json.dumps({**INFO, "pid": pid, "port": 8443}))


def test_a_running_instance_is_read_from_its_client_file_without_a_subprocess(
    tmp_path: Path,
) -> None:
    write_client_file(tmp_path, os.getpid())
    runs, said = Runs([]), []
    info = finder(tmp_path, runs, said).find(start=True)
    assert info.endpoint == INFO["endpoint"] and info.pid == os.getpid()
    assert runs.argv == [] and said == []
    profile = local_profile(info)
    assert profile.connection_verify == "/lc/ca.pem" and profile.custom_authority


def test_a_stale_client_file_means_a_start_that_is_announced(tmp_path: Path) -> None:
    write_client_file(tmp_path, 2**22 + 12345)  # no such process
    runs, said = Runs([], on_start=lambda: write_client_file(tmp_path, os.getpid())), []
    info = finder(tmp_path, runs, said).find(start=True)
    assert info.pid == os.getpid()
    assert [a[-1] for a in runs.argv] == ["start"]
    assert said == [f"starting localcloud in the background (state {tmp_path})"]


def test_status_never_starts_one(tmp_path: Path) -> None:
    runs, said = Runs([{"running": False}]), []
    with pytest.raises(AzureError) as caught:
        finder(tmp_path, runs, said).find(start=False)
    assert "localcloud is not running" in caught.value.message
    assert all(a[-1] != "start" for a in runs.argv) and said == []


def test_without_a_client_file_the_status_command_is_asked(tmp_path: Path) -> None:
    runs, said = Runs([dict(INFO)]), []
    info = finder(tmp_path, runs, said).find(start=True)
    assert info.client_id == "c" and [a[-2:] for a in runs.argv] == [["status", "--json"]]
