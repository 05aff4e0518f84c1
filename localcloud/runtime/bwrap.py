"""The sandbox with bubblewrap (`bwrap`), used where `unshare` cannot make the namespaces
but bwrap can (e.g. distributions that allow user namespaces only to bwrap's profile, or a
setuid bwrap). Same view as sandbox.py's script: the host's top-level entries read-only
(`/dev` and `/proc` as they are), the replica's own `/tmp`, the state directory an empty
read-only tmpfs except what the replica is given, shares at their mountPath, no capabilities.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class RootEntry:
    """One entry of the host's `/` (read once at start)."""

    name: str
    kind: str  # "dir" | "file" | "symlink"
    target: str = ""  # for symlinks


def root_entries(root: Path = Path("/")) -> tuple[RootEntry, ...]:
    entries = []
    for path in sorted(root.iterdir()):
        if path.is_symlink():
            entries.append(RootEntry(path.name, "symlink", os.readlink(path)))
        else:
            entries.append(RootEntry(path.name, "dir" if path.is_dir() else "file"))
    return tuple(entries)


def bwrap_argv(
    entries: Sequence[RootEntry],
    options: Sequence[str],
    state_dir: Path,
    tmp: Path,
    work: Path,
    given: Sequence[Path],
    mounts: Sequence[tuple[Path, str]],
    argv: Sequence[str],
    keep_readonly: Sequence[Path] = (),
) -> tuple[str, ...]:
    """The bwrap command line for `argv` (pure). `keep_readonly`: host folders under /tmp
    that stay visible, read-only, over the replica's own /tmp."""
    args = ["bwrap", "--die-with-parent"]
    for entry in entries:
        path = "/" + entry.name
        if entry.name == "tmp":
            continue
        if entry.name == "dev":
            args += ["--dev-bind", path, path]
        elif entry.name == "proc":
            args += ["--bind", path, path]
        elif entry.kind == "symlink":
            args += ["--symlink", entry.target, path]
        else:
            args += ["--ro-bind", path, path]
    args += ["--bind", str(tmp), "/tmp"]
    for folder in keep_readonly:
        args += ["--ro-bind-try", str(folder), str(folder)]
    args += ["--tmpfs", str(state_dir)]
    for folder in given:
        args += ["--bind-try", str(folder), str(folder)]
    args += ["--remount-ro", str(state_dir)]
    for source, target in mounts:
        args += ["--bind", str(source), target]
    return (*args, *options, "--chdir", str(work), "--", *argv)


def bwrap_options() -> tuple[str, ...]:
    """Root keeps capabilities inside bwrap unless told; others have none to drop."""
    return ("--cap-drop", "ALL") if os.geteuid() == 0 else ()


def bwrap_problem(scratch: Path) -> str:
    """ "" when bwrap can build a read-only view with a hidden folder here, else why not."""
    if not shutil.which("bwrap"):
        return "bwrap not found"
    with tempfile.TemporaryDirectory(dir=scratch, prefix="probe-") as folder:
        command = [
            "bwrap",
            "--ro-bind",
            "/",
            "/",
            "--dev-bind",
            "/dev",
            "/dev",
            "--tmpfs",
            folder,
            "--remount-ro",
            folder,
            *bwrap_options(),
            "true",
        ]
        try:
            done = subprocess.run(command, capture_output=True, text=True, timeout=15, check=False)
        except (OSError, subprocess.SubprocessError) as err:
            return f"bwrap failed: {err}"
    if done.returncode != 0:
        return "bwrap: " + (done.stderr.strip().splitlines() or ["failed"])[0].strip()
    return ""
