"""Template checks Container Apps would fail, made before ARM sees the template (pure):

- `minimumCount` / `maximumCount` on a serverless profile (`Consumption`,
  `Consumption-GPU-*`): Azure refuses the environment with
  `WorkloadProfilePropertyNotSupported` (hashicorp/terraform-provider-azurerm#31763);
- an app or job whose `workloadProfileName` is not one of its environment's profiles
  (`ManagedEnvironmentWorkloadProfileNotFound`).

Each is one `Problem`: the template file and the JSON path in the compiled template.
"""

from __future__ import annotations

from collections.abc import Mapping

from orchestrator.errors import Problem
from orchestrator.provision.armexpr import UNRESOLVED
from orchestrator.provision.gpuneeds import (
    APP_TYPE,
    ENVIRONMENT_TYPE,
    JOB_TYPE,
    Values,
    environment_of,
    of_type,
    properties,
)

COUNT_KEYS = ("minimumCount", "maximumCount")


def serverless(profile_type: object) -> bool:
    lowered = str(profile_type).lower()
    return lowered == "consumption" or lowered.startswith("consumption-gpu-")


def problems(template: Mapping[str, object], values: Values, file: str) -> list[Problem]:
    return _count_problems(template, values, file) + _profile_name_problems(template, values, file)


def template_problems(
    template: Mapping[str, object], parameters: Mapping[str, object], file: str
) -> list[Problem]:
    """The checks over a compiled template and the final parameter values."""
    return problems(template, Values(parameters), file)


def _profiles(env: Mapping[str, object]) -> list[tuple[int, Mapping[str, object]]]:
    found = properties(env).get("workloadProfiles")
    if not isinstance(found, list):
        return []
    return [(i, p) for i, p in enumerate(found) if isinstance(p, Mapping)]


def _count_problems(template: Mapping[str, object], values: Values, file: str) -> list[Problem]:
    out = []
    for path, env in of_type(template, ENVIRONMENT_TYPE):
        for index, profile in _profiles(env):
            kind = values.resolve(template, profile.get("workloadProfileType"))
            if kind is UNRESOLVED or not serverless(kind):
                continue
            for key in COUNT_KEYS:
                if key in profile:
                    out.append(
                        Problem(
                            file,
                            f"{path}.properties.workloadProfiles[{index}].{key}",
                            f"{key} is not supported on the serverless profile type {kind} "
                            "(Azure: WorkloadProfilePropertyNotSupported)",
                            "remove minimumCount and maximumCount from serverless profiles",
                        )
                    )
    return out


def _profile_name_problems(
    template: Mapping[str, object], values: Values, file: str
) -> list[Problem]:
    envs = of_type(template, ENVIRONMENT_TYPE)
    out = []
    for kind in (APP_TYPE, JOB_TYPE):
        for path, workload in of_type(template, kind):
            name = values.resolve(template, properties(workload).get("workloadProfileName"))
            env = environment_of(workload, envs)
            if not isinstance(name, str) or env is None:
                continue
            names = [values.resolve(template, p.get("name")) for _i, p in _profiles(env)]
            if any(not isinstance(n, str) for n in names):
                continue
            if name.lower() not in {str(n).lower() for n in names}:
                env_name = values.resolve(template, env.get("name"))
                shown = env_name if isinstance(env_name, str) else "its environment"
                listed = ", ".join(str(n) for n in names) or "none"
                out.append(
                    Problem(
                        file,
                        f"{path}.properties.workloadProfileName",
                        f"'{name}' is not a workload profile of {shown} (it has: {listed}; "
                        "Azure: ManagedEnvironmentWorkloadProfileNotFound)",
                        "one of the environment's workloadProfiles[].name",
                    )
                )
    return out
