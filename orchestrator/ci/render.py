"""The workflow's YAML, and whether an existing file may be replaced by it.

The file starts with a header that records the SHA-256 of the rest. Writing again replaces a
file whose content still matches its recorded hash (it is ours, as written); a file changed
since - by hand, or not written by this tool - is kept unless `--force`.
"""

from __future__ import annotations

import hashlib
import json
import re
import shlex
from dataclasses import dataclass
from enum import Enum
from pathlib import Path

import jinja2

from orchestrator.ci.spec import AZURE_LOGIN, CHECKOUT, SETUP_PYTHON, WorkflowSpec

TEMPLATE = Path(__file__).with_name("github-workflow.yml.j2")
_HASH_LINE = re.compile(r"^# orchestrator-sha256: ([0-9a-f]{64})\n", re.MULTILINE)


@dataclass(frozen=True)
class Step:
    name: str
    run: str


@dataclass(frozen=True)
class Job:
    id: str
    title: str
    condition: str  # a literal `if:` expression ("" = always)
    minutes: int
    steps: tuple[Step, ...]


def jobs(spec: WorkflowSpec) -> list[Job]:
    deploy = Job(
        "deploy",
        "Provision and deploy",
        "github.event_name == 'push' || inputs.run == 'deploy'" if spec.finetune else "",
        spec.deploy_minutes,
        (Step("Provision", spec.provision_command), Step("Deploy", spec.deploy_command)),
    )
    if not spec.finetune:
        return [deploy]
    finetune = Job(
        "finetune",
        "Fine-tune",
        "github.event_name == 'workflow_dispatch' && inputs.run == 'finetune'",
        spec.finetune_minutes,
        (Step("Fine-tune", spec.finetune_command),),
    )
    return [deploy, finetune]


def body(spec: WorkflowSpec) -> str:
    """The YAML below the header."""
    environment = jinja2.Environment(
        block_start_string="[%",
        block_end_string="%]",
        variable_start_string="[[",
        variable_end_string="]]",
        comment_start_string="[#",
        comment_end_string="#]",
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["q"] = json.dumps  # a double-quoted YAML scalar
    environment.filters["shell"] = shlex.quote
    template = environment.from_string(TEMPLATE.read_text(encoding="utf-8"))
    return template.render(
        spec=spec,
        jobs=jobs(spec),
        checkout=CHECKOUT,
        setup_python=SETUP_PYTHON,
        azure_login=AZURE_LOGIN,
    )


def document(spec: WorkflowSpec) -> str:
    """The whole file: the header (with the hash of the body), then the body."""
    text = body(spec)
    return header(_sha256(text)) + text


def header(digest: str) -> str:
    return (
        "# Written by `orchestrator ci github`. Regenerate it with the same command; a file\n"
        "# changed by hand is kept unless --force. Set up the sign-in once with the commands\n"
        "# the generator printed (federated credential, role, repository variables).\n"
        f"# orchestrator-sha256: {digest}\n"
    )


class Existing(Enum):
    NONE = "created"
    SAME = "unchanged"
    OURS = "updated"  # written by this tool and not changed since: may be replaced
    CHANGED = "changed"  # changed by hand, or not ours: kept unless --force


def classify(current: str | None, new: str) -> Existing:
    """What is at the path now, compared with what would be written (pure)."""
    if current is None:
        return Existing.NONE
    if current == new:
        return Existing.SAME
    found = _HASH_LINE.search(current)
    if found is None:
        return Existing.CHANGED
    rest = current[found.end() :]
    return Existing.OURS if _sha256(rest) == found.group(1) else Existing.CHANGED


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()
