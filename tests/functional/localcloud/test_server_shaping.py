"""Network shaping: the latency added per request and the bandwidth cap per connection, set at
start (`--latency-ms`, `--bandwidth-kbps`) or through `POST /_localcloud/settings`."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests
from localcloud_fixture import LocalCloudHandle, start_localcloud

pytestmark = pytest.mark.functional

METADATA = "/metadata/endpoints?api-version=2022-09-01"


@pytest.fixture(scope="module")
def shaped(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalCloudHandle]:
    handle = start_localcloud(tmp_path_factory.mktemp("shaped"), args=("--latency-ms", "150"))
    try:
        yield handle
    finally:
        handle.stop()


def round_trip(handle: LocalCloudHandle, session: requests.Session) -> float:
    started = time.monotonic()
    response = session.get(handle.endpoint + METADATA, verify=handle.ca_file, timeout=30)
    assert response.status_code == 200
    return time.monotonic() - started


def test_every_request_waits_the_latency_given_at_start(shaped: LocalCloudHandle) -> None:
    with requests.Session() as session:
        round_trip(shaped, session)  # connect and TLS first
        times = [round_trip(shaped, session) for _ in range(3)]
    assert min(times) >= 0.15


def test_the_admin_setting_changes_the_latency_and_reset_restores_the_start_value(
    shaped: LocalCloudHandle,
) -> None:
    answer = shaped.admin("POST", "settings", json={"latency_ms": 400})
    assert answer.status_code == 200 and answer.json()["latency_ms"] == 400
    try:
        with requests.Session() as session:
            round_trip(shaped, session)
            assert round_trip(shaped, session) >= 0.4
    finally:
        assert shaped.admin("POST", "reset").status_code == 204
    assert shaped.admin("GET", "settings").json()["latency_ms"] == 150


def test_admin_calls_are_not_delayed(shaped: LocalCloudHandle) -> None:
    shaped.admin("GET", "settings")
    started = time.monotonic()
    assert shaped.admin("GET", "settings").status_code == 200
    assert time.monotonic() - started < 0.15


def test_bad_shaping_settings_are_refused(shaped: LocalCloudHandle) -> None:
    for doc in ({"latency_ms": -1}, {"bandwidth_kbps": "fast"}, {"latency_ms": True}):
        answer = shaped.admin("POST", "settings", json=doc)
        assert answer.status_code == 400, doc
        assert "must be a number" in answer.json()["error"]["message"]


def test_a_download_stays_under_the_bandwidth_cap(tmp_path: Path) -> None:
    handle = start_localcloud(tmp_path / "lc", args=("--bandwidth-kbps", "16"))  # 2000 B/s
    try:
        with requests.Session() as session:
            session.get(handle.endpoint + METADATA, verify=handle.ca_file, timeout=30)
            started = time.monotonic()
            response = session.get(handle.endpoint + METADATA, verify=handle.ca_file, timeout=30)
            elapsed = time.monotonic() - started
        size = len(response.content) + 200  # the body and about the size of its head
        assert size >= 1000
        assert size / elapsed <= 2000 * 1.25  # throughput within the cap (25% tolerance)
    finally:
        handle.stop()


def test_an_upload_stays_under_the_cap_set_through_the_admin_api(
    private_localcloud: LocalCloudHandle,
) -> None:
    handle = private_localcloud
    assert handle.admin("POST", "settings", json={"bandwidth_kbps": 800}).status_code == 200
    body = b"[" + b" " * 200_000 + b"]"  # 200 kB at 100 kB/s: about 2 s
    path = f"/subscriptions/{handle.subscription_id}/resourcegroups/up?api-version=2021-04-01"
    handle.token()
    started = time.monotonic()
    response = handle.request("PUT", path, data=body, headers={"Content-Type": "application/json"})
    elapsed = time.monotonic() - started
    assert response.status_code == 400  # read whole, then refused: not an object
    assert len(body) / elapsed <= 100_000 * 1.25
    assert handle.admin("POST", "settings", json={"bandwidth_kbps": 0}).status_code == 200
    started = time.monotonic()
    handle.request("PUT", path, data=body, headers={"Content-Type": "application/json"})
    assert time.monotonic() - started < elapsed / 2
