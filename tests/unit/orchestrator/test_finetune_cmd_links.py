"""The portal links `finetune run` prints, the share roots a run lists, and the value of
`secret set` (never from argv; exit 2 when there is none)."""

from __future__ import annotations

import pytest

from orchestrator.azure.cloud import CloudProfile
from orchestrator.azure.jobs import Job
from orchestrator.errors import InputError
from orchestrator.finetune.commands.run import portal_links
from orchestrator.finetune.commands.secret import secret_value
from orchestrator.finetune.commands.sync import top_roots
from orchestrator.finetune.config import FinetuneConfig
from orchestrator.finetune.family import Family

CONFIG = FinetuneConfig(
    Family.LEGACY, "sub", "rg", "acct", "share", "job", None, ("cd /mount",), (), "cfg"
)
JOB = Job("job", "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.App/jobs/job",
          "", "", "job", 600, "", {})  # fmt: skip


def test_portal_links_name_the_execution_history_and_the_share() -> None:
    profile = CloudProfile(
        "azure", "https://management.azure.com", portal="https://portal.azure.com"
    )
    links = portal_links(profile, CONFIG, JOB)
    assert links["execution_history"] == (
        "https://portal.azure.com/#resource/subscriptions/sub/resourceGroups/rg"
        "/providers/Microsoft.App/jobs/job/executionHistory"
    )
    assert (
        "storageAccountId/%2Fsubscriptions%2Fsub%2FresourceGroups%2Frg%2Fproviders"
        in (links["file_share"])
    )
    assert links["file_share"].endswith("/path/share/protocol/SMB")


def test_no_links_where_the_cloud_has_no_portal() -> None:
    assert portal_links(CloudProfile("local", "https://127.0.0.1:1"), CONFIG, JOB) == {}


def test_share_roots_inside_another_are_listed_once() -> None:
    assert top_roots(("setup", "r1/dataset", "r1", "finetuning")) == ("setup", "r1", "finetuning")


def test_the_secret_value_comes_from_the_variable_or_the_prompt() -> None:
    assert secret_value("HF_TOKEN", "MY", {"MY": "v"}, None) == "v"
    assert secret_value("HF_TOKEN", None, {}, lambda _q: "typed") == "typed"
    with pytest.raises(InputError, match="--from-env MY: the variable is not set"):
        secret_value("HF_TOKEN", "MY", {}, None)
    with pytest.raises(InputError, match="no value"):
        secret_value("HF_TOKEN", None, {}, None)
    with pytest.raises(InputError, match="empty"):
        secret_value("HF_TOKEN", "MY", {"MY": ""}, None)


def test_a_job_is_read_from_its_wire_document_and_its_stream_url_built() -> None:
    from orchestrator.azure.jobs import job_from_wire, stream_url

    doc = {
        "name": "aiacajob1",
        "id": "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.App/jobs/aiacajob1",
        "properties": {
            "environmentId": "/subscriptions/sub/resourceGroups/rg/providers/Microsoft.App/"
            "managedEnvironments/aienv1",
            "eventStreamEndpoint": "https://eastus.azurecontainerapps.dev/subscriptions/sub/"
            "resourceGroups/rg/jobs/aiacajob1/eventstream",
            "configuration": {"replicaTimeout": 10800},
            "template": {
                "containers": [{"name": "aiacajob1", "image": "pytorch"}],
                "volumes": [
                    {"name": "v", "storageType": "AzureFile", "storageName": "aienvstorage1"}
                ],
            },
        },
    }
    job = job_from_wire(doc)
    assert (job.container, job.replica_timeout, job.storage_name) == (
        "aiacajob1", 10800, "aienvstorage1"
    )  # fmt: skip
    assert stream_url(job, "sub", "rg", "aiacajob1-abc1234", "aiacajob1-abc1234-x1") == (
        "https://eastus.azurecontainerapps.dev/subscriptions/sub/resourceGroups/rg/jobs/"
        "aiacajob1/executions/aiacajob1-abc1234/replicas/aiacajob1-abc1234-x1"
        "/containers/aiacajob1/logstream"
    )
