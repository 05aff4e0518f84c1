"""`orchestrator logs`: the app's console output through the Container Apps log stream, once
or followed (`--follow` run as a subprocess: read a line, cause a new one, terminate)."""

from __future__ import annotations

import json
import signal
import uuid
from pathlib import Path

import pytest
from deploy_support import LineReader, Provisioned, get, hand_filled, poll, provision
from localcloud_fixture import LocalCloudHandle

pytestmark = [pytest.mark.functional, pytest.mark.slow]


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory, localcloud: LocalCloudHandle) -> Provisioned:
    """One provisioned and deployed app; the tests only read its log (and make requests)."""
    provisioned = provision(tmp_path_factory.mktemp("logs") / "ws", localcloud)
    ran = provisioned.deploy()
    assert ran.code == 0, ran.output
    return provisioned


def request_marker(p: Provisioned) -> str:
    """Ask the app for a unique path: its console then logs a line naming it."""
    marker = f"/marker-{uuid.uuid4().hex[:12]}"
    assert get(p, marker).status_code == 404
    return marker


def test_logs_prints_the_apps_console_output(deployed: Provisioned) -> None:
    marker = request_marker(deployed)

    def logged() -> list[str] | None:
        ran = deployed.cli("logs", "--tail", "50")
        assert ran.code == 0, ran.output
        lines = ran.stdout.splitlines()
        return lines if any(f'"GET {marker} HTTP/1.1" 404' in line for line in lines) else None

    lines = poll(logged, timeout=60, interval=0.5)
    stamp = lines[0].split(" ")[0]
    assert stamp[:4].isdigit() and "T" in stamp and stamp.endswith("Z")  # RFC 3339 first


def test_logs_json_lists_the_lines(deployed: Provisioned) -> None:
    marker = request_marker(deployed)

    def logged() -> dict[str, object] | None:
        ran = deployed.cli("logs", "--tail", "50", "--json")
        assert ran.code == 0, ran.output
        doc = ran.json()
        return doc if any(marker in line for line in doc["lines"]) else None

    doc = poll(logged, timeout=60, interval=0.5)
    assert doc["command"] == "logs" and doc["revision"]


def test_logs_follow_streams_new_lines_until_stopped(deployed: Provisioned) -> None:
    reader = LineReader(deployed.workspace, deployed.lc, ["logs", "--follow", "--tail", "5"])
    try:
        reader.wait_for(" ")  # the backlog comes first
        marker = request_marker(deployed)
        line = reader.wait_for(marker)
        assert line.endswith(f'"GET {marker} HTTP/1.1" 404 -')
        assert reader.process.poll() is None  # still following
        assert reader.stop() == -signal.SIGTERM  # it stops when told to
    finally:
        reader.stop()


def test_logs_follow_goes_on_with_the_new_replica_after_a_deploy(deployed: Provisioned) -> None:
    reader = LineReader(deployed.workspace, deployed.lc, ["logs", "--follow", "--tail", "5"])
    try:
        reader.wait_for(" ")
        ran = deployed.deploy("--restart")  # nothing changed: restarted on request, a new replica
        assert ran.code == 0, ran.output
        marker = request_marker(deployed)
        assert reader.wait_for(marker).endswith(f'"GET {marker} HTTP/1.1" 404 -')
        assert reader.process.poll() is None
    finally:
        reader.stop()
    assert "is gone; following " in reader.stderr()


def test_logs_follow_json_streams_ndjson(deployed: Provisioned) -> None:
    reader = LineReader(
        deployed.workspace, deployed.lc, ["logs", "--follow", "--tail", "5", "--json"]
    )
    try:
        reader.wait_for("{")
        marker = request_marker(deployed)
        event = json.loads(reader.wait_for(marker))
        assert set(event) == {"event", "text"} and event["event"] == "log"
        assert event["text"].endswith(f'"GET {marker} HTTP/1.1" 404 -')
    finally:
        reader.stop()


def test_logs_for_an_app_that_does_not_exist_names_the_key(
    tmp_path: Path, deployed: Provisioned
) -> None:
    typed = hand_filled(tmp_path / "typed", deployed, ACA_APP_NAME="nosuchapp")
    ran = typed.cli("logs")
    assert ran.code == 2, ran.output
    assert (
        "infra/inference.config.json: ACA_APP_NAME: container app nosuchapp does not exist"
        in ran.stderr
    )
