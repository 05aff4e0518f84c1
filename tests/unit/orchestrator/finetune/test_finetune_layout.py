"""What a run syncs, and run ids."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.errors import InputError
from orchestrator.finetune import layout
from orchestrator.finetune.family import Family, FinetuneFiles, config_path
from orchestrator.workspace import Workspace

RUN = "20261202-211530-a1b2c3"


def files(tmp_path: Path, family: Family, method: str = "") -> FinetuneFiles:
    return FinetuneFiles(family, Workspace(tmp_path), config_path(family, tmp_path), method)


def test_legacy_syncs_setup_finetuning_and_dataset_at_the_root(tmp_path: Path) -> None:
    got = layout.plan(files(tmp_path, Family.LEGACY), None)
    assert got.sources == ("setup", "finetuning", "dataset")
    assert got.remote("dataset/train.jsonl") == "dataset/train.jsonl"
    assert got.share_roots == ("setup", "finetuning", "dataset") and got.rendered == ()


def test_phi_silica_runs_are_laid_out_under_the_run_id(tmp_path: Path) -> None:
    got = layout.plan(files(tmp_path, Family.PHI_SILICA, "lora"), RUN)
    assert got.sources == ("dataset",)
    assert got.remote("dataset/train.json") == f"{RUN}/dataset/train.json"
    assert got.rendered == (layout.RunFile(tmp_path / "lora.yaml", f"{RUN}/lora.yaml"),)
    assert set(got.share_roots) == {f"{RUN}/dataset", RUN}


def test_a_stand_in_trainer_folder_is_synced_at_the_root_for_image_families(
    tmp_path: Path,
) -> None:
    (tmp_path / "finetuning").mkdir()
    got = layout.plan(files(tmp_path, Family.AION, "lora"), RUN)
    assert got.sources == ("finetuning", "dataset")
    assert got.remote("finetuning/standin.py") == "finetuning/standin.py"


def test_image_families_need_a_run_id(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="needs a run id"):
        layout.plan(files(tmp_path, Family.AION, "lora"), None)


@pytest.mark.parametrize("folder", ["models", "model-cache", "cache", "Models", "../x", "a/b"])
def test_the_jobs_folders_and_odd_names_are_never_synced(tmp_path: Path, folder: str) -> None:
    with pytest.raises(InputError):
        layout.plan(files(tmp_path, Family.LEGACY), None, [folder])


def test_a_path_outside_the_layout_has_no_remote(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="outside"):
        layout.plan(files(tmp_path, Family.LEGACY), None).remote("inference/app.py")


@pytest.mark.parametrize(
    ("path", "never"),
    [("models/a", True), ("/MODEL-CACHE/x", True), ("cache", True), ("modelsx/a", False),
     ("dataset/models", False), ("", False)],
)  # fmt: skip
def test_is_never_synced(path: str, never: bool) -> None:
    assert layout.is_never_synced(path) is never


def test_the_run_file_and_args_get_the_run_id() -> None:
    text = 'finetune_dataset: "mount/<run_id>/dataset"\nsave_dir: "mount/<run_id>/save_dir"\n'
    assert layout.render(text, RUN).count(RUN) == 2 and "<run_id>" not in layout.render(text, RUN)
    assert layout.substitute(["mount/<run_id>/lora.yaml"], RUN) == (f"mount/{RUN}/lora.yaml",)


def test_run_ids_are_utc_time_then_token() -> None:
    at = dt.datetime(2026, 12, 2, 22, 15, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert layout.new_run_id(at, "a1b2c3") == RUN
    assert layout.generate_run_id(at, lambda: "zzzzzz") == "20261202-211530-zzzzzz"


@given(
    st.datetimes(timezones=st.just(dt.timezone.utc)),
    st.text(alphabet=layout.RUN_ID_ALPHABET, min_size=6, max_size=6),
)
def test_every_generated_run_id_is_valid(now: dt.datetime, token: str) -> None:
    run_id = layout.new_run_id(now, token)
    assert layout.check_run_id(run_id, "--run-id") == run_id
    assert sorted([run_id, layout.new_run_id(now + dt.timedelta(seconds=1), token)])[0] == run_id


@given(st.text(min_size=0, max_size=80))
def test_check_run_id_accepts_only_safe_path_segments(value: str) -> None:
    try:
        layout.check_run_id(value, "--run-id")
    except InputError as exc:
        assert exc.message.startswith("--run-id: ")
        return
    assert 1 <= len(value) <= 64 and ".." not in value and "/" not in value
    assert value[0].isalnum() and value[-1].isalnum() and value.isascii()


def test_random_tokens_differ() -> None:
    assert len({layout.random_token() for _ in range(50)}) == 50
