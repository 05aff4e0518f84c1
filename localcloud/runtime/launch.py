"""How a container becomes a local command line (image ignored: the command runs on the host).

- argv = container `command` + `args` (Azure's entrypoint override); an empty command is an
  error because localcloud has no image to take an entrypoint from.
- environment: a small allow-list of the host's variables (PATH, HOME, locale...), then the
  container's `env` (secretRef resolved), then `PORT=<replica host port>` and the
  `CONTAINER_APP_*` variables Azure sets, plus `LOCALCLOUD_MOUNT_<VOLUME>`.
- Port mapping: Azure routes ingress to `targetPort` inside the container; locally several
  apps cannot all bind 7860, so each replica gets its own host port in `$PORT` and must listen
  there. Probes and ingress target that port whatever port the template names.
- Mounts: see mounts.py (private mount namespace when allowed, else path rewriting).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

from localcloud.runtime.mounts import (
    SharePath,
    StorageLookup,
    mount_env,
    namespace_argv,
    resolve_mounts,
    rewrite_paths,
)
from localcloud.runtime.replica import Launch
from localcloud.runtime.spec import AppSpec, ContainerSpec

HOST_ENV = ("PATH", "HOME", "LANG", "LANGUAGE", "TERM", "TZ", "TMPDIR", "USER", "SHELL")
DNS_SUFFIX = "localcloud.internal"


@dataclass(frozen=True)
class LaunchRequest:
    app: AppSpec
    container: ContainerSpec
    revision: str
    replica: str
    port: int
    replica_dir: Path


def host_environment(env: Mapping[str, str]) -> dict[str, str]:
    kept = {k: v for k, v in env.items() if k in HOST_ENV or k.startswith("LC_")}
    kept.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    return kept


def container_environment(req: LaunchRequest, host: Mapping[str, str]) -> dict[str, str]:
    env = {**host, "PYTHONUNBUFFERED": "1", **dict(req.container.env)}
    env.update(
        {
            "PORT": str(req.port),
            "CONTAINER_APP_NAME": req.app.name,
            "CONTAINER_APP_REVISION": req.revision,
            "CONTAINER_APP_REPLICA_NAME": req.replica,
            "CONTAINER_APP_ENV_DNS_SUFFIX": DNS_SUFFIX,
            "CONTAINER_APP_PORT": str(req.app.target_port),
            "HOSTNAME": req.replica,
        }
    )
    return env


def namespace_fits(mount_path: str, host_exists: Callable[[str], bool]) -> bool:
    """A mount path can be shown without touching the host when it already exists, or when
    its first component is new (then it lives on the namespace's tmpfs root)."""
    parts = [p for p in mount_path.split("/") if p]
    if not parts:
        return False
    return host_exists(mount_path) or not host_exists("/" + parts[0])


def build_launch(
    req: LaunchRequest,
    *,
    namespace: bool,
    lookup_storage: StorageLookup,
    share_path: SharePath,
    host_env: Mapping[str, str],
    host_exists: Callable[[str], bool] = os.path.exists,
) -> Launch:
    workdir = req.replica_dir / "work"
    workdir.mkdir(parents=True, exist_ok=True)

    def scratch(volume: str) -> Path:
        folder = req.replica_dir / "volumes" / volume
        folder.mkdir(parents=True, exist_ok=True)
        return folder

    mounts, errors = resolve_mounts(
        req.container, req.app.volumes, req.app.environment_id, lookup_storage, share_path, scratch
    )
    argv = (*req.container.command, *req.container.args)
    problems = [f"volume '{e.volume}': {e.message}" for e in errors]
    if not argv:
        problems.append(
            f"container '{req.container.name}' has no command: localcloud runs the command on "
            "this machine and ignores the image, so set template.containers[].command"
        )
    use_ns = namespace and all(namespace_fits(m.mount_path, host_exists) for m in mounts)
    env = container_environment(req, host_env)
    env.update(mount_env(mounts, rewrite=not use_ns))
    if use_ns and mounts:
        root = req.replica_dir / "root"
        root.mkdir(parents=True, exist_ok=True)
        argv = namespace_argv(argv, mounts, root, workdir)
    else:
        argv = rewrite_paths(argv, mounts)
    return Launch(
        argv=argv,
        env=env,
        workdir=workdir,
        replica_dir=req.replica_dir,
        problem="; ".join(problems),
    )
