"""Hardening of the server: an unsafe state directory is refused, secrets are private files,
a half-sent request is closed, an oversized ARM body is refused, client.json follows the
server's life."""

from __future__ import annotations

import json
import os
import socket
import ssl
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest
from localcloud_fixture import LocalCloudHandle, start_localcloud

pytestmark = pytest.mark.functional

SECRET_FILES = (
    "identity.json",
    "signing.key",
    "ca-key.pem",
    "server-key.pem",
    "client.json",
    "state.db",
    "state.db-wal",
    "state.db-shm",
)
C1_KEYS = {
    "running",
    "endpoint",
    "ca_file",
    "tenant_id",
    "client_id",
    "client_secret",
    "subscription_id",
    "authority",
    "admin_url",
    "state_dir",
    "pid",
    "port",
}


def serve(state_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", "serve", "--state-dir", str(state_dir)],
        capture_output=True,
        text=True,
        timeout=60,
    )


def refused_with(state_dir: Path, words: str) -> None:
    done = serve(state_dir)
    assert done.returncode != 0
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert words in lines[0] and str(state_dir) in lines[0]
    assert "Traceback" not in done.stderr
    assert not (state_dir / "identity.json").exists()


def test_a_state_dir_owned_by_another_user_is_refused(tmp_path: Path) -> None:
    if os.geteuid() != 0:
        pytest.skip("making a directory owned by another user needs root (os.chown)")
    state = tmp_path / "theirs"
    state.mkdir(mode=0o700)
    os.chown(state, 65534, 65534)
    refused_with(state, "belongs to uid 65534")


@pytest.mark.parametrize("mode", [0o770, 0o707, 0o777])
def test_a_state_dir_its_group_or_others_can_write_is_refused(tmp_path: Path, mode: int) -> None:
    state = tmp_path / "open"
    state.mkdir()
    state.chmod(mode)
    refused_with(state, "writable by its group or others")


def test_status_stop_and_reset_refuse_it_too(tmp_path: Path) -> None:
    state = tmp_path / "open"
    state.mkdir()
    state.chmod(0o777)
    for command in ("status", "stop", "reset"):
        done = subprocess.run(
            [sys.executable, "-m", "localcloud", command, "--state-dir", str(state)],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 1, command
        assert "writable by its group or others" in done.stderr
    assert state.exists()


def cli(state_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "localcloud", *args, "--state-dir", str(state_dir)],
        capture_output=True,
        text=True,
        timeout=90,
    )


def test_a_new_state_dir_is_0700_and_every_secret_file_0600(tmp_path: Path) -> None:
    state = tmp_path / "fresh" / "lc"
    started = cli(state, "start", "--json")
    assert started.returncode == 0, started.stdout + started.stderr
    try:
        doc = json.loads(started.stdout)
        sub = doc["subscription_id"]
        assert stat.S_IMODE(state.stat().st_mode) == 0o700
        for name in (*SECRET_FILES, "localcloud.log"):
            mode = stat.S_IMODE((state / name).stat().st_mode)
            assert mode == 0o600, f"{name}: {mode:04o}"
        assert sub
    finally:
        assert cli(state, "stop").returncode == 0


def test_client_json_is_written_once_listening_and_removed_on_stop(tmp_path: Path) -> None:
    handle = start_localcloud(tmp_path / "lc")
    client = handle.state_dir / "client.json"
    try:
        doc = json.loads(client.read_text())
        assert set(doc) >= C1_KEYS
        assert doc["running"] is True and doc["pid"] == handle.process.pid
        assert doc["endpoint"] == handle.endpoint == f"https://127.0.0.1:{doc['port']}"
        assert doc["client_secret"] == handle.client_secret
        status = subprocess.run(
            [sys.executable, "-m", "localcloud", "status", "--json"],
            capture_output=True,
            text=True,
            timeout=60,
            env={**os.environ, "LOCALCLOUD_STATE_DIR": str(handle.state_dir)},
        )
        assert json.loads(status.stdout) == doc
    finally:
        handle.stop()
    assert not client.exists()


def tls_socket(handle: LocalCloudHandle) -> ssl.SSLSocket:
    context = ssl.create_default_context(cafile=handle.ca_file)
    raw = socket.create_connection(("127.0.0.1", handle.port), timeout=30)
    return context.wrap_socket(raw, server_hostname="127.0.0.1")


def closed_after(conn: ssl.SSLSocket) -> float:
    """Seconds until the server closes `conn` (reading whatever it sends first)."""
    started = time.monotonic()
    while conn.recv(65536):
        pass
    return time.monotonic() - started


@pytest.fixture(scope="module")
def quick(tmp_path_factory: pytest.TempPathFactory) -> LocalCloudHandle:
    handle = start_localcloud(tmp_path_factory.mktemp("quick"), args=("--header-timeout", "1"))
    yield handle  # type: ignore[misc]
    handle.stop()


def test_a_half_sent_request_head_is_closed_within_the_timeout(quick: LocalCloudHandle) -> None:
    with tls_socket(quick) as conn:
        conn.sendall(b"GET /metadata/endpoints HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Half: ")
        waited = closed_after(conn)
    assert 0.5 <= waited < 5


def test_a_half_sent_arm_body_is_closed_within_the_timeout(quick: LocalCloudHandle) -> None:
    path = f"/subscriptions/{quick.subscription_id}/resourcegroups/half?api-version=2021-04-01"
    head = (
        f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {quick.token()}\r\n"
        "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
    )
    with tls_socket(quick) as conn:
        conn.sendall(head.encode() + b'{"location":')
        waited = closed_after(conn)
    assert 1 <= waited < 8


def test_an_idle_client_that_never_sends_is_closed(quick: LocalCloudHandle) -> None:
    with tls_socket(quick) as conn:
        assert closed_after(conn) < 5


def test_a_client_that_never_starts_tls_is_closed(quick: LocalCloudHandle) -> None:
    with socket.create_connection(("127.0.0.1", quick.port), timeout=30) as raw:
        started = time.monotonic()
        assert raw.recv(1024) == b""
    assert time.monotonic() - started < 5


def test_an_oversized_arm_body_is_refused_with_413(quick: LocalCloudHandle) -> None:
    path = f"/subscriptions/{quick.subscription_id}/resourcegroups/big?api-version=2021-04-01"
    head = (
        f"PUT {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {quick.token()}\r\n"
        f"Content-Type: application/json\r\nContent-Length: {5 * 1024 * 1024}\r\n\r\n"
    )
    with tls_socket(quick) as conn:
        conn.sendall(head.encode())
        answer = b""
        while b"\r\n\r\n" not in answer or not answer.rstrip().endswith(b"}"):
            chunk = conn.recv(65536)
            if not chunk:
                break
            answer += chunk
    status_line, _, rest = answer.partition(b"\r\n")
    assert status_line.startswith(b"HTTP/1.1 413")
    body = json.loads(rest.split(b"\r\n\r\n", 1)[1])
    assert body["error"]["code"] == "RequestContentTooLarge"


def test_an_oversized_chunked_arm_body_is_refused_with_413(quick: LocalCloudHandle) -> None:
    def chunks() -> object:
        for _ in range(80):
            yield b" " * 65536  # 5 MiB of JSON whitespace

    path = f"/subscriptions/{quick.subscription_id}/resourcegroups/big2?api-version=2021-04-01"
    try:
        response = quick.request("PUT", path, data=chunks())  # type: ignore[arg-type]
    except OSError as err:  # the server may close before the client has sent everything
        pytest.fail(f"no answer: {err}")
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "RequestContentTooLarge"


def test_an_unauthenticated_big_body_gets_401_not_413(quick: LocalCloudHandle) -> None:
    path = f"/subscriptions/{quick.subscription_id}/resourcegroups/x?api-version=2021-04-01"
    response = quick.request("PUT", path, token=None, data=b"{}")
    assert response.status_code == 401


def test_a_subsystem_that_cannot_be_built_stops_the_start(tmp_path: Path) -> None:
    state = tmp_path / "broken"
    state.mkdir(mode=0o700)
    (state / "state.db").mkdir()  # the store cannot open its database
    done = serve(state)
    assert done.returncode == 1
    assert "localcloud failed to start" in done.stderr
    assert "state.db" in done.stderr or "database" in done.stderr
    assert not (state / "client.json").exists()


def test_a_stale_client_file_naming_another_process_is_neither_running_nor_stopped(
    tmp_path: Path,
) -> None:
    state = tmp_path / "stale"
    state.mkdir(mode=0o700)
    other = subprocess.Popen(["sleep", "60"])
    try:
        (state / "client.json").write_text(json.dumps({"pid": other.pid, "port": 1}))
        (state / "client.json").chmod(0o600)
        assert cli(state, "status").returncode == 3
        assert cli(state, "stop").returncode == 0
        assert other.poll() is None  # the unrelated process was not signalled
    finally:
        other.kill()
        other.wait()
