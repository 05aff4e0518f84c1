"""Start a real `localcloud serve` process for tests and talk to it like a client would.

    handle = start_localcloud(tmp_path / "lc")          # waits until it answers HTTPS
    client = ResourceManagementClient(handle.credential(), handle.subscription_id,
                                      **sdk_kwargs(handle))
    handle.admin("POST", "faults", json={...})          # the /_localcloud/ admin API
    handle.stop()

Importable from any test as `from localcloud_fixture import ...` (tests/ is on sys.path
through tests/conftest.py). The pytest fixtures `localcloud`, `private_localcloud` and
`fresh_group` live in tests/conftest.py.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import requests

ARM_SCOPE = "https://management.azure.com/.default"
START_TIMEOUT_S = 60.0
_TOKENS: dict[tuple[str, str, str], tuple[str, float]] = {}


class LocalCloudStartError(RuntimeError):
    pass


@dataclass(frozen=True)
class LocalCloudHandle:
    endpoint: str  # https://127.0.0.1:PORT (the ARM base URL and the Entra authority)
    ca_file: str
    tenant_id: str
    client_id: str
    client_secret: str
    subscription_id: str
    admin_url: str  # https://127.0.0.1:PORT/_localcloud
    state_dir: Path
    process: subprocess.Popen[bytes]
    port: int
    log_file: Path

    # -- clients ---------------------------------------------------------------------------
    def credential(self) -> Any:
        """An azure-identity ClientSecretCredential signed in against this localcloud."""
        from azure.identity import ClientSecretCredential

        return ClientSecretCredential(
            self.tenant_id,
            self.client_id,
            self.client_secret,
            authority=self.endpoint,
            connection_verify=self.ca_file,
            disable_instance_discovery=True,
        )

    def token(self, scope: str = ARM_SCOPE) -> str:
        """A bearer token from the token endpoint, cached for ten minutes per process."""
        key = (self.endpoint, self.client_secret, scope)
        cached = _TOKENS.get(key)
        if cached is not None and cached[1] > time.monotonic():
            return cached[0]
        token = self.fresh_token(scope)
        _TOKENS[key] = (token, time.monotonic() + 600)
        return token

    def fresh_token(self, scope: str = ARM_SCOPE) -> str:
        """A new bearer token straight from the token endpoint."""
        response = requests.post(
            f"{self.endpoint}/{self.tenant_id}/oauth2/v2.0/token",
            data={
                "grant_type": "client_credentials",
                "client_id": self.client_id,
                "client_secret": self.client_secret,
                "scope": scope,
            },
            verify=self.ca_file,
            timeout=30,
        )
        response.raise_for_status()
        return str(response.json()["access_token"])

    def admin(self, method: str, path: str, json: Any = None) -> requests.Response:
        """Call `/_localcloud/{path}` with a bearer token."""
        return requests.request(
            method,
            f"{self.admin_url}/{path.lstrip('/')}",
            json=json,
            headers={"Authorization": f"Bearer {self.token()}"},
            verify=self.ca_file,
            timeout=30,
        )

    def request(
        self,
        method: str,
        path: str,
        *,
        json: Any = None,
        token: str | None = "",
        headers: dict[str, str] | None = None,
        data: bytes | None = None,
    ) -> requests.Response:
        """A raw HTTPS request (token "" = fetch one, None = send none)."""
        sent = dict(headers or {})
        if token is not None:
            sent["Authorization"] = f"Bearer {token or self.token()}"
        return requests.request(
            method,
            self.endpoint + path,
            json=json,
            data=data,
            headers=sent,
            verify=self.ca_file,
            timeout=30,
        )

    def sdk_kwargs(self) -> dict[str, Any]:
        return sdk_kwargs(self)

    def log_text(self) -> str:
        try:
            return self.log_file.read_text(errors="replace")
        except OSError:
            return ""

    # -- lifecycle -------------------------------------------------------------------------
    @property
    def running(self) -> bool:
        return self.process.poll() is None

    def stop(self, timeout: float = 15.0) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout)

    def restart(self) -> LocalCloudHandle:
        """Stop, then start again on the same state dir and port."""
        self.stop()
        return start_localcloud(self.state_dir, port=self.port)


def sdk_kwargs(handle: LocalCloudHandle) -> dict[str, Any]:
    """Keyword arguments pointing any azure-mgmt-* client at this localcloud."""
    return {
        "base_url": handle.endpoint,
        "credential_scopes": [ARM_SCOPE],
        "connection_verify": handle.ca_file,
    }


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        doc = json.loads(path.read_text())
    except (OSError, ValueError):
        return None
    return doc if isinstance(doc, dict) else None


def _answers(endpoint: str, ca_file: str) -> bool:
    try:
        response = requests.get(
            f"{endpoint}/metadata/endpoints?api-version=2022-09-01", verify=ca_file, timeout=2
        )
    except requests.RequestException:
        return False
    return response.status_code == 200


def start_localcloud(
    state_dir: Path,
    *,
    port: int = 0,
    timeout: float = START_TIMEOUT_S,
    env: dict[str, str] | None = None,
    args: tuple[str, ...] = (),
) -> LocalCloudHandle:
    """Start `python -m localcloud serve` on `state_dir` (plus `args`, e.g. `--latency-ms`)
    and wait until it answers."""
    state_dir = Path(state_dir)
    state_dir.mkdir(parents=True, exist_ok=True)
    log_file = state_dir / "serve.log"
    with log_file.open("ab") as log:
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "localcloud",
                "serve",
                "--state-dir",
                str(state_dir),
                "--port",
                str(port),
                *args,
            ],
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            env={**os.environ, **(env or {})},
        )
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise LocalCloudStartError(
                f"localcloud exited with {process.returncode}:\n{log_file.read_text()[-4000:]}"
            )
        runtime = _read_json(state_dir / "client.json")
        identity = _read_json(state_dir / "identity.json")
        if runtime and identity and runtime.get("pid") == process.pid:
            endpoint = f"https://127.0.0.1:{runtime['port']}"
            ca_file = str(state_dir / "ca.pem")
            if _answers(endpoint, ca_file):
                return LocalCloudHandle(
                    endpoint=endpoint,
                    ca_file=ca_file,
                    tenant_id=identity["tenant_id"],
                    client_id=identity["client_id"],
                    client_secret=identity["client_secret"],
                    subscription_id=identity["subscription_id"],
                    admin_url=f"{endpoint}/_localcloud",
                    state_dir=state_dir,
                    process=process,
                    port=int(runtime["port"]),
                    log_file=log_file,
                )
        time.sleep(0.05)
    with contextlib.suppress(OSError):
        process.kill()
    raise LocalCloudStartError(
        f"localcloud did not answer within {timeout:.0f} s:\n{log_file.read_text()[-4000:]}"
    )


def unique_name(prefix: str = "rg") -> str:
    return f"{prefix}-{uuid.uuid4().hex[:10]}"
