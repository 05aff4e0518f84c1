"""Job secrets exposed as environment variables (the toolkit's "Add Azure Container Apps Job
secret for fine-tuning"), pure.

Container Apps secret names are lower-case letters, digits and '-', starting and ending with a
letter or digit, at most 253 characters (`ContainerAppInvalidSecretName`;
Azure/container-apps-deploy-action#116, Azure/azure-cli#28072 - older messages also allowed
'.' and 63 characters). An environment variable such as `HF_TOKEN` therefore becomes the secret
`hf-token` and reaches every container as `{"name": "HF_TOKEN", "secretRef": "hf-token"}`
(microsoft/foundry-dev-tools#467 is the confusion this avoids).

A job PATCH merges objects and replaces arrays, so `set_secret_body` sends the whole
`configuration.secrets` list - the existing secrets as `POST .../listSecrets` returns them
(values included, since `GET` carries none), this one added or replaced - and every container
whole, with the variable added or replaced and every other entry kept. The value appears only
in that body: `Secret` never shows it, `redacted` masks it for display.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from orchestrator.errors import InputError
from orchestrator.finetune import jobdoc

SECRET_NAME_MAX = 253
SECRET_NAME_EXPECTED = (
    "a secret name: 1-253 lower-case letters, digits and '-', starting and ending with a "
    "letter or digit"
)
ENV_NAME_EXPECTED = (
    "an environment variable name: letters, digits and '_', not starting with a digit"
)
REDACTED = "<redacted>"
_SECRET_NAME = re.compile(r"^[a-z0-9](?:[-a-z0-9]*[a-z0-9])?\Z")
_ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\Z")
_NOT_ALLOWED = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Secret:
    """One job secret as `listSecrets` returns it; the value is never shown."""

    name: str
    value: str | None = field(default=None, repr=False)
    key_vault_url: str | None = None
    identity: str | None = None

    def wire(self) -> dict[str, str]:
        out = {"name": self.name}
        if self.key_vault_url:
            out["keyVaultUrl"] = self.key_vault_url
            if self.identity:
                out["identity"] = self.identity
        elif self.value is not None:
            out["value"] = self.value
        return out


def is_secret_name(value: str) -> bool:
    return len(value) <= SECRET_NAME_MAX and bool(_SECRET_NAME.match(value))


def secret_name_for(env_name: str) -> str:
    """The secret name for a variable: `HF_TOKEN` -> `hf-token` (lower case, every run of
    other characters one '-', none at the ends)."""
    name = _NOT_ALLOWED.sub("-", env_name.lower()).strip("-")[:SECRET_NAME_MAX].rstrip("-")
    if not name:
        raise InputError(
            f"{env_name!r}: no secret name can be made from it", hint=SECRET_NAME_EXPECTED
        )
    return name


def check_env_name(value: str, source: str) -> str:
    if _ENV_NAME.match(value):
        return value
    raise InputError(f"{source}: {value!r} is not a valid variable name ({ENV_NAME_EXPECTED})")


def check_secret_name(value: str, source: str) -> str:
    if is_secret_name(value):
        return value
    raise InputError(f"{source}: {value!r} is not a valid secret name ({SECRET_NAME_EXPECTED})")


def secrets_from_list(answer: Mapping[str, Any]) -> tuple[Secret, ...]:
    """The secrets of a `POST .../listSecrets` answer (`{"value": [{name, value, ...}]}`)."""
    items = answer.get("value")
    out: list[Secret] = []
    for item in items if isinstance(items, list) else []:
        if isinstance(item, Mapping) and isinstance(item.get("name"), str):
            out.append(
                Secret(
                    item["name"],
                    _text(item.get("value")),
                    _text(item.get("keyVaultUrl")),
                    _text(item.get("identity")),
                )
            )
    return tuple(out)


def set_secret_body(
    job: Mapping[str, Any],
    existing: Sequence[Secret],
    env_name: str,
    secret_name: str,
    value: str,
) -> dict[str, Any]:
    """The `PATCH .../jobs/{job}` body that stores the secret and exposes it as `env_name` in
    every container, keeping every other secret and variable."""
    new = Secret(secret_name, value)
    names = [s.name for s in existing]
    secrets = [new if s.name == secret_name else s for s in existing]
    if secret_name not in names:
        secrets.append(new)
    template = jobdoc.template(job)
    patched: dict[str, Any] = {}
    for key in ("containers", "initContainers"):
        containers = jobdoc.objects(template.get(key))
        if containers:
            patched[key] = [_with_env(c, env_name, secret_name) for c in containers]
    if not patched.get("containers"):
        raise InputError(f"job {job.get('name', '')!r} has no containers to give the secret to")
    return {
        "properties": {
            "configuration": {"secrets": [s.wire() for s in secrets]},
            "template": patched,
        }
    }


def secret_refs(job: Mapping[str, Any]) -> dict[str, str]:
    """Variable -> secret name of the job's first container (what `status` can show)."""
    containers = jobdoc.objects(jobdoc.template(job).get("containers"))
    env = jobdoc.objects(containers[0].get("env")) if containers else []
    return {str(e["name"]): str(e["secretRef"]) for e in env if e.get("secretRef") and "name" in e}


def redacted(body: Mapping[str, Any]) -> dict[str, Any]:
    """A copy of a PATCH body with every secret value masked (for --debug and dry runs)."""
    out = copy.deepcopy(dict(body))
    secrets = out.get("properties", {}).get("configuration", {}).get("secrets") or []
    for secret in secrets:
        if isinstance(secret, dict) and "value" in secret:
            secret["value"] = REDACTED
    return out


def _with_env(container: Mapping[str, Any], env_name: str, secret_name: str) -> dict[str, Any]:
    out = copy.deepcopy(dict(container))
    entry = {"name": env_name, "secretRef": secret_name}
    env = jobdoc.objects(out.get("env"))
    if any(e.get("name") == env_name for e in env):
        out["env"] = [entry if e.get("name") == env_name else dict(e) for e in env]
    else:
        out["env"] = [*(dict(e) for e in env), entry]
    return out


def _text(value: object) -> str | None:
    return value if isinstance(value, str) else None
