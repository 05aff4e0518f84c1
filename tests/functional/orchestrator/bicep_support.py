"""Shared by the Bicep install tests: a loopback HTTPS stand-in for downloads.bicep.azure.com
(its own test CA) serving a good binary - a script that answers `--version` like Bicep and
`build --stdout` with the checked-in JSON - or a tampered one; the CLI as a real process, on a
pipe or on a pseudo-terminal.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from https_stub import Reply, Request, StubServer, serve

from orchestrator.bicep.releases import PINNED_VERSION, PinnedDigest
from orchestrator.bicep.settings import BicepSettings

REPO = Path(__file__).resolve().parents[3]
FAKE_BICEP = """#!/bin/sh
case "$1" in
  --version) echo "Bicep CLI version 0.33.13 (fake)" ;;
  build) /bin/cat "{json}" ;;
  *) exit 2 ;;
esac
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stale_workspace(tmp_path: Path) -> Path:
    """A workspace whose inference.json no longer matches inference.bicep."""
    ws = tmp_path / "ws"
    shutil.copytree(REPO / "infra", ws / "infra")
    bicep = ws / "infra/provision/inference.bicep"
    bicep.write_text(bicep.read_text() + "\n// edited after the JSON was compiled\n")
    return ws


class ReleaseHost:
    """Serves `/{tag}/{asset}` from `files`; anything else is 404."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def __call__(self, request: Request) -> Reply:
        body = self.files.get(request.path)
        if body is None:
            return Reply(404, b"BlobNotFound")
        return Reply(200, body, {"Content-Type": "application/octet-stream"})


@contextmanager
def release_host(folder: Path) -> Iterator[tuple[StubServer, ReleaseHost]]:
    files = ReleaseHost()
    with serve(folder, files) as server:
        yield server, files


def settings_for(server: StubServer, tmp_path: Path, **extra: str) -> BicepSettings:
    env = {
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
        "ORCHESTRATOR_BICEP_DOWNLOAD_URL": server.base_url,
        "REQUESTS_CA_BUNDLE": server.ca_file,
        **extra,
    }
    return BicepSettings.from_env(env)


def good_binary(ws: Path) -> bytes:
    return FAKE_BICEP.format(json=ws / "infra/provision/inference.json").encode()


def pins_for(data: bytes, platform: str = "linux-x64") -> dict[str, dict[str, PinnedDigest]]:
    return {PINNED_VERSION: {platform: PinnedDigest(sha256(data), ("test pin",))}}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def cli(
    tmp_path: Path, server: StubServer, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    base = {
        "HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
        "ORCHESTRATOR_BICEP_DOWNLOAD_URL": server.base_url,
        "REQUESTS_CA_BUNDLE": server.ca_file,
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", *args],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def on_a_terminal(
    tmp_path: Path, server: StubServer, answer: bytes, *args: str, **extra: str
) -> tuple[int, str]:
    """`orchestrator ARGS` with stdin/stdout on a pseudo-terminal; `answer` is typed once the
    question shows. Exit code and everything the terminal showed."""
    import pty
    import select

    main, child = pty.openpty()
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
        "ORCHESTRATOR_BICEP_DOWNLOAD_URL": server.base_url,
        "REQUESTS_CA_BUNDLE": server.ca_file,
        "TERM": "dumb",
        **extra,
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=tmp_path,
    )
    os.close(child)
    shown, answered = b"", False
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        assert ready, shown.decode(errors="replace")
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        if not answered and b"[Y/n]" in shown:
            os.write(main, answer)
            answered = True
    os.close(main)
    return process.wait(timeout=60), shown.decode(errors="replace")
