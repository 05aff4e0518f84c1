"""What deploy prints: each fact once (the result on stdout, progress on stderr); when piped
a few summary lines of the sync instead of one line per file, which `-v` adds back."""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from deploy_support import Provisioned, provision
from localcloud_fixture import LocalCloudHandle

from orchestrator.deploy.health import UNDECLARED_404_SECONDS

pytestmark = [pytest.mark.functional, pytest.mark.slow]


@pytest.fixture
def provisioned(tmp_path: Path, localcloud: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path / "ws", localcloud)


def test_a_piped_deploy_says_each_fact_once_and_summarises_the_sync(
    provisioned: Provisioned,
) -> None:
    ran = provisioned.deploy("--no-restart")
    assert ran.code == 0, ran.output
    assert ran.output.count("target: ") == 1
    assert ran.output.count("sync: 3 files to upload") == 1
    assert ran.output.count("The inference endpoint is available at") == 1
    assert "  sync: uploading 0/3 files" in ran.stderr
    assert "  sync: uploaded 3/3 files" in ran.stderr
    assert "uploaded inference/" not in ran.output


def test_verbose_adds_one_line_per_file(provisioned: Provisioned) -> None:
    ran = provisioned.deploy("--no-restart", "-v")
    assert ran.code == 0, ran.output
    per_file = [line for line in ran.stderr.splitlines() if "uploaded inference/" in line]
    assert len(per_file) == 3
    assert per_file[0].endswith("(1/3)") and per_file[-1].endswith("(3/3)")


def test_a_404_at_the_given_health_path_ends_the_wait_with_a_warning(
    provisioned: Provisioned,
) -> None:
    started = time.monotonic()
    ran = provisioned.deploy("--restart", "--health-path", "/no-such-page", "--json")
    took = time.monotonic() - started
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert doc["health_url"] == f"{provisioned.endpoint}/no-such-page"
    assert doc["status"] == 404
    warnings = [m["text"] for m in doc["messages"] if m["level"] == "warning"]
    assert any("answered HTTP 404; --health-path PATH" in w for w in warnings)
    assert took < UNDECLARED_404_SECONDS  # a declared path's 404 is not waited out
