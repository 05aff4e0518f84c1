"""A state directory survives a restart on another port: endpoints follow the current address,
and the orchestrator provisions, deploys, and deploys again after the move."""

from __future__ import annotations

import socket
import sys
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, start_localcloud

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "orchestrator"))

from deploy_support import Provisioned, answered_version, code_version, provision

pytestmark = [pytest.mark.functional, pytest.mark.slow]


def other_free_port(than: int) -> int:
    while True:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = int(probe.getsockname()[1])
        if port != than:
            return port


def arm_get(handle: LocalCloudHandle, resource_id: str, api_version: str) -> dict[str, object]:
    response = handle.request("GET", f"{resource_id}?api-version={api_version}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def test_deploy_works_again_after_a_restart_on_another_port(tmp_path: Path) -> None:
    first = start_localcloud(tmp_path / "lc")
    try:
        provisioned = provision(tmp_path / "ws", first)
        ran = provisioned.deploy()
        assert ran.code == 0, ran.output
    finally:
        first.stop()
    second = start_localcloud(tmp_path / "lc", port=other_free_port(first.port))
    try:
        assert second.port != first.port
        moved = Provisioned(provisioned.workspace, second, provisioned.config)
        group = f"/subscriptions/{second.subscription_id}/resourceGroups/{moved.group}"
        account = arm_get(
            second,
            f"{group}/providers/Microsoft.Storage/storageAccounts/{moved.account}",
            "2023-01-01",
        )
        endpoints = account["properties"]["primaryEndpoints"]  # type: ignore[index]
        assert endpoints["file"].startswith(second.endpoint + "/")
        app = arm_get(
            second, f"{group}/providers/Microsoft.App/containerApps/{moved.app}", "2024-03-01"
        )
        assert app["properties"]["eventStreamEndpoint"].startswith(second.endpoint + "/")  # type: ignore[index]
        (moved.workspace / "inference" / "greeting.txt").write_text("Moved to a new port.\n")
        again = moved.deploy()
        assert again.code == 0, again.output
        assert answered_version(moved) == code_version(moved.workspace / "inference")
    finally:
        second.stop()


def test_the_last_port_is_reused_when_it_is_free(tmp_path: Path) -> None:
    first = start_localcloud(tmp_path / "lc")
    first.stop()
    second = start_localcloud(tmp_path / "lc")
    try:
        assert second.port == first.port
    finally:
        second.stop()


def test_a_taken_last_port_gives_way_to_a_free_one(tmp_path: Path) -> None:
    first = start_localcloud(tmp_path / "lc")
    first.stop()
    with socket.socket() as squatter:
        squatter.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        squatter.bind(("127.0.0.1", first.port))
        squatter.listen(1)
        second = start_localcloud(tmp_path / "lc")
        try:
            assert second.port != first.port
        finally:
            second.stop()
