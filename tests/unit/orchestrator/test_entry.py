from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from orchestrator import __version__, _help
from orchestrator.entry import rendered_help


def test_cached_top_level_help_is_what_click_renders() -> None:
    assert rendered_help() == _help.TOP_LEVEL, (
        "orchestrator/_help.py is stale: run `python -m orchestrator.entry --regen`"
    )


def test_help_does_not_import_click_or_the_azure_sdk() -> None:
    code = (
        "import sys, io; sys.argv=['orchestrator','--help']; sys.stdout=io.StringIO();"
        "from orchestrator.entry import main; main();"
        "heavy=('click','azure','jsonschema','jinja2','rich');"
        "bad=[m for m in sys.modules if m.split('.')[0] in heavy];"
        "sys.__stdout__.write(','.join(bad))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout == ""


def test_subcommand_help_goes_to_click() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "orchestrator", "deploy", "--help"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert "--dry-run" in out.stdout


def _ways_to_run() -> list[list[str]]:
    """`python -m orchestrator` and the installed console script (when installed)."""
    ways = [[sys.executable, "-m", "orchestrator"]]
    script = Path(sys.executable).with_name("orchestrator")
    if script.is_file():
        ways.append([str(script)])
    return ways


@pytest.mark.parametrize("prefix", _ways_to_run(), ids=lambda p: Path(p[-1]).name)
def test_module_and_console_script_behave_alike(prefix: list[str], tmp_path: Path) -> None:
    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*prefix, *args], capture_output=True, text=True, cwd=tmp_path, check=False
        )

    assert run("--help").stdout == _help.TOP_LEVEL
    assert run("-h").stdout == _help.TOP_LEVEL
    version = run("--version")
    assert (version.returncode, version.stdout) == (0, f"orchestrator, version {__version__}\n")
    unknown = run("bogus")
    assert unknown.returncode == 2 and "No such command 'bogus'" in unknown.stderr
    empty = run("validate", "-w", str(tmp_path))  # a folder without infra/
    assert empty.returncode == 2
    assert empty.stderr.startswith(f"error: {tmp_path.resolve()}: not an AI Toolkit workspace")
    for done in (unknown, empty):
        assert "Traceback" not in done.stderr
