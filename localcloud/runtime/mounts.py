"""Volume mounts: from a container's volumeMounts to local folders, and how a replica sees them.

Resolution (pure, given two lookups): volumeMount.volumeName -> template volume ->
storageName -> environment storage document (`<environmentId>/storages/<name>`) ->
`properties.azureFile.{accountName, shareName}` -> `cloud.files.share_path(account, share)`.
EmptyDir volumes get a scratch folder of the replica.

Two ways to present the folders at their mountPath:

- namespace (root, `unshare` available - the default where it works): the replica runs in a
  private mount namespace whose root is a tmpfs holding bind mounts of every top-level entry
  of the host's `/`, plus a bind mount of each share folder at its mountPath, then `chroot`.
  The host file system is never changed (no `/mount` is created on the host), and the
  namespace disappears with the replica.
- rewrite (fallback for non-root users): the mountPath prefix is rewritten textually in the
  command and args to the share folder (`cd /mount; ...` -> `cd <share folder>; ...`).

Both modes set `LOCALCLOUD_MOUNT_<VOLUME NAME>` to the path where the volume is visible.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from localcloud.runtime.spec import ContainerSpec, Volume

StorageLookup = Callable[[str], Mapping[str, Any] | None]
SharePath = Callable[[str, str], Path]


@dataclass(frozen=True)
class ResolvedMount:
    volume: str
    mount_path: str
    source: Path


@dataclass(frozen=True)
class MountError:
    """A volumeMount that cannot be satisfied (reported as the replica's runningStateDetails)."""

    volume: str
    message: str


def storage_key(environment_id: str, storage_name: str) -> str:
    return f"{environment_id}/storages/{storage_name}".lower()


def resolve_mounts(
    container: ContainerSpec,
    volumes: Sequence[Volume],
    environment_id: str,
    lookup_storage: StorageLookup,
    share_path: SharePath,
    scratch: Callable[[str], Path],
) -> tuple[tuple[ResolvedMount, ...], tuple[MountError, ...]]:
    by_name = {v.name.lower(): v for v in volumes}
    mounts: list[ResolvedMount] = []
    errors: list[MountError] = []
    for vm in container.volume_mounts:
        volume = by_name.get(vm.volume_name.lower())
        if volume is None:
            errors.append(MountError(vm.volume_name, "no template volume has this name"))
            continue
        source = _source(volume, environment_id, lookup_storage, share_path, scratch)
        if isinstance(source, MountError):
            errors.append(source)
            continue
        if vm.sub_path:
            source = source / vm.sub_path.lstrip("/")
        mounts.append(ResolvedMount(volume.name, vm.mount_path, source))
    return tuple(mounts), tuple(errors)


def _source(
    volume: Volume,
    environment_id: str,
    lookup_storage: StorageLookup,
    share_path: SharePath,
    scratch: Callable[[str], Path],
) -> Path | MountError:
    kind = volume.storage_type.lower()
    if kind in ("emptydir", ""):
        return scratch(volume.name)
    if kind not in ("azurefile", "nfsazurefile"):
        return MountError(volume.name, f"storageType {volume.storage_type} is not supported")
    doc = lookup_storage(storage_key(environment_id, volume.storage_name))
    if doc is None:
        return MountError(
            volume.name,
            f"environment storage '{volume.storage_name}' does not exist in {environment_id}",
        )
    azure_file = (doc.get("properties") or {}).get("azureFile") or {}
    account, share = azure_file.get("accountName"), azure_file.get("shareName")
    if not account or not share:
        return MountError(volume.name, f"storage '{volume.storage_name}' has no azureFile share")
    return share_path(str(account), str(share))


def mount_env(mounts: Sequence[ResolvedMount], rewrite: bool) -> dict[str, str]:
    env = {}
    for m in mounts:
        name = re.sub(r"[^A-Za-z0-9]", "_", m.volume).upper()
        env[f"LOCALCLOUD_MOUNT_{name}"] = str(m.source) if rewrite else m.mount_path
    return env


def rewrite_paths(argv: Sequence[str], mounts: Sequence[ResolvedMount]) -> tuple[str, ...]:
    """Replace each mountPath (as a whole path prefix) by its folder, longest first."""
    ordered = sorted(mounts, key=lambda m: len(m.mount_path), reverse=True)
    out = []
    for arg in argv:
        for m in ordered:
            pattern = r"(?<![\w./-])" + re.escape(m.mount_path.rstrip("/")) + r"(?![\w.-])"
            arg = re.sub(pattern, _literal(str(m.source)), arg)
        out.append(arg)
    return tuple(out)


def _literal(text: str) -> Callable[[re.Match[str]], str]:
    return lambda _match: text


# The namespace launcher: $1 root (an empty folder, becomes a tmpfs only in the namespace),
# $2 working directory, $3 number of mounts, then pairs (source, mountPath), then the command.
_NAMESPACE_SCRIPT = r"""set -e
root="$1"; workdir="$2"; count="$3"; shift 3
mount --make-rprivate /
mount -t tmpfs localcloud-root "$root"
for entry in /* /.[!.]*; do
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  name="${entry#/}"
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$root/$name"
  elif [ -d "$entry" ]; then mkdir "$root/$name"; mount --rbind "$entry" "$root/$name"
  else touch "$root/$name"; mount --bind "$entry" "$root/$name"; fi
done
while [ "$count" -gt 0 ]; do
  mkdir -p "$root$2"; mount --bind "$1" "$root$2"; shift 2; count=$((count - 1))
done
exec chroot "$root" /bin/sh -c 'cd "$0" && exec "$@"' "$workdir" "$@"
"""


def namespace_argv(
    argv: Sequence[str], mounts: Sequence[ResolvedMount], root: Path, workdir: Path
) -> tuple[str, ...]:
    pairs = [item for m in mounts for item in (str(m.source), m.mount_path)]
    return (
        "unshare",
        "--mount",
        "--propagation",
        "private",
        "/bin/bash",
        "-c",
        _NAMESPACE_SCRIPT,
        "localcloud-mounts",
        str(root),
        str(workdir),
        str(len(mounts)),
        *pairs,
        *argv,
    )


def namespace_available() -> bool:
    """True when this process may create private mount namespaces (root, unshare present)."""
    if os.name != "posix" or os.geteuid() != 0:
        return False
    if not (shutil.which("unshare") and shutil.which("chroot") and shutil.which("mount")):
        return False
    try:
        done = subprocess.run(
            ["unshare", "--mount", "--propagation", "private", "mount", "--make-rprivate", "/"],
            capture_output=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return done.returncode == 0
