"""Which AI Toolkit fine-tuning template a workspace holds, and where its files are.

Three families (microsoft/windows-ai-studio-templates):

- LEGACY, the 2024 `configs/<model>/` projects: `infra/finetuning.config.json`, the job runs
  `['/bin/bash', '-c', '; '.join(COMMANDS)]` in a PyTorch image on a dedicated GPU profile;
- PHI_SILICA, `finetuning_configs/microsoft/phi-silica-3.6/1/<method>/`: the config sits in
  `infra/provision/`, the job has no command (the image's entrypoint runs) and gets `ARGS`
  (`mount/<run_id>/<method>.yaml`) on a serverless GPU profile;
- AION, `finetuning_configs/microsoft/aion-instruct-1.1/1/lora/`: as Phi Silica, another image.

The template says which family it is (its job image, or an `ARGS` output); without a template
the config's place decides (`infra/provision/` means an image-entrypoint family).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass
from pathlib import Path

from orchestrator.errors import InputError
from orchestrator.workspace import Workspace

FINETUNING_BICEP = "finetuning.bicep"
FINETUNING_JSON = "finetuning.json"
FINETUNING_PARAMETERS = "finetuning.parameters.json"
FINETUNING_LOCAL_PARAMETERS = "finetuning.localcloud.parameters.json"
FINETUNING_CONFIG = "finetuning.config.json"
METHODS = ("lora", "soft_prompt")  # the Phi Silica / Aion methods, each with `<method>.yaml`

_FOUNDRY_IMAGE = re.compile(r"mcr\.microsoft\.com/foundrytoolkit/[A-Za-z0-9_./-]+(?::[\w.-]+)?")
_ARGS_OUTPUT = re.compile(r"(^\s*output\s+ARGS\s)|(\"ARGS\"\s*:\s*\{)", re.MULTILINE)


class Family(enum.Enum):
    LEGACY = "legacy"
    PHI_SILICA = "phi-silica"
    AION = "aion"

    @property
    def image_entrypoint(self) -> bool:
        """The job runs its image's entrypoint with `ARGS` (no command)."""
        return self is not Family.LEGACY


@dataclass(frozen=True)
class FinetuneFiles:
    """The fine-tuning files of one workspace."""

    family: Family
    workspace: Workspace
    config: Path
    method: str = ""  # "" for LEGACY; "lora" or "soft_prompt"

    @property
    def root(self) -> Path:
        return self.workspace.root

    @property
    def bicep(self) -> Path:
        return self.workspace.provision_dir / FINETUNING_BICEP

    @property
    def compiled(self) -> Path:
        return self.workspace.provision_dir / FINETUNING_JSON

    @property
    def parameters(self) -> Path:
        return self.workspace.provision_dir / FINETUNING_PARAMETERS

    @property
    def localcloud_parameters(self) -> Path:
        return self.workspace.provision_dir / FINETUNING_LOCAL_PARAMETERS

    @property
    def run_file(self) -> Path | None:
        """`<method>.yaml`, the file a Phi Silica / Aion run renders (None for LEGACY)."""
        return self.root / f"{self.method}.yaml" if self.method else None

    def shown(self, path: Path) -> str:
        return self.workspace.shown(path)


def classify(template_text: str | None, *, config_in_provision: bool) -> Family:
    """The family of a template (Bicep or compiled JSON text), else of the config's place."""
    if template_text is not None:
        image = _FOUNDRY_IMAGE.search(template_text)
        if image is not None:
            return Family.AION if "aion" in image.group(0).lower() else Family.PHI_SILICA
        if _ARGS_OUTPUT.search(template_text):
            return Family.PHI_SILICA
        return Family.LEGACY
    return Family.PHI_SILICA if config_in_provision else Family.LEGACY


def config_path(family: Family, root: Path) -> Path:
    """Where the family keeps `finetuning.config.json`."""
    infra = root / "infra"
    return (
        infra / "provision" / FINETUNING_CONFIG
        if family.image_entrypoint
        else infra / FINETUNING_CONFIG
    )


def locate_family(workspace: Workspace) -> tuple[Family, Path]:
    """The workspace's family and where it keeps `finetuning.config.json`. Every reader of the
    config (`finetune`, `validate`, target resolution, template variables) asks here.
    Lenient: an unreadable template counts as absent (`detect` reports it)."""
    try:
        text = _template_text(workspace)
    except InputError:
        text = None
    family = _family(workspace, text)
    return family, config_path(family, workspace.root)


def locate_config(workspace: Workspace) -> Path:
    """Where the workspace keeps `finetuning.config.json` (`locate_family`)."""
    return locate_family(workspace)[1]


def _family(workspace: Workspace, template_text: str | None) -> Family:
    in_provision = _is_file(workspace.provision_dir / FINETUNING_CONFIG)
    in_infra = _is_file(workspace.infra / FINETUNING_CONFIG)
    return classify(template_text, config_in_provision=in_provision and not in_infra)


def method_of(family: Family, present: frozenset[str]) -> str:
    """The method of an image-entrypoint workspace from the `<method>.yaml` files present."""
    if not family.image_entrypoint:
        return ""
    return next((m for m in METHODS if f"{m}.yaml" in present), METHODS[0])


def detect(workspace: Workspace) -> FinetuneFiles:
    """The workspace's fine-tuning files; InputError (exit 2) when it has none."""
    provision = workspace.provision_dir
    text = _template_text(workspace)
    if text is None and not (
        _is_file(provision / FINETUNING_CONFIG) or _is_file(workspace.infra / FINETUNING_CONFIG)
    ):
        raise InputError(
            f"{workspace.shown(provision / FINETUNING_BICEP)}: no fine-tuning template "
            f"(and no {FINETUNING_CONFIG} in infra/ or infra/provision/)",
            hint="run inside an AI Toolkit fine-tuning project, or pass -w FOLDER",
        )
    family = _family(workspace, text)
    present = frozenset(f"{m}.yaml" for m in METHODS if _is_file(workspace.root / f"{m}.yaml"))
    return FinetuneFiles(
        family, workspace, config_path(family, workspace.root), method_of(family, present)
    )


def _template_text(workspace: Workspace) -> str | None:
    """The fine-tuning template's text (the .bicep, else the compiled .json), None if absent."""
    for name in (FINETUNING_BICEP, FINETUNING_JSON):
        path = workspace.provision_dir / name
        try:
            return path.read_text(encoding="utf-8-sig")
        except FileNotFoundError:
            continue
        except UnicodeDecodeError:
            raise InputError(f"{workspace.shown(path)}: not a UTF-8 text file") from None
        except OSError as exc:
            raise InputError(f"{workspace.shown(path)}: cannot read ({exc.strerror})") from None
    return None


def _is_file(path: Path) -> bool:
    try:
        return path.is_file()
    except OSError:
        return False
