"""The real Azure CLI as the benchmarks' peer, in a virtual environment of their own.

`az_executable()` builds (once) `<cache>/az-2.91.0` with the pinned `azure-cli` from PyPI;
the cache is `$BENCH_CACHE` or `~/.cache/orchestrator-bench`. `AzSession` gives az a config
folder of its own and trusts localcloud's CA through `REQUESTS_CA_BUNDLE` (in the az
process only); `sign_in` registers localcloud as a custom cloud and signs in as its service
principal (the README's "Signing in to localcloud"); `connection_string` points
`az storage` at localcloud's path-style Files endpoint.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

from _support import LocalCloudHandle, Ran, run_measured

AZ_VERSION = "2.91.0"


def cache_dir() -> Path:
    return Path(os.environ.get("BENCH_CACHE", Path.home() / ".cache" / "orchestrator-bench"))


def installed_az() -> Path | None:
    az = cache_dir() / f"az-{AZ_VERSION}" / "bin" / "az"
    return az if az.exists() else None


def az_executable() -> Path:
    """The cached az of the pinned version, installed on first use (a few minutes)."""
    found = installed_az()
    if found is not None:
        return found
    venv = cache_dir() / f"az-{AZ_VERSION}"
    venv.parent.mkdir(parents=True, exist_ok=True)
    print(f"installing azure-cli=={AZ_VERSION} into {venv} (once)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"azure-cli=={AZ_VERSION}"], check=True)
    return venv / "bin" / "az"


def connection_string(account: str, key: str, file_endpoint: str) -> str:
    """`az storage ... --connection-string` for localcloud (path-style endpoint)."""
    return (
        f"DefaultEndpointsProtocol=https;AccountName={account};AccountKey={key};"
        f"FileEndpoint={file_endpoint.rstrip('/')}"
    )


@dataclass(frozen=True)
class AzSession:
    az: Path
    cloud: LocalCloudHandle
    config_dir: Path

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "AZURE_CONFIG_DIR": str(self.config_dir),
            "REQUESTS_CA_BUNDLE": self.cloud.ca_file,
            "AZURE_CORE_COLLECT_TELEMETRY": "false",
            "AZURE_CORE_NO_COLOR": "true",
            "AZURE_CORE_ONLY_SHOW_ERRORS": "true",
        }

    def run(self, *args: str, cwd: Path | None = None, timeout: float = 1800) -> Ran:
        """One az command, timed, with its peak memory; raises when it fails."""
        ran = run_measured([str(self.az), *args], cwd=cwd, env=self.env(), timeout=timeout)
        if ran.code != 0:
            raise RuntimeError(f"az {' '.join(args[:3])} failed ({ran.code}):\n{ran.output}")
        return ran

    def sign_in(self) -> None:
        """localcloud as a custom cloud, signed in as its service principal."""
        c = self.cloud
        self.run(
            "cloud", "register", "-n", "localcloud", "--endpoint-resource-manager", c.endpoint + "/"
        )
        self.run("cloud", "set", "-n", "localcloud")
        self.run("config", "set", "core.instance_discovery=false")
        self.run(
            "login",
            "--service-principal",
            "-u",
            c.client_id,
            f"--password={c.client_secret}",
            "--tenant",
            c.tenant_id,
            "-o",
            "none",
        )
