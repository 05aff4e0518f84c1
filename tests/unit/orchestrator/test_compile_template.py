"""compile_template: compiler discovery, the compile cache, the checked-in JSON fallback."""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pytest

from orchestrator.compile import (
    OBTAINED_CACHE,
    OBTAINED_CHECKED_IN,
    OBTAINED_GIVEN,
    Compiler,
    RunResult,
    compile_template,
    find_compiler,
    source_sha256,
)
from orchestrator.errors import InputError
from orchestrator.workspace import Workspace

REPO = Path(__file__).resolve().parents[3]
COMPILED = {"$schema": "https://x/deploymentTemplate.json#", "resources": [], "outputs": {}}


class FakeRunner:
    """Answers `--version` and `build` like a Bicep CLI; records every call."""

    def __init__(self, build: RunResult | None = None, version: str = "0.26.170") -> None:
        self.calls: list[list[str]] = []
        self.build = build or RunResult(0, json.dumps(COMPILED), "")
        self.version = version

    def __call__(self, argv: Sequence[str]) -> RunResult:
        self.calls.append(list(argv))
        if "--version" in argv or "version" in argv:
            return RunResult(0, f"Bicep CLI version {self.version} (abc)\n", "")
        return self.build

    @property
    def builds(self) -> int:
        return sum(1 for call in self.calls if "build" in call)


def no_which(name: str) -> str | None:
    return None


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    shutil.copytree(REPO / "infra", tmp_path / "infra")
    return Workspace(tmp_path)


def test_bicep_env_var_wins() -> None:
    found = find_compiler({"BICEP": "/opt/bicep", "HOME": "/nowhere"}, lambda n: f"/usr/bin/{n}")
    assert found == Compiler(("/opt/bicep",))


def test_bicep_on_path_before_az() -> None:
    assert find_compiler({"HOME": "/nowhere"}, lambda n: f"/usr/bin/{n}") == Compiler(
        ("/usr/bin/bicep",)
    )


def test_toolkit_download_folder_is_found(tmp_path: Path) -> None:
    exe = tmp_path / ".wais/bin/bicep/v0.26.170/bicep"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    assert find_compiler({"HOME": str(tmp_path)}, no_which) == Compiler((str(exe),))


def test_the_az_cli_copy_follows_azure_config_dir(tmp_path: Path) -> None:
    exe = tmp_path / "cfg/bin/bicep"
    exe.parent.mkdir(parents=True)
    exe.write_text("#!/bin/sh\n")
    exe.chmod(0o755)
    (tmp_path / ".azure/bin").mkdir(parents=True)  # ~/.azure is not where az looks now
    env = {"HOME": str(tmp_path), "AZURE_CONFIG_DIR": str(tmp_path / "cfg")}
    assert find_compiler(env, no_which) == Compiler((str(exe),))


def test_az_bicep_is_the_last_resort() -> None:
    which = {"az": "/usr/bin/az"}.get
    compiler = find_compiler({"HOME": "/nowhere"}, which)
    assert compiler == Compiler(("/usr/bin/az", "bicep"))
    assert compiler.build_argv(Path("t.bicep")) == [
        "/usr/bin/az",
        "bicep",
        "build",
        "--file",
        "t.bicep",
        "--stdout",
    ]


def test_compiles_then_hits_the_cache(ws: Workspace) -> None:
    runner = FakeRunner()
    env = {"BICEP": "/opt/bicep", "HOME": "/nowhere"}
    first = compile_template(ws, None, env, runner, no_which)
    assert first.obtained == "bicep 0.26.170" and first.template == COMPILED
    digest = source_sha256(ws.bicep)
    assert (ws.state_dir / "compiled" / f"{digest}-0.26.170.json").is_file()
    second = compile_template(ws, None, env, runner, no_which)
    assert second.obtained == OBTAINED_CACHE and second.template == COMPILED
    assert runner.builds == 1


def test_cache_misses_when_the_source_changes(ws: Workspace) -> None:
    runner = FakeRunner()
    env = {"BICEP": "/opt/bicep"}
    compile_template(ws, None, env, runner, no_which)
    ws.bicep.write_text(ws.bicep.read_text() + "\n// changed\n")
    assert compile_template(ws, None, env, runner, no_which).obtained == "bicep 0.26.170"
    assert runner.builds == 2


def test_compiler_failure_shows_its_stderr(ws: Workspace) -> None:
    runner = FakeRunner(build=RunResult(1, "", "main.bicep(3,1) : Error BCP007: bad\n"))
    with pytest.raises(InputError) as caught:
        compile_template(ws, None, {"BICEP": "/opt/bicep"}, runner, no_which)
    assert "bicep build failed" in caught.value.message
    assert "Error BCP007: bad" in caught.value.message


def test_no_compiler_uses_checked_in_json_when_hash_matches(ws: Workspace) -> None:
    compiled = compile_template(ws, None, {"HOME": "/nowhere"}, FakeRunner(), no_which)
    assert compiled.obtained == OBTAINED_CHECKED_IN
    assert compiled.template["metadata"]["orchestrator"]["sourceSha256"] == compiled.source_sha256


def test_no_compiler_and_stale_json_says_how_to_fix(ws: Workspace) -> None:
    ws.bicep.write_text(ws.bicep.read_text() + "\n// edited\n")
    with pytest.raises(InputError) as caught:
        compile_template(ws, None, {"HOME": "/nowhere"}, FakeRunner(), no_which)
    assert "was not compiled from the current infra/provision/inference.bicep" in (
        caught.value.message
    )
    assert "az bicep install" in caught.value.hint and "--template FILE.json" in caught.value.hint


def test_crlf_checkout_hashes_like_lf(ws: Workspace) -> None:
    before = source_sha256(ws.bicep)
    ws.bicep.write_bytes(ws.bicep.read_bytes().replace(b"\n", b"\r\n"))
    assert source_sha256(ws.bicep) == before


def test_arm_json_template_is_used_as_given(ws: Workspace) -> None:
    compiled = compile_template(ws, ws.compiled, {}, FakeRunner(), no_which)
    assert (
        compiled.obtained == OBTAINED_GIVEN and compiled.source == "infra/provision/inference.json"
    )


def test_json_that_is_not_a_deployment_template_is_refused(ws: Workspace) -> None:
    with pytest.raises(InputError) as caught:
        compile_template(ws, ws.parameters, {}, FakeRunner(), no_which)
    assert caught.value.message.startswith(
        "infra/provision/inference.parameters.json: $schema: not an ARM deployment template"
    )


def test_az_without_bicep_falls_back_to_checked_in_json(ws: Workspace) -> None:
    def az_without_bicep(argv: Sequence[str]) -> RunResult:
        return RunResult(
            1, "", "Bicep CLI not found. Install it now by running 'az bicep install'."
        )

    which = {"az": "/usr/bin/az"}.get
    compiled = compile_template(ws, None, {"HOME": "/nowhere"}, az_without_bicep, which)
    assert compiled.obtained == OBTAINED_CHECKED_IN


def test_named_bicep_that_fails_is_an_error(ws: Workspace) -> None:
    def broken(argv: Sequence[str]) -> RunResult:
        return RunResult(126, "", "permission denied")

    with pytest.raises(InputError) as caught:
        compile_template(ws, None, {"BICEP": "/opt/bicep"}, broken, no_which)
    assert caught.value.message == "/opt/bicep: cannot tell its version (exit 126)"


def test_the_cache_folder_ignores_itself_in_git(ws: Workspace) -> None:
    compile_template(ws, None, {"BICEP": "/opt/bicep"}, FakeRunner(), no_which)
    assert (ws.state_dir / ".gitignore").read_text().splitlines()[-1] == "*"


def test_an_unwritable_cache_still_compiles(ws: Workspace) -> None:
    ws.state_dir.write_text("not a folder")  # mkdir fails like a read-only workspace would
    runner = FakeRunner()
    compiled = compile_template(ws, None, {"BICEP": "/opt/bicep"}, runner, no_which)
    assert compiled.obtained == "bicep 0.26.170" and compiled.template == COMPILED


@pytest.mark.parametrize(
    ("make", "said"),
    [
        (lambda p: p.mkdir(), "infra/provision/inference.bicep: is a directory"),
        (lambda p: p.symlink_to(p.name), "infra/provision/inference.bicep: cannot read (symbolic"),
        (lambda p: None, "infra/provision/inference.bicep: file not found"),
    ],
    ids=["directory", "symlink-loop", "missing"],
)
def test_an_unreadable_bicep_is_an_input_error(ws: Workspace, make: Any, said: str) -> None:
    ws.bicep.unlink()
    make(ws.bicep)
    with pytest.raises(InputError) as caught:
        compile_template(ws, None, {"HOME": "/nowhere"}, FakeRunner(), no_which)
    assert caught.value.message.startswith(said)
