"""Settings, read once from the environment and the global flags into one frozen value.

Nothing deeper reads `os.environ`: commands, pipelines and the composition root
(`app.py`) receive the fields they need. The whole environment is kept for the two things
that are about the environment itself: the `env` of parameter rendering (`{{ env.USER }}`)
and the environment of child processes (the Bicep CLI, `python -m localcloud`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from orchestrator.errors import InputError

AZURE = "azure"
LOCAL = "local"
CLOUDS = (AZURE, LOCAL)

ENV_CLOUD = "ORCHESTRATOR_CLOUD"
ENV_RETRY_BACKOFF = "ORCHESTRATOR_RETRY_BACKOFF"
ENV_TOKEN_CACHE = "ORCHESTRATOR_TOKEN_CACHE"
ENV_DEBUG = "ORCHESTRATOR_DEBUG"
DEFAULT_RETRY_BACKOFF = 1.0
MAX_RETRY_BACKOFF = 60.0

# Defaults of the commands' timeouts (seconds), shown in --help.
PROVISION_TIMEOUT = 7200.0
DEPLOY_TIMEOUT = 1500.0


@dataclass(frozen=True)
class CredentialEnv:
    """The credential-related environment (azure-identity's names)."""

    client_id: str = ""
    tenant_id: str = ""
    client_secret: str = field(default="", repr=False)
    client_certificate_path: str = ""
    client_certificate_password: str = field(default="", repr=False)
    federated_token_file: str = ""
    identity_endpoint: str = ""  # IDENTITY_ENDPOINT or MSI_ENDPOINT: a managed identity

    @property
    def service_principal(self) -> bool:
        return bool(self.client_id and self.tenant_id)


@dataclass(frozen=True)
class TargetEnv:
    """AZURE_SUBSCRIPTION_ID / AZURE_RESOURCE_GROUP / AZURE_LOCATION ("" when unset)."""

    subscription: str = ""
    resource_group: str = ""
    location: str = ""


@dataclass(frozen=True)
class Settings:
    cloud: str = AZURE
    cloud_given: bool = False  # by --cloud or ORCHESTRATOR_CLOUD (else the default, azure)
    credentials: CredentialEnv = field(default_factory=CredentialEnv)
    target: TargetEnv = field(default_factory=TargetEnv)
    az_config_dir: Path = Path("~/.azure")
    localcloud_state_dir: Path = Path("~/.localcloud")
    retry_backoff: float = DEFAULT_RETRY_BACKOFF
    token_cache: bool = True  # ORCHESTRATOR_TOKEN_CACHE=off: no access token kept on disk
    bicep: str = ""  # BICEP: an explicit Bicep CLI
    color: bool | None = None  # NO_COLOR → False, FORCE_COLOR → True, else the terminal decides
    interactive: bool = False  # stdin and stdout are terminals, and not --json
    debug: bool = False  # --debug / ORCHESTRATOR_DEBUG: show the SDK's log lines
    bicep_version: str | None = None  # --bicep-version: the Bicep CLI an install offer fetches
    assume_yes: bool = False  # --yes: consent to the offer to install the Bicep CLI
    environ: Mapping[str, str] = field(default_factory=dict, repr=False)


def read_settings(
    environ: Mapping[str, str],
    *,
    cloud: str | None = None,
    debug: bool = False,
    interactive: bool = False,
    bicep_version: str | None = None,
    assume_yes: bool = False,
) -> Settings:
    """Everything the tool takes from the environment, checked; flags win over variables."""
    home = Path(environ.get("HOME") or "~").expanduser()
    az_dir = environ.get("AZURE_CONFIG_DIR", "").strip()
    state_dir = environ.get("LOCALCLOUD_STATE_DIR", "").strip()
    return Settings(
        cloud=cloud_name(cloud or environ.get(ENV_CLOUD, ""), "--cloud" if cloud else ENV_CLOUD),
        cloud_given=bool(cloud or environ.get(ENV_CLOUD, "").strip()),
        credentials=CredentialEnv(
            client_id=environ.get("AZURE_CLIENT_ID", "").strip(),
            tenant_id=environ.get("AZURE_TENANT_ID", "").strip(),
            client_secret=environ.get("AZURE_CLIENT_SECRET", ""),
            client_certificate_path=environ.get("AZURE_CLIENT_CERTIFICATE_PATH", "").strip(),
            client_certificate_password=environ.get("AZURE_CLIENT_CERTIFICATE_PASSWORD", ""),
            federated_token_file=environ.get("AZURE_FEDERATED_TOKEN_FILE", "").strip(),
            identity_endpoint=environ.get("IDENTITY_ENDPOINT") or environ.get("MSI_ENDPOINT", ""),
        ),
        target=TargetEnv(
            subscription=environ.get("AZURE_SUBSCRIPTION_ID", "").strip(),
            resource_group=environ.get("AZURE_RESOURCE_GROUP", "").strip(),
            location=environ.get("AZURE_LOCATION", "").strip(),
        ),
        az_config_dir=Path(az_dir).expanduser() if az_dir else home / ".azure",
        localcloud_state_dir=(Path(state_dir).expanduser() if state_dir else home / ".localcloud"),
        retry_backoff=retry_backoff(environ.get(ENV_RETRY_BACKOFF, "")),
        token_cache=switch(ENV_TOKEN_CACHE, environ.get(ENV_TOKEN_CACHE, ""), default=True),
        bicep=environ.get("BICEP", "").strip(),
        color=_color(environ),
        interactive=interactive,
        debug=debug or environ.get(ENV_DEBUG, "").strip().lower() in ("1", "true", "yes"),
        bicep_version=bicep_version or None,
        assume_yes=assume_yes,
        environ=dict(environ),
    )


def cloud_name(value: str, source: str) -> str:
    """`azure` (the default) or `local`; anything else is an input error naming its source."""
    name = value.strip().lower() or AZURE
    if name not in CLOUDS:
        raise InputError(f"{source}={value.strip()}: unknown cloud (expected azure or local)")
    return name


def retry_backoff(text: str) -> float:
    """ORCHESTRATOR_RETRY_BACKOFF: seconds from 0 to 60 (default 1 when unset or empty);
    anything else is an input error naming the variable."""
    if not text.strip():
        return DEFAULT_RETRY_BACKOFF
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not (math.isfinite(value) and 0 <= value <= MAX_RETRY_BACKOFF):
        raise InputError(
            f"{ENV_RETRY_BACKOFF}={text.strip()!r}: expected seconds from 0 to "
            f"{MAX_RETRY_BACKOFF:g}"
        )
    return value


def switch(name: str, text: str, *, default: bool) -> bool:
    """An on/off variable: on, 1, true, yes / off, 0, false, no (any case); `default` when
    unset or empty; anything else is an input error naming the variable."""
    value = text.strip().lower()
    if not value:
        return default
    if value in ("on", "1", "true", "yes"):
        return True
    if value in ("off", "0", "false", "no"):
        return False
    raise InputError(f"{name}={text.strip()!r}: expected on or off")


def _color(environ: Mapping[str, str]) -> bool | None:
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR"):
        return True
    return None
