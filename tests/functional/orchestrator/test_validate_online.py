"""`orchestrator validate --online` on a hand-filled config: resources that exist pass; each
wrong key (account, share, app, endpoint, group, subscription) is one problem line naming
it, exit 2, and nothing is written."""

from __future__ import annotations

from pathlib import Path

import pytest
from deploy_support import Provisioned, hand_filled, provision
from localcloud_fixture import LocalCloudHandle
from provision_support import is_write, requests_log

pytestmark = [pytest.mark.functional, pytest.mark.slow]

CONFIG = "infra/inference.config.json"


@pytest.fixture(scope="module")
def provisioned(
    tmp_path_factory: pytest.TempPathFactory, localcloud: LocalCloudHandle
) -> Provisioned:
    return provision(tmp_path_factory.mktemp("online") / "ws", localcloud)


def problem_lines(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if not line.startswith(("error:", "hint:"))]


def test_a_hand_filled_config_whose_resources_exist_passes(
    tmp_path: Path, provisioned: Provisioned
) -> None:
    typed = hand_filled(tmp_path / "typed", provisioned)
    ran = typed.cli("validate", "--online")
    assert ran.code == 0, ran.output
    assert "ok   online: the configured resources exist" in ran.stdout
    assert "all checks passed" in ran.stdout


@pytest.mark.parametrize(
    ("key", "value", "says"),
    [
        (
            "STORAGE_ACCOUNT_NAME",
            "nosuchaccount1",
            "storage account nosuchaccount1 does not exist in resource group ",
        ),
        ("FILE_SHARE_NAME", "nosuchshare", "file share nosuchshare does not exist in storage "),
        ("ACA_APP_NAME", "nosuchapp", "container app nosuchapp does not exist in resource group "),
        ("ACA_APP_ENDPOINT", "localhost:1", "localhost:1 is not the endpoint of container app "),
        ("RESOURCE_GROUP_NAME", "nosuchgroup", "resource group nosuchgroup does not exist in "),
        (
            "SUBSCRIPTION_ID",
            "00000000-0000-4000-8000-000000000000",
            "subscription 00000000-0000-4000-8000-000000000000 was not found",
        ),
    ],
    ids=["account", "share", "app", "endpoint", "group", "subscription"],
)
def test_each_wrong_key_is_one_problem_naming_it(
    tmp_path: Path, provisioned: Provisioned, key: str, value: str, says: str
) -> None:
    typed = hand_filled(tmp_path / "typed", provisioned, **{key: value})
    before = (typed.workspace / CONFIG).read_text()
    provisioned.lc.admin("DELETE", "requests")
    ran = typed.cli("validate", "--online")
    assert ran.code == 2, ran.output
    (line,) = problem_lines(ran.stderr)
    assert line.startswith(f"{CONFIG}: {key}: {says}"), line
    if key == "ACA_APP_ENDPOINT":
        assert line.endswith(f"(expected {provisioned.config['ACA_APP_ENDPOINT']})")
    assert "error: 1 problem found" in ran.stderr
    assert "hint: " in ran.stderr
    assert (typed.workspace / CONFIG).read_text() == before
    assert not [e for e in requests_log(provisioned.lc) if is_write(e)]
