"""provision as planner → executor → recorder: the planner only reads."""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path

import pytest

from orchestrator.azure.errors import ResourceGroupMissing
from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.compile import CompiledTemplate
from orchestrator.display import PlainDisplay
from orchestrator.errors import InputError
from orchestrator.parameters import FinalParameters
from orchestrator.provision import nochange
from orchestrator.provision.pipeline import NEW_GROUP, Options, Provisioner
from orchestrator.provision.prepare import Prepared
from orchestrator.provision.target import Sourced, Target
from orchestrator.workspace import Workspace


class ReadOnlyArm:
    """The deployments adapter's reads; any write fails the test."""

    endpoint = "https://arm.example"

    def __init__(self, group_exists: bool, listed: list[DeploymentSnapshot]) -> None:
        self.group_exists = group_exists
        self.listed = listed
        self.reads: list[str] = []

    def group_location(self, group: str) -> str:
        self.reads.append("group")
        if not self.group_exists:
            raise ResourceGroupMissing(f"resource group {group} does not exist")
        return "eastus"

    def list_deployments(self, group: str) -> list[DeploymentSnapshot]:
        self.reads.append("list")
        if not self.group_exists:
            raise ResourceGroupMissing(f"resource group {group} does not exist")
        return self.listed

    def template_hash(self, template: Mapping[str, object]) -> str:
        self.reads.append("hash")
        return "h1"

    def create_group(self, *args: object) -> None:
        raise AssertionError("the planner wrote")

    create = validate = cancel = create_group


def prepared(location: str = "") -> Prepared:
    target = Target(
        "azure",
        Sourced("00000000-0000-4000-8000-000000000001", "--subscription"),
        Sourced("rg1", "--resource-group"),
        Sourced(location, "--location") if location else Sourced("", "not set"),
    )
    compiled = CompiledTemplate({"resources": []}, "inference.json", "checked-in JSON")
    return Prepared(target, FinalParameters({}, "p.json"), compiled, {}, (), "phash")


def provisioner(tmp_path: Path, arm: ReadOnlyArm) -> Provisioner:
    return Provisioner(Workspace(tmp_path), arm, PlainDisplay(io.StringIO()), cloud="azure")  # type: ignore[arg-type]


def test_a_new_group_is_planned_not_created(tmp_path: Path) -> None:
    arm = ReadOnlyArm(group_exists=False, listed=[])
    plan = provisioner(tmp_path, arm).plan(prepared("eastus"), Options(create_group=True))
    assert plan.create_group_in == "eastus"
    assert plan.decision == nochange.Deploy(NEW_GROUP)
    assert arm.reads == ["list"]  # the deployment list tells the group is missing


def test_a_missing_group_without_a_location_is_an_input_error(tmp_path: Path) -> None:
    arm = ReadOnlyArm(group_exists=False, listed=[])
    with pytest.raises(InputError):
        provisioner(tmp_path, arm).plan(prepared(), Options(create_group=True))


def test_an_unchanged_template_and_parameters_plan_a_skip(tmp_path: Path) -> None:
    previous = DeploymentSnapshot(
        "inference-1",
        "/d/inference-1",
        "Succeeded",
        timestamp="2026-12-01T00:00:00Z",
        template_hash="h1",
        tags=nochange.deployment_tags("phash"),
    )
    arm = ReadOnlyArm(group_exists=True, listed=[previous])
    plan = provisioner(tmp_path, arm).plan(prepared(), Options())
    assert isinstance(plan.decision, nochange.Skip) and plan.decision.previous == previous
    assert plan.create_group_in == ""
    assert "group" not in arm.reads  # the deployment list is the group's only read


def test_a_missing_group_without_create_is_the_error_that_says_how(tmp_path: Path) -> None:
    arm = ReadOnlyArm(group_exists=False, listed=[])
    with pytest.raises(ResourceGroupMissing):
        provisioner(tmp_path, arm).plan(prepared("eastus"), Options())
