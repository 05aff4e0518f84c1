"""Schema checks remembered between runs, as real processes: a second `validate` or `deploy`
over unchanged documents does not import jsonschema, and a document broken after it passed
fails exactly as it does in a workspace that never saw it pass."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

from deploy_support import provision
from fresh_support import run_fresh
from localcloud_fixture import LocalCloudHandle
from provision_support import cli_env

REPO = Path(__file__).resolve().parents[3]
CONFIG = "infra/inference.config.json"
PARAMS = "infra/provision/inference.parameters.json"
CACHE = ".orchestrator/schema-checks.json"
GOOD_CONFIG = {
    "SUBSCRIPTION_ID": "00000000-0000-0000-0000-000000000000",
    "RESOURCE_GROUP_NAME": "rg-never-made",
    "STORAGE_ACCOUNT_NAME": "aistoragejs26o",
    "FILE_SHARE_NAME": "aifilesharejs26o",
    "ACA_APP_NAME": "aiacaappjs26o",
    "ACA_APP_ENDPOINT": "aiacaappjs26o.happyocean-1234.eastus.azurecontainerapps.io",
}
NOT_A_SUBSCRIPTION = (
    f"{CONFIG}:2:22: SUBSCRIPTION_ID: is an integer (a subscription ID (GUID) such as "
    "00000000-0000-0000-0000-000000000000, or null)\n"
)


def make_workspace(root: Path) -> Path:
    shutil.copytree(REPO / "infra", root / "infra")
    shutil.rmtree(root / "infra" / ".orchestrator", ignore_errors=True)
    (root / "bin").mkdir()
    (root / "inference").mkdir()
    (root / "inference" / "app.py").write_text("print('hello')\n")
    write_json(root / CONFIG, GOOD_CONFIG)
    return root


def write_json(path: Path, data: Any) -> None:
    path.write_text(json.dumps(data, indent=2) + "\n")


def base_env(ws: Path) -> dict[str, str]:
    return {"HOME": str(ws), "PATH": str(ws / "bin"), "LANG": "C.UTF-8", "PYTHONUTF8": "1"}


def run(
    ws: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", *args, "-w", str(ws)],
        cwd=ws,
        env=env or base_env(ws),
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def run_in_process(ws: Path, *args: str, env: dict[str, str] | None = None) -> tuple[int, bool]:
    """Run the command in a fresh interpreter: its exit code, and whether it imported
    jsonschema."""
    ran = run_fresh([*args, "-w", str(ws)], cwd=ws, env=env or base_env(ws))
    return ran.code, "jsonschema" in ran.modules


def imports_jsonschema(ws: Path, *args: str) -> bool:
    code, imported = run_in_process(ws, *args)
    assert code == 0
    return imported


def test_a_second_validate_of_unchanged_files_does_not_import_jsonschema(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    assert imports_jsonschema(ws, "validate")
    assert (ws / CACHE).is_file()
    assert not imports_jsonschema(ws, "validate")
    write_json(ws / CONFIG, GOOD_CONFIG | {"RESOURCE_GROUP_NAME": "another-rg"})
    assert imports_jsonschema(ws, "validate")  # a changed document is checked again
    assert not imports_jsonschema(ws, "validate")


def test_a_config_broken_after_it_passed_fails_with_the_same_line(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "seen")
    never = make_workspace(tmp_path / "never")
    assert run(ws, "validate").returncode == 0
    broken = GOOD_CONFIG | {"SUBSCRIPTION_ID": 7}
    write_json(ws / CONFIG, broken)
    write_json(never / CONFIG, broken)
    for command in ("validate", "deploy"):
        again, fresh = run(ws, command), run(never, command)
        assert again.returncode == fresh.returncode == 2, again.stderr
        assert again.stderr == fresh.stderr
        assert again.stderr.startswith(NOT_A_SUBSCRIPTION), again.stderr
        assert "Traceback" not in again.stderr


def test_parameters_broken_after_they_passed_fail_with_the_same_line(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path / "seen")
    never = make_workspace(tmp_path / "never")
    assert run(ws, "validate").returncode == 0
    for root in (ws, never):
        doc = json.loads((root / PARAMS).read_text())
        doc["parameters"]["maximumInstanceCount"] = {"value": "two"}
        write_json(root / PARAMS, doc)
    fresh = run(never, "validate")
    for _ in range(2):  # and a failure is never remembered
        again = run(ws, "validate")
        assert again.returncode == fresh.returncode == 2
        assert again.stderr == fresh.stderr
        assert "parameters.maximumInstanceCount.value: is a string" in again.stderr


def test_a_read_only_cache_place_still_validates(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    (ws / ".orchestrator").write_text("not a folder\n")
    assert run(ws, "validate").returncode == 0
    write_json(ws / CONFIG, GOOD_CONFIG | {"SUBSCRIPTION_ID": 7})
    failed = run(ws, "validate")
    assert failed.returncode == 2
    assert failed.stderr.startswith(NOT_A_SUBSCRIPTION), failed.stderr


def test_a_second_provision_and_deploy_import_no_jsonschema(
    tmp_path: Path, localcloud: LocalCloudHandle
) -> None:
    provisioned = provision(tmp_path / "ws", localcloud)
    ws, env = provisioned.workspace, cli_env(localcloud)
    for command in (("provision", "-g", provisioned.group), ("deploy", "--no-restart")):
        assert run_in_process(ws, *command, env=env)[0] == 0  # the files as this step sees them
        assert run_in_process(ws, *command, env=env) == (0, False)
    # An edited config (a key the tool keeps, new content) is checked again, once.
    write_json(ws / CONFIG, provisioned.config | {"NOTE": "edited"})
    assert run_in_process(ws, "deploy", "--no-restart", env=env) == (0, True)
    assert run_in_process(ws, "deploy", "--no-restart", env=env) == (0, False)


def test_a_refused_command_keeps_no_pass(tmp_path: Path) -> None:
    ws = make_workspace(tmp_path)
    (ws / ".deployignore").write_text("[z-a]\n")  # deploy checks the config, then refuses this
    refused = run(ws, "deploy")
    assert refused.returncode == 2, refused.stderr
    assert not (ws / ".orchestrator").exists()
