"""`orchestrator plan` (ARM what-if) and `provision --preview` against localcloud."""

from __future__ import annotations

from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import config_text, list_deployments, make_workspace, run_cli

pytestmark = pytest.mark.functional


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def test_plan_on_an_empty_group_creates_everything_and_exit_code_4(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(workspace, localcloud, "plan", "-g", fresh_group, "--exit-code")
    assert ran.code == 4, ran.output
    assert "Create (7):" in ran.stdout
    assert "+ Microsoft.App/containerApps " in ran.stdout
    assert list_deployments(localcloud, fresh_group) == []  # a plan deploys nothing


def test_plan_without_exit_code_exits_0_and_json_lists_changes(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(workspace, localcloud, "plan", "-g", fresh_group, "--json")
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert doc["has_changes"] is True
    assert doc["counts"] == {"Create": 7}
    assert {c["resource_type"] for c in doc["changes"]} >= {"Microsoft.App/containerApps"}


def test_plan_after_provision_shows_property_changes_without_secrets(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    assert run_cli(workspace, localcloud, "provision", "-g", fresh_group).code == 0
    ran = run_cli(workspace, localcloud, "plan", "-p", "maximumInstanceCount=3")
    assert ran.code == 0, ran.output
    assert "maximumCount: 1 => 3" in ran.stdout
    assert "NoChange" in ran.stdout
    assert "accountKey: (secret hidden)" in ran.stdout or "accountKey" not in ran.stdout


def test_preview_without_a_terminal_and_without_yes_refuses(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    before = config_text(workspace)
    ran = run_cli(workspace, localcloud, "provision", "-g", fresh_group, "--preview")
    assert ran.code == 2
    assert "not a terminal" in ran.stderr and "--yes" in ran.stderr
    assert "Create (7):" in ran.stderr  # the plan was shown first
    assert list_deployments(localcloud, fresh_group) == []
    assert config_text(workspace) == before


def test_preview_with_yes_shows_the_plan_then_deploys(
    workspace: Path, localcloud: LocalCloudHandle, fresh_group: str
) -> None:
    ran = run_cli(workspace, localcloud, "provision", "-g", fresh_group, "--preview", "--yes")
    assert ran.code == 0, ran.output
    assert "Create (7):" in ran.stderr
    assert len(list_deployments(localcloud, fresh_group)) == 1
