"""A real Supervisor running a tiny Python HTTP app from a share folder mounted at /mount."""

from __future__ import annotations

import asyncio
import json
import sys
import time
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

pytestmark = pytest.mark.functional

SERVE = "cd /mount; python3 ./app.py"


def prepare_share(tmp_path: Path, cloud: Any) -> Path:
    put_storage(cloud, "store1", "acct1", "share1")
    share = cloud.files.share_path("acct1", "share1")
    (share / "app.py").write_text(APP_PY)
    (share / "data.txt").write_text("from the share")
    return share


def ready_replica(sup: Any, app_id: str, rev: str) -> dict[str, Any] | None:
    reps = sup.replicas(app_id, rev)
    if reps and reps[0]["properties"]["containers"][0]["ready"]:
        return reps[0]
    return None


async def get(url: str, ctx: Any) -> tuple[int, str]:
    async with aiohttp.ClientSession() as session, session.get(url, ssl=ctx) as resp:
        return resp.status, await resp.text()


def test_ingress_answers_503_until_ready_then_200_from_the_share(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare_share(tmp_path, cloud)
        sup = make_supervisor(cloud)
        doc = app_doc("app1", SERVE, env=[{"name": "START_DELAY", "value": "1.5"}])
        try:
            fields = sup.apply(doc)
            url = f"https://{fields['fqdn']}/"
            assert fields["fqdn"].startswith("localhost:")
            assert fields["runningStatus"] == "Progressing"
            rev = fields["latestRevisionName"]
            assert rev.startswith("app1--") and len(rev) == len("app1--") + 7
            ctx = client_context(cloud)
            await eventually(lambda: sup._apps[doc["id"].lower()].ingress._runner)  # listening
            status, text = await get(url, ctx)
            assert (status, text.startswith("upstream connect error")) == (503, True)
            await eventually(lambda: ready_replica(sup, doc["id"], rev))
            status, text = await get(url, ctx)
            body = json.loads(text)
            assert status == 200
            assert body["data"] == "from the share"
            assert body["replica"] == sup.replicas(doc["id"], rev)[0]["name"]
            [revision] = sup.revisions(doc["id"])
            assert revision["properties"]["runningState"] == "Running"
            assert revision["properties"]["healthState"] == "Healthy"
            assert sup.apply(doc)["latestReadyRevisionName"] == rev
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def test_server_sent_events_and_large_uploads_stream_through_ingress(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare_share(tmp_path, cloud)
        sup = make_supervisor(cloud)
        doc = app_doc("app2", SERVE)
        try:
            fields = sup.apply(doc)
            rev = fields["latestRevisionName"]
            await eventually(lambda: ready_replica(sup, doc["id"], rev))
            ctx = client_context(cloud)
            base = f"https://{fields['fqdn']}"
            async with aiohttp.ClientSession() as session:
                started = time.monotonic()
                async with session.get(f"{base}/sse", ssl=ctx) as resp:
                    first = await resp.content.readline()
                    first_at = time.monotonic() - started
                    rest = await resp.read()
                total = time.monotonic() - started
                assert first == b"data: 0\n"
                assert rest.count(b"data: ") == 2
                assert first_at < total - 0.8  # the first event did not wait for the end

                payload = b"x" * (8 * 1024 * 1024)
                async with session.post(f"{base}/upload", data=payload, ssl=ctx) as resp:
                    assert json.loads(await resp.text()) == {"received": len(payload)}
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def test_restart_replaces_the_replica_and_its_process(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare_share(tmp_path, cloud)
        sup = make_supervisor(cloud)
        doc = app_doc("app3", SERVE)
        try:
            rev = sup.apply(doc)["latestRevisionName"]
            before = await eventually(lambda: ready_replica(sup, doc["id"], rev))
            old_pid = int(before["properties"]["containers"][0]["containerId"].split("//")[1])
            sup.restart(doc["id"], rev)
            [fresh] = sup.replicas(doc["id"], rev)
            assert fresh["name"] != before["name"]
            assert fresh["properties"]["containers"][0]["ready"] is False
            assert fresh["properties"]["createdTime"] > before["properties"]["createdTime"]
            await eventually(lambda: not alive(old_pid))
            after = await eventually(lambda: ready_replica(sup, doc["id"], rev))
            assert after["name"] == fresh["name"]
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def test_a_container_that_exits_is_reported_failed_with_its_last_lines(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare_share(tmp_path, cloud)
        sup = make_supervisor(cloud)
        doc = app_doc("app4", "echo 'pip install failed: no space left'; exit 3")
        try:
            rev = sup.apply(doc)["latestRevisionName"]

            def failed() -> dict[str, Any] | None:
                [r] = sup.revisions(doc["id"])
                return r if r["properties"]["runningState"] == "Failed" else None

            revision = await eventually(failed)
            assert revision["properties"]["healthState"] == "Unhealthy"
            [replica] = sup.replicas(doc["id"], rev)
            container = replica["properties"]["containers"][0]
            assert container["restartCount"] >= 3
            assert "exited with code 3" in container["runningStateDetails"]
            assert any("no space left" in line for line in sup.log_lines(doc["id"], 10))
            reasons = {e["Reason"] for e in sup.events(doc["id"], 50)}
            assert {"ContainerStarted", "ContainerTerminated"} <= reasons
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def test_remove_leaves_no_process_and_frees_the_port(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        prepare_share(tmp_path, cloud)
        sup = make_supervisor(cloud)
        doc = app_doc("app5", SERVE + " & sleep 300 & wait")
        try:
            fields = sup.apply(doc)
            rev = fields["latestRevisionName"]
            replica = await eventually(lambda: ready_replica(sup, doc["id"], rev))
            pid = int(replica["properties"]["containers"][0]["containerId"].split("//")[1])
            sup.remove(doc["id"])
            await sup.settle()
            assert not alive(pid)
            leftovers = [
                p for p in Path("/proc").iterdir() if p.name.isdigit() and _in_group(p, pid)
            ]
            assert leftovers == []
            assert sup.revisions(doc["id"]) == []
            port = int(fields["fqdn"].split(":")[1])
            with pytest.raises(OSError):
                await asyncio.open_connection("127.0.0.1", port)
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def _in_group(proc: Path, pgid: int) -> bool:
    try:
        fields = (proc / "stat").read_text().split(")")[-1].split()
    except OSError:
        return False
    return int(fields[2]) == pgid and fields[0] != "Z"


WS_APP = """
import os
from aiohttp import web

async def echo(request):
    ws = web.WebSocketResponse()
    await ws.prepare(request)
    async for msg in ws:
        await ws.send_str("echo:" + msg.data)
    return ws

async def index(request):
    return web.Response(text="ok")

app = web.Application()
app.router.add_get("/ws", echo)
app.router.add_get("/", index)
web.run_app(app, host="127.0.0.1", port=int(os.environ["PORT"]), print=None)
"""


def test_websockets_pass_through_ingress(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        share = prepare_share(tmp_path, cloud)
        (share / "ws_app.py").write_text(WS_APP)
        sup = make_supervisor(cloud)
        doc = app_doc("ws1", f"cd /mount; exec {sys.executable} ./ws_app.py")
        try:
            fields = sup.apply(doc)
            await eventually(lambda: ready_replica(sup, doc["id"], fields["latestRevisionName"]))
            url, ctx = f"wss://{fields['fqdn']}/ws", client_context(cloud)
            async with aiohttp.ClientSession() as session, session.ws_connect(url, ssl=ctx) as ws:
                await ws.send_str("hi")
                assert (await ws.receive_str()) == "echo:hi"
        finally:
            await sup.shutdown()

    asyncio.run(scenario())
