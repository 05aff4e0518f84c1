"""Runtime tunables, read once from the environment when the server starts.

- `LOCALCLOUD_PROBE_SCALE` (default 0.01): every probe delay and period is multiplied by it,
  because templates tune them for GPU images that `pip install` at boot (60 s delays, 120 s
  periods). Floors: periods >= `LOCALCLOUD_PROBE_MIN_PERIOD` (0.2 s); timeouts are not scaled.
  Once a liveness / readiness probe passes, it probes at most every
  `LOCALCLOUD_PROBE_STEADY_PERIOD` (2 s) while it keeps passing (fast start, quiet logs).
- `LOCALCLOUD_MOUNT_MODE`: `auto` (default), `namespace` or `rewrite` (see mounts.py).
- `LOCALCLOUD_RESTART_BACKOFF` (default 1.0): first back-off after a container exit, doubled
  per consecutive exit up to `LOCALCLOUD_RESTART_BACKOFF_MAX` (30 s), like CrashLoopBackOff.
- `LOCALCLOUD_STOP_GRACE` (default 5.0): seconds between SIGTERM and SIGKILL.
- `LOCALCLOUD_SANDBOX`: `auto` (default), `namespace`, `bwrap` or `none` (see sandbox.py).
- `LOCALCLOUD_PYTHON`: the interpreter replicas' Python environments are made from (default:
  the base interpreter of the server's Python, never a virtual environment).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from localcloud.runtime.spec import ProbeSpec

MountMode = Literal["auto", "namespace", "rewrite"]
SandboxMode = Literal["auto", "namespace", "bwrap", "none"]


@dataclass(frozen=True)
class ScaledProbe:
    """A probe in the seconds localcloud actually waits."""

    spec: ProbeSpec
    initial_delay: float
    period: float
    timeout: float
    steady_period: float  # between probes while passing (liveness / readiness)


@dataclass(frozen=True)
class RuntimeSettings:
    probe_scale: float = 0.01
    probe_min_period: float = 0.2
    probe_steady_period: float = 2.0
    probe_min_timeout: float = 1.0
    mount_mode: MountMode = "auto"
    restart_backoff: float = 1.0
    restart_backoff_max: float = 30.0
    crash_threshold: int = 3  # consecutive exits before a revision is Failed / Degraded
    stop_grace: float = 5.0
    log_lines: int = 2000  # ring buffer per app
    sandbox: SandboxMode = "auto"
    python: str = ""  # "" = the server's base interpreter

    def scale(self, probe: ProbeSpec) -> ScaledProbe:
        period = max(self.probe_min_period, probe.period * self.probe_scale)
        return ScaledProbe(
            spec=probe,
            initial_delay=max(0.0, probe.initial_delay * self.probe_scale),
            period=period,
            timeout=max(self.probe_min_timeout, probe.timeout),
            steady_period=max(period, min(probe.period, self.probe_steady_period)),
        )

    def backoff(self, consecutive_exits: int) -> float:
        exponent = max(0, consecutive_exits - 1)
        return float(min(self.restart_backoff_max, self.restart_backoff * 2**exponent))

    @staticmethod
    def from_env(env: Mapping[str, str]) -> RuntimeSettings:
        mode = env.get("LOCALCLOUD_MOUNT_MODE", "auto").lower()
        if mode not in ("auto", "namespace", "rewrite"):
            mode = "auto"
        sandbox = env.get("LOCALCLOUD_SANDBOX", "auto").lower()
        if sandbox not in ("auto", "namespace", "bwrap", "none"):
            sandbox = "auto"
        default = RuntimeSettings()
        return RuntimeSettings(
            probe_scale=_number(env, "LOCALCLOUD_PROBE_SCALE", default.probe_scale),
            probe_min_period=_number(env, "LOCALCLOUD_PROBE_MIN_PERIOD", default.probe_min_period),
            probe_steady_period=_number(
                env, "LOCALCLOUD_PROBE_STEADY_PERIOD", default.probe_steady_period
            ),
            mount_mode=mode,  # type: ignore[arg-type]
            restart_backoff=_number(env, "LOCALCLOUD_RESTART_BACKOFF", default.restart_backoff),
            restart_backoff_max=_number(
                env, "LOCALCLOUD_RESTART_BACKOFF_MAX", default.restart_backoff_max
            ),
            stop_grace=_number(env, "LOCALCLOUD_STOP_GRACE", default.stop_grace),
            sandbox=sandbox,  # type: ignore[arg-type]
            python=env.get("LOCALCLOUD_PYTHON", ""),
        )


def _number(env: Mapping[str, str], name: str, default: float) -> float:
    try:
        value = float(env[name])
    except (KeyError, ValueError):
        return default
    return value if value >= 0 else default
