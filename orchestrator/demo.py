"""`make demo`: the whole flow on localcloud, ending with the endpoint answering.

It works on a copy of this repository's workspace under `.demo/workspace` (so the shipped
`infra/inference.config.json` keeps its six nulls), provisions with the local-friendly
parameters (`infra/provision/inference.localcloud.parameters.json`: the sample app instead
of the GPU command), deploys `inference/`, and asks the endpoint a question. Run it again:
the provision is skipped as unchanged and nothing is uploaded.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / ".demo"
WORKSPACE = DEMO / "workspace"
GROUP = "aitk-demo"
LOCATION = "eastus"


def prepare_workspace() -> None:
    """Copy infra/ and inference/ into the demo workspace, keeping its config once written."""
    (WORKSPACE / "infra" / "provision").mkdir(parents=True, exist_ok=True)
    for name in ("inference.bicep", "inference.json", "inference.localcloud.parameters.json"):
        shutil.copy2(REPO / "infra" / "provision" / name, WORKSPACE / "infra" / "provision" / name)
    shutil.copy2(
        REPO / "infra" / "provision" / "inference.localcloud.parameters.json",
        WORKSPACE / "infra" / "provision" / "inference.parameters.json",
    )
    config = WORKSPACE / "infra" / "inference.config.json"
    if not config.exists():
        shutil.copy2(REPO / "infra" / "inference.config.json", config)
    shutil.copytree(
        REPO / "inference",
        WORKSPACE / "inference",
        dirs_exist_ok=True,
        ignore=shutil.ignore_patterns("__pycache__"),
    )


def orchestrator(*args: str) -> None:
    command = [sys.executable, "-m", "orchestrator", *args, "-w", str(WORKSPACE)]
    print(f"\n$ orchestrator {' '.join(args)}", flush=True)
    env = {**os.environ, "ORCHESTRATOR_CLOUD": "local"}
    code = subprocess.run(command, env=env, check=False).returncode
    if code != 0:
        print(f"demo: `orchestrator {args[0]}` failed (exit {code})", file=sys.stderr)
        raise SystemExit(code)


def ask() -> None:
    import requests

    config = json.loads((WORKSPACE / "infra" / "inference.config.json").read_text())
    status = subprocess.run(
        [sys.executable, "-m", "localcloud", "status", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    ca_file = json.loads(status.stdout)["ca_file"]
    url = f"https://{config['ACA_APP_ENDPOINT']}/v1/chat/completions"
    body = {"messages": [{"role": "user", "content": "What is this demo?"}]}
    print(f"\n$ curl --cacert {ca_file} -d '{json.dumps(body)}' {url}", flush=True)
    answer = requests.post(url, json=body, verify=ca_file, timeout=30).json()
    print(answer["choices"][0]["message"]["content"])
    print(f"\nThe endpoint: https://{config['ACA_APP_ENDPOINT']}  (CA: {ca_file})")
    print("Stop localcloud with `make localcloud-stop`.")


def main() -> None:
    prepare_workspace()
    orchestrator("provision", "-g", GROUP, "-l", LOCATION, "--create-resource-group", "--yes")
    orchestrator("deploy")
    ask()


if __name__ == "__main__":
    main()
