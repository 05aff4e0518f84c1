"""A real Supervisor on the pieces of localcloud it uses: SQLite store, share folders, tokens,
the localcloud CA, and the sandbox found on this machine."""

from __future__ import annotations

import asyncio
import os
import ssl
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud.auth import TokenService
from localcloud.config import Identity, StatePaths
from localcloud.runtime.sandbox import detect_sandbox
from localcloud.runtime.settings import RuntimeSettings
from localcloud.runtime.supervisor import RuntimeParts, Supervisor
from localcloud.store import SqliteStore
from localcloud.tls import client_ssl_context, ensure_tls, server_ssl_context

SUB = "00000000-0000-0000-0000-000000000001"
RG = "rg1"
ENV_ID = (
    f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.App/managedEnvironments/env1"
)

# The sample app: reads PORT, serves / (JSON), /sse (three events, 0.6 s apart), POST (echo size).
APP_PY = r"""
import json, os, sys, time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

print("booting replica", os.environ.get("CONTAINER_APP_REPLICA_NAME"), flush=True)
time.sleep(float(os.environ.get("START_DELAY", "0")))

class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        if self.path == "/sse":
            self.send_response(200)
            self.send_header("Content-Type", "text/event-stream")
            self.end_headers()
            for i in range(3):
                self.wfile.write(f"data: {i}\n\n".encode())
                self.wfile.flush()
                time.sleep(0.6)
            return
        body = json.dumps({
            "replica": os.environ.get("CONTAINER_APP_REPLICA_NAME"),
            "cwd": os.getcwd(),
            "data": open("data.txt").read(),
            "secret": os.environ.get("SECRET_VALUE", ""),
        }).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self):
        size = int(self.headers.get("Content-Length", "0"))
        got = 0
        while got < size:
            got += len(self.rfile.read(min(65536, size - got)))
        body = json.dumps({"received": got}).encode()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, fmt, *args):
        print("request", self.path, flush=True)

ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "7860"))), Handler).serve_forever()
"""


class ShareFolders:
    """`cloud.files` as far as the runtime uses it."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def share_path(self, account: str, share: str) -> Path:
        folder = self.root / account / share
        folder.mkdir(parents=True, exist_ok=True)
        return folder


@dataclass
class Rig:
    """What the runtime uses of localcloud (`RuntimeParts`), as tests set it up."""

    state_dir: Path
    base_url: str
    store: SqliteStore
    files: ShareFolders
    tokens: TokenService


def make_cloud(tmp: Path) -> Rig:
    state = tmp / "state"
    state.mkdir(parents=True, exist_ok=True)
    identity = Identity("tenant", SUB, "client", "secret")
    return Rig(
        state_dir=state,
        base_url="https://127.0.0.1:9",
        store=SqliteStore(state / "state.db"),
        files=ShareFolders(state / "files"),
        tokens=TokenService(identity, b"k" * 32, "https://127.0.0.1:9"),
    )


def fast_settings(**overrides: Any) -> RuntimeSettings:
    base = {"restart_backoff": 0.2, "restart_backoff_max": 1.0, "stop_grace": 2.0}
    return RuntimeSettings(**{**base, **overrides})


def make_supervisor(cloud: Rig, *, sandboxed: bool = True, **overrides: Any) -> Supervisor:
    files = ensure_tls(StatePaths(cloud.state_dir))
    parts = RuntimeParts(
        cloud.state_dir, cloud.store, cloud.base_url, cloud.files.share_path, cloud.tokens
    )
    settings = fast_settings(**overrides)
    sandbox = detect_sandbox(cloud.state_dir, settings.sandbox) if sandboxed else None
    return Supervisor(parts, settings, lambda: server_ssl_context(files), sandbox=sandbox)


def client_context(cloud: Rig) -> ssl.SSLContext:
    return client_ssl_context(ensure_tls(StatePaths(cloud.state_dir)))


def put_storage(cloud: Rig, name: str, account: str, share: str) -> None:
    sid = f"{ENV_ID}/storages/{name}"
    doc = {
        "id": sid,
        "name": name,
        "properties": {"azureFile": {"accountName": account, "shareName": share}},
    }
    cloud.store.put("resource", sid.lower(), doc)


def app_doc(
    name: str,
    command: str,
    *,
    probes: list[dict[str, Any]] | None = None,
    env: list[dict[str, Any]] | None = None,
    secrets: list[dict[str, str]] | None = None,
    ingress: bool = True,
) -> dict[str, Any]:
    app_id = (
        f"/subscriptions/{SUB}/resourceGroups/{RG}/providers/Microsoft.App/containerApps/{name}"
    )
    container = {
        "name": name,
        "image": "docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime",
        "command": ["/bin/bash", "-c", command],
        "env": env or [],
        "probes": probes or [],
        "volumeMounts": [{"volumeName": "sharevolume", "mountPath": "/mount"}],
    }
    config: dict[str, Any] = {"activeRevisionsMode": "Single", "secrets": secrets or []}
    if ingress:
        config["ingress"] = {"external": True, "targetPort": 7860}
    return {
        "id": app_id,
        "name": name,
        "type": "Microsoft.App/containerApps",
        "properties": {
            "managedEnvironmentId": ENV_ID,
            "configuration": config,
            "template": {
                "revisionSuffix": "",
                "containers": [container],
                "volumes": [
                    {"name": "sharevolume", "storageType": "AzureFile", "storageName": "store1"}
                ],
                "scale": {"minReplicas": 1, "maxReplicas": 1},
            },
        },
    }


async def eventually(check: Callable[[], Any], timeout: float = 60.0, every: float = 0.1) -> Any:
    """Poll `check` until it returns something truthy (or raise AssertionError)."""
    deadline = time.monotonic() + timeout
    last: Any = None
    while time.monotonic() < deadline:
        last = check()
        if asyncio.iscoroutine(last):
            last = await last
        if last:
            return last
        await asyncio.sleep(every)
    raise AssertionError(f"condition not met within {timeout}s (last: {last!r})")


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split(")")[-1].split()[0] != "Z"
