"""The fine-tuning jobs the workspaces ship, run as the job runs them (real processes, temp
folders standing in for the share): the sample trainer and the fixtures' stand-ins, and the
inference app answering from what the trainer wrote."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "workspaces"
FAST = {"STANDIN_STEP_PAUSE": "0"}


def run(
    argv: list[str], cwd: Path, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *argv], cwd=cwd, capture_output=True, text=True, timeout=60,
        env={**os.environ, **(env or {})}, check=False,
    )  # fmt: skip


@pytest.fixture
def share(tmp_path: Path) -> Path:
    """The share as a run leaves it for the 2024 layout: the workspace's synced folders."""
    for folder in ("finetuning", "dataset"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    return tmp_path


def test_the_trainer_writes_its_model_and_metadata(share: Path) -> None:
    argv = ["finetuning/train.py", "--data", "./dataset", "--out", "./models/qa-classifier"]
    done = run([*argv, "--epoch-pause", "0"], share, {"HF_TOKEN": ""})
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert lines[0] == "HF_TOKEN is not set"
    assert lines[1].startswith("dataset dataset: 186 examples, sha256 ")
    assert sum(line.startswith("epoch ") for line in lines) == 30
    meta = json.loads((share / "models/qa-classifier/metadata.json").read_text())
    assert meta["steps"] == 30 * meta["examples"] and meta["loss"] < 0.1
    assert len(meta["dataset_sha256"]) == 64
    assert (share / "models/qa-classifier/model.json").is_file()


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda d: shutil.rmtree(d), "no dataset folder"),
        (lambda d: (d / "qa.jsonl").write_text("{broken\n"), "qa.jsonl:1: not JSON"),
        (lambda d: (d / "qa.jsonl").write_text('{"question": "q", "answer": "a"}\n'),
         "need at least 2"),
    ],
)  # fmt: skip
def test_the_trainer_exits_2_on_bad_input(share: Path, setup: object, message: str) -> None:
    assert callable(setup)
    setup(share / "dataset")
    done = run(["finetuning/train.py", "--epoch-pause", "0"], share)
    assert done.returncode == 2 and message in done.stderr
    assert not (share / "models").exists()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def ask(port: int, question: str) -> dict[str, object]:
    body = json.dumps({"messages": [{"role": "user", "content": question}]}).encode()
    request = urllib.request.Request(f"http://127.0.0.1:{port}/v1/chat/completions", body,
                                     {"Content-Type": "application/json"})  # fmt: skip
    with urllib.request.urlopen(request, timeout=5) as answer:
        loaded: dict[str, object] = json.loads(answer.read())
        return loaded


def test_the_app_answers_from_the_model_the_trainer_wrote(share: Path) -> None:
    shutil.copytree(ROOT / "inference", share / "inference")
    port = free_port()
    env = {**os.environ, "PORT": str(port)}
    env.pop("FINETUNED_MODEL_DIR", None)
    app = subprocess.Popen([sys.executable, "app.py"], cwd=share / "inference", env=env,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        deadline = time.monotonic() + 15
        while True:
            try:
                before = ask(port, "how can I watch the training logs")
                break
            except OSError:
                assert time.monotonic() < deadline, "the app did not start"
                time.sleep(0.1)
        assert before["fine_tuned"] is None
        done = run(["finetuning/train.py", "--epoch-pause", "0"], share)
        assert done.returncode == 0, done.stderr
        after = ask(port, "how can I watch the training logs")
        content = after["choices"][0]["message"]["content"]  # type: ignore[index]
        assert "orchestrator finetune logs --follow" in content
        assert "answered by the fine-tuned model qa-classifier" in content
        assert after["fine_tuned"]["name"] == "qa-classifier"  # type: ignore[index]
    finally:
        app.terminate()
        app.wait(timeout=10)


def test_the_legacy_stand_in_passes_the_templates_adapter_check(tmp_path: Path) -> None:
    work = shutil.copytree(FIXTURES / "legacy", tmp_path / "share")
    done = subprocess.run(
        ["/bin/bash", "-c", "python3 ./finetuning/standin_olive.py && find models/ -print | "
         "grep adapter/adapter"],
        cwd=work, capture_output=True, text=True, timeout=60, env={**os.environ, **FAST,
        "HF_TOKEN": "t0ken"}, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "HF_TOKEN is set" in done.stdout and "t0ken" not in done.stdout
    assert "models/qlora/qlora/gpu_model/adapter/adapter_model.json" in done.stdout


@pytest.mark.parametrize("family", ["phisilica", "aion"])
def test_the_lora_stand_in_runs_a_rendered_run_folder(tmp_path: Path, family: str) -> None:
    source = FIXTURES / family
    run_dir = tmp_path / "r1"
    shutil.copytree(source / "dataset", run_dir / "dataset")
    text = (source / "lora.yaml").read_text().replace("mount/<run_id>", str(run_dir))
    (run_dir / "lora.yaml").write_text(text)
    done = run([str(source / "finetuning/standin_lora.py"), str(run_dir / "lora.yaml")],
               tmp_path, FAST)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "eval_loss" in done.stdout and "HF_TOKEN is not set" in done.stdout
    assert (run_dir / "save_dir" / "adapter" / "adapter_model.json").is_file()


def test_the_lora_stand_in_refuses_an_unrendered_config(tmp_path: Path) -> None:
    source = FIXTURES / "phisilica"
    done = run([str(source / "finetuning/standin_lora.py"), str(source / "lora.yaml")],
               tmp_path, FAST)  # fmt: skip
    assert done.returncode == 2 and "still has <run_id>" in done.stderr
