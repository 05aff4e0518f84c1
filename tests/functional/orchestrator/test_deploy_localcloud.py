"""`orchestrator deploy` end to end on localcloud: provision → deploy → the endpoint answers
the workspace's code over HTTPS; changes are uploaded, an unchanged re-deploy uploads nothing;
a hand-filled config deploys; a broken config names its key (exit 2)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
import requests
from deploy_support import (
    Provisioned,
    answered_version,
    code_version,
    hand_filled,
    provision,
    remote_tree,
    requests_log,
    share_client,
    share_writes,
    written_paths,
)
from localcloud_fixture import LocalCloudHandle

pytestmark = [pytest.mark.functional, pytest.mark.slow]


@pytest.fixture
def provisioned(tmp_path: Path, localcloud: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path / "ws", localcloud)


@pytest.fixture(scope="module")
def shared(tmp_path_factory: pytest.TempPathFactory, localcloud: LocalCloudHandle) -> Provisioned:
    """One provisioned group for the tests that fail before changing anything."""
    return provision(tmp_path_factory.mktemp("shared") / "ws", localcloud)


def test_provision_then_deploy_serves_the_workspace_code_over_https(
    provisioned: Provisioned,
) -> None:
    ran = provisioned.deploy()
    assert ran.code == 0, ran.output
    assert f"The inference endpoint is available at {provisioned.endpoint}" in ran.stdout
    assert "sync: 3 files to upload" in ran.stdout
    assert "restarted " in ran.stdout and " is ready" in ran.stdout
    assert "setup/" not in ran.output  # a default folder the workspace lacks is no warning
    local = provisioned.workspace / "inference"
    assert answered_version(provisioned) == code_version(local)
    chat = requests.post(
        provisioned.endpoint + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "hello"}]},
        verify=provisioned.lc.ca_file,
        timeout=30,
    )
    assert chat.status_code == 200
    assert "You asked: 'hello'" in chat.json()["choices"][0]["message"]["content"]
    on_share = remote_tree(share_client(provisioned), "inference")
    assert on_share == {f"inference/{f.name}": f.read_bytes() for f in local.iterdir()}


def test_a_changed_file_is_uploaded_and_the_new_code_version_answers(
    provisioned: Provisioned,
) -> None:
    assert provisioned.deploy().code == 0
    local = provisioned.workspace / "inference"
    before = answered_version(provisioned)
    (local / "greeting.txt").write_text("Hello from the second deploy.\n")
    provisioned.lc.admin("DELETE", "requests")
    ran = provisioned.deploy("--json")
    assert ran.code == 0, ran.output
    doc = ran.json()
    assert [u["path"] for u in doc["plan"]["uploads"]] == ["inference/greeting.txt"]
    assert doc["plan"]["uploads"][0]["reason"] == "changed"
    assert doc["restarted"] is True
    assert written_paths(share_writes(provisioned.lc, provisioned), provisioned) == {
        "inference/greeting.txt"
    }
    after = answered_version(provisioned)
    assert after == code_version(local) != before
    chat = requests.post(
        provisioned.endpoint + "/v1/chat/completions",
        json={"messages": [{"role": "user", "content": "again"}]},
        verify=provisioned.lc.ca_file,
        timeout=30,
    )
    assert chat.json()["choices"][0]["message"]["content"].startswith("Hello from the second")


def test_a_redeploy_with_nothing_changed_uploads_nothing_and_says_so(
    provisioned: Provisioned,
) -> None:
    assert provisioned.deploy().code == 0
    provisioned.lc.admin("DELETE", "requests")
    ran = provisioned.deploy()
    assert ran.code == 0, ran.output
    assert share_writes(provisioned.lc, provisioned) == []
    assert "sync: nothing to upload, 3 files unchanged" in ran.stdout
    assert "nothing changed on the share; not restarted (--restart restarts anyway)" in ran.stdout
    assert restarts(provisioned) == []
    assert answered_version(provisioned) == code_version(provisioned.workspace / "inference")
    forced = provisioned.deploy("--restart")
    assert forced.code == 0, forced.output
    assert "nothing changed on the share; restarted " in forced.stdout
    assert len(restarts(provisioned)) == 1


def restarts(p: Provisioned) -> list[dict[str, object]]:
    """POST .../revisions/{name}/restart requests in localcloud's request log."""
    found = re.compile(r"/revisions/[^/?]+/restart(\?|$)", re.IGNORECASE)
    return [e for e in requests_log(p.lc) if found.search(str(e["path"]))]


def test_no_restart_uploads_and_says_the_old_code_still_serves(provisioned: Provisioned) -> None:
    assert provisioned.deploy().code == 0
    before = answered_version(provisioned)
    (provisioned.workspace / "inference" / "extra.txt").write_text("new\n")
    ran = provisioned.deploy("--no-restart", "--json")
    assert ran.code == 0, ran.output
    assert ran.json()["restarted"] is False
    assert any("serves the old code" in m["text"] for m in ran.json()["messages"])
    assert "inference/extra.txt" in remote_tree(share_client(provisioned), "inference")
    assert answered_version(provisioned) == before


def test_a_hand_filled_config_without_provision_state_deploys(
    tmp_path: Path, provisioned: Provisioned
) -> None:
    typed = hand_filled(tmp_path / "typed", provisioned)
    (typed.workspace / "inference" / "greeting.txt").write_text("Typed by hand.\n")
    ran = typed.deploy()
    assert ran.code == 0, ran.output
    assert f"The inference endpoint is available at {typed.endpoint}" in ran.stdout
    assert answered_version(typed) == code_version(typed.workspace / "inference")
    assert json.loads((typed.workspace / "infra" / "inference.config.json").read_text()) == (
        typed.config
    )  # deploy never rewrites the config


@pytest.mark.parametrize(
    ("change", "key", "says"),
    [
        ({"ACA_APP_NAME": ...}, "ACA_APP_NAME", "is missing"),
        ({"STORAGE_ACCOUNT_NAME": ..., "STORAGE_ACOUNT_NAME": "x"}, "STORAGE_ACOUNT_NAME", ""),
        ({"FILE_SHARE_NAME": "nosuchshare"}, "FILE_SHARE_NAME", "does not exist"),
        ({"ACA_APP_NAME": "nosuchapp"}, "ACA_APP_NAME", "does not exist"),
    ],
    ids=["missing", "misspelled", "wrong-share", "wrong-app"],
)
def test_a_missing_or_wrong_key_fails_with_exit_2_naming_it(
    tmp_path: Path, shared: Provisioned, change: dict[str, object], key: str, says: str
) -> None:
    typed = hand_filled(tmp_path / "typed", shared, **change)
    shared.lc.admin("DELETE", "requests")
    ran = typed.deploy()
    assert ran.code == 2, ran.output
    problems = [line for line in ran.stderr.splitlines() if f": {key}" in line]
    assert len(problems) >= 1, ran.stderr
    assert re.match(r"infra/inference\.config\.json(:\d+:\d+)?: ", problems[0]), problems[0]
    assert says in problems[0]
    assert "error: " in ran.stderr and "hint: " in ran.stderr
    assert "Traceback" not in ran.output
    assert share_writes(shared.lc, shared) == []  # nothing was uploaded anywhere
