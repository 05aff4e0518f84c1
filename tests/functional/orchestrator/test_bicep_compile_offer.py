"""compile's offer to install the Bicep CLI when no compiler exists and the checked-in JSON is
stale: with `--yes`, asked on a terminal (yes / no), without a terminal, with a tampered
download - against a loopback HTTPS stand-in for the release host.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from pathlib import Path

import pytest
from bicep_support import (
    ReleaseHost,
    good_binary,
    leftovers,
    pins_for,
    release_host,
    settings_for,
    sha256,
    stale_workspace,
)
from https_stub import StubServer

from orchestrator.bicep.download import HttpsDownload
from orchestrator.bicep.install import DigestMismatch
from orchestrator.bicep.offer import BicepOffer
from orchestrator.bicep.platforms import Host
from orchestrator.bicep.releases import PINNED_VERSION, PinnedDigest
from orchestrator.compile import compile_template
from orchestrator.errors import InputError
from orchestrator.workspace import Workspace

LINUX = Host("Linux", "x86_64")


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[StubServer, ReleaseHost]]:
    with release_host(tmp_path / "tls") as served:
        yield served


def offer(
    server: StubServer,
    tmp_path: Path,
    pins: dict[str, dict[str, PinnedDigest]],
    *,
    interactive: bool = False,
    assume_yes: bool = False,
    answer: bool = True,
) -> tuple[BicepOffer, io.StringIO]:
    said = io.StringIO()
    settings = settings_for(server, tmp_path)
    return (
        BicepOffer(
            settings=settings,
            host=LINUX,
            interactive=interactive,
            assume_yes=assume_yes,
            ask=lambda question: answer,
            notify=lambda line: print(line, file=said),
            download=HttpsDownload(settings.verify),
            pins=pins,
        ),
        said,
    )


def no_compiler_env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "AZURE_CONFIG_DIR": str(tmp_path / "azure")}


def no_which(name: str) -> str | None:
    return None


def test_compile_installs_the_pinned_cli_with_yes_and_compiles_with_it(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    good = good_binary(ws)
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good
    installer, said = offer(server, tmp_path, pins_for(good), assume_yes=True)
    compiled = compile_template(
        Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
    )
    assert compiled.obtained == "bicep 0.33.13"
    assert (tmp_path / "azure" / "bin" / "bicep").read_bytes() == good
    assert "was not compiled from the current" in said.getvalue()
    assert f"{server.base_url}/{PINNED_VERSION}/bicep-linux-x64" in said.getvalue()
    assert f"SHA-256 {sha256(good)}" in said.getvalue()


def test_compile_asks_on_a_terminal_and_a_no_installs_nothing(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    good = good_binary(ws)
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good
    installer, _ = offer(server, tmp_path, pins_for(good), interactive=True, answer=False)
    with pytest.raises(InputError) as caught:
        compile_template(
            Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
        )
    assert "orchestrator bicep install --yes" in caught.value.hint
    assert server.requests == []


def test_compile_without_a_terminal_downloads_nothing_and_names_the_command(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, _ = host
    ws = stale_workspace(tmp_path)
    installer, said = offer(server, tmp_path, pins_for(b"x"))
    with pytest.raises(InputError) as caught:
        compile_template(
            Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
        )
    assert "was not compiled from the current" in caught.value.message
    assert "`orchestrator bicep install --yes`" in caught.value.hint
    assert server.requests == [] and said.getvalue() == ""


def test_compile_with_a_tampered_download_installs_nothing(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    good = good_binary(ws)
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good.replace(b"0.33.13", b"6.6.6")
    installer, _ = offer(server, tmp_path, pins_for(good), assume_yes=True)
    with pytest.raises(DigestMismatch):
        compile_template(
            Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
        )
    assert leftovers(tmp_path / "azure" / "bin") == []
