"""What every command receives from the command line: workspace, settings and streams.

Settings are read from the environment once (`settings.py`); nothing deeper reads
`os.environ`.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from orchestrator.settings import Settings
from orchestrator.workspace import Workspace, find_workspace, given_workspace


@dataclass(frozen=True)
class Invocation:
    workspace: Workspace
    settings: Settings = field(default_factory=Settings)
    as_json: bool = False
    stdout: TextIO = field(default=sys.stdout)
    stderr: TextIO = field(default=sys.stderr)

    @property
    def interactive(self) -> bool:
        """stdin and stdout are terminals (and not --json): questions may be asked."""
        return self.settings.interactive


def make_invocation(workspace: Path | None, settings: Settings, *, as_json: bool) -> Invocation:
    ws = given_workspace(workspace) if workspace else find_workspace(Path.cwd())
    return Invocation(workspace=ws, settings=settings, as_json=as_json)
