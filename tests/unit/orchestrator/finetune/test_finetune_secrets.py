"""Job secrets exposed as environment variables through secretRef."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orchestrator.errors import InputError
from orchestrator.finetune import secrets

JOB: dict[str, Any] = {
    "name": "job",
    "properties": {
        "template": {
            "containers": [
                {
                    "name": "job",
                    "image": "img",
                    "env": [{"name": "MODE", "value": "x"}, {"name": "HF_TOKEN", "value": "old"}],
                    "volumeMounts": [{"volumeName": "v", "mountPath": "/mount"}],
                },
                {"name": "side", "image": "img2"},
            ],
            "initContainers": [{"name": "init", "image": "img3", "env": []}],
            "volumes": [{"name": "v"}],
        }
    },
}
EXISTING = (
    secrets.Secret("other", "o-value"),
    secrets.Secret("hf-token", "old-value"),
    secrets.Secret("kv", None, "https://vault/secrets/x", "system"),
)


@pytest.mark.parametrize(
    ("env", "secret"),
    [("HF_TOKEN", "hf-token"), ("WANDB_API_KEY", "wandb-api-key"), ("__A__b9", "a-b9"),
     ("X", "x")],
)  # fmt: skip
def test_secret_names_follow_azures_rule(env: str, secret: str) -> None:
    assert secrets.secret_name_for(env) == secret


@given(st.text(min_size=1, max_size=300))
def test_a_derived_secret_name_is_always_valid(env: str) -> None:
    try:
        name = secrets.secret_name_for(env)
    except InputError:
        assert not any(c.isascii() and c.isalnum() for c in env.lower())
        return
    assert secrets.is_secret_name(name)
    assert secrets.check_secret_name(name, "--secret-name") == name


@given(st.from_regex(r"[A-Za-z_][A-Za-z0-9_]{0,40}", fullmatch=True))
def test_every_shell_variable_name_is_accepted_and_named(env: str) -> None:
    assert secrets.check_env_name(env, "NAME") == env
    if any(c.isalnum() for c in env):
        assert secrets.is_secret_name(secrets.secret_name_for(env))


@pytest.mark.parametrize("bad", ["hf_token", "HF-TOKEN", "-a", "a-", "a.b", "", "a" * 254])
def test_invalid_secret_names_are_refused(bad: str) -> None:
    with pytest.raises(InputError, match="not a valid secret name"):
        secrets.check_secret_name(bad, "--secret-name")


@pytest.mark.parametrize("bad", ["1X", "A-B", "", "A B"])
def test_invalid_variable_names_are_refused(bad: str) -> None:
    with pytest.raises(InputError, match="not a valid variable name"):
        secrets.check_env_name(bad, "NAME")


def test_the_patch_replaces_one_secret_and_keeps_the_others() -> None:
    body = secrets.set_secret_body(JOB, EXISTING, "HF_TOKEN", "hf-token", "new-value")
    assert body["properties"]["configuration"]["secrets"] == [
        {"name": "other", "value": "o-value"},
        {"name": "hf-token", "value": "new-value"},
        {"name": "kv", "keyVaultUrl": "https://vault/secrets/x", "identity": "system"},
    ]


def test_every_container_gets_the_secret_ref_and_keeps_its_env_and_mounts() -> None:
    before = copy.deepcopy(JOB)
    body = secrets.set_secret_body(JOB, (), "HF_TOKEN", "hf-token", "v")
    first, second = body["properties"]["template"]["containers"]
    assert first["env"] == [
        {"name": "MODE", "value": "x"},
        {"name": "HF_TOKEN", "secretRef": "hf-token"},
    ]
    assert first["volumeMounts"] == [{"volumeName": "v", "mountPath": "/mount"}]
    assert second["env"] == [{"name": "HF_TOKEN", "secretRef": "hf-token"}]
    assert body["properties"]["template"]["initContainers"][0]["env"] == second["env"]
    assert body["properties"]["configuration"]["secrets"] == [{"name": "hf-token", "value": "v"}]
    assert before == JOB


def test_the_value_is_never_shown() -> None:
    secret = secrets.Secret("hf-token", "s3cret-value")
    assert "s3cret" not in repr(secret) and "s3cret" not in str(secret)
    body = secrets.set_secret_body(JOB, (), "HF_TOKEN", "hf-token", "s3cret-value")
    assert "s3cret" not in str(secrets.redacted(body))
    assert "s3cret" in str(body)  # the PATCH itself carries it


def test_list_secrets_answer_is_read() -> None:
    answer = {"value": [{"name": "a", "value": "1"}, {"name": "b", "keyVaultUrl": "u"}, {}]}
    assert [s.wire() for s in secrets.secrets_from_list(answer)] == [
        {"name": "a", "value": "1"},
        {"name": "b", "keyVaultUrl": "u"},
    ]


def test_secret_refs_are_listed() -> None:
    body = secrets.set_secret_body(JOB, (), "HF_TOKEN", "hf-token", "v")
    job = {"properties": {"template": body["properties"]["template"]}}
    assert secrets.secret_refs(job) == {"HF_TOKEN": "hf-token"}


def test_a_job_without_containers_is_refused() -> None:
    with pytest.raises(InputError, match="no containers"):
        secrets.set_secret_body({"properties": {}}, (), "A", "a", "v")
