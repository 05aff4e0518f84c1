"""Carrying a destroy plan out (orchestrator/destroy/execute.py) over the deletion answers
of orchestrator/azure/teardown.py: 202 polled until done, 204/404 as already gone, a
timeout said as such. The Teardown is a real one over a hand-written client."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

import pytest

from orchestrator.azure.rest import ArmRest
from orchestrator.azure.teardown import DeleteFailed, Teardown
from orchestrator.destroy.execute import Executor, next_wait
from orchestrator.destroy.plan import Scope, classify, plan
from orchestrator.errors import AzureError, Interrupted
from orchestrator.events import Event, Progress

ENDPOINT = "https://arm.example"
G = "/subscriptions/s/resourceGroups/rg/providers"
APP = f"{G}/Microsoft.App/containerApps/app1"
ENV = f"{G}/Microsoft.App/managedEnvironments/env1"
LOGS = f"{G}/Microsoft.OperationalInsights/workspaces/log1"


@dataclass
class Reply:
    status_code: int
    doc: object = None
    headers: Mapping[str, str] = field(default_factory=dict)
    reason: str = ""

    @property
    def content(self) -> bytes:
        return b"" if self.doc is None else json.dumps(self.doc).encode()

    def text(self) -> str:
        return self.content.decode()

    def json(self) -> object:
        return self.doc


class Scripted:
    """Replies per (method, URL prefix), in turn; records each request."""

    def __init__(self, script: Mapping[tuple[str, str], list[Reply]]) -> None:
        self.script = {k: list(v) for k, v in script.items()}
        self.sent: list[tuple[str, str]] = []

    def send_request(self, request: Any) -> Reply:
        method, url = str(request.method), str(request.url)
        self.sent.append((method, url))
        for (m, prefix), replies in self.script.items():
            if m == method and url.startswith((ENDPOINT + prefix, prefix)):
                return replies.pop(0) if len(replies) > 1 else replies[0]
        raise AssertionError(f"unexpected {method} {url}")


class Recorder:
    def __init__(self) -> None:
        self.events: list[Event] = []

    def show(self, event: Event) -> None:
        self.events.append(event)

    def close(self) -> None:
        return None


class Clock:
    def __init__(self) -> None:
        self.now = 0.0
        self.slept: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def executor(
    script: Mapping[tuple[str, str], list[Reply]], timeout: float = 600
) -> tuple[Executor, Scripted, Recorder, Clock]:
    client = Scripted(script)
    teardown = Teardown(ArmRest(cast(Any, client), endpoint=ENDPOINT))
    display, clock = Recorder(), Clock()
    run = Executor(teardown, display, timeout=timeout, clock=clock, sleep=clock.sleep)
    return run, client, display, clock


def test_a_202_is_followed_until_its_location_answers_200() -> None:
    poll = f"{ENDPOINT}/operationResults/1"
    run, client, display, clock = executor(
        {
            ("DELETE", APP): [Reply(202, headers={"Location": poll, "Retry-After": "0"})],
            ("GET", poll): [Reply(202, headers={"Location": poll}), Reply(202), Reply(200)],
        }
    )
    (done,) = run.run(plan(classify([APP]), Scope()))
    assert done.result == "deleted"
    assert [m for m, _u in client.sent] == ["DELETE", "GET", "GET", "GET"]
    assert clock.slept == [1.0, 1.5, 2.25]
    texts = [e.text for e in display.events if isinstance(e, Progress)]
    assert texts[0] == "deleting app app1" and texts[-1].startswith("deleted: app app1")


def test_an_async_operation_status_is_followed_until_succeeded_or_failed() -> None:
    status = f"{ENDPOINT}/containerappOperationStatuses/1"
    headers = {"Azure-AsyncOperation": status}
    run, _client, _display, _clock = executor(
        {
            ("DELETE", ENV): [Reply(202, headers=headers)],
            ("GET", status): [
                Reply(200, {"status": "InProgress"}),
                Reply(200, {"status": "Succeeded"}),
            ],
        }
    )
    assert run.run(plan(classify([ENV]), Scope(everything=True)))[0].result == "deleted"
    run, _client, _display, _clock = executor(
        {
            ("DELETE", ENV): [Reply(202, headers=headers)],
            ("GET", status): [Reply(200, {"status": "Failed", "error": {"message": "stuck"}})],
        }
    )
    with pytest.raises(DeleteFailed, match="stuck"):
        run.run(plan(classify([ENV]), Scope(everything=True)))


def test_204_and_404_are_already_gone() -> None:
    run, _client, _display, _clock = executor(
        {
            ("DELETE", APP): [Reply(204)],
            ("DELETE", ENV): [Reply(404, {"error": {"code": "ResourceNotFound", "message": "x"}})],
        }
    )
    done = run.run(plan(classify([APP, ENV]), Scope(everything=True)))
    assert [d.result for d in done] == ["already gone", "already gone"]


def test_purge_sends_force_true_for_log_analytics() -> None:
    run, client, _display, _clock = executor({("DELETE", LOGS): [Reply(200)]})
    run.run(plan(classify([LOGS]), Scope(everything=True, purge=True)))
    assert "force=true" in client.sent[0][1]


def test_a_deletion_that_outlasts_the_timeout_says_to_run_again() -> None:
    poll = f"{ENDPOINT}/operationResults/2"
    run, _client, display, _clock = executor(
        {("DELETE", ENV): [Reply(202, headers={"Location": poll})], ("GET", poll): [Reply(202)]},
        timeout=30,
    )
    with pytest.raises(AzureError, match="still being deleted") as err:
        run.run(plan(classify([ENV]), Scope(everything=True)))
    assert "run `orchestrator destroy` again" in err.value.hint
    assert any("still deleting" in e.text for e in display.events if isinstance(e, Progress))


def test_next_wait_grows_to_ten_seconds_and_honours_retry_after() -> None:
    waits = [next_wait(0, 0)]
    for _ in range(8):
        waits.append(next_wait(waits[-1], 0))
    assert waits[0] == 1.0 and waits[-1] == 10.0
    assert next_wait(4.0, 120) == 30.0 and next_wait(4.0, 2) == 2


def test_ctrl_c_while_waiting_says_azure_goes_on() -> None:
    poll = f"{ENDPOINT}/operationResults/3"
    client = Scripted({("DELETE", ENV): [Reply(202, headers={"Location": poll})]})
    teardown = Teardown(ArmRest(cast(Any, client), endpoint=ENDPOINT))

    def interrupted(_seconds: float) -> None:
        raise KeyboardInterrupt

    run = Executor(teardown, Recorder(), clock=Clock(), sleep=interrupted)
    with pytest.raises(Interrupted, match="Azure goes on deleting it") as err:
        run.run(plan(classify([ENV]), Scope(everything=True)))
    assert "destroy` again" in err.value.hint
