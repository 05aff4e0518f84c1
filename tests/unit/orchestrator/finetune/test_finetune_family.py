"""Which template family a workspace is, and where its config lives."""

from __future__ import annotations

from pathlib import Path

import pytest

from orchestrator.errors import InputError
from orchestrator.finetune.family import Family, classify, config_path, detect
from orchestrator.workspace import Workspace

LEGACY_BICEP = """
resource acajob 'Microsoft.App/jobs@2023-11-02-preview' = {
  properties: { template: { containers: [ {
    image: 'docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime'
    command: [ '/bin/bash', '-c', defaultCommand ] } ] } }
}
output COMMANDS array = defaultCommands
"""
PHI_BICEP = "image: 'mcr.microsoft.com/foundrytoolkit/lora:20260630.1'\noutput ARGS array = []\n"
AION_BICEP = "image: 'mcr.microsoft.com/foundrytoolkit/lora:aion-20260913.3'\n"


@pytest.mark.parametrize(
    ("text", "family"),
    [(LEGACY_BICEP, Family.LEGACY), (PHI_BICEP, Family.PHI_SILICA), (AION_BICEP, Family.AION)],
)
def test_the_template_says_the_family(text: str, family: Family) -> None:
    assert classify(text, config_in_provision=False) is family
    assert classify(text, config_in_provision=True) is family


def test_a_compiled_template_with_an_args_output_is_an_image_entrypoint_family() -> None:
    compiled = '{"outputs": {"ARGS": {"type": "array", "value": ["mount/<run_id>/x.yaml"]}}}'
    assert classify(compiled, config_in_provision=False) is Family.PHI_SILICA


def test_without_a_template_the_configs_place_decides() -> None:
    assert classify(None, config_in_provision=True) is Family.PHI_SILICA
    assert classify(None, config_in_provision=False) is Family.LEGACY


def test_config_paths_per_family(tmp_path: Path) -> None:
    assert config_path(Family.LEGACY, tmp_path) == tmp_path / "infra" / "finetuning.config.json"
    for family in (Family.PHI_SILICA, Family.AION):
        assert config_path(family, tmp_path) == (
            tmp_path / "infra" / "provision" / "finetuning.config.json"
        )
    assert not Family.LEGACY.image_entrypoint and Family.AION.image_entrypoint


def _workspace(tmp_path: Path, bicep: str | None, config_dir: str | None) -> Workspace:
    (tmp_path / "infra" / "provision").mkdir(parents=True)
    if bicep is not None:
        (tmp_path / "infra" / "provision" / "finetuning.bicep").write_text(bicep)
    if config_dir is not None:
        (tmp_path / config_dir / "finetuning.config.json").write_text("{}")
    return Workspace(tmp_path)


def test_detect_a_phi_silica_workspace_and_its_method(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, PHI_BICEP, "infra/provision")
    (tmp_path / "soft_prompt.yaml").write_text("save_dir: mount/<run_id>/save_dir\n")
    files = detect(ws)
    assert files.family is Family.PHI_SILICA and files.method == "soft_prompt"
    assert files.config == tmp_path / "infra" / "provision" / "finetuning.config.json"
    assert files.run_file == tmp_path / "soft_prompt.yaml"
    assert files.shown(files.bicep) == "infra/provision/finetuning.bicep"


def test_detect_a_legacy_workspace(tmp_path: Path) -> None:
    files = detect(_workspace(tmp_path, LEGACY_BICEP, "infra"))
    assert files.family is Family.LEGACY and files.method == "" and files.run_file is None
    assert files.compiled.name == "finetuning.json"
    assert files.localcloud_parameters.name == "finetuning.localcloud.parameters.json"


def test_detect_from_the_config_alone(tmp_path: Path) -> None:
    files = detect(_workspace(tmp_path, None, "infra/provision"))
    assert files.family is Family.PHI_SILICA and files.method == "lora"


def test_a_workspace_without_fine_tuning_is_exit_2(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        detect(_workspace(tmp_path, None, None))
    assert "infra/provision/finetuning.bicep: no fine-tuning template" in caught.value.message
    assert caught.value.exit_code == 2


def test_an_unreadable_template_is_exit_2_naming_it(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, None, "infra")
    (tmp_path / "infra" / "provision" / "finetuning.bicep").write_bytes(b"\xff\xfe bad")
    with pytest.raises(InputError, match=r"^infra/provision/finetuning.bicep: not a UTF-8"):
        detect(ws)


def test_the_compiled_template_serves_when_there_is_no_bicep(tmp_path: Path) -> None:
    ws = _workspace(tmp_path, None, None)
    (tmp_path / "infra" / "provision" / "finetuning.json").write_text(AION_BICEP)
    assert detect(ws).family is Family.AION
