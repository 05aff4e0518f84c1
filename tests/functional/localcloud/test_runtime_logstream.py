"""The console log stream and event stream of a running app, with getAuthtoken-style tokens."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from runtime_harness import (
    APP_PY,
    SUB,
    app_doc,
    client_context,
    eventually,
    make_cloud,
    make_supervisor,
    put_storage,
)

from localcloud.auth import TokenService
from localcloud.cloud import Identity

pytestmark = pytest.mark.functional


async def serve(sup: Any) -> tuple[web.AppRunner, str]:
    app = web.Application()
    app.router.add_get("/logstream/{tail:.*}", sup.handle_logstream)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
    return runner, f"http://127.0.0.1:{port}"


def test_console_log_follows_new_lines_and_tokens_are_checked(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        put_storage(cloud, "store1", "acct1", "share1")
        share = cloud.files.share_path("acct1", "share1")
        (share / "app.py").write_text(APP_PY)
        (share / "data.txt").write_text("x")
        tokens = TokenService(Identity("tenant", SUB, "client", "s"), b"k" * 32, "https://x")
        cloud.tokens = tokens
        sup = make_supervisor(cloud)
        doc = app_doc("logs1", "cd /mount; python3 ./app.py")
        runner, base = await serve(sup)
        try:
            fields = sup.apply(doc)
            rev = fields["latestRevisionName"]

            def ready() -> Any:
                reps = sup.replicas(doc["id"], rev)
                return reps and reps[0]["properties"]["containers"][0]["ready"] and reps[0]

            replica = await eventually(ready)
            endpoint = replica["properties"]["containers"][0]["logStreamEndpoint"]
            path = endpoint.split("/logstream/", 1)[1]
            url = f"{base}/logstream/{path}"
            good = {
                "Authorization": "Bearer "
                + tokens.issue_token(doc["id"], "containerapps-logstream", 60)
            }
            wrong = {
                "Authorization": "Bearer "
                + tokens.issue_token(doc["id"], "https://management.azure.com", 60)
            }
            async with aiohttp.ClientSession() as session:
                for headers in ({}, wrong):
                    async with session.get(url, headers=headers) as resp:
                        assert resp.status == 401
                async with session.get(url, params={"tailLines": "5"}, headers=good) as resp:
                    text = await resp.text()
                    assert resp.status == 200 and "booting replica" in text
                follow = {"follow": "true", "tailLines": "1", "output": "json"}
                async with session.get(url, params=follow, headers=good) as resp:
                    first = json.loads(await resp.content.readline())
                    assert "booting replica" in first["Log"]
                    ingress = f"https://{fields['fqdn']}/hello"
                    async with session.get(ingress, ssl=client_context(cloud)) as hit:
                        assert hit.status == 200
                    line = await asyncio.wait_for(resp.content.readline(), 10)
                    assert json.loads(line)["Log"] == "request /hello"
                events = f"{fields['eventStreamEndpoint'].split('/logstream/', 1)[0]}"
                assert events == cloud.base_url
                event_url = (
                    f"{base}/logstream/{fields['eventStreamEndpoint'].split('/logstream/', 1)[1]}"
                )
                async with session.get(event_url, params={"tailLines": "50"}, headers=good) as resp:
                    reasons = [json.loads(x)["Reason"] for x in (await resp.text()).splitlines()]
                    assert "ContainerStarted" in reasons and "ReplicaReady" in reasons
        finally:
            await runner.cleanup()
            await sup.shutdown()

    asyncio.run(scenario())
