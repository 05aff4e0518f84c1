"""SDK log lines stay off the user's terminal without --debug, though `logging` is imported
only when an SDK package is: each case runs in a fresh interpreter, so that what is imported
is what the case imports."""

from __future__ import annotations

import subprocess
import sys

WARN = (
    "import logging\n"
    "logging.getLogger('azure.core.pipeline').warning('an SDK warning')\n"
    "logging.getLogger('urllib3.connectionpool').warning('a urllib3 warning')\n"
)


def run(script: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True, timeout=60
    )


def test_configuring_without_debug_imports_no_logging() -> None:
    done = run(
        "import sys\n"
        "from orchestrator.app import configure_logging\n"
        "configure_logging(False, sys.stderr)\n"
        "print('logging' in sys.modules)\n"
    )
    assert done.stdout.strip() == "False"


def test_an_sdk_imported_later_is_silenced_before_it_logs() -> None:
    done = run(
        "import sys\n"
        "from orchestrator.app import configure_logging\n"
        "configure_logging(False, sys.stderr)\n"
        "import azure.core.pipeline, urllib3\n" + WARN
    )
    assert done.stderr == ""


def test_without_the_configuration_the_same_warnings_would_show() -> None:
    done = run("import azure.core.pipeline, urllib3\n" + WARN)
    assert "an SDK warning" in done.stderr  # (urllib3 gives itself a NullHandler)


def test_debug_turned_on_after_a_quiet_start_shows_the_sdk_lines() -> None:
    done = run(
        "import sys\n"
        "from orchestrator.app import configure_logging\n"
        "configure_logging(False, sys.stderr)\n"
        "configure_logging(True, sys.stderr)\n"
        "import azure.core.pipeline\n"
        "import logging\n"
        "logging.getLogger('azure.core.pipeline').debug('a debug line')\n"
    )
    assert "debug: azure.core.pipeline: a debug line" in done.stderr
