"""The questions asked on a terminal - the hidden secret prompt, destroy's confirmation, the
`--preview` question - answered with Ctrl-C: exit 130 and one line, no crash log, nothing
changed in localcloud (the CLI runs on a real pseudo-terminal). A value typed at the hidden
prompt is stored and never shown."""

from __future__ import annotations

import os
import pty
import select
import shutil
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import (
    cli_env,
    group_requests,
    interruptible,
    is_write,
    orchestrator_argv,
    requests_log,
    run_cli,
)

pytestmark = [pytest.mark.functional, pytest.mark.slow]

FIXTURES = Path(__file__).resolve().parents[3] / "tests" / "fixtures" / "workspaces"
LOCAL = "infra/provision/finetuning.localcloud.parameters.json"
CTRL_C = b"\x03"


@dataclass(frozen=True)
class Session:
    code: int
    screen: str


def on_terminal(
    workspace: Path, lc: LocalCloudHandle, args: list[str], question: str, keys: bytes
) -> Session:
    """Run the CLI on a pseudo-terminal, wait for `question`, press `keys`; what it showed."""
    env = cli_env(lc)
    pid, fd = pty.fork()
    if pid == 0:  # the child: the CLI, its stdin/stdout/stderr the terminal
        interruptible()
        os.chdir(workspace)
        os.execvpe(orchestrator_argv()[0], [*orchestrator_argv(), *args], env)
    seen = b""
    deadline = time.monotonic() + 120
    while question.encode() not in seen and time.monotonic() < deadline:
        if select.select([fd], [], [], 1)[0]:
            seen += os.read(fd, 4096)
    assert question.encode() in seen, seen.decode(errors="replace")
    time.sleep(0.2)  # the prompt has switched echo off and is reading
    os.write(fd, keys)
    while select.select([fd], [], [], 60)[0]:
        try:
            chunk = os.read(fd, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        seen += chunk
    _pid, status = os.waitpid(pid, 0)
    os.close(fd)
    return Session(os.waitstatus_to_exitcode(status), seen.decode(errors="replace"))


@pytest.fixture(scope="module")
def provisioned(
    tmp_path_factory: pytest.TempPathFactory, localcloud: LocalCloudHandle
) -> tuple[Path, str]:
    workspace = shutil.copytree(FIXTURES / "legacy", tmp_path_factory.mktemp("prompt") / "ws")
    group = f"rg-prompt-{os.getpid()}"
    ran = run_cli(
        workspace, localcloud, "finetune", "provision", "-g", group, "-l", "eastus",
        "--create-resource-group", "--parameters", LOCAL,
    )  # fmt: skip
    assert ran.code == 0, ran.output
    return workspace, group


def writes(lc: LocalCloudHandle, group: str) -> int:
    return sum(1 for e in group_requests(requests_log(lc), group) if is_write(e))


def assert_interrupted(session: Session) -> None:
    assert session.code == 130, session.screen
    assert "Traceback" not in session.screen and "crash" not in session.screen
    assert "unexpected" not in session.screen


def test_ctrl_c_at_the_hidden_secret_prompt_stores_nothing(
    provisioned: tuple[Path, str], localcloud: LocalCloudHandle
) -> None:
    workspace, group = provisioned
    before = writes(localcloud, group)
    args = ["finetune", "secret", "set", "HF_TOKEN"]
    session = on_terminal(workspace, localcloud, args, "(hidden)", CTRL_C)
    assert_interrupted(session)
    assert session.screen.splitlines()[-1].strip() == "interrupted"
    assert writes(localcloud, group) == before


def test_a_value_typed_at_the_hidden_prompt_is_stored_and_not_shown(
    provisioned: tuple[Path, str], localcloud: LocalCloudHandle
) -> None:
    workspace, _group = provisioned
    args = ["finetune", "secret", "set", "QA_TOKEN"]
    session = on_terminal(workspace, localcloud, args, "(hidden)", b"typed-value-42\r")
    assert session.code == 0, session.screen
    assert "added secret qa-token" in session.screen
    assert "typed-value-42" not in session.screen
    status = run_cli(workspace, localcloud, "finetune", "status", "--json")
    assert status.json()["secret_env"] == {"QA_TOKEN": "qa-token"}


def test_ctrl_c_at_the_destroy_question_deletes_nothing(
    provisioned: tuple[Path, str], localcloud: LocalCloudHandle
) -> None:
    workspace, group = provisioned
    config = (workspace / "infra" / "finetuning.config.json").read_text()
    before = writes(localcloud, group)
    session = on_terminal(workspace, localcloud, ["destroy", "--finetune"], "[y/N]", CTRL_C)
    assert_interrupted(session)
    assert "error: nothing deleted: interrupted at the question" in session.screen
    assert writes(localcloud, group) == before
    assert (workspace / "infra" / "finetuning.config.json").read_text() == config


def test_ctrl_c_at_the_preview_question_deploys_nothing(
    provisioned: tuple[Path, str], localcloud: LocalCloudHandle
) -> None:
    workspace, group = provisioned
    before = writes(localcloud, group)
    args = ["finetune", "provision", "--preview", "--force", "--parameters", LOCAL]
    session = on_terminal(workspace, localcloud, args, "deploy these changes?", CTRL_C)
    assert_interrupted(session)
    assert session.screen.splitlines()[-1].strip().endswith("interrupted")
    assert writes(localcloud, group) == before
