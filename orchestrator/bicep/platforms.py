"""Which Bicep release asset fits a machine, decided the way the az CLI decides it (pure).

The az CLI (`azure/cli/command_modules/resource/_bicep.py`) names seven platforms: `win-x64`,
`win-arm64`, `linux-x64`, `linux-arm64`, `linux-musl-x64` (when the musl loader exists and
glibc does not, e.g. Alpine), `osx-x64` and `osx-arm64`; ARM is any of the `platform.machine()`
values in `ARM_MACHINES`. The asset is `bicep-{platform}` (`.exe` on Windows).
"""

from __future__ import annotations

import os
import platform as _platform
from dataclasses import dataclass

from orchestrator.errors import InputError

PLATFORMS: tuple[str, ...] = (
    "linux-x64",
    "linux-arm64",
    "linux-musl-x64",
    "osx-x64",
    "osx-arm64",
    "win-x64",
    "win-arm64",
)
ARM_MACHINES = frozenset({"arm64", "aarch64", "aarch64_be", "armv8b", "armv8l"})
MUSL_LOADER = "/lib/ld-musl-x86_64.so.1"
GLIBC = "/lib/x86_64-linux-gnu/libc.so.6"
_SYSTEMS = {"linux": "linux", "darwin": "osx", "windows": "win"}


@dataclass(frozen=True)
class Host:
    """What the detection looks at: `platform.system()`, `platform.machine()`, and whether
    the musl loader is present without glibc."""

    system: str
    machine: str
    musl: bool = False


def current_host() -> Host:
    musl = os.path.exists(MUSL_LOADER) and not os.path.exists(GLIBC)
    return Host(_platform.system(), _platform.machine(), musl)


def detect_platform(host: Host) -> str:
    """The release platform for `host`; an InputError for a system Bicep has no build for."""
    system = _SYSTEMS.get(host.system.lower())
    if system is None:
        raise InputError(
            f"no Bicep CLI build for {host.system} {host.machine}",
            hint="pass --platform with one of " + ", ".join(PLATFORMS),
        )
    arch = "arm64" if host.machine.lower() in ARM_MACHINES else "x64"
    if system == "linux" and arch == "x64" and host.musl:
        return "linux-musl-x64"
    return f"{system}-{arch}"


def check_platform(value: str, source: str) -> str:
    """A platform named by the user (`--platform`), checked against the known seven."""
    if value not in PLATFORMS:
        raise InputError(f"{source}: unknown platform {value!r} (one of {', '.join(PLATFORMS)})")
    return value


def is_windows(platform: str) -> bool:
    return platform.startswith("win-")


def asset_name(platform: str) -> str:
    """`bicep-linux-x64`, `bicep-win-arm64.exe`, ..."""
    return f"bicep-{platform}" + (".exe" if is_windows(platform) else "")


def binary_name(platform: str) -> str:
    """The installed file's name, as the az CLI names it."""
    return "bicep.exe" if is_windows(platform) else "bicep"
