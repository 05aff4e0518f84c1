"""Revisions over time: mounts in both modes, rollover, localcloud restart, probe restarts."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from runtime_harness import (
    APP_PY,
    alive,
    app_doc,
    client_context,
    eventually,
    make_cloud,
    make_supervisor,
    put_storage,
)

from localcloud.runtime.mounts import namespace_available

pytestmark = pytest.mark.functional

SERVE = "cd /mount; python3 ./app.py"


def prepare(cloud: Any) -> Path:
    put_storage(cloud, "store1", "acct1", "share1")
    share: Path = cloud.files.share_path("acct1", "share1")
    (share / "app.py").write_text(APP_PY)
    (share / "data.txt").write_text("shared")
    return share


def ready(sup: Any, app_id: str, rev: str) -> dict[str, Any] | None:
    reps = sup.replicas(app_id, rev)
    return reps[0] if reps and reps[0]["properties"]["containers"][0]["ready"] else None


def pid_of(replica: dict[str, Any]) -> int:
    return int(replica["properties"]["containers"][0]["containerId"].split("//")[1])


async def fetch(fqdn: str, cloud: Any) -> dict[str, Any]:
    url, ctx = f"https://{fqdn}/", client_context(cloud)
    async with aiohttp.ClientSession() as session, session.get(url, ssl=ctx) as resp:
        assert resp.status == 200
        result: dict[str, Any] = json.loads(await resp.text())
        return result


@pytest.mark.parametrize("mode", ["rewrite", "namespace"])
def test_the_share_is_visible_at_its_mount_path(tmp_path: Path, mode: str) -> None:
    if mode == "namespace" and not namespace_available():
        pytest.skip("private mount namespaces need root and unshare")

    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        share = prepare(cloud)
        sup = make_supervisor(cloud, mount_mode=mode)
        doc = app_doc("mnt1", SERVE)
        try:
            fields = sup.apply(doc)
            await eventually(lambda: ready(sup, doc["id"], fields["latestRevisionName"]))
            body = await fetch(fields["fqdn"], cloud)
            assert body["data"] == "shared"
            assert body["cwd"] == ("/mount" if mode == "namespace" else str(share))
            assert not Path("/mount").exists() or mode == "rewrite"
        finally:
            await sup.shutdown()
        assert not (cloud.state_dir / "runtime" / "replicas").exists() or not any(
            (cloud.state_dir / "runtime" / "replicas").iterdir()
        )

    asyncio.run(scenario())


def test_a_template_change_rolls_over_to_a_new_revision(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare(cloud)
        sup = make_supervisor(cloud)
        doc = app_doc("roll1", SERVE, secrets=[{"name": "s1", "value": "v1"}])
        try:
            first = sup.apply(doc)["latestRevisionName"]
            old = await eventually(lambda: ready(sup, doc["id"], first))
            doc2 = app_doc(
                "roll1",
                SERVE,
                env=[{"name": "SECRET_VALUE", "secretRef": "s1"}],
                secrets=[{"name": "s1", "value": "v1"}],
            )
            fields = sup.apply(doc2)
            second = fields["latestRevisionName"]
            assert second != first
            await eventually(lambda: not alive(pid_of(old)))
            await eventually(lambda: ready(sup, doc["id"], second))
            assert (await fetch(fields["fqdn"], cloud))["secret"] == "v1"
            by_name = {r["name"]: r["properties"] for r in sup.revisions(doc["id"])}
            assert by_name[first]["active"] is False and by_name[first]["runningState"] == "Stopped"
            assert by_name[second]["active"] is True and by_name[second]["trafficWeight"] == 100
            assert sup.replicas(doc["id"], first) == []
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def test_a_localcloud_restart_reruns_active_apps_on_the_same_port(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare(cloud)
        sup = make_supervisor(cloud)
        secret = [{"name": "s1", "value": "kept"}]
        env = [{"name": "SECRET_VALUE", "secretRef": "s1"}]
        doc = app_doc("again1", SERVE, env=env, secrets=secret)
        fields = sup.apply(doc)
        stored = app_doc("again1", SERVE, env=env, secrets=[{"name": "s1"}])  # redacted
        cloud.store.put("resource", doc["id"].lower(), stored)  # what the provider stores
        rev = fields["latestRevisionName"]
        pid = pid_of(await eventually(lambda: ready(sup, doc["id"], rev)))
        await sup.shutdown()
        assert not alive(pid)

        sup2 = make_supervisor(cloud)
        try:
            await sup2.startup()
            again = await eventually(lambda: ready(sup2, doc["id"], rev))
            assert again["name"] != ""
            assert [r["name"] for r in sup2.revisions(doc["id"])] == [rev]
            body = await fetch(fields["fqdn"], cloud)
            assert (body["data"], body["secret"]) == ("shared", "kept")
        finally:
            await sup2.shutdown()

    asyncio.run(scenario())


def test_failing_liveness_restarts_the_container_in_place(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare(cloud)
        sup = make_supervisor(cloud)
        liveness = {
            "type": "Liveness",
            "httpGet": {"path": "/missing-file", "port": 7860},
            "periodSeconds": 10,
            "failureThreshold": 2,
        }
        # started from /mount/sub the sample app cannot read data.txt: every GET fails
        doc = app_doc("live1", "cd /mount/sub; python3 ../app.py", probes=[liveness])
        (cloud.files.share_path("acct1", "share1") / "sub").mkdir()
        try:
            rev = sup.apply(doc)["latestRevisionName"]

            def restarted() -> dict[str, Any] | None:
                reps = sup.replicas(doc["id"], rev)
                ok = reps and reps[0]["properties"]["containers"][0]["restartCount"] >= 1
                return reps[0] if ok else None

            replica = await eventually(restarted)
            reasons = {e["Reason"] for e in sup.events(doc["id"], 100)}
            assert "LivenessProbeFailed" in reasons
            assert replica["name"] == sup.replicas(doc["id"], rev)[0]["name"]  # same replica
        finally:
            await sup.shutdown()

    asyncio.run(scenario())
