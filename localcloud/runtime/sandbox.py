"""The sandbox every replica runs in: its own HOME, temporary folder and Python environment,
and, where the OS allows it, a read-only view of the host without localcloud's state.

Found once at start (`detect_sandbox`):

- isolation `namespace`: `unshare` can create a user + mount namespace (any user on a
  kernel with unprivileged user namespaces; root also without the user namespace). The
  replica sees the host read-only (`/dev`, `/proc`, `/sys` excepted), its own folder as
  `/tmp`, the state directory as an empty read-only folder except its own replica folder,
  its Python environment and its share folders, and runs with every capability dropped
  (`setpriv --no-new-privs --bounding-set=-all`): it cannot undo those mounts, and cannot
  read the signing key, the identity, the CA key or the database.
- isolation `none` (neither `unshare` nor `bwrap` works, e.g. containers without user
  namespaces, macOS): own HOME / TMPDIR / Python environment / PATH only; the replica runs
  as the server's user and could read the state directory. A warning says so at start.

Where `unshare` cannot but bubblewrap can (bwrap.py), bwrap makes the same namespace.
`LOCALCLOUD_SANDBOX=auto|namespace|bwrap|none` forces a mode. The Python environment is
pyenv.py's.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from localcloud.runtime.bwrap import (
    RootEntry,
    bwrap_argv,
    bwrap_options,
    bwrap_problem,
    root_entries,
)
from localcloud.runtime.pyenv import bundled_pip_wheel, ensure_venv
from localcloud.runtime.settings import SandboxMode

Isolation = Literal["namespace", "none"]
Tool = Literal["unshare", "bwrap"]

log = logging.getLogger("localcloud.runtime")

USER_NAMESPACE = ("--user", "--map-root-user")
MOUNT_NAMESPACE = ("--mount", "--propagation", "private")
DROP_PRIVILEGES = ("setpriv", "--no-new-privs", "--bounding-set=-all", "--inh-caps=-all")
FALLBACK_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"


@dataclass(frozen=True)
class SandboxConfig:
    isolation: Isolation
    state_dir: Path  # hidden inside the namespace, except what a replica is given
    venv_root: Path  # <state>/runtime/venvs: one environment per (app, container, image)
    python: Path | None  # the host's base interpreter for those environments (None: none)
    pip_wheel: Path | None  # pip, seeded into each environment from this wheel
    unshare: tuple[str, ...] = ()  # the `unshare` options that worked
    reason: str = ""  # why isolation is "none"
    tool: Tool = "unshare"  # what makes the namespace
    bwrap_options: tuple[str, ...] = ()
    root_entries: tuple[RootEntry, ...] = ()  # the host's `/`, for bwrap
    # Host Python installations under /tmp, which the replica's own /tmp would hide: kept
    # visible read-only (its environment's interpreter links to one of them).
    keep_readonly: tuple[Path, ...] = ()

    def describe(self) -> dict[str, str]:
        """For /_localcloud/info and the start log."""
        return {
            "isolation": self.isolation,
            "tool": self.tool if self.isolation == "namespace" else "",
            "python": str(self.python or ""),
            "reason": self.reason,
        }


@dataclass(frozen=True)
class SandboxDirs:
    """The folders of one sandboxed process (all under its replica folder but the venv)."""

    replica: Path
    home: Path
    tmp: Path
    work: Path
    venv: Path | None


def venv_key(app_key: str, container_name: str, image: str) -> str:
    """`<app hash>-<container hash>`: one environment per app, container and image, so a
    restart or a new revision reuses what `pip install` put there."""
    app = hashlib.sha256(app_key.lower().encode()).hexdigest()[:12]
    box = hashlib.sha256(f"{container_name.lower()}|{image}".encode()).hexdigest()[:8]
    return f"{app}-{box}"


def app_venv_prefix(app_key: str) -> str:
    return venv_key(app_key, "", "").split("-")[0] + "-"


def sandbox_dirs(config: SandboxConfig, replica_dir: Path, key: str) -> SandboxDirs:
    venv = config.venv_root / key if key and config.python is not None else None
    return SandboxDirs(
        replica_dir, replica_dir / "home", replica_dir / "tmp", replica_dir / "work", venv
    )


def make_dirs(dirs: SandboxDirs) -> None:
    for folder in (dirs.home, dirs.tmp, dirs.work):
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)


def clean_path(path: str, is_venv_bin: Callable[[str], bool]) -> str:
    """The host PATH without relative entries and without any virtual environment's bin
    (the server's own first of all): `python3`/`pip` must not resolve into them (pure)."""
    kept: list[str] = []
    for entry in path.split(os.pathsep):
        if entry and os.path.isabs(entry) and not is_venv_bin(entry) and entry not in kept:
            kept.append(entry)
    return os.pathsep.join(kept) or FALLBACK_PATH


def is_venv_bin(entry: str) -> bool:
    return (Path(entry).parent / "pyvenv.cfg").exists()


def sandbox_environment(
    env: Mapping[str, str], dirs: SandboxDirs, venv_bin: Callable[[str], bool] = is_venv_bin
) -> dict[str, str]:
    """`env` with HOME, the temporary folder and the Python environment of the sandbox."""
    out = dict(env)
    tmp = str(dirs.tmp)
    out.update({"HOME": str(dirs.home), "TMPDIR": tmp, "TMP": tmp, "TEMP": tmp})
    out.update({"PYTHONNOUSERSITE": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1"})
    path = clean_path(env.get("PATH", FALLBACK_PATH), venv_bin)
    if dirs.venv is not None:
        out["VIRTUAL_ENV"] = str(dirs.venv)
        path = f"{dirs.venv / 'bin'}{os.pathsep}{path}"
    out["PATH"] = path
    return out


# The namespace launcher. Arguments: root (an empty folder: a tmpfs only inside), state dir,
# working directory, private tmp folder, then K and K host folders under /tmp to keep visible
# read-only, then N and N folders to give back read-write at their own path, then M and M
# pairs (source, mountPath), then the command.
_SCRIPT = r"""set -e
root="$1"; state="$2"; workdir="$3"; tmp="$4"; shift 4
mount --make-rprivate /
mount -t tmpfs -o mode=0755 localcloud-root "$root"
for entry in /* /.[!.]*; do
  [ -e "$entry" ] || [ -L "$entry" ] || continue
  name="${entry#/}"
  if [ -L "$entry" ]; then ln -s "$(readlink "$entry")" "$root/$name"
  elif [ -d "$entry" ]; then mkdir "$root/$name"; mount --rbind "$entry" "$root/$name"
  else touch "$root/$name"; mount --bind "$entry" "$root/$name"; fi
done
awk -v r="$root" 'index($5, r "/") == 1 { print $5 }' /proc/self/mountinfo | while read -r mp; do
  case "$mp" in "$root"/dev|"$root"/dev/*|"$root"/proc|"$root"/proc/*) continue;; esac
  case "$mp" in "$root"/sys|"$root"/sys/*) continue;; esac
  mount -o remount,bind,ro "$mp" 2>/dev/null || true
done
if [ -d "$root/tmp" ]; then mount --bind "$tmp" "$root/tmp"; fi
count="$1"; shift
while [ "$count" -gt 0 ]; do
  if [ -d "$1" ]; then
    mkdir -p "$root$1"; mount --rbind "$1" "$root$1"; mount -o remount,bind,ro "$root$1"
  fi
  shift; count=$((count - 1))
done
mkdir -p "$root$state" 2>/dev/null || true
mount -t tmpfs -o mode=0700,size=1m localcloud-state "$root$state"
count="$1"; shift
while [ "$count" -gt 0 ]; do
  if [ -e "$1" ]; then mkdir -p "$root$1"; mount --bind "$1" "$root$1"; fi
  shift; count=$((count - 1))
done
mount -o remount,bind,ro "$root$state"
count="$1"; shift
while [ "$count" -gt 0 ]; do
  mkdir -p "$root$2"; mount --bind "$1" "$root$2"; shift 2; count=$((count - 1))
done
exec chroot "$root" "$@"
"""


def namespace_argv(
    config: SandboxConfig,
    argv: Sequence[str],
    dirs: SandboxDirs,
    shared: Sequence[Path],
    mounts: Sequence[tuple[Path, str]],
) -> tuple[str, ...]:
    """The command line that runs `argv` inside the sandbox namespace (pure)."""
    given = [dirs.replica, *([dirs.venv] if dirs.venv is not None else []), *shared]
    if config.tool == "bwrap":
        return bwrap_argv(
            config.root_entries,
            config.bwrap_options,
            config.state_dir,
            dirs.tmp,
            dirs.work,
            given,
            mounts,
            argv,
            config.keep_readonly,
        )
    pairs = [item for source, target in mounts for item in (str(source), target)]
    inner = (*DROP_PRIVILEGES, "/bin/sh", "-c", 'cd "$0" && exec "$@"', str(dirs.work), *argv)
    return (
        "unshare",
        *config.unshare,
        "/bin/sh",
        "-c",
        _SCRIPT,
        "localcloud-sandbox",
        str(dirs.replica / "root"),
        str(config.state_dir),
        str(dirs.work),
        str(dirs.tmp),
        str(len(config.keep_readonly)),
        *(str(p) for p in config.keep_readonly),
        str(len(given)),
        *(str(p) for p in given),
        str(len(mounts)),
        *pairs,
        *inner,
    )


def prepare_environment(config: SandboxConfig | None, dirs: SandboxDirs | None) -> str:
    """Create (or reuse) the sandbox's Python environment; "" when ready, else why not.
    Blocking (seconds on first use): call it from a worker thread."""
    if config is None or dirs is None or dirs.venv is None or config.python is None:
        return ""
    return ensure_venv(dirs.venv, config.python, config.pip_wheel)


def remove_app_environments(config: SandboxConfig, app_key: str) -> None:
    prefix = app_venv_prefix(app_key)
    if config.venv_root.is_dir():
        for folder in config.venv_root.iterdir():
            if folder.name.startswith(prefix):
                shutil.rmtree(folder, ignore_errors=True)


# -- detection (once at start) ---------------------------------------------------------


def detect_sandbox(state_dir: Path, mode: SandboxMode = "auto", python: str = "") -> SandboxConfig:
    interpreter = Path(python) if python else base_python()
    runtime = state_dir / "runtime"
    none = SandboxConfig(
        isolation="none",
        state_dir=state_dir,
        venv_root=runtime / "venvs",
        python=interpreter,
        pip_wheel=bundled_pip_wheel(interpreter) if interpreter else None,
        reason="LOCALCLOUD_SANDBOX=none",
        keep_readonly=pythons_under_tmp(interpreter),
    )
    if mode == "none":
        return none
    runtime.mkdir(parents=True, exist_ok=True)
    reasons: list[str] = []
    if mode != "bwrap":
        options, problem = _working_unshare(runtime)
        if options is not None:
            return replace(none, isolation="namespace", unshare=options, reason="")
        reasons.append(problem)
    problem = bwrap_problem(runtime)
    if not problem:
        return replace(
            none,
            isolation="namespace",
            tool="bwrap",
            bwrap_options=bwrap_options(),
            root_entries=root_entries(),
            reason="",
        )
    reason = "; ".join([*reasons, problem])
    log.warning(
        "replicas run without namespace isolation (%s): they get their own HOME, TMPDIR "
        "and Python environment but run as this user, who can read %s",
        reason,
        state_dir,
    )
    return replace(none, reason=reason)


def pythons_under_tmp(interpreter: Path | None, tmp: Path = Path("/tmp")) -> tuple[Path, ...]:
    """The installations of this server's Python (and of `interpreter`) that lie under
    `tmp`: a replica's private /tmp would hide them, and its environment links to them."""
    candidates = [Path(sys.prefix), Path(sys.base_prefix), Path(sys.exec_prefix)]
    if interpreter is not None:
        candidates.append(interpreter.parent.parent)
        candidates.append(interpreter.resolve().parent.parent)
    base = tmp.resolve()
    kept: list[Path] = []
    for candidate in candidates:
        real = candidate.resolve()
        if real != base and real.is_relative_to(base) and real not in kept:
            kept.append(real)
    return tuple(kept)


def base_python() -> Path | None:
    """The interpreter this server's Python was made from (never a virtual environment)."""
    base = getattr(sys, "_base_executable", "") or sys.executable
    candidates = [Path(base), Path(sys.base_prefix) / "bin" / "python3"]
    return next((c for c in candidates if os.access(c, os.X_OK)), None)


def _working_unshare(scratch: Path) -> tuple[tuple[str, ...] | None, str]:
    missing = [t for t in ("unshare", "setpriv", "chroot", "mount") if not shutil.which(t)]
    if missing:
        return None, f"{', '.join(missing)} not found"
    attempts: list[tuple[str, ...]] = [USER_NAMESPACE + MOUNT_NAMESPACE]
    if os.geteuid() == 0:
        attempts.append(MOUNT_NAMESPACE)
    reason = ""
    for options in attempts:
        reason = _probe(options, scratch)
        if not reason:
            return options, ""
    return None, reason


def _probe(options: tuple[str, ...], scratch: Path) -> str:
    """ "" when a namespace with a tmpfs, a bind mount and dropped capabilities works."""
    with tempfile.TemporaryDirectory(dir=scratch, prefix="probe-") as folder:
        script = 'mount -t tmpfs probe "$0" && mount -o remount,bind,ro "$0" && exec "$@"'
        try:
            done = subprocess.run(
                ["unshare", *options, "/bin/sh", "-c", script, folder, *DROP_PRIVILEGES, "true"],
                capture_output=True,
                text=True,
                timeout=15,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as err:
            return f"unshare failed: {err}"
    if done.returncode != 0:
        return "unshare: " + (done.stderr.strip().splitlines() or ["failed"])[0].strip()
    return ""
