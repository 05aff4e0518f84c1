"""The inference config contract: reading, normalising, checking, writing."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from orchestrator import inference_config
from orchestrator.errors import ValidationFailed
from orchestrator.workspace import Workspace

GOOD = {
    "SUBSCRIPTION_ID": "00000000-0000-4000-8000-000000000001",
    "RESOURCE_GROUP_NAME": "rg1",
    "STORAGE_ACCOUNT_NAME": "account1",
    "FILE_SHARE_NAME": "share1",
    "ACA_APP_NAME": "app1",
    "ACA_APP_ENDPOINT": "app1.example.io",
}


def workspace(tmp_path: Path, config: dict[str, object]) -> Workspace:
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "inference.config.json").write_text(json.dumps(config))
    return Workspace(tmp_path)


@pytest.mark.parametrize(
    "pasted", ["https://app1.example.io", "https://app1.example.io/", "app1.example.io/"]
)
def test_a_pasted_url_is_read_as_the_host_with_a_warning(pasted: str) -> None:
    bare, warning = inference_config.normalise_endpoint(pasted, "cfg")
    assert bare == "app1.example.io"
    assert warning.startswith(f"cfg: ACA_APP_ENDPOINT {pasted!r} read as 'app1.example.io'")


def test_a_bare_host_is_left_alone() -> None:
    assert inference_config.normalise_endpoint("app1.example.io:8443") == (
        "app1.example.io:8443",
        "",
    )


def test_require_gives_the_six_typed_values_and_the_warnings(tmp_path: Path) -> None:
    ws = workspace(tmp_path, GOOD | {"ACA_APP_ENDPOINT": "https://app1.example.io/", "NOTE": 1})
    config, warnings = inference_config.require(ws)
    assert (config.app, config.endpoint) == ("app1", "app1.example.io")
    assert len(warnings) == 1


def test_require_names_every_missing_key(tmp_path: Path) -> None:
    ws = workspace(tmp_path, GOOD | {"ACA_APP_NAME": None, "FILE_SHARE_NAME": ""})
    with pytest.raises(ValidationFailed) as caught:
        inference_config.require(ws)
    assert {p.path for p in caught.value.problems} == {"ACA_APP_NAME", "FILE_SHARE_NAME"}


def test_outputs_are_checked_before_anything_is_written(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"NOTE": "kept"})
    before = ws.config.read_bytes()
    with pytest.raises(ValidationFailed) as caught:
        inference_config.checked_values(GOOD | {"SUBSCRIPTION_ID": "x"}, "cfg")
    assert [p.path for p in caught.value.problems] == ["SUBSCRIPTION_ID"]
    assert ws.config.read_bytes() == before


def test_values_are_merged_keeping_other_keys_and_order(tmp_path: Path) -> None:
    ws = workspace(tmp_path, {"NOTE": "kept", "aca_app_name": "old"})
    values, warning = inference_config.checked_values(GOOD, "cfg")
    assert warning == ""
    assert inference_config.write_values(ws.config, {"NOTE": "kept", "aca_app_name": "old"}, values)
    written = json.loads(ws.config.read_text())
    assert list(written)[:2] == ["NOTE", "aca_app_name"] and written["aca_app_name"] == "app1"
    assert not inference_config.write_values(ws.config, written, values)  # unchanged: no write
