"""Deployment outputs → `infra/inference.config.json`.

ARM rewrites output-name casing (`ACA_APP_ENDPOINT` comes back as `acA_APP_ENDPOINT`), so
names are matched case-insensitively to the template's declared outputs; names the template
does not declare fall back to upper case (as azd does). Secure outputs are never written.
The config is merged, not replaced (`orchestrator.inference_config`): unknown keys and key
order are kept, the six values are checked first, and it is written atomically.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from orchestrator import inference_config
from orchestrator.schemacache import for_run
from orchestrator.workspace import CONFIG_KEYS, Workspace

SECURE_TYPES = frozenset({"securestring", "secureobject"})
ENDPOINT_KEY = "ACA_APP_ENDPOINT"


@dataclass(frozen=True)
class OutputSpec:
    name: str
    secure: bool = False


@dataclass(frozen=True)
class MappedOutputs:
    values: Mapping[str, Any]  # declared (canonical) name → value, declared order first
    secure_skipped: tuple[str, ...] = ()
    missing: tuple[str, ...] = ()  # declared but absent from the deployment

    @property
    def endpoint_url(self) -> str:
        fqdn = self.values.get(ENDPOINT_KEY)
        if not isinstance(fqdn, str) or not fqdn:
            return ""
        return fqdn if fqdn.startswith(("https://", "http://")) else f"https://{fqdn}"


CONFIG_OUTPUTS = tuple(OutputSpec(name) for name in CONFIG_KEYS)


def declared_outputs(template: Mapping[str, Any]) -> tuple[OutputSpec, ...]:
    """The outputs a compiled ARM template declares, in order."""
    outputs = template.get("outputs")
    if not isinstance(outputs, Mapping):
        return ()
    specs = []
    for name, spec in outputs.items():
        kind = str(spec.get("type", "")) if isinstance(spec, Mapping) else ""
        specs.append(OutputSpec(str(name), kind.lower() in SECURE_TYPES))
    return tuple(specs)


def map_outputs(arm_outputs: Mapping[str, Any], declared: Sequence[OutputSpec]) -> MappedOutputs:
    """ARM's `properties.outputs` ({name: {type, value}}) mapped back to declared names."""
    by_lower = {spec.name.lower(): spec for spec in declared}
    found: dict[str, Any] = {}
    secure: list[str] = []
    for raw_name, entry in arm_outputs.items():
        spec = by_lower.get(raw_name.lower())
        name = spec.name if spec else raw_name.upper()
        kind = str(entry.get("type", "")) if isinstance(entry, Mapping) else ""
        if (spec and spec.secure) or kind.lower() in SECURE_TYPES:
            secure.append(name)
            continue
        if isinstance(entry, Mapping) and "value" in entry:
            found[name] = entry["value"]
    ordered = {spec.name: found[spec.name] for spec in declared if spec.name in found}
    ordered.update({k: v for k, v in found.items() if k not in ordered})
    missing = tuple(spec.name for spec in declared if not spec.secure and spec.name not in ordered)
    return MappedOutputs(ordered, tuple(secure), missing)


def config_values(mapped: MappedOutputs) -> dict[str, Any]:
    """What goes into inference.config.json: the config keys the outputs provide."""
    return {key: mapped.values[key] for key in CONFIG_KEYS if key in mapped.values}


def has_config_outputs(arm_outputs: Mapping[str, Any]) -> bool:
    """True when a deployment's outputs include all six config keys (any casing)."""
    names = {name.lower() for name in arm_outputs}
    return all(key.lower() in names for key in CONFIG_KEYS)


@dataclass(frozen=True)
class Recorded:
    """What writing the outputs into the config did."""

    written: bool
    warnings: tuple[str, ...] = ()


def record(workspace: Workspace, existing: Mapping[str, Any], mapped: MappedOutputs) -> Recorded:
    """The config keys of the outputs, checked as the config schema checks them (exit 2 and
    nothing written when one is wrong), merged into the config and written atomically."""
    shown = workspace.shown(workspace.config)
    checks = for_run(workspace)
    values, warning = inference_config.checked_values(config_values(mapped), shown, checks)
    written = inference_config.write_values(workspace.config, existing, values)
    return Recorded(written, (warning,) if warning else ())
