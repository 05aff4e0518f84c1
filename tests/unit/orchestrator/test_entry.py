from __future__ import annotations

import subprocess
import sys

from orchestrator import _help
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
