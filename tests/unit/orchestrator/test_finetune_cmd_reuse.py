"""Which inference parameters come from the fine-tuning resources (pure), and the template
tag that keeps the two provisions' no-change decisions apart."""

from __future__ import annotations

from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.provision import nochange
from orchestrator.provision.inflight import path_for
from orchestrator.provision.prepare import deployment_name
from orchestrator.provision.reuse import Shared, as_overrides, fills
from orchestrator.workspace import Workspace

SHARED = Shared("ftsa1", "ftshare", "ftenv", "ftenvstore", "ftlog")


def test_null_and_absent_parameters_are_filled_from_fine_tuning() -> None:
    values = {"storageAccountName": None, "fileShareName": None, "acaAppName": None}
    assert fills(values, (), SHARED) == {
        "storageAccountName": "ftsa1",
        "fileShareName": "ftshare",
        "acaEnvironmentName": "ftenv",
        "acaEnvironmentStorageName": "ftenvstore",
        "acaLogAnalyticsName": "ftlog",
    }


def test_values_the_user_set_in_the_file_or_by_param_are_kept() -> None:
    values = {"storageAccountName": "mine", "fileShareName": None}
    filled = fills(values, ("fileShareName=other", "acaLogAnalyticsName=x"), SHARED)
    assert "storageAccountName" not in filled and "fileShareName" not in filled
    assert "acaLogAnalyticsName" not in filled and filled["acaEnvironmentName"] == "ftenv"


def test_unknown_resources_are_not_filled_and_overrides_are_json() -> None:
    filled = fills({}, (), Shared("ftsa1", "ftshare", "", "", ""))
    assert filled == {"storageAccountName": "ftsa1", "fileShareName": "ftshare"}
    assert as_overrides(filled) == ('storageAccountName="ftsa1"', 'fileShareName="ftshare"')


def deployment(name: str, template: str) -> DeploymentSnapshot:
    return DeploymentSnapshot(
        name, f"/d/{name}", "Succeeded", "2026-01-01T00:00:00Z",
        tags={nochange.TAG_TEMPLATE: template},
    )  # fmt: skip


def test_each_template_sees_only_its_own_deployments() -> None:
    listed = [deployment("finetuning-1", "finetuning"), deployment("inference-1", "inference")]
    assert nochange.latest_succeeded(listed) == listed[1]
    assert nochange.latest_succeeded(listed, "finetuning") == listed[0]
    tags = nochange.deployment_tags("h", "finetuning")
    assert tags[nochange.TAG_TEMPLATE] == "finetuning"


def test_names_and_in_flight_records_are_per_template(tmp_path: object) -> None:
    import datetime as dt
    from pathlib import Path

    now = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    assert deployment_name(now) == "inference-20260102T030405Z"
    assert deployment_name(now, "finetuning") == "finetuning-20260102T030405Z"
    ws = Workspace(Path(str(tmp_path)))
    assert path_for(ws).name == "inflight.json"
    assert path_for(ws, "finetuning").name == "finetuning-inflight.json"
