"""Where a Bicep CLI is downloaded from and installed to, read once from the environment.

- `ORCHESTRATOR_BICEP_DOWNLOAD_URL`: the release host (default the official
  `https://downloads.bicep.azure.com`, what the az CLI uses); HTTPS only.
- `ORCHESTRATOR_BICEP_VERSION`: a release other than the pinned one (`v0.30.23`); installed
  unverified, with a warning. The `--version` / `--bicep-version` flags win over it.
- the install folder is the az CLI's: `$AZURE_CONFIG_DIR/bin`, else `~/.azure/bin`.
- TLS trust: `REQUESTS_CA_BUNDLE`, then `CURL_CA_BUNDLE` (what the az CLI sets), else the
  system's; passed to each request explicitly.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from orchestrator.errors import InputError

DEFAULT_DOWNLOAD_URL = "https://downloads.bicep.azure.com"
ENV_DOWNLOAD_URL = "ORCHESTRATOR_BICEP_DOWNLOAD_URL"
ENV_VERSION = "ORCHESTRATOR_BICEP_VERSION"
_VERSION = re.compile(r"^v?(\d{1,4})\.(\d{1,4})\.(\d{1,6})$")


@dataclass(frozen=True)
class BicepSettings:
    download_url: str  # no trailing slash
    version: str | None  # "vX.Y.Z" asked for through the environment, else None (the pin)
    version_source: str  # where `version` came from, for messages
    install_dir: Path  # the az CLI's `<config dir>/bin`
    verify: str | bool  # a CA bundle path, or True for the system trust store

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> BicepSettings:
        raw_version = env.get(ENV_VERSION, "").strip()
        return cls(
            download_url=check_download_url(
                env.get(ENV_DOWNLOAD_URL, "").strip() or DEFAULT_DOWNLOAD_URL, ENV_DOWNLOAD_URL
            ),
            version=check_version(raw_version, ENV_VERSION) if raw_version else None,
            version_source=ENV_VERSION if raw_version else "",
            install_dir=az_config_dir(env) / "bin",
            verify=env.get("REQUESTS_CA_BUNDLE") or env.get("CURL_CA_BUNDLE") or True,
        )


def az_config_dir(env: Mapping[str, str]) -> Path:
    """`$AZURE_CONFIG_DIR`, else `~/.azure` (HOME from `env`)."""
    explicit = env.get("AZURE_CONFIG_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    home = env.get("HOME") or env.get("USERPROFILE")
    return (Path(home) if home else Path.home()) / ".azure"


def check_version(value: str, source: str) -> str:
    """A release tag as the Bicep project writes it (`v0.33.13`); `0.33.13` is accepted."""
    match = _VERSION.fullmatch(value.strip())
    if match is None:
        raise InputError(
            f"{source}: {value!r} is not a Bicep release (expected vMAJOR.MINOR.PATCH, "
            "e.g. v0.33.13)"
        )
    return "v" + ".".join(str(int(part)) for part in match.groups())


def check_download_url(value: str, source: str) -> str:
    """An https:// base URL without query or fragment; the trailing slash is dropped."""
    parts = urlsplit(value)
    if parts.scheme != "https" or not parts.netloc or parts.query or parts.fragment:
        raise InputError(
            f"{source}: {value!r} is not an https:// URL of a release host "
            f"(expected e.g. {DEFAULT_DOWNLOAD_URL})"
        )
    return value.rstrip("/")
