"""The no-change decision: template hash + parameter-hash tag + output resources still there."""

from __future__ import annotations

from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.provision.nochange import (
    Candidate,
    Deploy,
    Skip,
    active_deployments,
    decide,
    deployment_tags,
    find_candidate,
    latest_succeeded,
    param_hash,
)

PHASH = param_hash("params-sha", "SUB", "RG")


def dep(
    name: str,
    *,
    state: str = "Succeeded",
    stamp: str = "2026-01-01T00:00:00.0000000Z",
    template_hash: str = "111",
    phash: str = PHASH,
    ours: bool = True,
) -> DeploymentSnapshot:
    tags = deployment_tags(phash) if ours else {}
    return DeploymentSnapshot(
        name, f"/deployments/{name}", state, stamp, 1.0, template_hash, tags, {}, ("/r/a",)
    )


def test_param_hash_depends_on_parameters_and_target_but_not_case() -> None:
    assert param_hash("p", "SUB", "RG") == param_hash("p", "sub", "rg")
    assert param_hash("p", "sub", "rg") != param_hash("q", "sub", "rg")
    assert param_hash("p", "sub", "rg") != param_hash("p", "sub", "other")


def test_same_hashes_make_a_candidate() -> None:
    found = find_candidate([dep("a")], template_hash="111", phash=PHASH, force=False)
    assert isinstance(found, Candidate)
    assert found.previous.name == "a"


def test_force_always_deploys() -> None:
    found = find_candidate([dep("a")], template_hash="111", phash=PHASH, force=True)
    assert found == Deploy("--force given")


def test_changed_template_deploys() -> None:
    found = find_candidate([dep("a")], template_hash="222", phash=PHASH, force=False)
    assert isinstance(found, Deploy) and "template changed" in found.reason


def test_changed_parameters_deploy() -> None:
    found = find_candidate([dep("a")], template_hash="111", phash="other", force=False)
    assert isinstance(found, Deploy) and "parameters" in found.reason


def test_no_previous_success_deploys() -> None:
    found = find_candidate(
        [dep("a", state="Failed")], template_hash="111", phash=PHASH, force=False
    )
    assert isinstance(found, Deploy) and "no earlier" in found.reason


def test_only_the_latest_success_counts() -> None:
    older = dep("old", stamp="2026-01-01T00:00:00.0000000Z")
    newer = dep("new", stamp="2026-01-02T00:00:00.0000000Z", template_hash="999")
    found = find_candidate([newer, older], template_hash="111", phash=PHASH, force=False)
    assert isinstance(found, Deploy) and "new" in found.reason


def test_deployments_by_others_are_ignored() -> None:
    assert latest_succeeded([dep("hand", ours=False)]) is None


def test_missing_output_resource_deploys() -> None:
    decision = decide(Candidate(dep("a")), ["/subscriptions/s/x/storageAccounts/gone"])
    assert isinstance(decision, Deploy) and "gone" in decision.reason


def test_candidate_with_all_resources_is_skipped() -> None:
    decision = decide(Candidate(dep("a")), [])
    assert isinstance(decision, Skip)
    assert decision.previous.name == "a"


def test_active_deployments_are_ours_and_running() -> None:
    running = dep("run", state="Running")
    found = active_deployments([running, dep("done"), dep("x", state="Running", ours=False)])
    assert [d.name for d in found] == ["run"]
