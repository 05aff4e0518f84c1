"""Output mapping (ARM's casing rewrite, secure outputs) and config merging."""

from __future__ import annotations

from orchestrator.inference_config import merge as merge_config
from orchestrator.provision.outputs import (
    CONFIG_OUTPUTS,
    OutputSpec,
    config_values,
    declared_outputs,
    has_config_outputs,
    map_outputs,
)

ARM_OUTPUTS = {
    "subscriptioN_ID": {"type": "String", "value": "sub"},
    "resourcE_GROUP_NAME": {"type": "String", "value": "rg"},
    "storagE_ACCOUNT_NAME": {"type": "String", "value": "st"},
    "filE_SHARE_NAME": {"type": "String", "value": "share"},
    "acA_APP_NAME": {"type": "String", "value": "app"},
    "acA_APP_ENDPOINT": {"type": "String", "value": "app.example.azurecontainerapps.io"},
}


def test_names_are_matched_case_insensitively_to_the_declared_ones() -> None:
    mapped = map_outputs(ARM_OUTPUTS, CONFIG_OUTPUTS)
    assert list(mapped.values) == [spec.name for spec in CONFIG_OUTPUTS]
    assert mapped.values["ACA_APP_ENDPOINT"] == "app.example.azurecontainerapps.io"
    assert mapped.missing == ()


def test_endpoint_url_adds_the_scheme() -> None:
    assert map_outputs(ARM_OUTPUTS, CONFIG_OUTPUTS).endpoint_url == (
        "https://app.example.azurecontainerapps.io"
    )


def test_secure_outputs_are_never_kept() -> None:
    declared = (*CONFIG_OUTPUTS, OutputSpec("STORAGE_KEY", secure=True))
    outputs = {
        **ARM_OUTPUTS,
        "storagE_KEY": {"type": "SecureString"},
        "x": {"type": "SecureObject"},
    }
    mapped = map_outputs(outputs, declared)
    assert "STORAGE_KEY" not in mapped.values and "X" not in mapped.values
    assert set(mapped.secure_skipped) == {"STORAGE_KEY", "X"}


def test_undeclared_names_fall_back_to_upper_case() -> None:
    mapped = map_outputs({"extrA_THING": {"type": "String", "value": 1}}, CONFIG_OUTPUTS)
    assert mapped.values == {"EXTRA_THING": 1}
    assert len(mapped.missing) == 6


def test_config_values_keep_only_the_six_config_keys() -> None:
    mapped = map_outputs({**ARM_OUTPUTS, "other": {"type": "String", "value": "o"}}, CONFIG_OUTPUTS)
    assert list(config_values(mapped)) == [spec.name for spec in CONFIG_OUTPUTS]


def test_declared_outputs_read_types_from_the_template() -> None:
    template = {"outputs": {"A": {"type": "string"}, "B": {"type": "securestring"}}}
    assert declared_outputs(template) == (OutputSpec("A"), OutputSpec("B", secure=True))


def test_merge_keeps_unknown_keys_and_order_and_appends_new_keys() -> None:
    existing = {"COMMENT": "mine", "ACA_APP_NAME": None, "SUBSCRIPTION_ID": None}
    merged = merge_config(existing, {"SUBSCRIPTION_ID": "s", "ACA_APP_NAME": "a", "NEW": 1})
    assert list(merged) == ["COMMENT", "ACA_APP_NAME", "SUBSCRIPTION_ID", "NEW"]
    assert merged["COMMENT"] == "mine" and merged["SUBSCRIPTION_ID"] == "s"


def test_merge_updates_keys_whatever_their_casing_in_the_file() -> None:
    merged = merge_config({"aca_app_name": "old"}, {"ACA_APP_NAME": "new"})
    assert merged == {"aca_app_name": "new"}


def test_has_config_outputs_needs_all_six() -> None:
    assert has_config_outputs(ARM_OUTPUTS)
    assert not has_config_outputs({k: v for k, v in ARM_OUTPUTS.items() if k != "acA_APP_NAME"})
