"""Access tokens kept between runs, against localcloud: the second run sends no token
request, a kept token that ARM refuses is replaced, and the cache can be switched off."""

from __future__ import annotations

import json
import stat
from pathlib import Path
from typing import Any

import pytest
from localcloud_fixture import LocalCloudHandle
from provision_support import add_fault, make_workspace, requests_log, run_cli

pytestmark = [pytest.mark.functional]


def token_requests(lc: LocalCloudHandle) -> list[dict[str, Any]]:
    return [e for e in requests_log(lc) if str(e["path"]).lower().endswith("/oauth2/v2.0/token")]


def clear_log(lc: LocalCloudHandle) -> None:
    lc.admin("DELETE", "requests")


@pytest.fixture
def workspace(tmp_path: Path) -> Path:
    return make_workspace(tmp_path / "ws")


def test_the_next_run_signs_in_with_the_kept_token(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    clear_log(lc)  # the group was made with a token of the test's own
    first = run_cli(workspace, lc, "status", "-g", fresh_group, XDG_CACHE_HOME=str(cache))
    assert first.code == 0, first.output
    assert len(token_requests(lc)) == 1
    kept = cache / "orchestrator" / "tokens.json"
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    token = next(iter(json.loads(kept.read_text()).values()))["token"]
    assert token not in first.output
    clear_log(lc)
    second = run_cli(workspace, lc, "status", "-g", fresh_group, XDG_CACHE_HOME=str(cache))
    assert second.code == 0, second.output
    assert token_requests(lc) == []
    assert any("/resourcegroups/" in str(e["path"]).lower() for e in requests_log(lc))


def test_a_kept_token_arm_refuses_is_replaced_and_the_command_goes_on(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str, tmp_path: Path
) -> None:
    cache = str(tmp_path / "cache")
    assert run_cli(workspace, lc, "status", "-g", fresh_group, XDG_CACHE_HOME=cache).code == 0
    clear_log(lc)
    refused = {"error": {"code": "InvalidAuthenticationToken", "message": "token revoked"}}
    add_fault(
        lc,
        method="GET",
        path=f"(?i)/resourcegroups/{fresh_group}",
        status=401,
        body=refused,
        count=1,
    )
    ran = run_cli(workspace, lc, "status", "-g", fresh_group, XDG_CACHE_HOME=cache)
    assert ran.code == 0, ran.output
    assert len(token_requests(lc)) == 1  # a new token, once
    statuses = [e["status"] for e in requests_log(lc) if fresh_group in str(e["path"])]
    assert statuses[0] == 401 and all(s < 400 for s in statuses[1:])


def test_with_the_cache_off_every_run_signs_in_and_nothing_is_kept(
    workspace: Path, lc: LocalCloudHandle, fresh_group: str, tmp_path: Path
) -> None:
    cache = tmp_path / "cache"
    clear_log(lc)
    for _ in range(2):
        ran = run_cli(
            workspace,
            lc,
            "status",
            "-g",
            fresh_group,
            XDG_CACHE_HOME=str(cache),
            ORCHESTRATOR_TOKEN_CACHE="off",
        )
        assert ran.code == 0, ran.output
    assert len(token_requests(lc)) == 2
    assert not (cache / "orchestrator" / "tokens.json").exists()


def test_a_bad_token_cache_switch_is_exit_2_with_one_line(
    workspace: Path, lc: LocalCloudHandle
) -> None:
    ran = run_cli(workspace, lc, "status", ORCHESTRATOR_TOKEN_CACHE="sometimes")
    assert ran.code == 2
    assert ran.stderr.splitlines() == [
        "error: ORCHESTRATOR_TOKEN_CACHE='sometimes': expected on or off"
    ]
    assert token_requests(lc) == []
