"""What the az CLI's own files say: the active cloud, its endpoints, the default subscription.

Read from the az config folder (AZURE_CONFIG_DIR, default `~/.azure`) without importing
azure-cli-core (it is optional, and slow to import):

- `config`, section `[cloud]`, `name`: the active cloud (`az cloud set`); AzureCloud when unset;
- `clouds.config`, section `[<name>]`: a custom cloud's endpoints (`az cloud register`),
  `endpoint_resource_manager`, `endpoint_active_directory_resource_id`,
  `endpoint_active_directory` (its sign-in authority), `endpoint_portal`;
- `azureProfile.json`: the signed-in subscriptions, each with `environmentName` (its cloud)
  and `isDefault` (one default per cloud).

So a user who ran `az cloud set -n AzureChinaCloud` (or registered localcloud as a custom
cloud) deploys there, and signs in there, exactly as `az deployment group create` would.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from orchestrator.errors import InputError

if TYPE_CHECKING:
    import configparser

PUBLIC = "AzureCloud"


@dataclass(frozen=True)
class AzCloud:
    name: str
    resource_manager: str  # without a trailing slash
    audience: str  # the token audience of ARM in this cloud
    portal: str = ""  # "" when the cloud names none
    authority: str = "https://login.microsoftonline.com"  # Entra ID sign-in endpoint
    custom: bool = False  # registered with `az cloud register` (no instance discovery)

    @property
    def scope(self) -> str:
        """The token scope for ARM, written as the az CLI writes it."""
        return self.audience.rstrip("/") + "/.default"


# The clouds the az CLI knows without registration (their public endpoints).
KNOWN: Mapping[str, AzCloud] = {
    cloud.name.lower(): cloud
    for cloud in (
        AzCloud(
            PUBLIC,
            "https://management.azure.com",
            "https://management.azure.com/",
            "https://portal.azure.com",
        ),
        AzCloud(
            "AzureChinaCloud",
            "https://management.chinacloudapi.cn",
            "https://management.core.chinacloudapi.cn/",
            "https://portal.azure.cn",
            "https://login.chinacloudapi.cn",
        ),
        AzCloud(
            "AzureUSGovernment",
            "https://management.usgovcloudapi.net",
            "https://management.core.usgovcloudapi.net/",
            "https://portal.azure.us",
            "https://login.microsoftonline.us",
        ),
    )
}


def _ini(path: Path) -> configparser.ConfigParser:
    import configparser  # only the Azure cloud reads the az CLI's files

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read_string(path.read_bytes().decode("utf-8-sig"), source=str(path))
    except FileNotFoundError:
        pass
    except (OSError, UnicodeDecodeError, configparser.Error) as exc:
        raise InputError(
            f"{path}: cannot read the az CLI's settings ({exc})",
            hint="fix or remove the file, or set AZURE_CONFIG_DIR to another az config folder",
        ) from None
    return parser


def active_cloud_name(config_dir: Path) -> str:
    return _ini(config_dir / "config").get("cloud", "name", fallback=PUBLIC).strip() or PUBLIC


def active_cloud(config_dir: Path) -> AzCloud:
    """The az CLI's active cloud; the public cloud when az was never configured."""
    name = active_cloud_name(config_dir)
    known = KNOWN.get(name.lower())
    if known is not None:
        return known
    path = config_dir / "clouds.config"
    section = _ini(path)
    if not section.has_section(name):
        raise InputError(
            f"the az CLI's active cloud is {name}, but {path} does not register it",
            hint="`az cloud set -n AzureCloud`, or `az cloud register -n NAME ...` first",
        )
    endpoint = section.get(name, "endpoint_resource_manager", fallback="").strip()
    if not endpoint.startswith("https://"):
        raise InputError(
            f"{path}: [{name}] endpoint_resource_manager: {endpoint or 'missing'} "
            "(expected an https:// URL)"
        )
    audience = section.get(name, "endpoint_active_directory_resource_id", fallback="").strip()
    portal = section.get(name, "endpoint_portal", fallback="").strip()
    authority = section.get(name, "endpoint_active_directory", fallback="").strip()
    return AzCloud(
        name,
        endpoint.rstrip("/"),
        audience or endpoint,
        portal.rstrip("/"),
        authority.rstrip("/") or KNOWN[PUBLIC.lower()].authority,
        custom=True,
    )


def default_subscription(config_dir: Path, cloud: str) -> tuple[str, Path] | None:
    """The default subscription of `cloud` in azureProfile.json (UTF-8 with BOM), if any."""
    path = config_dir / "azureProfile.json"
    try:
        doc = json.loads(path.read_bytes().decode("utf-8-sig"))
    except (OSError, ValueError):
        return None
    entries = doc.get("subscriptions") if isinstance(doc, dict) else None
    defaults = [
        e
        for e in (entries if isinstance(entries, list) else [])
        if isinstance(e, dict) and e.get("isDefault") and isinstance(e.get("id"), str)
    ]
    # One default per cloud; entries written by old az versions carry no environmentName.
    same_cloud = [
        e for e in defaults if str(e.get("environmentName") or cloud).lower() == cloud.lower()
    ]
    chosen = same_cloud[0] if same_cloud else None
    return (str(chosen["id"]).strip(), path) if chosen and str(chosen["id"]).strip() else None
