"""One token chain: azure-identity's `ChainedTokenCredential`, built from the settings.

Against Azure, in order (a link is in the chain only when its settings are present; the
az CLI links always are):
1. GitHub Actions OIDC (`github_oidc.py`, when the workflow grants an ID token)
2. a service principal from AZURE_CLIENT_ID + AZURE_TENANT_ID + AZURE_CLIENT_SECRET or
   AZURE_CLIENT_CERTIFICATE_PATH
3. workload identity: AZURE_FEDERATED_TOKEN_FILE + AZURE_CLIENT_ID + AZURE_TENANT_ID
4. managed identity: IDENTITY_ENDPOINT / MSI_ENDPOINT
5. the az CLI's profile, in-process (azure-cli-core, an optional extra): `az login` reused
   without a subprocess per token
6. AzureCliCredential (runs `az account get-access-token`)

Every link signs in at the active cloud's authority (a sovereign or registered custom cloud
- localcloud registered with `az cloud register` included - has its own). A link that
cannot be used says so and the chain moves on; a link that fails (a wrong secret) stops it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, cast

from orchestrator.azure.cloud import CloudProfile, LocalCloudInfo
from orchestrator.settings import CredentialEnv, Settings

if TYPE_CHECKING:
    from azure.core.credentials import AccessToken, AccessTokenInfo, TokenCredential

    Credential = TokenCredential  # what the rest of the tool calls a credential


OIDC_VARIABLES = ("ACTIONS_ID_TOKEN_REQUEST_URL", "AZURE_FEDERATED_TOKEN_FILE")


def cached_credential(profile: CloudProfile, settings: Settings) -> TokenCredential:
    """The profile's credential (localcloud's service principal, or the chain) behind the
    token cache; the credential itself is built on the first miss."""
    from orchestrator.azure.tokens import CachedCredential, TokenFile, cache_file, identity_key

    def source() -> TokenCredential:
        if profile.local is not None:
            return local_credential(profile.local)
        return azure_credential(profile, settings.credentials, settings.environ)

    identity = identity_key(credential_identity(profile, settings))
    store = TokenFile(cache_file(settings.environ)) if settings.token_cache else None
    return cast("TokenCredential", CachedCredential(identity, source, store))


def credential_identity(profile: CloudProfile, settings: Settings) -> list[str]:
    """What decides who signs in, and where (secrets only hashed): another service
    principal, az account, localcloud instance or cloud gives another identity."""
    from orchestrator.azure.tokens import digest, file_identity

    parts = [profile.name, profile.arm_endpoint, profile.authority]
    local = profile.local
    if local is not None:
        secret = digest(local.client_secret)
        return [*parts, local.endpoint, local.tenant_id, local.client_id, secret, str(local.pid)]
    env = settings.credentials
    environ = settings.environ
    parts += [
        env.client_id,
        env.tenant_id,
        digest(env.client_secret) if env.client_secret else "",
        file_identity(env.client_certificate_path),
        env.federated_token_file,
        env.identity_endpoint,
        *(f"{name}={bool(environ.get(name))}" for name in OIDC_VARIABLES),
        file_identity(str(settings.az_config_dir / "azureProfile.json")),
    ]
    return parts


def local_credential(info: LocalCloudInfo) -> TokenCredential:
    """localcloud's own service principal, at its authority, trusting its CA."""
    from azure.identity import ClientSecretCredential

    return ClientSecretCredential(
        info.tenant_id,
        info.client_id,
        info.client_secret,
        authority=info.authority,
        connection_verify=info.ca_file,
        disable_instance_discovery=True,
    )


def azure_credential(
    profile: CloudProfile, env: CredentialEnv, environ: Mapping[str, str]
) -> TokenCredential:
    """The chain for the profile's cloud (see the module docstring for the order)."""
    from azure.identity import AzureCliCredential, ChainedTokenCredential

    links = [*_github_oidc(environ, profile), *_environment_links(profile, env)]
    links += [AzCliProfileCredential(), AzureCliCredential()]
    return ChainedTokenCredential(*links)


def _identity_options(profile: CloudProfile) -> dict[str, Any]:
    return {
        "authority": profile.authority,
        "disable_instance_discovery": profile.custom_authority,
    }


def _environment_links(profile: CloudProfile, env: CredentialEnv) -> list[TokenCredential]:
    import azure.identity as identity

    options = _identity_options(profile)
    tenant, client = env.tenant_id, env.client_id
    links: list[TokenCredential] = []
    if env.service_principal and env.client_secret:
        links.append(identity.ClientSecretCredential(tenant, client, env.client_secret, **options))
    elif env.service_principal and env.client_certificate_path:
        links.append(
            identity.CertificateCredential(
                tenant,
                client,
                env.client_certificate_path,
                password=env.client_certificate_password or None,
                **options,
            )
        )
    if env.service_principal and env.federated_token_file:
        links.append(
            identity.WorkloadIdentityCredential(
                tenant_id=tenant,
                client_id=client,
                token_file_path=env.federated_token_file,
                **options,
            )
        )
    if env.identity_endpoint:
        links.append(identity.ManagedIdentityCredential(client_id=client or None))
    return links


def _github_oidc(environ: Mapping[str, str], profile: CloudProfile) -> list[TokenCredential]:
    """The GitHub Actions OIDC link, when the job may request an ID token (trusting the
    cloud's CA, so a custom cloud with a private CA signs in too)."""
    from orchestrator.azure.github_oidc import github_oidc_credential

    found = github_oidc_credential(
        environ, profile.authority, connection_verify=profile.connection_verify
    )
    return [found] if found is not None else []


class AzCliProfileCredential:
    """`az login` reused in-process through azure-cli-core's Profile, built on first use.

    Unavailable (the chain moves on) when azure-cli-core is not installed or nobody is
    signed in; azure-cli-core's own credential then hands out the tokens."""

    def __init__(self) -> None:
        self._inner: Any = None

    def _credential(self) -> Any:
        from azure.identity import CredentialUnavailableError

        if self._inner is not None:
            return self._inner
        try:
            from azure.cli.core import get_default_cli
            from azure.cli.core._profile import Profile
        except ImportError:
            raise CredentialUnavailableError("azure-cli-core is not installed") from None
        try:
            found = Profile(cli_ctx=get_default_cli()).get_login_credentials()
        except Exception as exc:  # not signed in, expired, ... - the next link says it clearly
            raise CredentialUnavailableError(f"az CLI profile: {exc}") from None
        self._inner = found[0]
        return self._inner

    def get_token(self, *scopes: str, **kwargs: Any) -> AccessToken:
        token: AccessToken = self._credential().get_token(*scopes, **kwargs)
        return token

    def get_token_info(self, *scopes: str, options: Any = None) -> AccessTokenInfo:
        inner = self._credential()
        if hasattr(inner, "get_token_info"):
            info: AccessTokenInfo = inner.get_token_info(*scopes, options=options)
            return info
        from azure.core.credentials import AccessTokenInfo as Info

        token = inner.get_token(*scopes)
        return Info(token.token, token.expires_on)

    def close(self) -> None:
        return None
