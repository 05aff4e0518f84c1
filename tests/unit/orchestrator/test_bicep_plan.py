"""Bicep install decisions: platform detection, settings, the plan, the offer (no I/O)."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path

import pytest

from orchestrator.bicep.offer import BicepOffer, offer_for
from orchestrator.bicep.plan import install_command, plan_install
from orchestrator.bicep.platforms import PLATFORMS, Host, asset_name, binary_name, detect_platform
from orchestrator.bicep.releases import PINNED_VERSION, PINS
from orchestrator.bicep.settings import BicepSettings, check_version
from orchestrator.errors import InputError
from orchestrator.settings import read_settings

ENV = {"HOME": "/home/ada"}


@pytest.mark.parametrize(
    ("host", "platform"),
    [
        (Host("Linux", "x86_64"), "linux-x64"),
        (Host("Linux", "aarch64"), "linux-arm64"),
        (Host("Linux", "x86_64", musl=True), "linux-musl-x64"),
        (Host("Darwin", "x86_64"), "osx-x64"),
        (Host("Darwin", "arm64"), "osx-arm64"),
        (Host("Windows", "AMD64"), "win-x64"),
        (Host("Windows", "ARM64"), "win-arm64"),
    ],
)
def test_the_platform_is_detected_as_the_az_cli_does(host: Host, platform: str) -> None:
    assert detect_platform(host) == platform


def test_a_system_without_a_bicep_build_is_an_input_error() -> None:
    with pytest.raises(InputError, match="no Bicep CLI build for FreeBSD"):
        detect_platform(Host("FreeBSD", "amd64"))


def test_asset_and_binary_names() -> None:
    assert asset_name("win-arm64") == "bicep-win-arm64.exe"
    assert asset_name("linux-musl-x64") == "bicep-linux-musl-x64"
    assert binary_name("win-x64") == "bicep.exe"
    assert binary_name("osx-arm64") == "bicep"


def test_every_pinned_digest_is_a_cited_sha256_for_a_known_platform() -> None:
    pinned = PINS[PINNED_VERSION]
    assert set(pinned) <= set(PLATFORMS)
    for digest in pinned.values():
        assert re.fullmatch(r"[0-9a-f]{64}", digest.sha256)
        assert digest.sources and all(re.search(r"@ [0-9a-f]{40}", s) for s in digest.sources)


def test_settings_default_to_the_official_host_and_the_az_cli_folder() -> None:
    settings = BicepSettings.from_env(ENV)
    assert settings.download_url == "https://downloads.bicep.azure.com"
    assert settings.install_dir == Path("/home/ada/.azure/bin")
    assert settings.version is None
    assert settings.verify is True


def test_settings_follow_azure_config_dir_and_the_ca_bundle() -> None:
    settings = BicepSettings.from_env(
        {**ENV, "AZURE_CONFIG_DIR": "/cfg/az", "REQUESTS_CA_BUNDLE": "/etc/ca.pem"}
    )
    assert settings.install_dir == Path("/cfg/az/bin")
    assert settings.verify == "/etc/ca.pem"


@pytest.mark.parametrize(
    "url", ["http://downloads.example", "ftp://x", "https://", "https://h/?q=1", "downloads"]
)
def test_a_download_url_that_is_not_plain_https_is_refused(url: str) -> None:
    with pytest.raises(InputError, match="ORCHESTRATOR_BICEP_DOWNLOAD_URL"):
        BicepSettings.from_env({**ENV, "ORCHESTRATOR_BICEP_DOWNLOAD_URL": url})


@pytest.mark.parametrize(("given", "tag"), [("0.30.23", "v0.30.23"), ("v0.33.013", "v0.33.13")])
def test_versions_are_normalised_to_release_tags(given: str, tag: str) -> None:
    assert check_version(given, "--version") == tag


@pytest.mark.parametrize("given", ["latest", "v1.2", "v1.2.3-rc1", "../v1.2.3", "v1.2.3/../x"])
def test_anything_but_a_release_tag_is_refused(given: str) -> None:
    with pytest.raises(InputError, match=r"--version: .* is not a Bicep release"):
        check_version(given, "--version")


def test_the_pinned_release_is_verified() -> None:
    plan = plan_install(BicepSettings.from_env(ENV), "linux-x64")
    assert plan.version == PINNED_VERSION and plan.verified
    assert plan.url == f"https://downloads.bicep.azure.com/{PINNED_VERSION}/bicep-linux-x64"
    assert plan.target == Path("/home/ada/.azure/bin/bicep")
    assert plan.warning() == ""
    assert install_command(plan) == "orchestrator bicep install --yes"


def test_a_named_release_is_unverified_with_a_warning() -> None:
    plan = plan_install(BicepSettings.from_env(ENV), "win-x64", version="0.30.3")
    assert not plan.verified
    assert plan.url.endswith("/v0.30.3/bicep-win-x64.exe")
    assert plan.target.name == "bicep.exe"
    assert "UNVERIFIED" in plan.warning() and "--version" in plan.warning()
    assert install_command(plan) == "orchestrator bicep install --version v0.30.3 --yes"


def test_the_environment_names_a_release_when_the_flag_does_not() -> None:
    env = {**ENV, "ORCHESTRATOR_BICEP_VERSION": "v0.30.3"}
    plan = plan_install(BicepSettings.from_env(env), "linux-x64")
    assert plan.version == "v0.30.3" and plan.version_source == "ORCHESTRATOR_BICEP_VERSION"
    flagged = plan_install(BicepSettings.from_env(env), "linux-x64", version="v0.31.92")
    assert flagged.version == "v0.31.92"


@pytest.mark.parametrize("platform", ["linux-musl-x64", "win-arm64"])
def test_the_pin_on_a_platform_without_a_digest_is_refused(platform: str) -> None:
    with pytest.raises(InputError, match=f"no SHA-256 is recorded .* on {platform}") as caught:
        plan_install(BicepSettings.from_env(ENV), platform)
    assert f"--version {PINNED_VERSION}" in caught.value.hint


def test_naming_the_pinned_release_installs_it_unverified_where_no_digest_is_recorded() -> None:
    plan = plan_install(BicepSettings.from_env(ENV), "win-arm64", version=PINNED_VERSION)
    assert not plan.verified


class NoDownload:
    def __call__(self, url: str) -> AbstractContextManager[Iterator[bytes]]:
        raise AssertionError(f"downloaded {url}")


def offer(*, interactive: bool, answer: bool, lines: list[str], asked: list[str]) -> BicepOffer:
    def ask(question: str) -> bool:
        asked.append(question)
        return answer

    return BicepOffer(
        settings=BicepSettings.from_env(ENV),
        host=Host("Linux", "x86_64"),
        interactive=interactive,
        assume_yes=False,
        ask=ask,
        notify=lines.append,
        download=NoDownload(),
    )


def test_a_declined_offer_installs_nothing_after_saying_what_it_would_do() -> None:
    lines: list[str] = []
    asked: list[str] = []
    chosen = offer(interactive=True, answer=False, lines=lines, asked=asked).offer("stale JSON")
    assert chosen is None
    assert asked == ["Install it now? [Y/n] "]
    assert lines[0] == "stale JSON"
    assert "/.azure/bin/bicep" in lines[1] and PINS[PINNED_VERSION]["linux-x64"].sha256 in lines[2]


def test_without_a_terminal_nothing_is_asked_and_the_hint_is_the_command() -> None:
    lines: list[str] = []
    asked: list[str] = []
    made = offer(interactive=False, answer=True, lines=lines, asked=asked)
    assert made.offer("stale JSON") is None
    assert asked == [] and lines == []
    assert "`orchestrator bicep install --yes`" in made.hint()


def test_a_commands_offer_takes_its_environment_and_interactivity_from_the_settings() -> None:
    env = {**ENV, "ORCHESTRATOR_BICEP_VERSION": "v0.30.3"}
    made = offer_for(read_settings(env, interactive=False), assume_yes=False, stderr=io.StringIO())
    assert not made.interactive and not made.assume_yes
    assert made.offer("stale JSON") is None
    assert "`orchestrator bicep install --version v0.30.3 --yes`" in made.hint()
    with pytest.raises(InputError, match="ORCHESTRATOR_BICEP_DOWNLOAD_URL"):
        bad = {**ENV, "ORCHESTRATOR_BICEP_DOWNLOAD_URL": "http://mirror"}
        offer_for(read_settings(bad), assume_yes=True, stderr=io.StringIO())


def test_an_offer_on_a_platform_without_a_digest_keeps_both_reasons() -> None:
    lines: list[str] = []
    made = BicepOffer(
        settings=BicepSettings.from_env(ENV),
        host=Host("Windows", "ARM64"),
        interactive=True,
        assume_yes=False,
        ask=lambda question: True,
        notify=lines.append,
        download=NoDownload(),
    )
    with pytest.raises(InputError) as caught:
        made.offer("stale JSON")
    assert caught.value.message.startswith("stale JSON; no SHA-256 is recorded")
    assert f"--version {PINNED_VERSION}" in caught.value.hint
    assert lines == []
