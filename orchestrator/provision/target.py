"""Where a provision goes: subscription, resource group and location, each with its source.

Precedence, first match wins (documented in `orchestrator provision --help` and the README):

1. flags: `--subscription`, `--resource-group`, `--location`
2. environment: `AZURE_SUBSCRIPTION_ID`, `AZURE_RESOURCE_GROUP`, `AZURE_LOCATION`
3. `infra/inference.config.json` (re-provision in place)
4. `finetuning.config.json` where the fine-tuning family keeps it (`infra/`, or
   `infra/provision/` for Phi Silica / Aion): inference shares the fine-tuning group and share
5. subscription only: the cloud's default - localcloud's own subscription with `--cloud local`,
   else the az CLI's default subscription (`$AZURE_CONFIG_DIR/azureProfile.json`)

The location has no file source: unset means "the resource group's location".
`gather_sources` does the reading; `resolve_target` is a decision over what was read;
`check_target` holds each value to Azure's rules (exit 2 naming where it came from) before
any request is sent - and before the cloud's default subscription is asked for, since that
can start localcloud (`DefaultSubscription` is called only when nothing else names one).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from orchestrator import inference_config
from orchestrator.azure.cloud import CloudProfile
from orchestrator.errors import InputError
from orchestrator.finetune.family import locate_config
from orchestrator.settings import TargetEnv
from orchestrator.workspace import Workspace

ENV_SUBSCRIPTION = "AZURE_SUBSCRIPTION_ID"
ENV_GROUP = "AZURE_RESOURCE_GROUP"
ENV_LOCATION = "AZURE_LOCATION"

UNSET_SOURCE = "not set"


@dataclass(frozen=True)
class Sourced:
    """A resolved value and where it came from (`--subscription`, `AZURE_LOCATION`, a file)."""

    value: str
    source: str

    @property
    def is_set(self) -> bool:
        return bool(self.value)


NOT_SET = Sourced("", UNSET_SOURCE)

# The cloud's default subscription, asked for only when no flag, variable or file names one.
DefaultSubscription = Callable[[], Sourced]


def no_default() -> Sourced:
    return NOT_SET


@dataclass(frozen=True)
class Target:
    cloud: str
    subscription: Sourced
    resource_group: Sourced
    location: Sourced = NOT_SET

    def describe(self) -> list[str]:
        """The lines `provision` prints: each value and where it came from."""
        location = (
            f"{self.location.value} (from {self.location.source})"
            if self.location.is_set
            else "the resource group's location"
        )
        return [
            f"subscription:   {self.subscription.value} (from {self.subscription.source})",
            f"resource group: {self.resource_group.value} (from {self.resource_group.source})",
            f"location:       {location}",
        ]

    def as_data(self) -> dict[str, Any]:
        return {
            "cloud": self.cloud,
            "subscription": self.subscription.value,
            "resource_group": self.resource_group.value,
            "location": self.location.value or None,
            "sources": {
                "subscription": self.subscription.source,
                "resource_group": self.resource_group.source,
                "location": self.location.source,
            },
        }


@dataclass(frozen=True)
class TargetFlags:
    subscription: str | None = None
    resource_group: str | None = None
    location: str | None = None


@dataclass(frozen=True)
class TargetSources:
    """Everything target resolution reads, already read (plain data, no I/O)."""

    cloud: str
    flags: TargetFlags = field(default_factory=TargetFlags)
    env: TargetEnv = field(default_factory=TargetEnv)
    inference_config: Mapping[str, Any] = field(default_factory=dict)
    inference_config_name: str = "infra/inference.config.json"
    finetuning_config: Mapping[str, Any] = field(default_factory=dict)
    finetuning_config_name: str = "infra/finetuning.config.json"
    cloud_default_subscription: DefaultSubscription = no_default


def _text(value: object) -> str:
    return value.strip() if isinstance(value, str) else ""


def _first(*candidates: Sourced) -> Sourced:
    for candidate in candidates:
        if candidate.is_set:
            return candidate
    return NOT_SET


def _from_config(config: Mapping[str, Any], key: str, name: str) -> Sourced:
    from orchestrator.validation import value_source  # FILE:LINE:COLUMN KEY when known

    return Sourced(_text(config.get(key)), value_source(config, name, key))


def resolve_target(sources: TargetSources, *, need_group: bool = True) -> Target:
    """Apply the precedence; raise InputError naming what is missing and how to give it."""
    flags, env = sources.flags, sources.env
    subscription = _first(
        Sourced(_text(flags.subscription), "--subscription"),
        Sourced(env.subscription, ENV_SUBSCRIPTION),
        _from_config(sources.inference_config, "SUBSCRIPTION_ID", sources.inference_config_name),
        _from_config(sources.finetuning_config, "SUBSCRIPTION_ID", sources.finetuning_config_name),
    )
    group = _first(
        Sourced(_text(flags.resource_group), "--resource-group"),
        Sourced(env.resource_group, ENV_GROUP),
        _from_config(
            sources.inference_config, "RESOURCE_GROUP_NAME", sources.inference_config_name
        ),
        _from_config(
            sources.finetuning_config, "RESOURCE_GROUP_NAME", sources.finetuning_config_name
        ),
    )
    location = _first(
        Sourced(_text(flags.location), "--location"),
        Sourced(env.location, ENV_LOCATION),
    )
    given = check_target(Target(sources.cloud, subscription, group, location))
    if need_group and not given.resource_group.is_set:
        raise InputError(
            "no resource group: none given and none in infra/*.config.json",
            hint=f"pass --resource-group NAME (or set {ENV_GROUP}); `orchestrator provision` "
            "creates a new one with --create-resource-group --location REGION",
        )
    subscription = given.subscription
    if not subscription.is_set:
        default = Target(sources.cloud, sources.cloud_default_subscription(), NOT_SET)
        subscription = check_target(default).subscription
    if not subscription.is_set:
        raise InputError(
            "no subscription: none given and no default found",
            hint=f"pass --subscription ID, set {ENV_SUBSCRIPTION}, or run `az login`",
        )
    return replace(given, subscription=subscription)


def check_target(target: Target) -> Target:
    """Each value held to Azure's rules, normalised (`East US` → `eastus`); InputError (exit
    2) naming the flag, variable or file it came from."""
    from orchestrator import naming

    def checked(found: Sourced, check: Callable[[str, str], str]) -> Sourced:
        return Sourced(check(found.value, found.source), found.source) if found.is_set else found

    return Target(
        target.cloud,
        checked(target.subscription, naming.check_subscription_id),
        checked(target.resource_group, naming.check_resource_group),
        checked(target.location, naming.check_location),
    )


# --- reading the sources ------------------------------------------------------------------


def read_config(workspace: Workspace, path: Path) -> Mapping[str, Any]:
    """A workspace config file as a mapping ({} when missing); malformed files are errors."""
    if not path.is_file():
        return {}
    from orchestrator.validation import load_config  # keeps where each value is

    return load_config(path, workspace.shown(path))


def cloud_default(profile: Callable[[], CloudProfile]) -> DefaultSubscription:
    """The subscription the cloud suggests: the az CLI's default, or localcloud's own (the
    profile is found only when it is asked for)."""

    def default() -> Sourced:
        found = profile()
        if not found.default_subscription:
            return NOT_SET
        return Sourced(found.default_subscription, found.default_subscription_source)

    return default


def gather_sources(
    workspace: Workspace,
    env: TargetEnv,
    cloud: str,
    flags: TargetFlags,
    cloud_default_subscription: DefaultSubscription,
) -> TargetSources:
    inference = inference_config.read(workspace)
    finetuning = locate_config(workspace)
    return TargetSources(
        cloud=cloud,
        flags=flags,
        env=env,
        inference_config=inference.values,
        inference_config_name=inference.shown,
        finetuning_config=read_config(workspace, finetuning),
        finetuning_config_name=workspace.shown(finetuning),
        cloud_default_subscription=cloud_default_subscription,
    )
