"""What installing a Bicep CLI would do, decided before anything is downloaded (pure).

The release is, first wins: the `--version` flag, ORCHESTRATOR_BICEP_VERSION, the pin.
A release with a recorded digest for the platform is *verified*; any other release the user
named is *unverified* (installed with a warning); the pinned release on a platform without a
recorded digest is refused, with the command that installs it unverified.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from orchestrator.bicep.platforms import asset_name, binary_name
from orchestrator.bicep.releases import PINNED_VERSION, PINS, PinnedDigest
from orchestrator.bicep.settings import BicepSettings, check_version
from orchestrator.errors import InputError

Pins = Mapping[str, Mapping[str, PinnedDigest]]


@dataclass(frozen=True)
class InstallPlan:
    version: str  # "v0.33.13"
    platform: str  # "linux-x64"
    url: str
    target: Path  # <az config dir>/bin/bicep[.exe]
    expected: PinnedDigest | None  # None: unverified (a release named by the user)
    version_source: str  # "--version", "ORCHESTRATOR_BICEP_VERSION" or "pinned"

    @property
    def verified(self) -> bool:
        return self.expected is not None

    def warning(self) -> str:
        """The line printed before an unverified install ("" when verified)."""
        if self.verified:
            return ""
        return (
            f"Bicep {self.version} ({self.version_source}) has no recorded SHA-256 for "
            f"{self.platform}: it is installed UNVERIFIED, trusting only HTTPS to {self.url}"
        )


def plan_install(
    settings: BicepSettings,
    platform: str,
    version: str | None = None,
    version_flag: str = "--version",
    pins: Pins = PINS,
) -> InstallPlan:
    """The plan for `platform`; `version` is the flag's value (None when not given)."""
    if version is not None:
        tag, source = check_version(version, version_flag), version_flag
    elif settings.version is not None:
        tag, source = settings.version, settings.version_source
    else:
        tag, source = PINNED_VERSION, "pinned"
    expected = pins.get(tag, {}).get(platform)
    if expected is None and source == "pinned":
        raise InputError(
            f"no SHA-256 is recorded for Bicep {tag} on {platform}, so it cannot be installed "
            "verified",
            hint=f"to install it unverified, name the release: `orchestrator bicep install "
            f"--version {tag}` (or set the ORCHESTRATOR_BICEP_VERSION environment variable)",
        )
    return InstallPlan(
        version=tag,
        platform=platform,
        url=f"{settings.download_url}/{tag}/{asset_name(platform)}",
        target=settings.install_dir / binary_name(platform),
        expected=expected,
        version_source=source,
    )


def install_command(plan: InstallPlan) -> str:
    """The exact command that carries out `plan` without a question."""
    named = "" if plan.version_source == "pinned" else f" --version {plan.version}"
    return f"orchestrator bicep install{named} --yes"
