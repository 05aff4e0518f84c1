"""What every command receives from the command line: workspace, settings and streams.

Settings are read from the environment once, here; nothing deeper reads `os.environ`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from orchestrator.errors import InputError
from orchestrator.workspace import Workspace, find_workspace


@dataclass(frozen=True)
class Invocation:
    workspace: Workspace
    env: Mapping[str, str]
    as_json: bool = False
    stdout: TextIO = field(default=sys.stdout)
    stderr: TextIO = field(default=sys.stderr)
    interactive: bool = False  # stdin and stdout are terminals: questions may be asked

    @property
    def cloud(self) -> str:
        """`azure` or `local` (ORCHESTRATOR_CLOUD; the --cloud flag is applied by the CLI)."""
        return self.env.get("ORCHESTRATOR_CLOUD", "azure").strip().lower() or "azure"


def make_invocation(workspace: Path | None, *, as_json: bool, cloud: str | None) -> Invocation:
    env = dict(os.environ)
    if cloud:
        env["ORCHESTRATOR_CLOUD"] = cloud
    ws = _given_workspace(workspace) if workspace else find_workspace(Path.cwd())
    interactive = sys.stdin.isatty() and sys.stdout.isatty() and not as_json
    return Invocation(workspace=ws, env=env, as_json=as_json, interactive=interactive)


def _given_workspace(folder: Path) -> Workspace:
    """`-w FOLDER` as a Workspace; a folder that cannot be resolved (a symlink loop) is an
    InputError."""
    try:
        return Workspace(folder.resolve())
    except (OSError, RuntimeError):
        message = f"{folder}: cannot resolve the workspace folder (symbolic link loop)"
        raise InputError(message) from None
