"""Helpers for the deploy / logs / validate --online functional tests.

A test provisions its own resource group on localcloud with the CLI (`provision`), then runs
`deploy` / `logs` / `validate` as subprocesses exactly as a user would, and looks at the
result with the official SDK (the share through azure-storage-file-share with the key from
ARM listKeys) and plain HTTPS against the app's endpoint (verify=localcloud's CA).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import queue
import re
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import requests
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, unique_name
from provision_support import (
    CONFIG_KEYS,
    Ran,
    config,
    make_workspace,
    requests_log,
    run_cli,
    start_cli,
)

T = TypeVar("T")
# Every deploy in these tests gets a generous budget: the machine may be loaded.
DEPLOY_TIMEOUT_S = 180
# Retry back-off for the orchestrator's own retries in fault tests (real default: 1 s).
FAST_RETRY = {"ORCHESTRATOR_RETRY_BACKOFF": "0.05"}


@dataclass(frozen=True)
class Provisioned:
    """A workspace whose config names a provisioned group on `lc`."""

    workspace: Path
    lc: LocalCloudHandle
    config: dict[str, Any]

    @property
    def group(self) -> str:
        return str(self.config["RESOURCE_GROUP_NAME"])

    @property
    def account(self) -> str:
        return str(self.config["STORAGE_ACCOUNT_NAME"])

    @property
    def share_name(self) -> str:
        return str(self.config["FILE_SHARE_NAME"])

    @property
    def app(self) -> str:
        return str(self.config["ACA_APP_NAME"])

    @property
    def endpoint(self) -> str:
        return f"https://{self.config['ACA_APP_ENDPOINT']}"

    def cli(self, *args: str, timeout: float = DEPLOY_TIMEOUT_S, **env: str) -> Ran:
        return run_cli(self.workspace, self.lc, *args, timeout=timeout, **env)

    def deploy(self, *args: str, **env: str) -> Ran:
        return self.cli("deploy", *args, **env)


def provision(root: Path, lc: LocalCloudHandle, *params: str) -> Provisioned:
    """A fresh workspace under `root`, provisioned into a new group (`params`: NAME=VALUE)."""
    workspace = make_workspace(root)
    group = unique_name("rgdeploy")
    overrides = [arg for param in params for arg in ("-p", param)]
    ran = run_cli(
        workspace,
        lc,
        "provision",
        "-g",
        group,
        "--create-resource-group",
        "-l",
        "eastus",
        *overrides,
        timeout=DEPLOY_TIMEOUT_S,
    )
    assert ran.code == 0, ran.output
    return Provisioned(workspace, lc, config(workspace))


def hand_filled(root: Path, source: Provisioned, **changes: Any) -> Provisioned:
    """A new workspace whose config holds the six keys typed in (no .orchestrator/ state)."""
    workspace = make_workspace(root)
    typed = {key: source.config[key] for key in CONFIG_KEYS} | changes
    typed = {key: value for key, value in typed.items() if value is not ...}
    (workspace / "infra" / "inference.config.json").write_text(json.dumps(typed, indent=2))
    assert not (workspace / ".orchestrator").exists()
    return Provisioned(workspace, source.lc, typed)


# -- what is on the share ----------------------------------------------------------------


def storage_keys(p: Provisioned) -> list[str]:
    from azure.mgmt.storage import StorageManagementClient

    client = StorageManagementClient(p.lc.credential(), p.lc.subscription_id, **sdk_kwargs(p.lc))
    result = client.storage_accounts.list_keys(p.group, p.account)
    return [str(entry["value"]) for entry in result["keys"]]


def share_client(p: Provisioned) -> Any:
    from azure.mgmt.storage import StorageManagementClient
    from azure.storage.fileshare import ShareClient

    client = StorageManagementClient(p.lc.credential(), p.lc.subscription_id, **sdk_kwargs(p.lc))
    account = client.storage_accounts.get_properties(p.group, p.account)
    url = str(account["properties"]["primaryEndpoints"]["file"]).rstrip("/")
    return ShareClient(
        url,
        p.share_name,
        credential={"account_name": p.account, "account_key": storage_keys(p)[0]},
        connection_verify=p.lc.ca_file,
    )


def seed(share: Any, files: dict[str, bytes]) -> None:
    """Put files on the share as another tool would (no Content-MD5), folders first."""
    from azure.core.exceptions import ResourceExistsError

    for path, data in files.items():
        parts = path.split("/")[:-1]
        for depth in range(1, len(parts) + 1):
            with contextlib.suppress(ResourceExistsError):
                share.get_directory_client("/".join(parts[:depth])).create_directory()
        share.get_file_client(path).upload_file(data)


def remote_tree(share: Any, folder: str = "") -> dict[str, bytes]:
    """Every file on the share under `folder`, with its content."""
    found: dict[str, bytes] = {}
    for item in share.get_directory_client(folder).list_directories_and_files():
        path = f"{folder}/{item.name}" if folder else str(item.name)
        if item.is_directory:
            found |= remote_tree(share, path)
        else:
            found[path] = share.get_file_client(path).download_file().readall()
    return found


def remote_exists(share: Any, path: str) -> bool:
    return bool(share.get_file_client(path).exists())


def remote_dir_exists(share: Any, path: str) -> bool:
    return bool(share.get_directory_client(path).exists())


# -- what the endpoint and the request log say -------------------------------------------


def code_version(folder: Path) -> str:
    """What inference/app.py reports for the files of `folder` (the same hash)."""
    digest = hashlib.sha256()
    for path in sorted(folder.rglob("*")):
        if path.is_file() and "__pycache__" not in path.parts:
            digest.update(path.relative_to(folder).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def get(p: Provisioned, path: str = "/") -> requests.Response:
    return requests.get(p.endpoint + path, verify=p.lc.ca_file, timeout=30)


def answered_version(p: Provisioned) -> str:
    response = get(p)
    assert response.status_code == 200, response.text
    return str(response.json()["code_version"])


def share_writes(lc: LocalCloudHandle, p: Provisioned) -> list[dict[str, Any]]:
    """PUT / DELETE requests on the file data plane of the account (request log)."""
    prefix = f"/{p.account}/"
    return [
        e
        for e in requests_log(lc)
        if str(e["path"]).startswith(prefix) and str(e["method"]).upper() in ("PUT", "DELETE")
    ]


def written_paths(entries: Iterable[dict[str, Any]], p: Provisioned) -> set[str]:
    """The share paths that `entries` wrote to (query and account/share prefix cut)."""
    from urllib.parse import unquote

    prefix = f"/{p.account}/{p.share_name}/"
    return {unquote(str(e["path"]).split("?", 1)[0].removeprefix(prefix)) for e in entries}


def app_path(p: Provisioned, tail: str = "") -> str:
    """A regex for ARM paths of the app (faults), e.g. tail='/revisions/[^/]+/restart'."""
    return f"(?i)/containerApps/{re.escape(p.app)}{tail}"


def poll(check: Callable[[], T | None], timeout: float = 60.0, interval: float = 0.2) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value is not None:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"not true within {timeout:.0f} s")
        time.sleep(interval)


# -- a long-running CLI (logs --follow) ---------------------------------------------------


class LineReader:
    """A subprocess's stdout read on a thread, so a test can wait for a line with a timeout."""

    def __init__(self, workspace: Path, lc: LocalCloudHandle, args: Sequence[str]) -> None:
        self.process = start_cli(workspace, lc, *args)
        self.seen: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line.rstrip("\n"))
        self._lines.put(None)

    def wait_for(self, needle: str, timeout: float = 60.0) -> str:
        deadline = time.monotonic() + timeout
        while (left := deadline - time.monotonic()) > 0:
            try:
                line = self._lines.get(timeout=left)
            except queue.Empty:
                break
            if line is None:
                break
            self.seen.append(line)
            if needle in line:
                return line
        raise AssertionError(f"no line with {needle!r}; saw {self.seen[-20:]}")

    def stop(self) -> int:
        if self.process.poll() is None:
            self.process.terminate()
        try:
            return self.process.wait(30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            return self.process.wait(30)

    def stderr(self) -> str:
        """Everything the process wrote on stderr (once it has stopped)."""
        assert self.process.stderr is not None and self.process.poll() is not None
        return self.process.stderr.read()
