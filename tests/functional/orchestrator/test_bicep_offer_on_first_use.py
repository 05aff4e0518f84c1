"""The offer to install the Bicep CLI is built only when `compile` needs it, as real processes:
a current checked-in JSON imports none of the offer's modules, a stale one builds the offer
(which says the install command), and a wrong `ORCHESTRATOR_BICEP_*` still stops `validate`
and `provision` with exit 2 although no offer is needed."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from bicep_support import stale_workspace
from fresh_support import run_fresh

REPO = Path(__file__).resolve().parents[3]
OFFER_MODULES = {
    "orchestrator.bicep.offer",
    "orchestrator.bicep.download",
    "orchestrator.bicep.platforms",
    "orchestrator.bicep.releases",
}
BAD_URL = "http://mirror.example"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000000"


def current_workspace(tmp_path: Path) -> Path:
    """A workspace whose checked-in inference.json was compiled from its inference.bicep."""
    ws = tmp_path / "ws"
    shutil.copytree(REPO / "infra", ws / "infra")
    return ws


def env_for(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No Bicep CLI anywhere: an empty PATH and a home and az folder of the test's own."""
    return {
        "HOME": str(tmp_path / "home"),
        "PATH": "",
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
        "LANG": "C.UTF-8",
        **extra,
    }


def validated(tmp_path: Path, ws: Path) -> tuple[int, set[str], str]:
    """`validate` in a fresh interpreter: its exit code, the `orchestrator.*` modules it
    imported and what it said on stderr."""
    ran = run_fresh(["validate", "-w", str(ws)], cwd=tmp_path, env=env_for(tmp_path))
    return ran.code, ran.ours(), ran.stderr


def test_a_current_checked_in_json_imports_none_of_the_offer(tmp_path: Path) -> None:
    code, imported, stderr = validated(tmp_path, current_workspace(tmp_path))
    assert code == 0, stderr
    assert not imported & OFFER_MODULES, imported


def test_a_stale_json_builds_the_offer_which_says_the_install_command(tmp_path: Path) -> None:
    code, imported, stderr = validated(tmp_path, stale_workspace(tmp_path))
    assert code == 2
    assert "was not compiled from the current infra/provision/inference.bicep" in stderr
    assert "`orchestrator bicep install --yes`" in stderr
    assert OFFER_MODULES.issubset(imported), imported


def test_a_wrong_bicep_download_url_stops_validate_and_provision_with_exit_2(
    tmp_path: Path,
) -> None:
    ws = current_workspace(tmp_path)
    env = env_for(
        tmp_path, ORCHESTRATOR_BICEP_DOWNLOAD_URL=BAD_URL, AZURE_SUBSCRIPTION_ID=SUBSCRIPTION
    )
    for command in (["validate"], ["provision", "-g", "rg-never-made"]):
        done = subprocess.run(
            [sys.executable, "-m", "orchestrator", *command, "-w", str(ws)],
            cwd=tmp_path,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
        assert done.returncode == 2, done.stdout + done.stderr
        assert f"ORCHESTRATOR_BICEP_DOWNLOAD_URL: '{BAD_URL}' is not an https:// URL" in done.stderr
        assert "Traceback" not in done.stderr
