"""Installing the Bicep CLI (plan → download → verify → rename) from a loopback HTTPS stand-in
for the release host: a verified binary, a tampered one, a missing release, an untrusted
certificate, a redirect off HTTPS.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from bicep_support import (
    ReleaseHost,
    good_binary,
    leftovers,
    pins_for,
    release_host,
    settings_for,
    sha256,
    stale_workspace,
)
from https_stub import Reply, Request, StubServer, make_tls, serve

from orchestrator.bicep.download import DownloadError, HttpsDownload
from orchestrator.bicep.install import DigestMismatch, install
from orchestrator.bicep.plan import plan_install
from orchestrator.bicep.releases import PINNED_VERSION


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[StubServer, ReleaseHost]]:
    with release_host(tmp_path / "tls") as served:
        yield served


def test_a_verified_download_is_installed_executable_where_az_puts_it(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    good = good_binary(ws)
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good
    settings = settings_for(server, tmp_path)
    plan = plan_install(settings, "linux-x64", pins=pins_for(good))
    done = install(plan, HttpsDownload(settings.verify))
    target = tmp_path / "azure" / "bin" / "bicep"
    assert done.path == target and done.verified and done.downloaded
    assert target.read_bytes() == good
    assert os.access(target, os.X_OK)
    assert leftovers(target.parent) == ["bicep"]  # no temp file left behind
    answer = subprocess.run([str(target), "--version"], capture_output=True, text=True)
    assert answer.stdout.startswith("Bicep CLI version 0.33.13")


def test_an_installed_verified_binary_is_not_downloaded_again(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    good = good_binary(stale_workspace(tmp_path))
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good
    settings = settings_for(server, tmp_path)
    plan = plan_install(settings, "linux-x64", pins=pins_for(good))
    install(plan, HttpsDownload(settings.verify))
    again = install(plan, HttpsDownload(settings.verify))
    assert not again.downloaded
    assert len(server.requests) == 1


def test_a_tampered_download_is_deleted_and_names_both_digests(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    good = good_binary(stale_workspace(tmp_path))
    tampered = good + b"echo owned\n"
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = tampered
    settings = settings_for(server, tmp_path)
    plan = plan_install(settings, "linux-x64", pins=pins_for(good))
    with pytest.raises(DigestMismatch) as caught:
        install(plan, HttpsDownload(settings.verify))
    assert caught.value.exit_code == 1
    assert f"expected {sha256(good)}, actual {sha256(tampered)}" in caught.value.message
    assert leftovers(tmp_path / "azure" / "bin") == []


def test_a_missing_release_is_a_download_error(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, _ = host
    settings = settings_for(server, tmp_path)
    plan = plan_install(settings, "linux-x64", version="v0.1.2")
    with pytest.raises(DownloadError, match="HTTP 404"):
        install(plan, HttpsDownload(settings.verify))
    assert leftovers(tmp_path / "azure" / "bin") == []


def test_an_untrusted_certificate_is_refused(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    files.files["/v0.1.2/bicep-linux-x64"] = b"#!/bin/sh\n"
    settings = settings_for(server, tmp_path)
    plan = plan_install(settings, "linux-x64", version="v0.1.2")
    other_ca, _, _ = make_tls(tmp_path / "other")
    with pytest.raises(DownloadError, match="TLS certificate not trusted"):
        install(plan, HttpsDownload(str(other_ca)))
    with pytest.raises(DownloadError, match="CA certificate bundle") as caught:
        install(plan, HttpsDownload(str(tmp_path / "no-such-ca.pem")))
    assert "REQUESTS_CA_BUNDLE" in caught.value.hint
    assert server.requests == []
    assert leftovers(tmp_path / "azure" / "bin") == []


def test_a_redirect_off_https_is_refused(tmp_path: Path) -> None:
    import http.server
    import threading

    class Plain(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Length", "10")
            self.end_headers()
            self.wfile.write(b"#!/bin/sh\n")

        def log_message(self, format: str, *args: object) -> None:
            return

    plain = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Plain)
    threading.Thread(target=plain.serve_forever, daemon=True).start()
    try:
        target = f"http://127.0.0.1:{plain.server_address[1]}/v0.1.2/bicep-linux-x64"

        class Redirect(ReleaseHost):
            def __call__(self, request: Request) -> Reply:
                return Reply(302, b"", {"Location": target})

        with serve(tmp_path / "tls", Redirect()) as redirecting:
            settings = settings_for(redirecting, tmp_path)
            plan = plan_install(settings, "linux-x64", version="v0.1.2")
            with pytest.raises(DownloadError, match="not HTTPS"):
                install(plan, HttpsDownload(settings.verify))
    finally:
        plain.shutdown()
        plain.server_close()
    assert leftovers(tmp_path / "azure" / "bin") == []
