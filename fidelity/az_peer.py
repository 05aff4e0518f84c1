"""The real Azure CLI against localcloud, as a user would drive it.

    .venv/bin/python fidelity/az_peer.py [--json FILE] [--keep]

1. builds (once, cached) a virtual environment of its own with the pinned `azure-cli` under
   the cache folder (`$FIDELITY_CACHE`, default `~/.cache/orchestrator-fidelity`);
2. starts a private localcloud on a temporary state folder and gives az a config folder of
   its own (`AZURE_CONFIG_DIR`), trusting localcloud's CA through `REQUESTS_CA_BUNDLE`;
3. runs the README's custom-cloud sign-in, the manual fallback (`az deployment group create`
   with the checked-in infra/provision/inference.json) and the commands a user would type:
   az group, deployment group (validate, what-if, create, show, list, operations, cancel),
   resource (list -g with and without a type filter, list, show --ids), storage account
   (create, show, keys list, list), storage share-rm (create, list, show, and a share made
   on the data plane), containerapp (show, list, env show, revision list, replica list) and
   monitor log-analytics workspace show;
4. prints one line per command and the pass count; a command listed in
   `az_peer_expected.json` (what localcloud does not serve, with the reason) is expected to
   fail. Exit 0 when every other command passed and every listed one still fails.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from localcloud_fixture import LocalCloudHandle, start_localcloud  # noqa: E402

AZ_VERSION = "2.91.0"
EXPECTED = Path(__file__).with_name("az_peer_expected.json")
TEMPLATE = ROOT / "infra" / "provision" / "inference.json"


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "orchestrator-fidelity"
    return Path(os.environ.get("FIDELITY_CACHE", default))


def az_executable() -> Path:
    """The cached az of the pinned version, installed on first use."""
    venv = cache_dir() / f"az-{AZ_VERSION}"
    az = venv / "bin" / "az"
    if az.exists():
        return az
    venv.parent.mkdir(parents=True, exist_ok=True)
    print(f"installing azure-cli=={AZ_VERSION} into {venv} (once)", file=sys.stderr)
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    pip = [str(venv / "bin" / "python"), "-m", "pip", "install", "-q"]
    subprocess.run([*pip, f"azure-cli=={AZ_VERSION}"], check=True)
    return az


@dataclass(frozen=True)
class Outcome:
    name: str
    ok: bool
    detail: str


@dataclass
class Session:
    az: Path
    cloud: LocalCloudHandle
    config_dir: Path
    group: str = field(default_factory=lambda: f"azpeer-{uuid.uuid4().hex[:8]}")
    outcomes: list[Outcome] = field(default_factory=list)
    facts: dict[str, str] = field(default_factory=dict)

    def env(self) -> dict[str, str]:
        return {
            **os.environ,
            "AZURE_CONFIG_DIR": str(self.config_dir),
            "REQUESTS_CA_BUNDLE": self.cloud.ca_file,
            "AZURE_CORE_COLLECT_TELEMETRY": "false",
            "AZURE_CORE_NO_COLOR": "true",
        }

    def az_run(self, args: Sequence[str], timeout: float = 300) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(self.az), *args, "--only-show-errors"],
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )

    def check(
        self,
        name: str,
        args: Sequence[str],
        judge: Callable[[Any], str | None] | None = None,
        timeout: float = 300,
    ) -> Any:
        """Run one command; it passes when it exits 0 and `judge` finds nothing wrong with
        its JSON output (the judge returns a complaint or None)."""
        started = time.monotonic()
        try:
            done = self.az_run(args, timeout)
        except subprocess.TimeoutExpired:
            self.outcomes.append(Outcome(name, False, f"timed out after {timeout:.0f} s"))
            return None
        took = time.monotonic() - started
        if done.returncode != 0:
            tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
            self.outcomes.append(
                Outcome(name, False, f"exit {done.returncode}: {' | '.join(tail)}")
            )
            return None
        try:
            data = json.loads(done.stdout) if done.stdout.strip() else None
        except ValueError:
            data = done.stdout
        complaint = judge(data) if judge else None
        self.outcomes.append(Outcome(name, complaint is None, complaint or f"{took:.1f} s"))
        return data


# -- the scenario --------------------------------------------------------------------------
def sign_in(s: Session) -> None:
    c = s.cloud
    s.check(
        "cloud register",
        ["cloud", "register", "-n", "localcloud", "--endpoint-resource-manager", c.endpoint + "/"],
    )
    s.check("cloud set", ["cloud", "set", "-n", "localcloud"])
    s.check("config set instance_discovery", ["config", "set", "core.instance_discovery=false"])
    s.check(
        "login --service-principal",
        [
            "login",
            "--service-principal",
            "-u",
            c.client_id,
            f"--password={c.client_secret}",
            "--tenant",
            c.tenant_id,
        ],
        lambda d: None if isinstance(d, list) and d else "no subscription listed",
    )
    s.check(
        "account show",
        ["account", "show"],
        lambda d: None if d and d.get("id") == c.subscription_id else "wrong subscription",
    )


def groups(s: Session) -> None:
    g = s.group
    s.check(
        "group create",
        ["group", "create", "-n", g, "-l", "eastus"],
        lambda d: None if d["properties"]["provisioningState"] == "Succeeded" else str(d),
    )
    s.check("group show", ["group", "show", "-n", g])
    s.check(
        "group list",
        ["group", "list"],
        lambda d: None if any(x["name"] == g for x in d) else "group missing",
    )
    s.check(
        "group exists", ["group", "exists", "-n", g], lambda d: None if d is True else f"said {d!r}"
    )


def deployments(s: Session) -> None:
    g = s.group
    common = [
        "-g",
        g,
        "--template-file",
        str(TEMPLATE),
        "--parameters",
        'defaultCommands=["sleep 600"]',
        "maximumInstanceCount=1",
    ]
    s.check("deployment group validate", ["deployment", "group", "validate", "-n", "peer", *common])
    s.check(
        "deployment group what-if",
        ["deployment", "group", "what-if", "-n", "peer", *common, "--no-pretty-print"],
        lambda d: (
            None if d and d.get("status") == "Succeeded" else f"status {d and d.get('status')}"
        ),
    )
    created = s.check(
        "deployment group create (manual fallback)",
        ["deployment", "group", "create", "-n", "peer", *common],
        timeout=600,
    )
    outputs = ((created or {}).get("properties") or {}).get("outputs") or {}
    for key, entry in outputs.items():
        s.facts[key.lower()] = str((entry or {}).get("value", ""))
    s.check(
        "deployment group show",
        ["deployment", "group", "show", "-g", g, "-n", "peer"],
        lambda d: None if d["properties"]["provisioningState"] == "Succeeded" else "not done",
    )
    s.check(
        "deployment group list",
        ["deployment", "group", "list", "-g", g],
        lambda d: None if any(x["name"] == "peer" for x in d) else "deployment missing",
    )
    s.check(
        "deployment operation group list",
        ["deployment", "operation", "group", "list", "-g", g, "-n", "peer"],
        lambda d: None if d else "no operations",
    )
    cancel(s)


def cancel(s: Session) -> None:
    """A deployment kept running by a slow storage account, then cancelled."""
    s.cloud.admin(
        "POST", "settings", {"provisioning_seconds": {"Microsoft.Storage/storageAccounts": 60}}
    )
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [
            {
                "type": "Microsoft.Storage/storageAccounts",
                "apiVersion": "2023-01-01",
                "name": f"azslow{uuid.uuid4().hex[:12]}",
                "location": "eastus",
                "kind": "StorageV2",
                "sku": {"name": "Standard_LRS"},
            }
        ],
    }
    path = s.config_dir / "slow.json"
    path.write_text(json.dumps(template))
    try:
        s.check(
            "deployment group create --no-wait",
            [
                "deployment",
                "group",
                "create",
                "-g",
                s.group,
                "-n",
                "slow",
                "--template-file",
                str(path),
                "--no-wait",
            ],
        )
        s.check(
            "deployment group cancel",
            ["deployment", "group", "cancel", "-g", s.group, "-n", "slow"],
        )
        s.check(
            "deployment group show (canceled)",
            ["deployment", "group", "show", "-g", s.group, "-n", "slow"],
            lambda d: (
                None
                if d["properties"]["provisioningState"] == "Canceled"
                and not d["properties"].get("error")
                else "not canceled, or with an error"
            ),
        )
    finally:
        s.cloud.admin("POST", "reset")


def resources(s: Session) -> None:
    g = s.group
    listed = s.check(
        "resource list -g",
        ["resource", "list", "-g", g],
        lambda d: (
            None
            if d and all(x["resourceGroup"] == g for x in d)
            else "resources of other groups listed"
        ),
    )
    s.check(
        "resource list -g --resource-type",
        ["resource", "list", "-g", g, "--resource-type", "Microsoft.Storage/storageAccounts"],
        lambda d: (
            None
            if d and all(x["type"] == "Microsoft.Storage/storageAccounts" for x in d)
            else "filter ignored"
        ),
    )
    s.check("resource list", ["resource", "list"], lambda d: None if d else "empty")
    for namespace in ("microsoft.app/", "microsoft.storage/"):
        ids = [x["id"] for x in listed or [] if x["type"].lower().startswith(namespace)]
        if ids:
            s.check(
                f"resource show --ids ({namespace.rstrip('/')})",
                ["resource", "show", "--ids", ids[0]],
                lambda d: None if d and d.get("properties") else "no properties",
            )


def storage(s: Session) -> None:
    g, account = s.group, f"azpeer{uuid.uuid4().hex[:12]}"
    s.check(
        "storage account create",
        [
            "storage",
            "account",
            "create",
            "-n",
            account,
            "-g",
            g,
            "-l",
            "eastus",
            "--sku",
            "Standard_LRS",
        ],
        lambda d: None if d["provisioningState"] == "Succeeded" else str(d),
    )
    s.check("storage account show", ["storage", "account", "show", "-n", account, "-g", g])
    keys = s.check(
        "storage account keys list",
        ["storage", "account", "keys", "list", "-n", account, "-g", g],
        lambda d: None if [k["keyName"] for k in d][:2] == ["key1", "key2"] else str(d),
    )
    s.check(
        "storage account list -g",
        ["storage", "account", "list", "-g", g],
        lambda d: None if any(x["name"] == account for x in d) else "account missing",
    )
    s.check(
        "storage account list",
        ["storage", "account", "list"],
        lambda d: None if any(x["name"] == account for x in d) else "account missing",
    )
    s.check(
        "storage share-rm create",
        [
            "storage",
            "share-rm",
            "create",
            "--storage-account",
            account,
            "-g",
            g,
            "-n",
            "peershare",
            "--quota",
            "10",
        ],
    )
    s.check(
        "storage share-rm show",
        ["storage", "share-rm", "show", "--storage-account", account, "-g", g, "-n", "peershare"],
        lambda d: None if d.get("shareQuota") == 10 else f"quota {d.get('shareQuota')}",
    )
    if keys:
        data_plane_share(s, account, str(keys[0]["value"]))
    s.check(
        "storage share-rm list",
        ["storage", "share-rm", "list", "--storage-account", account, "-g", g],
        lambda d: (
            None
            if {"peershare", "dataplane"} <= {x["name"] for x in d}
            else f"listed {[x['name'] for x in d]}"
        ),
    )


def data_plane_share(s: Session, account: str, key: str) -> None:
    """A share made with the Files SDK (not through ARM), which share-rm must list too."""
    from azure.storage.fileshare import ShareServiceClient

    url = f"{s.cloud.endpoint}/{account}"
    client = ShareServiceClient(
        url,
        credential={"account_name": account, "account_key": key},
        connection_verify=s.cloud.ca_file,
    )
    client.create_share("dataplane")


def container_apps(s: Session) -> None:
    g = s.group
    app = s.facts.get("aca_app_name", "")
    if not app:
        s.outcomes.append(Outcome("containerapp commands", False, "no app name in the outputs"))
        return
    shown = s.check(
        "containerapp show",
        ["containerapp", "show", "-n", app, "-g", g],
        lambda d: None if d["type"] == "Microsoft.App/containerApps" else d["type"],
    )
    env_id = str((shown or {}).get("properties", {}).get("environmentId") or "")
    env = env_id.rsplit("/", 1)[-1]
    workspaces = s.check(
        "monitor log-analytics workspace list",
        ["monitor", "log-analytics", "workspace", "list", "-g", g],
        lambda d: None if d else "no workspace",
    )
    ws = str(workspaces[0]["name"]) if workspaces else ""
    s.check(
        "containerapp list -g",
        ["containerapp", "list", "-g", g],
        lambda d: None if any(x["name"] == app for x in d) else "app missing",
    )
    s.check(
        "containerapp list",
        ["containerapp", "list"],
        lambda d: None if any(x["name"] == app for x in d) else "app missing",
    )
    if env:
        s.check("containerapp env show", ["containerapp", "env", "show", "-n", env, "-g", g])
        s.check(
            "containerapp env storage list",
            ["containerapp", "env", "storage", "list", "-n", env, "-g", g],
            lambda d: None if d else "no storage",
        )
    revisions = s.check(
        "containerapp revision list",
        ["containerapp", "revision", "list", "-n", app, "-g", g],
        lambda d: None if d else "no revision",
    )
    revision = (shown or {}).get("properties", {}).get("latestRevisionName") or (
        revisions[0]["name"] if revisions else ""
    )
    s.check(
        "containerapp replica list",
        ["containerapp", "replica", "list", "-n", app, "-g", g, "--revision", revision],
    )
    if ws:
        s.check(
            "monitor log-analytics workspace show",
            ["monitor", "log-analytics", "workspace", "show", "-g", g, "-n", ws],
            lambda d: None if d.get("customerId") else "no customerId",
        )


# -- verdict -------------------------------------------------------------------------------
def verdict(outcomes: list[Outcome], expected: dict[str, str]) -> tuple[bool, list[str]]:
    lines, ok = [], True
    for o in outcomes:
        listed = o.name in expected
        if o.ok and listed:
            ok = False
            lines.append(f"NOW PASSES {o.name}: remove it from {EXPECTED.name}")
        elif o.ok:
            lines.append(f"pass       {o.name} ({o.detail})")
        elif listed:
            lines.append(f"not served {o.name}: {expected[o.name]}")
        else:
            ok = False
            lines.append(f"FAIL       {o.name}: {o.detail}")
    passed = sum(o.ok for o in outcomes)
    lines.append(
        f"{passed}/{len(outcomes)} az commands passed; "
        f"{sum(o.name in expected for o in outcomes)} listed as not served"
    )
    return ok, lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", type=Path, help="write the outcomes to this file")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # still stop localcloud
    az = az_executable()
    expected = json.loads(EXPECTED.read_text()) if EXPECTED.exists() else {}
    work = Path(tempfile.mkdtemp(prefix="az-peer-"))
    cloud = start_localcloud(work / "localcloud")
    session = Session(az, cloud, work / "azure-config")
    try:
        for step in (sign_in, groups, deployments, resources, storage, container_apps):
            step(session)
    finally:
        cloud.stop()
        if not args.keep:
            shutil.rmtree(work, ignore_errors=True)
    ok, lines = verdict(session.outcomes, expected)
    print("\n".join(lines))
    if args.json:
        args.json.write_text(json.dumps([o.__dict__ for o in session.outcomes], indent=2) + "\n")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
