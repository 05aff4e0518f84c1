"""The start body that runs the config's commands without wiping the job."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from orchestrator.errors import InputError
from orchestrator.finetune import override
from orchestrator.finetune.config import FinetuneConfig
from orchestrator.finetune.family import Family

JOB: dict[str, Any] = {
    "name": "aiacajobab12c",
    "properties": {
        "configuration": {"secrets": [{"name": "hf-token"}], "triggerType": "Manual"},
        "template": {
            "containers": [
                {
                    "name": "aiacajobab12c",
                    "image": "docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime",
                    "command": ["/bin/bash", "-c", "cd /mount; default"],
                    "env": [
                        {"name": "HF_TOKEN", "secretRef": "hf-token"},
                        {"name": "MODE", "value": "full"},
                    ],
                    "resources": {"cpu": 24, "memory": "220Gi", "ephemeralStorage": "8Gi"},
                    "volumeMounts": [{"volumeName": "sharevolume", "mountPath": "/mount"}],
                    "probes": [],
                },
                {"name": "sidecar", "image": "busybox", "args": ["sleep", "1"]},
            ],
            "initContainers": None,
            "volumes": [{"name": "sharevolume", "storageType": "AzureFile", "storageName": "s"}],
        },
    },
}


def cfg(
    family: Family, commands: tuple[str, ...] = (), args: tuple[str, ...] = ()
) -> FinetuneConfig:
    return FinetuneConfig(family, "sub", "rg", "acct", "share", "job", None, commands, args, "c")


def test_legacy_runs_the_commands_joined_after_the_mount_check() -> None:
    run = override.run_command(cfg(Family.LEGACY, ("cd /mount", "python3 x.py")), None)
    assert run.command == ("/bin/bash", "-c", f"{override.MOUNT_GUARD}; cd /mount; python3 x.py")
    assert run.args == ()


def test_without_the_guard_it_is_the_toolkits_exact_join() -> None:
    run = override.run_command(cfg(Family.LEGACY, ("a", "b")), None, guard_mount=False)
    assert run.command == ("/bin/bash", "-c", "a; b")


def test_image_families_keep_the_command_and_get_args_with_the_run_id() -> None:
    run = override.run_command(cfg(Family.AION, args=("mount/<run_id>/lora.yaml",)), "r1")
    assert run == override.RunCommand(None, ("mount/r1/lora.yaml",))
    with pytest.raises(InputError, match="<run_id>"):
        override.run_command(cfg(Family.PHI_SILICA, args=("mount/<run_id>/lora.yaml",)), None)


def test_the_start_body_repeats_every_container_so_nothing_is_wiped() -> None:
    run = override.run_command(cfg(Family.LEGACY, ("python3 train.py",)), None)
    body = override.start_body(JOB, run)
    first, second = body["containers"]
    assert first["env"] == JOB["properties"]["template"]["containers"][0]["env"]  # secretRefs
    assert first["image"].startswith("docker.io/pytorch/") and first["name"] == "aiacajobab12c"
    assert first["resources"] == {"cpu": 24, "memory": "220Gi"}  # read-only field dropped
    assert first["command"][-1].endswith("python3 train.py") and "args" not in first
    assert second == {"name": "sidecar", "image": "busybox", "args": ["sleep", "1"]}
    assert set(first) <= set(override.EXECUTION_CONTAINER_KEYS) and "initContainers" not in body


def test_an_image_family_override_keeps_the_jobs_own_command() -> None:
    job = copy.deepcopy(JOB)
    job["properties"]["template"]["containers"][0]["command"] = ["python3", "/mount/standin.py"]
    body = override.start_body(job, override.RunCommand(None, ("mount/r1/lora.yaml",)))
    assert body["containers"][0]["command"] == ["python3", "/mount/standin.py"]
    assert body["containers"][0]["args"] == ["mount/r1/lora.yaml"]


def test_the_start_body_does_not_change_the_job() -> None:
    before = copy.deepcopy(JOB)
    override.start_body(JOB, override.RunCommand(("x",), ()))
    override.patch_body(JOB, override.RunCommand(("x",), ()))
    assert before == JOB


def test_the_patch_body_sends_whole_containers_with_the_new_command() -> None:
    body = override.patch_body(JOB, override.RunCommand(("/bin/bash", "-c", "new"), ()))
    first = body["properties"]["template"]["containers"][0]
    assert first["command"] == ["/bin/bash", "-c", "new"]
    assert first["volumeMounts"] and first["env"] and first["resources"]["ephemeralStorage"]
    assert list(body["properties"]["template"]) == ["containers"]  # volumes left alone


def test_what_an_override_cannot_carry_is_named() -> None:
    assert override.dropped_by_override(JOB) == ("aiacajobab12c.volumeMounts",)


def test_a_job_without_containers_is_refused() -> None:
    with pytest.raises(InputError, match="no containers"):
        override.start_body({"name": "j", "properties": {}}, override.RunCommand(None, None))


def test_the_default_is_the_complete_override() -> None:
    assert override.DEFAULT_STRATEGY is override.Strategy.OVERRIDE
