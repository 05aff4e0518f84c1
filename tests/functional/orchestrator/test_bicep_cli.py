"""`orchestrator bicep install` and the offer in `orchestrator validate` as real processes, on a
pipe and on a pseudo-terminal, against a loopback HTTPS stand-in for the release host.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from bicep_support import (
    ReleaseHost,
    cli,
    good_binary,
    leftovers,
    on_a_terminal,
    release_host,
    sha256,
    stale_workspace,
)
from https_stub import StubServer

from orchestrator.bicep.platforms import current_host, detect_platform
from orchestrator.bicep.releases import PINNED_VERSION, PINS


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[StubServer, ReleaseHost]]:
    with release_host(tmp_path / "tls") as served:
        yield served


def this_platform_pinned() -> str:
    platform = detect_platform(current_host())
    if platform not in PINS[PINNED_VERSION]:
        pytest.skip(f"no pinned digest for {platform}")
    return platform


def test_cli_refuses_a_tampered_pinned_release(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = this_platform_pinned()
    tampered = b"#!/bin/sh\necho 'Bicep CLI version 0.33.13'\n"
    asset = f"bicep-{platform}" + (".exe" if platform.startswith("win") else "")
    files.files[f"/{PINNED_VERSION}/{asset}"] = tampered
    done = cli(tmp_path, server, "bicep", "install", "--yes")
    expected = PINS[PINNED_VERSION][platform].sha256
    assert done.returncode == 1, done.stderr
    assert f"expected {expected}, actual {sha256(tampered)}" in done.stderr
    assert leftovers(tmp_path / "azure" / "bin") == []


def test_cli_installs_a_named_release_unverified_and_validate_then_uses_it(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = detect_platform(current_host())
    ws = stale_workspace(tmp_path)
    files.files[f"/v0.40.2/bicep-{platform}"] = good_binary(ws)
    done = cli(tmp_path, server, "bicep", "install", "--version", "0.40.2")
    assert done.returncode == 0, done.stderr
    assert "UNVERIFIED" in done.stderr
    assert f"installed Bicep CLI v0.40.2 at {tmp_path / 'azure' / 'bin' / 'bicep'}" in done.stdout
    checked = cli(tmp_path, server, "validate", "-w", str(ws))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "(bicep 0.33.13)" in checked.stdout


def test_cli_refuses_an_http_download_url(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, _ = host
    insecure = server.base_url.replace("https://", "http://")
    done = cli(tmp_path, server, "bicep", "install", ORCHESTRATOR_BICEP_DOWNLOAD_URL=insecure)
    assert done.returncode == 2
    assert "ORCHESTRATOR_BICEP_DOWNLOAD_URL" in done.stderr
    assert server.requests == []


def test_on_a_terminal_enter_means_yes(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = detect_platform(current_host())
    files.files[f"/v0.40.2/bicep-{platform}"] = good_binary(stale_workspace(tmp_path))
    code, shown = on_a_terminal(tmp_path, server, b"\n", "bicep", "install", "--version", "v0.40.2")
    assert code == 0, shown
    assert "UNVERIFIED" in shown and "Install it now? [Y/n]" in shown
    assert (tmp_path / "azure" / "bin" / "bicep").is_file()


def test_on_a_terminal_no_installs_nothing(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = detect_platform(current_host())
    files.files[f"/v0.40.2/bicep-{platform}"] = good_binary(stale_workspace(tmp_path))
    code, shown = on_a_terminal(
        tmp_path, server, b"n\n", "bicep", "install", "--version", "v0.40.2"
    )
    assert code == 1, shown
    assert "nothing installed" in shown
    assert server.requests == []
    assert leftovers(tmp_path / "azure" / "bin") == []


def test_validate_without_a_terminal_names_the_exact_install_command(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, _ = host
    ws = stale_workspace(tmp_path)
    done = cli(tmp_path, server, "validate", "-w", str(ws))
    assert done.returncode == 2, done.stdout + done.stderr
    assert "was not compiled from the current infra/provision/inference.bicep" in done.stderr
    assert "`orchestrator bicep install --yes`" in done.stderr
    assert server.requests == []
    assert leftovers(tmp_path / "azure" / "bin") == []


def test_validate_on_a_terminal_offers_the_cli_installs_it_and_compiles(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = detect_platform(current_host())
    ws = stale_workspace(tmp_path)
    files.files[f"/v0.40.2/bicep-{platform}"] = good_binary(ws)
    code, shown = on_a_terminal(
        tmp_path, server, b"\n", "validate", "-w", str(ws), ORCHESTRATOR_BICEP_VERSION="v0.40.2"
    )
    assert code == 0, shown
    assert "was not compiled from the current" in shown and "UNVERIFIED" in shown
    assert "(bicep 0.33.13)" in shown
    assert (tmp_path / "azure" / "bin" / "bicep").read_bytes() == good_binary(ws)
