"""Which template a `Provisioner` deploys, and what it does with the outputs.

The pipeline is the same for every template of the workspace; what differs is the name (the
deployment-name prefix, the `orchestrator-template` tag that the no-change decision and the
in-flight record go by), the config the outputs are written into, and what to tell the user
after a Ctrl-C. `INFERENCE` is `orchestrator provision`'s; `orchestrator finetune provision`
builds its own with a recorder for `finetuning.config.json`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from orchestrator.provision.outputs import MappedOutputs, Recorded

Recorder = Callable[[Mapping[str, Any], MappedOutputs], Recorded]


@dataclass(frozen=True)
class TemplateKind:
    name: str  # "inference" | "finetuning": deployment names, tags, the in-flight record
    config: Path | None = None  # where the outputs go (None: infra/inference.config.json)
    recorder: Recorder | None = None  # None: `outputs.record` into the inference config
    command: str = "orchestrator provision"  # the command that provisions this template
    resume_hint: str = "`orchestrator attach` resumes watching it and records its outputs"


INFERENCE = TemplateKind("inference")
