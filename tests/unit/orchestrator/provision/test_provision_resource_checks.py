"""A no-change provision checks that the previous deployment's resources still exist: in
order on one connection when the endpoint answers at once (localcloud), in parallel when each
answer waits on a network round trip."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

from orchestrator.azure.models import DeploymentSnapshot
from orchestrator.compile import CompiledTemplate
from orchestrator.display import PlainDisplay
from orchestrator.parameters import FinalParameters
from orchestrator.provision.pipeline import LOCAL_ANSWER_S, Provisioner
from orchestrator.provision.prepare import Prepared
from orchestrator.provision.target import Sourced, Target
from orchestrator.workspace import Workspace

GROUP = "/subscriptions/s/resourceGroups/rg/providers"
IDS = [f"{GROUP}/Microsoft.Storage/storageAccounts/a{i}" for i in range(6)]


class Resources:
    """resource_exists answering after `delay` seconds; remembers which thread asked."""

    endpoint = "https://arm.example"

    def __init__(self, delay: float, gone: set[str]) -> None:
        self.delay = delay
        self.gone = gone
        self.asked: list[tuple[str, str, str]] = []  # (id, api version, thread)
        self._lock = threading.Lock()

    def resource_exists(self, resource_id: str, api_version: str) -> bool:
        time.sleep(self.delay)
        with self._lock:
            self.asked.append((resource_id, api_version, threading.current_thread().name))
        return resource_id not in self.gone


def prepared() -> Prepared:
    target = Target(
        "azure",
        Sourced("00000000-0000-4000-8000-000000000001", "--subscription"),
        Sourced("rg", "--resource-group"),
        Sourced("", "not set"),
    )
    template = {"resources": [{"type": "Microsoft.Storage/storageAccounts", "apiVersion": "v1"}]}
    compiled = CompiledTemplate(template, "inference.json", "checked-in JSON")
    return Prepared(target, FinalParameters({}, "p.json"), compiled, {}, (), "phash")


def check(tmp_path: Path, resources: Resources) -> list[str]:
    provisioner = Provisioner(
        Workspace(tmp_path),
        resources,  # type: ignore[arg-type]
        PlainDisplay(io.StringIO()),
        cloud="azure",
    )
    previous = DeploymentSnapshot("d", "/d", "Succeeded", output_resources=(*IDS, "/x/unknown"))
    return provisioner.missing_resources(prepared(), previous)


def test_a_local_endpoint_is_asked_in_order_on_one_thread(tmp_path: Path) -> None:
    resources = Resources(delay=0.0, gone={IDS[2], IDS[5]})
    assert check(tmp_path, resources) == [IDS[2], IDS[5]]
    assert [a[0] for a in resources.asked] == IDS  # a type the template lacks is not read
    assert {a[1] for a in resources.asked} == {"v1"}
    assert {a[2] for a in resources.asked} == {threading.current_thread().name}


def test_a_slow_endpoint_is_asked_in_parallel_and_the_order_kept(tmp_path: Path) -> None:
    resources = Resources(delay=LOCAL_ANSWER_S * 4, gone={IDS[1], IDS[4]})
    started = time.perf_counter()
    assert check(tmp_path, resources) == [IDS[1], IDS[4]]
    took = time.perf_counter() - started
    threads = {a[2] for a in resources.asked[1:]}
    assert resources.asked[0][0] == IDS[0]
    assert len(threads) > 1 and threading.current_thread().name not in threads
    assert took < len(IDS) * resources.delay  # not one after another
