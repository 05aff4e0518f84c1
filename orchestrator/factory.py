"""Builds every real client: cloud selection, credentials, Azure SDK clients.

This is the only module that knows localcloud exists. With `--cloud local` (or
ORCHESTRATOR_CLOUD=local) it asks `python -m localcloud status --json` (a subprocess: the two
programs meet only over HTTPS) for the endpoint, CA file and service principal of the
instance named by LOCALCLOUD_STATE_DIR, starting it first when it is not running, and signs in
as that service principal exactly as with a real one. Against Azure it reuses `az login`
in-process (azure-cli-core, optional extra) or through azure-identity, on the az CLI's active
cloud (`orchestrator/azcli.py`: public, sovereign or registered custom cloud).

Credential choice against Azure, first match wins:
1. AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_CLIENT_SECRET / AZURE_CLIENT_CERTIFICATE_PATH
   → service principal (ClientSecretCredential / CertificateCredential)
2. AZURE_FEDERATED_TOKEN_FILE + AZURE_CLIENT_ID + AZURE_TENANT_ID → WorkloadIdentityCredential
   (GitHub OIDC, AKS workload identity)
3. IDENTITY_ENDPOINT or MSI_ENDPOINT → ManagedIdentityCredential
4. azure-cli-core importable → az's own Profile, in-process (no subprocess per token)
5. AzureCliCredential (runs `az account get-access-token`)
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from orchestrator.deploy.clients import DeployClients, retry_backoff
from orchestrator.errors import AzureError
from orchestrator.invocation import Invocation
from orchestrator.provision.arm import Arm
from orchestrator.provision.pipeline import Provisioner
from orchestrator.provision.progress import Display, SafeDisplay, make_display
from orchestrator.provision.target import NOT_SET, Sourced, az_default_subscription

AZURE = "azure"
LOCAL = "local"
ARM_SCOPES = ("https://management.azure.com/.default",)
PORTAL_DEPLOYMENT = "/#blade/HubsExtension/DeploymentDetailsBlade/overview/id/"
# Never the SDK's 30 s default: every long-running call made with these clients polls at 1 s.
CLIENT_POLLING_INTERVAL = 1

STATUS_OK = (0, 3)  # `localcloud status` exits 3 when the instance is not running
Run = Callable[..., "subprocess.CompletedProcess[str]"]


@dataclass(frozen=True)
class LocalCloudInfo:
    """What `localcloud status --json` prints."""

    endpoint: str
    ca_file: str
    tenant_id: str
    client_id: str
    client_secret: str = field(repr=False)
    subscription_id: str
    authority: str
    admin_url: str = ""
    state_dir: str = ""


@dataclass(frozen=True)
class CloudProfile:
    name: str  # azure | local
    arm_endpoint: str
    credential_scopes: tuple[str, ...] = ARM_SCOPES
    connection_verify: str | bool = True
    default_subscription: Sourced = NOT_SET
    local: LocalCloudInfo | None = None
    portal: str = ""  # the cloud's portal ("" for localcloud: there is none)
    az_cloud: str = ""  # the az CLI cloud the endpoints came from

    def portal_url(self, deployment_id: str) -> str:
        """The portal page of a deployment ("" where the cloud has no portal)."""
        if not self.portal or not deployment_id:
            return ""
        return self.portal + PORTAL_DEPLOYMENT + quote(deployment_id, safe="")


# --- cloud selection ----------------------------------------------------------------------


def select_cloud(env: Mapping[str, str]) -> str:
    name = env.get("ORCHESTRATOR_CLOUD", AZURE).strip().lower() or AZURE
    if name not in (AZURE, LOCAL):
        raise AzureError(f"ORCHESTRATOR_CLOUD={name}: expected azure or local")
    return name


def cloud_profile(env: Mapping[str, str], run: Run = subprocess.run) -> CloudProfile:
    """The cloud to talk to, from ORCHESTRATOR_CLOUD (the --cloud flag sets it)."""
    if select_cloud(env) == LOCAL:
        info = local_cloud_info(env, run)
        return CloudProfile(
            name=LOCAL,
            arm_endpoint=info.endpoint.rstrip("/"),
            connection_verify=info.ca_file,
            default_subscription=Sourced(info.subscription_id, "localcloud's subscription"),
            local=info,
        )
    from orchestrator.azcli import active_cloud

    cloud = active_cloud(env)  # the az CLI's active cloud: public, sovereign or custom
    return CloudProfile(
        name=AZURE,
        arm_endpoint=cloud.resource_manager,
        credential_scopes=(cloud.scope,),
        default_subscription=az_default_subscription(env, cloud.name),
        portal=cloud.portal,
        az_cloud=cloud.name,
    )


# --- localcloud (over its CLI and HTTPS only) ---------------------------------------------


def _localcloud(
    args: Sequence[str], env: Mapping[str, str], run: Run, timeout: float, ok: Sequence[int] = (0,)
) -> str:
    argv = [sys.executable, "-m", "localcloud", *args]
    try:
        done = run(argv, env=dict(env), capture_output=True, text=True, timeout=timeout)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise AzureError(f"localcloud {' '.join(args)}: {exc}") from exc
    if done.returncode not in ok:
        tail = (done.stderr or done.stdout).strip().splitlines()[-1:] or [""]
        raise AzureError(
            f"localcloud {' '.join(args)} failed (exit {done.returncode}): {tail[0]}",
            hint="check `python -m localcloud status`; LOCALCLOUD_STATE_DIR selects the instance",
        )
    return str(done.stdout)


def parse_local_status(text: str) -> tuple[bool, LocalCloudInfo | None]:
    """(running, info) from `localcloud status --json`; info is None when not running."""
    try:
        doc = json.loads(text)
    except ValueError as exc:
        raise AzureError(f"localcloud status --json printed something else: {exc}") from exc
    if not isinstance(doc, dict) or not doc.get("running"):
        return False, None
    try:
        info = LocalCloudInfo(
            endpoint=str(doc["endpoint"]),
            ca_file=str(doc["ca_file"]),
            tenant_id=str(doc["tenant_id"]),
            client_id=str(doc["client_id"]),
            client_secret=str(doc["client_secret"]),
            subscription_id=str(doc["subscription_id"]),
            authority=str(doc.get("authority") or doc["endpoint"]),
            admin_url=str(doc.get("admin_url", "")),
            state_dir=str(doc.get("state_dir", "")),
        )
    except KeyError as exc:
        raise AzureError(f"localcloud status --json lacks {exc}") from None
    return True, info


def local_cloud_info(env: Mapping[str, str], run: Run = subprocess.run) -> LocalCloudInfo:
    """The running localcloud instance (LOCALCLOUD_STATE_DIR), started when it is not."""
    status = ["status", "--json"]
    running, info = parse_local_status(_localcloud(status, env, run, 60, STATUS_OK))
    if not running:
        _localcloud(["start"], env, run, 120)
        running, info = parse_local_status(_localcloud(status, env, run, 60, STATUS_OK))
    if info is None:
        raise AzureError("localcloud did not start", hint="run `python -m localcloud start`")
    return info


# --- credentials --------------------------------------------------------------------------


def build_credential(profile: CloudProfile, env: Mapping[str, str]) -> Any:
    """A TokenCredential for the profile's cloud (see the module docstring for the order)."""
    if profile.local is not None:
        return local_credential(profile.local)
    return azure_credential(env)


def local_credential(info: LocalCloudInfo) -> Any:
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(
        info.tenant_id,
        info.client_id,
        info.client_secret,
        authority=info.authority,
        connection_verify=info.ca_file,
        disable_instance_discovery=True,
    )


def azure_credential(env: Mapping[str, str]) -> Any:
    import azure.identity as identity

    client, tenant = env.get("AZURE_CLIENT_ID", ""), env.get("AZURE_TENANT_ID", "")
    if client and tenant and env.get("AZURE_CLIENT_SECRET"):
        return identity.ClientSecretCredential(tenant, client, env["AZURE_CLIENT_SECRET"])
    if client and tenant and env.get("AZURE_CLIENT_CERTIFICATE_PATH"):
        return identity.CertificateCredential(tenant, client, env["AZURE_CLIENT_CERTIFICATE_PATH"])
    if client and tenant and env.get("AZURE_FEDERATED_TOKEN_FILE"):
        return identity.WorkloadIdentityCredential(
            tenant_id=tenant, client_id=client, token_file_path=env["AZURE_FEDERATED_TOKEN_FILE"]
        )
    if env.get("IDENTITY_ENDPOINT") or env.get("MSI_ENDPOINT"):
        return identity.ManagedIdentityCredential(client_id=client or None)
    in_process = az_cli_core_credential()
    return in_process if in_process is not None else identity.AzureCliCredential()


def az_cli_core_credential() -> Any | None:
    """az login reused in-process through azure-cli-core's Profile (None when not installed
    or not signed in: the caller falls back to AzureCliCredential)."""
    try:
        from azure.cli.core import get_default_cli
        from azure.cli.core._profile import Profile
    except ImportError:
        return None
    try:
        credential, _subscription, _tenant = Profile(
            cli_ctx=get_default_cli()
        ).get_login_credentials()
    except Exception:  # not logged in, expired, ... - AzureCliCredential reports it clearly
        return None
    return credential


# --- SDK clients --------------------------------------------------------------------------


def _client_kwargs(profile: CloudProfile) -> dict[str, Any]:
    return {
        "base_url": profile.arm_endpoint,
        "credential_scopes": list(profile.credential_scopes),
        "connection_verify": profile.connection_verify,
        "polling_interval": CLIENT_POLLING_INTERVAL,
    }


def build_deployments_client(profile: CloudProfile, credential: Any, subscription: str) -> Any:
    from azure.mgmt.resource.deployments import DeploymentsMgmtClient

    return DeploymentsMgmtClient(credential, subscription, **_client_kwargs(profile))


def build_resources_client(profile: CloudProfile, credential: Any, subscription: str) -> Any:
    from azure.mgmt.resource.resources import ResourceManagementClient

    return ResourceManagementClient(credential, subscription, **_client_kwargs(profile))


def build_containerapps_client(profile: CloudProfile, credential: Any, subscription: str) -> Any:
    from azure.mgmt.appcontainers import ContainerAppsAPIClient

    return ContainerAppsAPIClient(credential, subscription, **_client_kwargs(profile))


def build_storage_client(profile: CloudProfile, credential: Any, subscription: str) -> Any:
    from azure.mgmt.storage import StorageManagementClient

    return StorageManagementClient(credential, subscription, **_client_kwargs(profile))


class Clients:
    """The clients of one invocation, built on first use (one credential, one token cache)."""

    def __init__(self, profile: CloudProfile, env: Mapping[str, str]) -> None:
        self.profile = profile
        self._env = env
        self._credential: Any = None

    @property
    def credential(self) -> Any:
        if self._credential is None:
            self._credential = build_credential(self.profile, self._env)
        return self._credential

    def arm(self, subscription: str) -> Arm:
        return Arm(
            build_deployments_client(self.profile, self.credential, subscription),
            build_resources_client(self.profile, self.credential, subscription),
            endpoint=self.profile.arm_endpoint,
        )

    def containerapps(self, subscription: str) -> Any:
        return build_containerapps_client(self.profile, self.credential, subscription)

    def storage(self, subscription: str) -> Any:
        return build_storage_client(self.profile, self.credential, subscription)


def make_clients(env: Mapping[str, str], run: Run = subprocess.run) -> Clients:
    """Everything the provision-side commands need to reach the selected cloud."""
    return Clients(cloud_profile(env, run), env)


# --- provision wiring ---------------------------------------------------------------------


def build_display(inv: Invocation) -> SafeDisplay:
    """Progress on stderr: NDJSON with --json, rich on a terminal, plain lines otherwise."""
    terminal = bool(getattr(inv.stderr, "isatty", lambda: False)())
    return make_display(inv.stderr, as_json=inv.as_json, terminal=terminal)


def prompt(question: str, choices: Sequence[str]) -> str:
    """Ask on the terminal (stderr); the first choice is the default."""
    import click

    answer = click.prompt(question, type=click.Choice(list(choices)), default=choices[0], err=True)
    return str(answer)


def build_provisioner(inv: Invocation, clients: Clients, arm: Arm, display: Display) -> Provisioner:
    return Provisioner(
        inv.workspace,
        arm,
        display,
        cloud=clients.profile.name,
        portal_url=clients.profile.portal_url,
        interactive=inv.interactive,
        ask=prompt,
    )


# ==========================================================================================
# deploy / logs clients (owned by the deploy command; added below this line)
# ==========================================================================================


def deploy_clients(inv: Invocation, subscription: str) -> DeployClients:
    """Storage, Container Apps, Files data plane and plain HTTPS for `deploy` and `logs`."""
    clients = make_clients(inv.env)
    verify = clients.profile.connection_verify
    session = _http_session(verify)

    def share(account_url: str, share_name: str, account: str, key: str) -> Any:
        from azure.core.pipeline.transport import RequestsTransport
        from azure.storage.fileshare import ShareClient

        return ShareClient(
            account_url,
            share_name,
            credential={"account_name": account, "account_key": key},
            connection_verify=verify,
            transport=RequestsTransport(
                session=_http_session(verify), session_owner=False, connection_verify=verify
            ),
            retry_policy=files_retry_policy(retry_backoff(inv.env)),
        )

    def http_get(url: str, headers: Mapping[str, str], timeout: float) -> tuple[int, bytes]:
        response = session.get(url, headers=dict(headers), timeout=timeout, verify=verify)
        return response.status_code, response.content

    def http_stream(url: str, headers: Mapping[str, str]) -> Iterator[str]:
        with session.get(
            url, headers=dict(headers), stream=True, timeout=(10, None), verify=verify
        ) as response:
            if response.status_code != 200:
                raise AzureError(f"log stream answered HTTP {response.status_code}")
            for line in response.iter_lines(decode_unicode=True):
                yield str(line)

    return DeployClients(
        storage=clients.storage(subscription),
        apps=clients.containerapps(subscription),
        share=share,
        http_get=http_get,
        http_stream=http_stream,
        portal=clients.profile.portal or None,
    )


# Retries of one file share request (a 5xx, a dropped connection): `backoff` seconds, then
# doubled, +-20 % jitter, at most FILES_RETRY_MAX_S. The SDK's default waits 15 s + 3^n.
FILES_RETRIES = 3
FILES_RETRY_MAX_S = 30.0


def files_retry_policy(backoff: float) -> Any:
    import random

    from azure.storage.fileshare import ExponentialRetry

    class Retry(ExponentialRetry):
        def get_backoff_time(self, settings: dict[str, Any]) -> float:
            count = max(1, int(settings.get("count") or 1))
            wait = min(FILES_RETRY_MAX_S, backoff * 2 ** (count - 1))
            return float(wait * random.uniform(0.8, 1.2))

    return Retry(
        retry_total=FILES_RETRIES,
        retry_connect=FILES_RETRIES,
        retry_read=FILES_RETRIES,
        retry_status=FILES_RETRIES,
    )


def _http_session(verify: str | bool) -> Any:
    """A requests session with a connection pool large enough for parallel uploads.

    `session.verify` alone is not enough: requests lets REQUESTS_CA_BUNDLE / CURL_CA_BUNDLE
    override it, so every call also passes `verify=` explicitly.
    """
    import requests
    from requests.adapters import HTTPAdapter

    session = requests.Session()
    session.verify = verify
    adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32)
    session.mount("https://", adapter)
    session.mount("http://", adapter)
    return session
