"""Which cloud to talk to, and where: the az CLI's active cloud, or a running localcloud.

`azure_profile` reads the az CLI's files (`azcli.py`): public, sovereign or a registered
custom cloud. `localcloud_profile` finds a localcloud instance through its client file
(`<state_dir>/client.json`, written while it runs: endpoint, CA file, service principal);
it starts one in the background when asked to (announced), and falls back to
`python -m localcloud status --json` while an instance writes no client file. The two
programs meet only over HTTPS: nothing of localcloud is imported.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote

from orchestrator.azure.azcli import active_cloud, default_subscription
from orchestrator.errors import AzureError, InputError

if TYPE_CHECKING:
    import subprocess

ARM_SCOPES = ("https://management.azure.com/.default",)
PORTAL_DEPLOYMENT = "/#blade/HubsExtension/DeploymentDetailsBlade/overview/id/"
CLIENT_FILE = "client.json"
STATUS_OK = (0, 3)  # `localcloud status` exits 3 when the instance is not running
START_HINT = "run `python -m localcloud start`; LOCALCLOUD_STATE_DIR selects the instance"

Run = Callable[..., "subprocess.CompletedProcess[str]"]
Announce = Callable[[str], None]


@dataclass(frozen=True)
class LocalCloudInfo:
    """A running localcloud instance, as its client file (or `status --json`) describes it."""

    endpoint: str
    ca_file: str
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    subscription_id: str
    authority: str
    admin_url: str = ""
    state_dir: str = ""
    pid: int = 0


@dataclass(frozen=True)
class CloudProfile:
    name: str  # azure | local
    arm_endpoint: str
    credential_scopes: tuple[str, ...] = ARM_SCOPES
    connection_verify: str | bool = True
    authority: str = "https://login.microsoftonline.com"
    custom_authority: bool = False  # a registered custom cloud: no instance discovery
    default_subscription: str = ""
    default_subscription_source: str = ""
    local: LocalCloudInfo | None = None
    portal: str = ""  # the cloud's portal ("" for localcloud: there is none)
    az_cloud: str = ""  # the az CLI cloud the endpoints came from

    def portal_url(self, deployment_id: str) -> str:
        """The portal page of a deployment ("" where the cloud has no portal)."""
        if not self.portal or not deployment_id:
            return ""
        return self.portal + PORTAL_DEPLOYMENT + quote(deployment_id, safe="")


def azure_profile(az_config_dir: Path) -> CloudProfile:
    """The az CLI's active cloud (the public cloud when az was never configured)."""
    cloud = active_cloud(az_config_dir)
    found = default_subscription(az_config_dir, cloud.name)
    return CloudProfile(
        name="azure",
        arm_endpoint=cloud.resource_manager,
        credential_scopes=(cloud.scope,),
        authority=cloud.authority,
        custom_authority=cloud.custom,
        default_subscription=found[0] if found else "",
        default_subscription_source=f"az CLI default ({found[1]})" if found else "",
        portal=cloud.portal,
        az_cloud=cloud.name,
    )


def local_profile(info: LocalCloudInfo) -> CloudProfile:
    return CloudProfile(
        name="local",
        arm_endpoint=info.endpoint.rstrip("/"),
        connection_verify=info.ca_file,
        authority=info.authority,
        custom_authority=True,
        default_subscription=info.subscription_id,
        default_subscription_source="localcloud's subscription",
        local=info,
    )


# --- localcloud discovery (contract: <state_dir>/client.json) --------------------------------


def parse_local_info(doc: object, source: str) -> LocalCloudInfo | None:
    """The instance a client file / status document describes; None when it is not running."""
    if not isinstance(doc, dict) or not doc.get("running"):
        return None
    try:
        return LocalCloudInfo(
            endpoint=str(doc["endpoint"]),
            ca_file=str(doc["ca_file"]),
            tenant_id=str(doc["tenant_id"]),
            client_id=str(doc["client_id"]),
            client_secret=str(doc["client_secret"]),
            subscription_id=str(doc["subscription_id"]),
            authority=str(doc.get("authority") or doc["endpoint"]),
            admin_url=str(doc.get("admin_url", "")),
            state_dir=str(doc.get("state_dir", "")),
            pid=int(doc.get("pid") or 0),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise AzureError(f"{source} lacks or garbles {exc}", hint=START_HINT) from None


def pid_alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass(frozen=True)
class LocalCloudFinder:
    """Finds (and, when allowed, starts) the localcloud instance of one state directory."""

    state_dir: Path
    environ: Mapping[str, str]  # the environment a `python -m localcloud` child gets
    announce: Announce
    run: Run | None = None  # subprocess.run (imported when a localcloud command is run)

    def find(self, *, start: bool) -> LocalCloudInfo:
        info = self._client_file()
        if info is None and not (self.state_dir / CLIENT_FILE).exists():
            info = self._status()
        if info is not None:
            return info
        if not start:
            raise AzureError(f"localcloud is not running (state {self.state_dir})", hint=START_HINT)
        self.announce(f"starting localcloud in the background (state {self.state_dir})")
        self._localcloud(["start"], 120)
        info = self._client_file() or self._status()
        if info is None:
            raise AzureError("localcloud did not start", hint=START_HINT)
        return info

    def _client_file(self) -> LocalCloudInfo | None:
        path = self.state_dir / CLIENT_FILE
        try:
            doc = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            return None
        except OSError as exc:  # no permission (an untraversable home): the user's to fix
            message = f"{path}: cannot read localcloud's client file ({exc.strerror})"
            hint = "set LOCALCLOUD_STATE_DIR to a folder of yours"
            raise InputError(message, hint=hint) from None
        except ValueError as exc:
            raise AzureError(f"{path}: cannot read localcloud's client file ({exc})") from None
        info = parse_local_info(doc, str(path))
        return info if info is not None and pid_alive(info.pid) else None

    def _status(self) -> LocalCloudInfo | None:
        text = self._localcloud(["status", "--json"], 60, STATUS_OK)
        try:
            doc = json.loads(text)
        except ValueError as exc:
            raise AzureError(f"localcloud status --json printed something else: {exc}") from None
        return parse_local_info(doc, "localcloud status --json")

    def _localcloud(self, args: Sequence[str], timeout: float, ok: Sequence[int] = (0,)) -> str:
        argv = [sys.executable, "-m", "localcloud", *args]
        import subprocess

        env = {**self.environ, "LOCALCLOUD_STATE_DIR": str(self.state_dir)}
        run = self.run or subprocess.run
        try:
            done = run(argv, env=env, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            raise AzureError(f"localcloud {' '.join(args)}: {exc}") from exc
        if done.returncode not in ok:
            tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
            raise AzureError(
                f"localcloud {' '.join(args)} failed (exit {done.returncode}): {tail[0]}",
                hint=START_HINT,
            )
        return str(done.stdout)
