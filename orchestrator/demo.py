"""`make demo`: the AI Toolkit's whole remote workflow on localcloud, from fine-tuning to an
endpoint that answers from the trained model.

    finetune provision → finetune run --wait (sync, train, model under /mount/models/)
    → provision (inference, on the fine-tuning storage, share and environment) → deploy → ask

It works on a copy of this repository's workspace under `.demo/workspace` (so the shipped
configs keep their nulls and the shipped parameters stay the real-Azure ones), with the
local-friendly parameters beside them (`infra/provision/*.localcloud.parameters.json`: the
small trainer instead of the GPU commands, the sample app instead of the GPU app). Run it
again: both provisions are skipped as unchanged, nothing is uploaded, and the training run is
skipped while `dataset/` and `finetuning/` are what the last successful run trained on.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
DEMO = REPO / ".demo"
WORKSPACE = DEMO / "workspace"
TRAINED = DEMO / "trained.json"  # what the last successful run trained on
GROUP = "aitk-demo"
LOCATION = "eastus"
PROVISION_FILES = (
    "inference.bicep",
    "inference.json",
    "inference.parameters.json",
    "inference.localcloud.parameters.json",
    "finetuning.bicep",
    "finetuning.json",
    "finetuning.parameters.json",
    "finetuning.localcloud.parameters.json",
)
TRAINING_INPUTS = ("dataset", "finetuning")
QUESTION = "how can I watch the training logs"


def prepare_workspace() -> None:
    """Copy infra/, inference/, finetuning/ and dataset/ into the demo workspace, keeping its
    configs once written."""
    provision = WORKSPACE / "infra" / "provision"
    provision.mkdir(parents=True, exist_ok=True)
    for name in PROVISION_FILES:
        shutil.copy2(REPO / "infra" / "provision" / name, provision / name)
    for name in ("inference.config.json", "finetuning.config.json"):
        config = WORKSPACE / "infra" / name
        if not config.exists():
            shutil.copy2(REPO / "infra" / name, config)
    for folder in ("inference", *TRAINING_INPUTS):
        shutil.copytree(
            REPO / folder,
            WORKSPACE / folder,
            dirs_exist_ok=True,
            ignore=shutil.ignore_patterns("__pycache__"),
        )


def orchestrator(*args: str) -> None:
    """Run the CLI on the demo workspace (its output shown as it comes); exit on failure."""
    command = [sys.executable, "-m", "orchestrator", *args, "-w", str(WORKSPACE)]
    print(f"\n$ orchestrator {' '.join(args)}", flush=True)
    env = {**os.environ, "ORCHESTRATOR_CLOUD": "local"}
    code = subprocess.run(command, env=env, check=False).returncode
    if code != 0:
        print(f"demo: `orchestrator {' '.join(args[:2])}` failed (exit {code})", file=sys.stderr)
        raise SystemExit(code)


def training_inputs_hash() -> str:
    digest = hashlib.sha256()
    for folder in TRAINING_INPUTS:
        for path in sorted((WORKSPACE / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(WORKSPACE).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def train() -> None:
    """`finetune run --wait`, unless the last successful run trained on these inputs."""
    wanted = training_inputs_hash()
    try:
        trained = json.loads(TRAINED.read_text()).get("inputs")
    except (OSError, ValueError):
        trained = None
    if trained == wanted:
        print("\n(training skipped: dataset/ and finetuning/ are unchanged since the last run)")
        return
    orchestrator("finetune", "run", "--wait")
    TRAINED.write_text(json.dumps({"inputs": wanted}) + "\n")


def ca_file() -> str:
    status = subprocess.run(
        [sys.executable, "-m", "localcloud", "status", "--json"],
        capture_output=True,
        text=True,
        check=True,
    )
    return str(json.loads(status.stdout)["ca_file"])


def ask() -> None:
    import requests

    config = json.loads((WORKSPACE / "infra" / "inference.config.json").read_text())
    ca = ca_file()
    url = f"https://{config['ACA_APP_ENDPOINT']}/v1/chat/completions"
    body = {"messages": [{"role": "user", "content": QUESTION}]}
    print(f"\n$ curl --cacert {ca} -d '{json.dumps(body)}' {url}", flush=True)
    answer = requests.post(url, json=body, verify=ca, timeout=30).json()
    print(answer["choices"][0]["message"]["content"])
    print(f"\nThe endpoint: https://{config['ACA_APP_ENDPOINT']}  (CA: {ca})")
    print("Stop localcloud with `make localcloud-stop`.")


def main() -> None:
    prepare_workspace()
    local = "infra/provision/{}.localcloud.parameters.json"
    orchestrator(
        "finetune",
        "provision",
        "-g",
        GROUP,
        "-l",
        LOCATION,
        "--create-resource-group",
        "--yes",
        "--parameters",
        str(WORKSPACE / local.format("finetuning")),
    )
    train()
    orchestrator("provision", "--yes", "--parameters", str(WORKSPACE / local.format("inference")))
    orchestrator("deploy")
    ask()


if __name__ == "__main__":
    main()
