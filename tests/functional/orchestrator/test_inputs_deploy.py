"""`deploy` on hostile local folders: symlink loops under a synced folder are reported and
skipped (the rest still syncs), and a `.deployignore` line its parser rejects is an error naming
file and line, before any request."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest
from deploy_support import Provisioned, provision, remote_tree, share_client
from localcloud_fixture import LocalCloudHandle
from provision_support import make_workspace, requests_log, run_cli

pytestmark = pytest.mark.functional

TYPED = {
    "SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000001",
    "RESOURCE_GROUP_NAME": "neverasked",
    "STORAGE_ACCOUNT_NAME": "neverasked1",
    "FILE_SHARE_NAME": "neverasked",
    "ACA_APP_NAME": "neverasked",
    "ACA_APP_ENDPOINT": "never.example",
}


def tree_hash(root: Path) -> str:
    digest = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("build\\", "'build\\\\' is not a valid ignore pattern (git does not accept it)"),
        ("[z-a]", "'[z-a]' is not a valid ignore pattern (bad character range z-a)"),
        ("!", "'!' is not a valid ignore pattern (git does not accept it)"),
    ],
)
@pytest.mark.parametrize("dry_run", [False, True])
def test_a_bad_ignore_line_is_an_error_before_any_request(
    line: str, said: str, dry_run: bool, tmp_path: Path, lc: LocalCloudHandle
) -> None:
    workspace = make_workspace(tmp_path / "ws")
    (workspace / "infra" / "inference.config.json").write_text(json.dumps(TYPED, indent=2))
    (workspace / ".deployignore").write_text(f"# build output\n*.pyc\n{line}\n")
    before = tree_hash(workspace)
    lc.admin("DELETE", "requests")
    ran = run_cli(workspace, lc, "deploy", *(["--dry-run"] if dry_run else []))
    assert ran.code == 2, ran.output
    assert "Traceback" not in ran.output
    errors = [x for x in ran.stderr.splitlines() if x.startswith("error:")]
    assert errors == [f"error: .deployignore:3: {said}"]
    assert requests_log(lc) == []
    assert tree_hash(workspace) == before


@pytest.fixture
def provisioned(tmp_path: Path, localcloud: LocalCloudHandle) -> Provisioned:
    return provision(tmp_path / "ws", localcloud)


def test_symlink_loops_are_skipped_with_a_warning_and_the_rest_syncs(
    provisioned: Provisioned,
) -> None:
    inference = provisioned.workspace / "inference"
    (inference / "pkg").mkdir()
    (inference / "pkg" / "mod.py").write_text("x = 1\n")
    (inference / "self").symlink_to("self")
    (inference / "pkg" / "up").symlink_to("..")
    (inference / "pkg" / "cycle").symlink_to("../pkg")
    ran = provisioned.deploy("--no-restart")
    assert ran.code == 0, ran.output
    assert "Traceback" not in ran.output
    assert "warning: inference/self: symlink loop; not followed" in ran.stdout
    for link in ("inference/pkg/up", "inference/pkg/cycle"):
        assert f"warning: {link}: symlink to a folder that contains it (a loop)" in ran.stdout
    on_share = remote_tree(share_client(provisioned))
    assert on_share["inference/pkg/mod.py"] == b"x = 1\n"
    assert not any(path.startswith(("inference/self", "inference/pkg/up")) for path in on_share)
    assert not any(path.startswith("inference/pkg/cycle") for path in on_share)
