"""How a container becomes a local command line (the image is not pulled: the command runs
on the host, in the sandbox of sandbox.py; the image name is reported in the console log).

- argv = container `command` + `args` (Azure's entrypoint override); an empty command is an
  error because localcloud has no image to take an entrypoint from.
- environment: a small allow-list of the host's variables (PATH, locale...), the sandbox's
  HOME, TMPDIR, VIRTUAL_ENV and PATH, then the container's `env` (secretRef resolved), then
  `PORT=<replica host port>` and the `CONTAINER_APP_*` variables Azure sets, plus
  `LOCALCLOUD_MOUNT_<VOLUME>`.
- Port mapping: Azure routes ingress to `targetPort` inside the container; locally several
  apps cannot all bind 7860, so each replica gets its own host port in `$PORT` and must listen
  there. Probes and ingress target that port whatever port the template names.
- Mounts: see mounts.py (at their mountPath inside the sandbox namespace when there is one,
  else path rewriting).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
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
from localcloud.runtime.sandbox import (
    SandboxConfig,
    SandboxDirs,
    make_dirs,
    prepare_environment,
    sandbox_dirs,
    sandbox_environment,
    venv_key,
)
from localcloud.runtime.sandbox import namespace_argv as sandbox_argv
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
    venv_key: str = ""  # sandbox.venv_key(...): which cached Python environment to use


def host_environment(env: Mapping[str, str]) -> dict[str, str]:
    kept = {k: v for k, v in env.items() if k in HOST_ENV or k.startswith("LC_")}
    kept.setdefault("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin")
    return kept


def container_environment(req: LaunchRequest, base: Mapping[str, str]) -> dict[str, str]:
    env = {**base, "PYTHONUNBUFFERED": "1", **dict(req.container.env)}
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
    sandbox: SandboxConfig | None = None,
) -> Launch:
    """What to run for `req`. With `sandbox`, mounts appear at their mountPath only when the
    sandbox has a namespace and `namespace` allows it; without, `namespace` alone decides
    (the plain mount namespace of mounts.py, no isolation)."""
    dirs = sandbox_dirs(sandbox, req.replica_dir, req.venv_key) if sandbox else None
    if dirs is not None:
        make_dirs(dirs)
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
            "this machine and does not pull the image, so set template.containers[].command"
        )
    isolated = sandbox is not None and sandbox.isolation == "namespace"
    can_mount = isolated if sandbox is not None else namespace
    use_ns = (
        can_mount and namespace and all(namespace_fits(m.mount_path, host_exists) for m in mounts)
    )
    base = sandbox_environment(host_env, dirs) if dirs is not None else dict(host_env)
    env = container_environment(req, base)
    env.update(mount_env(mounts, rewrite=not use_ns))
    shown = argv if use_ns else rewrite_paths(argv, mounts)
    if isolated and sandbox is not None and dirs is not None:
        shared = sorted({m.source for m in mounts if req.replica_dir not in m.source.parents})
        pairs = [(m.source, m.mount_path) for m in mounts] if use_ns else []
        (req.replica_dir / "root").mkdir(exist_ok=True)
        argv = sandbox_argv(sandbox, shown, dirs, shared, pairs)
    elif use_ns and mounts:
        root = req.replica_dir / "root"
        root.mkdir(parents=True, exist_ok=True)
        argv = namespace_argv(argv, mounts, root, workdir)
    else:
        argv = shown
    return Launch(
        argv=argv,
        env=env,
        workdir=workdir,
        replica_dir=req.replica_dir,
        problem="; ".join(problems),
        notes=launch_notes(req.container.image, sandbox, dirs),
        image=req.container.image,
        sandbox=sandbox,
        dirs=dirs,
    )


def launch_notes(
    image: str, sandbox: SandboxConfig | None, dirs: SandboxDirs | None
) -> tuple[str, ...]:
    """The console lines a replica starts with: what runs instead of the image, and where."""
    pulled = f"image '{image}' is not pulled" if image else "no image is set"
    lines = [f"[localcloud] {pulled}: the container's command runs on this machine"]
    if sandbox is None or dirs is None:
        return tuple(lines)
    venv = f"Python environment {dirs.venv}" if dirs.venv else "no Python environment"
    if sandbox.isolation == "namespace":
        lines.append(
            f"[localcloud] sandbox: read-only host, private HOME and /tmp, {venv}; "
            "the state directory is hidden except this replica's folders and shares"
        )
    else:
        lines.append(
            f"[localcloud] sandbox without namespace isolation ({sandbox.reason}): own HOME, "
            f"TMPDIR and {venv}; the host is not read-only"
        )
    return tuple(lines)


@dataclass(frozen=True)
class Launcher:
    """Builds and prepares local processes the one way the runtime does, so app replicas and
    job executions get the same sandbox and the same mount rule (`Supervisor.launcher`)."""

    namespace: bool  # mounts at their mountPath (sandbox namespace permitting)
    lookup_storage: StorageLookup
    share_path: SharePath
    host_env: Mapping[str, str]
    sandbox: SandboxConfig | None

    def build(self, request: LaunchRequest) -> Launch:
        """`request` as a Launch; without a `venv_key`, the app/container/image one."""
        if not request.venv_key:
            container = request.container
            key = venv_key(request.app.key, container.name, container.image)
            request = replace(request, venv_key=key)
        return build_launch(
            request,
            namespace=self.namespace,
            lookup_storage=self.lookup_storage,
            share_path=self.share_path,
            host_env=self.host_env,
            sandbox=self.sandbox,
        )

    def prepare(self, launch: Launch) -> str:
        """Make the launch's Python environment ready (blocking); "" or why it failed."""
        return prepare_environment(launch.sandbox, launch.dirs)
