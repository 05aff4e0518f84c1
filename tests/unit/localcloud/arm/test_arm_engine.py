"""The deployment engine on an in-memory store with the real template engine (no I/O)."""

from __future__ import annotations

import asyncio
import dataclasses
from collections.abc import Mapping
from pathlib import Path
from typing import Any, cast

import pytest

from localcloud.arm.engine import Engine
from localcloud.arm.preflight import DeploymentRequest, prepare_template
from localcloud.arm.records import DeploymentRecord
from localcloud.arm.router import ArmRouter
from localcloud.cloud import Files, Identity, LocalCloud, Registry, Runtime, Settings, Tokens
from localcloud.providers.base import Provider

SUB = "00000000-0000-0000-0000-000000000000"
RG = "rg"
THING = "Test.Things/things"


class MemoryStore:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        doc = self.docs.get((kind, key.lower()))
        return None if doc is None else dict(doc)

    def put(self, kind: str, key: str, doc: Mapping[str, Any]) -> None:
        self.docs[(kind, key.lower())] = dict(doc)

    def delete(self, kind: str, key: str) -> bool:
        return self.docs.pop((kind, key.lower()), None) is not None

    def list(self, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        return [
            dict(d)
            for (k, key), d in sorted(self.docs.items())
            if k == kind and key.startswith(prefix.lower())
        ]


class Gauge:
    """An injected sleep that measures how many resources provision at once."""

    def __init__(self) -> None:
        self.active = 0
        self.peak = 0
        self.gate: asyncio.Event | None = None

    async def sleep(self, seconds: float) -> None:
        self.active += 1
        self.peak = max(self.peak, self.active)
        try:
            if self.gate is not None:
                await self.gate.wait()
            await asyncio.sleep(0.01)
        finally:
            self.active -= 1


def make_cloud() -> LocalCloud:
    store = MemoryStore()
    cloud = LocalCloud(
        state_dir=Path("/nonexistent"),
        base_url="https://127.0.0.1:1",
        ca_file=Path("/nonexistent/ca.pem"),
        identity=Identity("tenant", SUB, "client", "secret"),
        store=store,
        arm=ArmRouter(),
        settings=Settings(provisioning_seconds={"*": 1.0}),
        providers=Registry(),
        files=cast(Files, None),
        runtime=cast(Runtime, None),
        tokens=cast(Tokens, None),
    )
    cloud.providers.register_default(Provider(cloud))
    gid = f"/subscriptions/{SUB}/resourceGroups/{RG}"
    store.put("resourcegroup", gid, {"id": gid, "name": RG, "location": "eastus", "tags": {}})
    return cloud


def thing(name: str, *deps: str, **props: Any) -> dict[str, Any]:
    res: dict[str, Any] = {
        "type": THING,
        "apiVersion": "2024-01-01",
        "name": name,
        "properties": props,
    }
    if deps:
        res["dependsOn"] = [f"[resourceId('{THING}', '{d}')]" for d in deps]
    return res


async def deploy(
    engine: Engine, template: dict[str, Any], name: str = "d", wait: bool = True
) -> DeploymentRecord:
    req = DeploymentRequest("Incremental", template, {}, {})
    scope = engine.scope(SUB, RG, name, req.mode)
    prepared = prepare_template(req, scope)
    rec = engine.new_record(scope, req, prepared, "corr")
    engine.start(rec, prepared)
    while wait and engine.active():
        await asyncio.sleep(0.005)
    found = engine.history.get(rec.id)
    assert found is not None
    return found


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_dependents_wait_and_independent_resources_provision_concurrently() -> None:
    async def scenario() -> tuple[DeploymentRecord, Engine, Gauge]:
        gauge = Gauge()
        engine = Engine(make_cloud(), sleep=gauge.sleep)
        template = {"resources": [thing("a"), thing("b"), thing("c", "a", "b")]}
        return await deploy(engine, template), engine, gauge

    rec, engine, gauge = run(scenario())
    assert rec.state == "Succeeded"
    assert gauge.peak == 2
    ops = engine.history.operations(rec.id)
    names = [op.target["resourceName"] for op in ops if op.target]
    assert names[-1] == "c"
    c_op = ops[2]
    assert all(op.updated <= c_op.started for op in ops[:2])
    assert ops[-1].provisioning_operation == "EvaluateDeploymentOutput"
    assert len(rec.output_resources) == 3


def test_a_configured_failure_fails_the_deployment_with_the_error_tree() -> None:
    async def scenario() -> tuple[DeploymentRecord, Engine]:
        cloud = make_cloud()
        cloud.settings.fail = {"Test.Broken/things": {"code": "Boom", "message": "it broke"}}
        engine = Engine(cloud, sleep=Gauge().sleep)
        broken = {**thing("x"), "type": "Test.Broken/things"}
        after = {**thing("y"), "dependsOn": ["[resourceId('Test.Broken/things', 'x')]"]}
        template = {"resources": [broken, after, thing("z")]}
        return await deploy(engine, template), engine

    rec, engine = run(scenario())
    assert rec.state == "Failed"
    assert rec.error is not None
    assert rec.error["code"] == "DeploymentFailed"
    assert rec.error["target"] == rec.id
    [detail] = rec.error["details"]
    assert detail["code"] == "BadRequest"
    assert '"code": "Boom"' in detail["message"]
    ops = {op.target["resourceName"]: op for op in engine.history.operations(rec.id) if op.target}
    assert set(ops) == {"x", "z"}  # y never starts
    assert ops["x"].state == "Failed"
    assert ops["x"].error == {"code": "Boom", "message": "it broke"}
    assert ops["z"].state == "Succeeded"


def test_cancel_stops_running_resources_and_marks_the_deployment_canceled() -> None:
    async def scenario() -> tuple[DeploymentRecord, Engine]:
        gauge = Gauge()
        gauge.gate = asyncio.Event()  # never set: resources stay "provisioning"
        engine = Engine(make_cloud(), sleep=gauge.sleep)
        rec = await deploy(engine, {"resources": [thing("a"), thing("b", "a")]}, wait=False)
        while gauge.active == 0:
            await asyncio.sleep(0.005)
        engine.cancel(rec)
        while engine.active():
            await asyncio.sleep(0.005)
        final = engine.history.get(rec.id)
        assert final is not None
        return final, engine

    rec, engine = run(scenario())
    assert rec.state == "Canceled"
    assert rec.error is None  # Azure sets no error on a canceled deployment
    [op] = engine.history.operations(rec.id)
    assert op.state == "Canceled"
    assert engine.cloud.store.list("resource") == []


def test_cancel_is_refused_once_the_deployment_finished() -> None:
    from localcloud.arm.errors import ArmError

    async def scenario() -> None:
        engine = Engine(make_cloud(), sleep=Gauge().sleep)
        rec = await deploy(engine, {"resources": [thing("a")]})
        with pytest.raises(ArmError) as err:
            engine.cancel(rec)
        assert err.value.status == 409
        assert err.value.code == "DeploymentCannotBeCancelled"

    run(scenario())


def test_outputs_see_live_resources_through_reference() -> None:
    async def scenario() -> DeploymentRecord:
        engine = Engine(make_cloud(), sleep=Gauge().sleep)
        template = {
            "resources": [thing("a", size=3)],
            "outputs": {
                "SIZE": {"type": "int", "value": f"[reference(resourceId('{THING}', 'a')).size]"}
            },
        }
        return await deploy(engine, template)

    rec = run(scenario())
    assert rec.outputs == {"SIZE": {"type": "Int", "value": 3}}


def test_a_nested_deployment_runs_as_a_child_deployment_with_its_own_outputs() -> None:
    inner = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "resources": [thing("inner-thing", size=7)],
        "outputs": {"NAME": {"type": "string", "value": "inner-thing"}},
    }
    outer = {
        "resources": [
            {
                "type": "Microsoft.Resources/deployments",
                "apiVersion": "2022-09-01",
                "name": "child",
                "properties": {
                    "mode": "Incremental",
                    "expressionEvaluationOptions": {"scope": "inner"},
                    "template": inner,
                },
            }
        ],
        "outputs": {
            "CHILD": {
                "type": "string",
                "value": "[reference(resourceId('Microsoft.Resources/deployments', 'child'))"
                ".outputs.NAME.value]",
            }
        },
    }

    async def scenario() -> tuple[DeploymentRecord, Engine]:
        engine = Engine(make_cloud(), sleep=Gauge().sleep)
        return await deploy(engine, outer, name="parent"), engine

    rec, engine = run(scenario())
    assert rec.state == "Succeeded", rec.error
    assert rec.outputs == {"CHILD": {"type": "String", "value": "inner-thing"}}
    [op, _outputs] = engine.history.operations(rec.id)
    assert op.target is not None
    assert op.target["resourceType"] == "Microsoft.Resources/deployments"
    child = engine.history.get(op.target["id"])
    assert child is not None
    assert child.state == "Succeeded"
    assert child.parent_id == rec.id
    assert child.outputs == {"NAME": {"type": "String", "value": "inner-thing"}}


def test_recover_fails_deployments_left_running_by_a_stopped_server() -> None:
    async def scenario() -> tuple[MemoryStore, str]:
        cloud = make_cloud()
        gauge = Gauge()
        gauge.gate = asyncio.Event()
        engine = Engine(cloud, sleep=gauge.sleep)
        rec = await deploy(engine, {"resources": [thing("a")]}, wait=False)
        while gauge.active == 0:
            await asyncio.sleep(0.005)
        return cast(MemoryStore, cloud.store), rec.id

    store, dep_id = run(scenario())  # the loop ends: the "server" stopped mid-deployment
    cloud = dataclasses.replace(make_cloud(), store=store)
    engine = Engine(cloud)
    assert engine.recover() == 1
    rec = engine.history.get(dep_id)
    assert rec is not None
    assert rec.state == "Failed"
    assert all(op.state != "Running" for op in engine.history.operations(dep_id))


def test_a_deployment_whose_group_was_deleted_stops_and_is_not_resurrected() -> None:
    async def scenario() -> tuple[Engine, str]:
        cloud = make_cloud()
        gauge = Gauge()
        gauge.gate = asyncio.Event()
        engine = Engine(cloud, sleep=gauge.sleep)
        rec = await deploy(engine, {"resources": [thing("a"), thing("b", "a")]}, wait=False)
        while gauge.active == 0:
            await asyncio.sleep(0.005)
        store = cast(MemoryStore, cloud.store)
        group_prefix = f"/subscriptions/{SUB}/resourcegroups/{RG}".lower()
        for key in [k for k in store.docs if k[1].startswith(group_prefix)]:
            del store.docs[key]  # what deleting the group does to everything under it
        gauge.gate.set()
        while engine.active():
            await asyncio.sleep(0.005)
        return engine, rec.id

    engine, dep_id = run(scenario())
    assert engine.history.get(dep_id) is None
    assert engine.history.operations(dep_id) == []
    assert engine.cloud.store.list("resource") == []


def test_false_conditions_are_skipped_and_existing_resources_are_read() -> None:
    async def scenario() -> tuple[DeploymentRecord, DeploymentRecord, Engine]:
        engine = Engine(make_cloud(), sleep=Gauge().sleep)
        await deploy(engine, {"resources": [thing("base", size=5)]}, name="first")
        existing = {**thing("base"), "existing": True}
        skipped = {**thing("never"), "condition": False}
        template = {
            "resources": [existing, skipped],
            "outputs": {
                "SIZE": {"type": "int", "value": f"[reference(resourceId('{THING}', 'base')).size]"}
            },
        }
        good = await deploy(engine, template, name="second")
        missing = {**thing("ghost"), "existing": True}
        bad = await deploy(engine, {"resources": [missing]}, name="third")
        return good, bad, engine

    good, bad, engine = run(scenario())
    assert good.state == "Succeeded"
    assert good.outputs == {"SIZE": {"type": "Int", "value": 5}}
    assert good.output_resources == []
    [read, _outputs] = engine.history.operations(good.id)
    assert read.provisioning_operation == "Read"
    assert read.status_code == "OK"
    assert bad.state == "Failed"
    [failed] = engine.history.operations(bad.id)
    assert failed.provisioning_operation == "Read"
    assert failed.status_code == "NotFound"
    assert failed.error is not None and failed.error["code"] == "ResourceNotFound"


def test_complete_mode_deletes_what_the_template_no_longer_declares() -> None:
    async def scenario() -> tuple[DeploymentRecord, Engine]:
        engine = Engine(make_cloud(), sleep=Gauge().sleep)
        await deploy(engine, {"resources": [thing("keep"), thing("drop")]}, name="first")
        req = DeploymentRequest("Complete", {"resources": [thing("keep")]}, {}, {})
        scope = engine.scope(SUB, RG, "second", req.mode)
        prepared = prepare_template(req, scope)
        rec = engine.new_record(scope, req, prepared, "corr")
        engine.start(rec, prepared)
        while engine.active():
            await asyncio.sleep(0.005)
        final = engine.history.get(rec.id)
        assert final is not None
        return final, engine

    rec, engine = run(scenario())
    assert rec.state == "Succeeded"
    names = [d["name"] for d in engine.cloud.store.list("resource")]
    assert names == ["keep"]
    kinds = [op.provisioning_operation for op in engine.history.operations(rec.id)]
    assert kinds == ["Create", "Delete", "EvaluateDeploymentOutput"]
