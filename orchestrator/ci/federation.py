"""The commands that let the workflow sign in: an app registration, a federated credential
whose subject is exactly what GitHub puts in the workflow's OIDC token, a role for the app,
and the repository variables the workflow reads (pure: this module only writes text).

GitHub's subject for a job with an `environment:` is `repo:OWNER/REPO:environment:ENV`;
without one, for a push or a run by hand on a branch, `repo:OWNER/REPO:ref:refs/heads/BRANCH`.
The issuer is `https://token.actions.githubusercontent.com` and Entra expects the audience
`api://AzureADTokenExchange` (what `azure/login` and the tool's own credential request).
"""

from __future__ import annotations

import json
import re
import shlex
from dataclasses import dataclass

from orchestrator.ci.spec import WorkflowSpec

ISSUER = "https://token.actions.githubusercontent.com"
AUDIENCE = "api://AzureADTokenExchange"
ROLE = "Contributor"  # deploy templates, list storage keys, start and stop jobs
VARIABLES = ("AZURE_CLIENT_ID", "AZURE_TENANT_ID", "AZURE_SUBSCRIPTION_ID", "AZURE_RESOURCE_GROUP")


@dataclass(frozen=True)
class Repository:
    owner: str
    name: str
    known: bool = True  # False: placeholders, the git remote did not say

    @property
    def slug(self) -> str:
        return f"{self.owner}/{self.name}"


UNKNOWN = Repository("OWNER", "REPO", known=False)


@dataclass(frozen=True)
class Scope:
    """Where the app gets its role: the inference config's subscription and group, if any."""

    subscription: str = ""
    resource_group: str = ""


PLACEHOLDER_GROUP = "REPLACE-WITH-RESOURCE-GROUP"


def subject(repository: Repository, spec: WorkflowSpec) -> str:
    if spec.environment:
        return f"repo:{repository.slug}:environment:{spec.environment}"
    return f"repo:{repository.slug}:ref:refs/heads/{spec.branch}"


def credential_name(repository: Repository, spec: WorkflowSpec) -> str:
    """Entra's rule: 3-120 letters, digits, '-' or '_', starting with a letter or digit."""
    raw = f"github-{repository.owner}-{repository.name}-{spec.environment or spec.branch}"
    return re.sub(r"[^A-Za-z0-9_-]+", "-", raw)[:120]


def credential_parameters(repository: Repository, spec: WorkflowSpec) -> dict[str, object]:
    return {
        "name": credential_name(repository, spec),
        "issuer": ISSUER,
        "subject": subject(repository, spec),
        "audiences": [AUDIENCE],
        "description": f"GitHub Actions workflow .github/workflows/{spec.filename}",
    }


def setup_commands(repository: Repository, spec: WorkflowSpec, scope: Scope) -> list[str]:
    """Shell commands, in order, to run once (signed in with `az login` and `gh auth login`)."""
    display = f"github-{repository.owner}-{repository.name}"
    parameters = json.dumps(credential_parameters(repository, spec), separators=(",", ":"))
    where = f" --repo {repository.slug}" + (
        f" --env {spec.environment}" if spec.environment else ""
    )
    subscription = (
        shlex.quote(scope.subscription)
        if scope.subscription
        else "$(az account show --query id -o tsv)"
    )
    group = shlex.quote(scope.resource_group or PLACEHOLDER_GROUP)
    return [
        f"SUBSCRIPTION_ID={subscription}",
        f"RESOURCE_GROUP={group}",
        f"APP_ID=$(az ad app create --display-name {shlex.quote(display)} --query appId -o tsv)",
        'az ad sp create --id "$APP_ID"',
        'az ad app federated-credential create --id "$APP_ID" '
        f"--parameters {shlex.quote(parameters)}",
        f'az role assignment create --assignee "$APP_ID" --role {ROLE} '
        '--scope "/subscriptions/$SUBSCRIPTION_ID/resourceGroups/$RESOURCE_GROUP"',
        f'gh variable set AZURE_CLIENT_ID{where} --body "$APP_ID"',
        f"gh variable set AZURE_TENANT_ID{where} "
        '--body "$(az account show --query tenantId -o tsv)"',
        f'gh variable set AZURE_SUBSCRIPTION_ID{where} --body "$SUBSCRIPTION_ID"',
        f'gh variable set AZURE_RESOURCE_GROUP{where} --body "$RESOURCE_GROUP"',
    ]
