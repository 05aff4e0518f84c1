"""What `--help` and the README promise: exit codes, timeout defaults, `.deployignore`, and
shell completion lines that really complete (click's `_ORCHESTRATOR_COMPLETE`)."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.functional

REPO = Path(__file__).resolve().parents[3]


def orchestrator(*args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", *args],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def completion_lines(text: str) -> list[str]:
    return re.findall(r"_ORCHESTRATOR_COMPLETE=\w+ orchestrator\)?\"?(?: \| source)?", text)


def test_help_names_exit_codes_timeouts_and_completion_as_the_readme_does() -> None:
    shown = orchestrator("--help").stdout
    for code in ("0 done", "1 Azure refused", "2 bad input", "3 unexpected", "130 interrupted"):
        assert code in shown
    assert "provision --timeout 7200" in shown and "deploy --timeout 1500" in shown
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(completion_lines(shown)) == 3
    assert completion_lines(shown) == completion_lines(readme)
    deploy_help = orchestrator("deploy", "--help").stdout
    assert ".deployignore" in deploy_help and "[default: 1500.0]" in deploy_help


@pytest.mark.parametrize("shell", ["bash", "zsh", "fish"])
def test_the_documented_completion_script_is_served(shell: str) -> None:
    script = orchestrator(_ORCHESTRATOR_COMPLETE=f"{shell}_source")
    assert script.returncode == 0, script.stderr
    assert "_ORCHESTRATOR_COMPLETE" in script.stdout


def test_bash_completion_completes_a_command_and_an_option() -> None:
    command = orchestrator(
        _ORCHESTRATOR_COMPLETE="bash_complete", COMP_WORDS="orchestrator depl", COMP_CWORD="1"
    )
    assert command.stdout.split() == ["plain,deploy"]
    option = orchestrator(
        _ORCHESTRATOR_COMPLETE="bash_complete",
        COMP_WORDS="orchestrator deploy --health",
        COMP_CWORD="2",
    )
    assert option.stdout.split() == ["plain,--health-path"]
