"""The fine-tuning config contract: keys per family, checks with positions, the merge."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.errors import ValidationFailed
from orchestrator.finetune import config
from orchestrator.finetune.family import Family, FinetuneFiles, config_path
from orchestrator.workspace import Workspace

SUB = "00000000-0000-4000-8000-000000000001"
LEGACY_GOOD = {
    "SUBSCRIPTION_ID": SUB,
    "RESOURCE_GROUP_NAME": "rg1",
    "STORAGE_ACCOUNT_NAME": "aistorageab12c",
    "FILE_SHARE_NAME": "aifileshareab12c",
    "ACA_JOB_NAME": "aiacajobab12c",
    "COMMANDS": ["cd /mount", "python3 ./finetuning/train.py"],
}
PHI_GOOD = {
    **{k: v for k, v in LEGACY_GOOD.items() if k != "COMMANDS"},
    "LOG_ANALYTICS_NAME": "ailogab12c",
    "COMMANDS": [],
    "ARGS": ["mount/<run_id>/lora.yaml"],
}


def files_with(tmp_path: Path, family: Family, text: str) -> FinetuneFiles:
    path = config_path(family, tmp_path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return FinetuneFiles(
        family, Workspace(tmp_path), path, "lora" if family.image_entrypoint else ""
    )


def test_keys_are_the_toolkits_per_family() -> None:
    assert config.keys(Family.LEGACY) == tuple(LEGACY_GOOD)
    assert config.keys(Family.PHI_SILICA) == tuple(PHI_GOOD)
    assert config.keys(Family.AION) == config.keys(Family.PHI_SILICA)


def test_require_gives_the_typed_legacy_config(tmp_path: Path) -> None:
    files = files_with(tmp_path, Family.LEGACY, json.dumps(LEGACY_GOOD))
    got = config.require(files)
    assert (got.job, got.share, got.args, got.log_analytics) == (
        "aiacajobab12c",
        "aifileshareab12c",
        (),
        None,
    )
    assert got.commands == ("cd /mount", "python3 ./finetuning/train.py")
    assert got.shown == "infra/finetuning.config.json"


def test_require_gives_args_for_phi_silica(tmp_path: Path) -> None:
    got = config.require(files_with(tmp_path, Family.PHI_SILICA, json.dumps(PHI_GOOD)))
    assert got.args == ("mount/<run_id>/lora.yaml",) and got.log_analytics == "ailogab12c"
    assert got.describe()["family"] == "phi-silica"


def test_the_shipped_null_config_names_every_key_a_run_needs(tmp_path: Path) -> None:
    nulls = dict.fromkeys(config.keys(Family.LEGACY)) | {"COMMANDS": []}
    files = files_with(tmp_path, Family.LEGACY, json.dumps(nulls, indent=2))
    with pytest.raises(ValidationFailed) as caught:
        config.require(files)
    assert [p.path for p in caught.value.problems] == [*config.REQUIRED_RESOURCE_KEYS, "COMMANDS"]
    first = caught.value.problems[0]
    assert first.file == "infra/finetuning.config.json:2:22" and "is null" in first.message
    assert caught.value.exit_code == 2


def test_a_missing_file_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "infra").mkdir()
    files = FinetuneFiles(Family.LEGACY, Workspace(tmp_path), tmp_path / "infra" / "x.json")
    with pytest.raises(ValidationFailed, match="1 problem"):
        config.require(files)


def test_wrong_values_are_located_file_line_column(tmp_path: Path) -> None:
    text = (
        '{\n  "SUBSCRIPTION_ID": "nope",\n  "ACA_JOB_NAME": "Bad_Job",\n'
        '  "COMMANDS": ["ok", 3],\n  "ACA_JOB_NAM": "typo"\n}\n'
    )
    files = files_with(tmp_path, Family.LEGACY, text)
    found = config.problems(config.read(files).values, files.shown(files.config), Family.LEGACY,
                            complete=False)  # fmt: skip
    where = {p.path: p.file for p in found}
    assert where == {
        "SUBSCRIPTION_ID": "infra/finetuning.config.json:2:22",
        "ACA_JOB_NAME": "infra/finetuning.config.json:3:19",
        "COMMANDS[1]": "infra/finetuning.config.json:4:22",
        "ACA_JOB_NAM": "infra/finetuning.config.json:5:18",
    }
    assert "did you mean ACA_JOB_NAME" in next(p.message for p in found if p.path == "ACA_JOB_NAM")


def test_malformed_json_is_reported_with_its_position(tmp_path: Path) -> None:
    files = files_with(tmp_path, Family.LEGACY, '{\n  "COMMANDS": [,]\n}')
    with pytest.raises(ValidationFailed) as caught:
        config.read(files)
    assert caught.value.problems[0].file.startswith("infra/finetuning.config.json:2:")


def test_args_must_be_a_list_of_strings_for_image_families() -> None:
    found = config.problems(PHI_GOOD | {"ARGS": "mount/x.yaml"}, "c", Family.AION, complete=True)
    assert [(p.path, p.message) for p in found] == [("ARGS", "is a string")]


# ---------------------------------------------------------------- provision: the merge

OUTPUTS = {  # as ARM returns them: recased names, {"type", "value"}
    "subscriptioN_ID": {"type": "String", "value": SUB},
    "resourcE_GROUP_NAME": {"type": "String", "value": "rg2"},
    "storagE_ACCOUNT_NAME": {"type": "String", "value": "aistoragezz999"},
    "filE_SHARE_NAME": {"type": "String", "value": "aifilesharezz999"},
    "acA_JOB_NAME": {"type": "String", "value": "aiacajobzz999"},
    "commands": {"type": "Array", "value": ["cd /mount", "default step"]},
}


def test_outputs_map_case_insensitively_to_the_keys() -> None:
    values = config.outputs_to_values(OUTPUTS, Family.LEGACY)
    assert values["ACA_JOB_NAME"] == "aiacajobzz999"
    assert list(values) == list(config.keys(Family.LEGACY))


def test_resource_keys_are_written_and_the_users_commands_kept() -> None:
    existing = {"NOTE": "mine", **LEGACY_GOOD}
    merged = config.merge_outputs(existing, OUTPUTS, Family.LEGACY, reset_commands=False)
    assert merged["COMMANDS"] == LEGACY_GOOD["COMMANDS"]
    assert merged["ACA_JOB_NAME"] == "aiacajobzz999" and merged["RESOURCE_GROUP_NAME"] == "rg2"
    assert list(merged) == list(existing)  # order kept, nothing added


def test_reset_commands_takes_the_templates_defaults() -> None:
    merged = config.merge_outputs(LEGACY_GOOD, OUTPUTS, Family.LEGACY, reset_commands=True)
    assert merged["COMMANDS"] == ["cd /mount", "default step"]


@pytest.mark.parametrize("unset", [None, [], ""])
def test_unset_commands_are_filled_from_the_outputs(unset: object) -> None:
    merged = config.merge_outputs(
        LEGACY_GOOD | {"COMMANDS": unset}, OUTPUTS, Family.LEGACY, reset_commands=False
    )
    assert merged["COMMANDS"] == ["cd /mount", "default step"]


def test_phi_silica_args_are_kept_unless_reset() -> None:
    outputs = {**OUTPUTS, "ARGS": ["mount/<run_id>/lora.yaml"], "COMMANDS": [],
               "LOG_ANALYTICS_NAME": "ailogzz999"}  # fmt: skip
    mine = PHI_GOOD | {"ARGS": ["mount/<run_id>/lora.yaml", "--verbose"]}
    kept = config.merge_outputs(mine, outputs, Family.PHI_SILICA, reset_commands=False)
    assert kept["ARGS"] == mine["ARGS"] and kept["LOG_ANALYTICS_NAME"] == "ailogzz999"
    reset = config.merge_outputs(mine, outputs, Family.PHI_SILICA, reset_commands=True)
    assert reset["ARGS"] == ["mount/<run_id>/lora.yaml"]


def test_a_wrong_output_stops_the_merge_before_anything_is_written(tmp_path: Path) -> None:
    files = files_with(tmp_path, Family.LEGACY, json.dumps(LEGACY_GOOD))
    before = files.config.read_bytes()
    bad = OUTPUTS | {"acA_JOB_NAME": {"type": "String", "value": "Not_Valid"}}
    with pytest.raises(ValidationFailed) as caught:
        config.checked_merge(LEGACY_GOOD, bad, Family.LEGACY, "cfg", reset_commands=False)
    assert [p.path for p in caught.value.problems] == ["ACA_JOB_NAME"]
    assert files.config.read_bytes() == before


def test_write_is_atomic_and_skips_an_unchanged_file(tmp_path: Path) -> None:
    files = files_with(tmp_path, Family.LEGACY, json.dumps(LEGACY_GOOD))
    merged = config.checked_merge(
        config.read(files).values, OUTPUTS, Family.LEGACY, "cfg", reset_commands=False
    )
    assert config.write(files.config, merged)
    assert json.loads(files.config.read_text())["ACA_JOB_NAME"] == "aiacajobzz999"
    assert files.config.read_text().endswith("}\n")
    assert not config.write(files.config, merged)
    assert [p.name for p in files.config.parent.iterdir()] == ["finetuning.config.json"]


@given(
    st.dictionaries(st.sampled_from(["NOTE", "COMMANDS", "ACA_JOB_NAME", "X"]),
                    st.one_of(st.none(), st.just([]), st.lists(st.text(max_size=5), max_size=3)),
                    max_size=4),
    st.lists(st.text(max_size=5), max_size=3),
    st.booleans(),
)  # fmt: skip
def test_merge_properties(existing: dict[str, object], defaults: list[str], reset: bool) -> None:
    outputs = {**OUTPUTS, "commands": {"type": "Array", "value": defaults}}
    merged = config.merge_outputs(existing, outputs, Family.LEGACY, reset_commands=reset)
    assert list(merged)[: len(existing)] == list(existing)  # nothing reordered
    assert merged["ACA_JOB_NAME"] == "aiacajobzz999"  # resource keys: always the outputs
    assert {k: v for k, v in merged.items() if k in ("NOTE", "X")} == {
        k: v for k, v in existing.items() if k in ("NOTE", "X")
    }
    mine = existing.get("COMMANDS")
    keep = not reset and not config.is_unset(mine)
    assert merged["COMMANDS"] == (mine if keep else defaults)
