"""`--bicep-version` reaches the install offer of the commands that compile, and
`provision --yes` consents to the install (a loopback HTTPS stand-in for the release host)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bicep_support import ReleaseHost, cli, good_binary, release_host, stale_workspace
from https_stub import StubServer

pytestmark = pytest.mark.functional

VERSION = "v0.30.23"
SUBSCRIPTION = "00000000-0000-0000-0000-000000000001"


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[StubServer, ReleaseHost]]:
    with release_host(tmp_path / "tls") as served:
        yield served


def unreachable_cloud(tmp_path: Path) -> None:
    """An az CLI configuration whose active cloud is a closed loopback port (no sign-in, no
    ARM), so provision stops right after compiling."""
    azure = tmp_path / "azure"
    azure.mkdir(parents=True, exist_ok=True)
    (azure / "config").write_text("[cloud]\nname = closed\n")
    (azure / "clouds.config").write_text(
        "[closed]\nendpoint_resource_manager = https://127.0.0.1:9/\n"
        "endpoint_active_directory = https://127.0.0.1:9\n"
    )


@pytest.mark.parametrize("command", ["validate", "plan", "provision"])
def test_without_a_terminal_the_hint_names_the_requested_version(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost], command: str
) -> None:
    server, _ = host
    ws = stale_workspace(tmp_path)
    unreachable_cloud(tmp_path)
    target = ["-s", SUBSCRIPTION, "-g", "rg"] if command != "validate" else []
    ran = cli(tmp_path, server, command, "-w", str(ws), *target, "--bicep-version", VERSION)
    assert ran.returncode == 2, ran.stderr
    assert f"orchestrator bicep install --version {VERSION} --yes" in ran.stderr
    assert server.requests == []


def test_provision_yes_installs_the_requested_version_then_compiles_with_it(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    unreachable_cloud(tmp_path)
    files.files[f"/{VERSION}/bicep-linux-x64"] = good_binary(ws)
    ran = cli(
        tmp_path,
        server,
        "provision",
        "-w",
        str(ws),
        *("-s", SUBSCRIPTION, "-g", "rg", "--yes", "--bicep-version", VERSION),
    )
    assert (tmp_path / "azure" / "bin" / "bicep").read_bytes() == good_binary(ws)
    assert f"{server.base_url}/{VERSION}/bicep-linux-x64" in ran.stderr
    assert "Install it now?" not in ran.stderr  # --yes answered
    assert ran.returncode == 1, ran.stderr  # then the closed cloud refuses the sign-in
    assert "Traceback" not in ran.stderr
