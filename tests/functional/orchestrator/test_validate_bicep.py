"""`orchestrator validate` with a (fake) Bicep CLI: a real shell script on PATH or in $BICEP."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
FAKE_BICEP = """#!/bin/sh
echo "$@" >> "$FAKE_BICEP_LOG"
case "$1" in
  --version) echo "Bicep CLI version 0.99.1 (fake)" ;;
  build)
    if [ -n "$FAKE_BICEP_FAIL" ]; then
      echo "$2(3,1) : Error BCP007: This declaration type is not recognized." >&2
      exit 1
    fi
    /bin/cat "$FAKE_BICEP_OUTPUT" ;;
esac
"""


def workspace(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "infra", tmp_path / "infra")
    (tmp_path / "bin").mkdir()
    (tmp_path / "tools").mkdir()
    return tmp_path


def install_fake(folder: Path) -> Path:
    exe = folder / "bicep"
    exe.write_text(FAKE_BICEP)
    exe.chmod(0o755)
    return exe


def run(ws: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    base = {
        "HOME": str(ws),
        "PATH": str(ws / "bin"),
        "FAKE_BICEP_LOG": str(ws / "bicep.log"),
        "FAKE_BICEP_OUTPUT": str(ws / "infra/provision/inference.json"),
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", "validate", "-w", str(ws), *args],
        cwd=ws,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def builds(ws: Path) -> int:
    log = ws / "bicep.log"
    return sum(1 for line in log.read_text().splitlines() if line.startswith("build"))


def test_bicep_on_path_compiles_then_the_cache_answers(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    install_fake(ws / "bin")
    first = run(ws)
    assert first.returncode == 0, first.stderr
    assert "(bicep 0.99.1)" in first.stdout
    second = run(ws)
    assert second.returncode == 0, second.stderr
    assert "(cache)" in second.stdout
    assert builds(ws) == 1
    assert list((ws / ".orchestrator/compiled").glob("*-0.99.1.json"))


def test_bicep_env_var_is_used(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    exe = install_fake(ws / "tools")
    done = run(ws, BICEP=str(exe))
    assert done.returncode == 0, done.stderr
    assert "(bicep 0.99.1)" in done.stdout
    assert "build " + str(ws / "infra/provision/inference.bicep") + " --stdout" in (
        (ws / "bicep.log").read_text()
    )


def test_toolkit_download_folder_is_used(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    folder = ws / ".wais/bin/bicep/v0.26.170"
    folder.mkdir(parents=True)
    install_fake(folder)
    done = run(ws)
    assert done.returncode == 0, done.stderr
    assert "(bicep 0.99.1)" in done.stdout


def test_compiler_errors_are_shown_without_traceback(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    install_fake(ws / "bin")
    done = run(ws, FAKE_BICEP_FAIL="1")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "\ninfra/provision/inference.bicep: bicep build failed:" in "\n" + done.stderr
    assert "Error BCP007: This declaration type is not recognized." in done.stderr


def test_no_compiler_and_edited_bicep_says_how_to_fix(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    bicep = ws / "infra/provision/inference.bicep"
    bicep.write_text(bicep.read_text() + "\n// edited\n")
    done = run(ws)
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert first.startswith("infra/provision/inference.json was not compiled from the current")
    assert "az bicep install" in done.stderr and "--template FILE.json" in done.stderr


def test_template_option_takes_arm_json(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    done = run(ws, "--template", "infra/provision/inference.json")
    assert done.returncode == 0, done.stderr
    assert "(ARM JSON given)" in done.stdout


def test_template_option_rejects_non_templates(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    done = run(ws, "--template", "infra/inference.config.json")
    assert done.returncode == 2
    assert done.stderr.startswith(
        "infra/inference.config.json: $schema: not an ARM deployment template"
    )


FAKE_AZ = """#!/bin/sh
echo "az $@" >> "$FAKE_BICEP_LOG"
[ "$1" = bicep ] || exit 2
case "$2" in
  version) echo "Bicep CLI version 0.30.3 (fake az)" ;;
  build) [ "$3" = --file ] && [ "$5" = --stdout ] && /bin/cat "$FAKE_BICEP_OUTPUT" ;;
esac
"""


def test_azure_cli_download_folder_is_used(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    (ws / ".azure/bin").mkdir(parents=True)
    install_fake(ws / ".azure/bin")
    done = run(ws)
    assert done.returncode == 0, done.stderr
    assert "(bicep 0.99.1)" in done.stdout


def test_az_bicep_is_the_last_resort(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    az = ws / "bin/az"
    az.write_text(FAKE_AZ)
    az.chmod(0o755)
    done = run(ws)
    assert done.returncode == 0, done.stderr
    assert "(bicep 0.30.3)" in done.stdout
    bicep = ws / "infra/provision/inference.bicep"
    assert f"az bicep build --file {bicep} --stdout" in (ws / "bicep.log").read_text()


def test_the_cache_folder_is_git_ignored(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    install_fake(ws / "bin")
    assert run(ws).returncode == 0
    assert (ws / ".orchestrator/.gitignore").read_text().splitlines()[-1] == "*"


def test_toolkit_workspace_without_compiler_says_how_to_install(tmp_path: Path) -> None:
    ws = workspace(tmp_path)
    (ws / "infra/provision/inference.json").unlink()  # the toolkit ships only the .bicep
    done = run(ws)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert done.stderr.splitlines() == [
        "infra/provision/inference.bicep: no Bicep CLI found and no infra/provision/inference.json",
        "error: 1 problem found",
        "hint: install the pinned, checksum-verified Bicep CLI with "
        "`orchestrator bicep install --yes` (or `az bicep install`), or pass an ARM template "
        "with `--template FILE.json`",
    ]


def test_a_template_that_does_not_compile_is_reported_with_the_other_problems(
    tmp_path: Path,
) -> None:
    ws = workspace(tmp_path)
    (ws / "infra/provision/inference.json").unlink()
    config = ws / "infra/inference.config.json"
    config.write_text(config.read_text().replace('"SUBSCRIPTION_ID": null', '"SUBSCRIPTION_ID": 1'))
    done = run(ws)
    assert done.returncode == 2
    lines = done.stderr.splitlines()
    assert lines[0].startswith("infra/provision/inference.bicep: no Bicep CLI found"), lines
    assert lines[1].startswith("infra/inference.config.json:2:22: SUBSCRIPTION_ID: "), lines
    assert lines[2] == "error: 2 problems found"


def test_secure_parameter_values_are_never_printed(tmp_path: Path) -> None:
    import json

    ws = workspace(tmp_path)
    template = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"password": {"type": "secureString"}, "name": {"type": "string"}},
        "resources": [],
    }
    (ws / "custom.json").write_text(json.dumps(template))
    parameters = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentParameters.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"password": {"value": "hunter2-s3cret"}, "name": {"value": "app"}},
    }
    (ws / "custom.parameters.json").write_text(json.dumps(parameters))
    args = ("--template", "custom.json", "--parameters", "custom.parameters.json")
    human = run(ws, *args)
    as_json = run(ws, *args, "--json")
    assert human.returncode == 0 and as_json.returncode == 0, human.stderr + as_json.stderr
    assert "hunter2-s3cret" not in human.stdout + human.stderr + as_json.stdout + as_json.stderr
    assert 'password = "(secure value not shown)"' in human.stdout
    assert json.loads(as_json.stdout)["parameters"]["values"]["name"] == "app"
