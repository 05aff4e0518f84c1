"""State across restarts, the `localcloud` CLI (start/stop/status/reset), secret file modes."""

from __future__ import annotations

import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest
from azure.mgmt.resource.resources import ResourceManagementClient
from localcloud_fixture import LocalCloudHandle, sdk_kwargs, start_localcloud, unique_name

pytestmark = pytest.mark.functional

STATUS_FIELDS = {
    "endpoint",
    "ca_file",
    "tenant_id",
    "client_id",
    "client_secret",
    "subscription_id",
    "admin_url",
    "authority",
    "state_dir",
    "pid",
    "running",
}


def _cli(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "LOCALCLOUD_STATE_DIR"}
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args, "--state-dir", str(state_dir)],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )


def test_state_and_identity_survive_a_restart(private_localcloud: LocalCloudHandle) -> None:
    name = unique_name()
    first = private_localcloud
    ResourceManagementClient(
        first.credential(), first.subscription_id, **sdk_kwargs(first)
    ).resource_groups.create_or_update(name, {"location": "eastus", "tags": {"k": "v"}})
    second = first.restart()
    try:
        assert (second.tenant_id, second.client_secret) == (first.tenant_id, first.client_secret)
        client = ResourceManagementClient(
            second.credential(), second.subscription_id, **sdk_kwargs(second)
        )
        assert client.resource_groups.get(name).tags == {"k": "v"}
    finally:
        second.stop()


def test_status_json_describes_a_running_server(private_localcloud: LocalCloudHandle) -> None:
    handle = private_localcloud
    result = _cli(handle.state_dir, "status", "--json")
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert set(status) >= STATUS_FIELDS
    assert status["running"] is True
    assert status["endpoint"] == handle.endpoint
    assert status["authority"] == handle.endpoint
    assert status["admin_url"] == handle.admin_url
    assert status["pid"] == handle.process.pid
    assert status["client_secret"] == handle.client_secret
    assert Path(status["ca_file"]).read_text().startswith("-----BEGIN CERTIFICATE-----")


def test_secret_files_are_readable_only_by_the_user(private_localcloud: LocalCloudHandle) -> None:
    for name in ("identity.json", "signing.key", "ca-key.pem", "server-key.pem"):
        mode = stat.S_IMODE((private_localcloud.state_dir / name).stat().st_mode)
        assert mode == 0o600, name


def test_status_of_a_stopped_server_exits_3(tmp_path: Path) -> None:
    result = _cli(tmp_path / "never", "status", "--json")
    assert result.returncode == 3
    assert json.loads(result.stdout)["running"] is False


@pytest.mark.slow
def test_start_status_stop_reset_as_a_daemon(tmp_path: Path) -> None:
    state = tmp_path / "daemon"
    started = _cli(state, "start")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        status = json.loads(_cli(state, "status", "--json").stdout)
        assert status["running"] is True
        again = _cli(state, "start")
        assert again.returncode == 0
        assert "already running" in again.stdout
        assert json.loads(_cli(state, "status", "--json").stdout)["pid"] == status["pid"]
    finally:
        stopped = _cli(state, "stop")
    assert stopped.returncode == 0
    assert _cli(state, "status").returncode == 3
    assert (state / "identity.json").exists()
    assert _cli(state, "reset").returncode == 0
    assert not state.exists()


def test_a_fixed_port_is_used(tmp_path: Path) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handle = start_localcloud(tmp_path / "fixed", port=port)
    try:
        assert handle.endpoint == f"https://127.0.0.1:{port}"
    finally:
        handle.stop()
    assert not (tmp_path / "fixed" / "client.json").exists()


def test_the_state_dir_can_come_from_the_environment(
    private_localcloud: LocalCloudHandle,
) -> None:
    env = {**os.environ, "LOCALCLOUD_STATE_DIR": str(private_localcloud.state_dir)}
    result = subprocess.run(
        [sys.executable, "-m", "localcloud", "status", "--json"],
        capture_output=True,
        text=True,
        timeout=90,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["state_dir"] == str(private_localcloud.state_dir.resolve())
    assert status["endpoint"] == private_localcloud.endpoint


def test_it_listens_on_loopback_127_0_0_1_only(localcloud: LocalCloudHandle) -> None:
    import socket

    with socket.create_connection(("127.0.0.1", localcloud.port), timeout=5):
        pass
    # Every 127/8 address reaches the loopback interface, but only 127.0.0.1 is bound.
    for host, family in (("127.0.0.2", socket.AF_INET), ("::1", socket.AF_INET6)):
        with socket.socket(family) as probe:
            probe.settimeout(5)
            with pytest.raises(OSError):
                probe.connect((host, localcloud.port))
