"""Installing the Bicep CLI from a loopback HTTPS stand-in for downloads.bicep.azure.com (its own
test CA): a good binary (a script that answers `--version` like Bicep and `build --stdout`
with the checked-in JSON) and a tampered one; through the CLI and through compile's offer.
"""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from https_stub import Reply, Request, StubServer, make_tls, serve

from orchestrator.bicep.download import DownloadError, HttpsDownload
from orchestrator.bicep.install import DigestMismatch, install
from orchestrator.bicep.offer import BicepOffer
from orchestrator.bicep.plan import plan_install
from orchestrator.bicep.platforms import Host, current_host, detect_platform
from orchestrator.bicep.releases import PINNED_VERSION, PINS, PinnedDigest
from orchestrator.bicep.settings import BicepSettings
from orchestrator.compile import compile_template
from orchestrator.errors import InputError
from orchestrator.workspace import Workspace

REPO = Path(__file__).resolve().parents[3]
LINUX = Host("Linux", "x86_64")
FAKE_BICEP = """#!/bin/sh
case "$1" in
  --version) echo "Bicep CLI version 0.33.13 (fake)" ;;
  build) /bin/cat "{json}" ;;
  *) exit 2 ;;
esac
"""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def stale_workspace(tmp_path: Path) -> Path:
    """A workspace whose inference.json no longer matches inference.bicep."""
    ws = tmp_path / "ws"
    shutil.copytree(REPO / "infra", ws / "infra")
    bicep = ws / "infra/provision/inference.bicep"
    bicep.write_text(bicep.read_text() + "\n// edited after the JSON was compiled\n")
    return ws


class ReleaseHost:
    """Serves `/{tag}/{asset}` from `files`; anything else is 404."""

    def __init__(self) -> None:
        self.files: dict[str, bytes] = {}

    def __call__(self, request: Request) -> Reply:
        body = self.files.get(request.path)
        if body is None:
            return Reply(404, b"BlobNotFound")
        return Reply(200, body, {"Content-Type": "application/octet-stream"})


@pytest.fixture
def host(tmp_path: Path) -> Iterator[tuple[StubServer, ReleaseHost]]:
    files = ReleaseHost()
    with serve(tmp_path / "tls", files) as server:
        yield server, files


def settings_for(server: StubServer, tmp_path: Path, **extra: str) -> BicepSettings:
    env = {
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
        "ORCHESTRATOR_BICEP_DOWNLOAD_URL": server.base_url,
        "REQUESTS_CA_BUNDLE": server.ca_file,
        **extra,
    }
    return BicepSettings.from_env(env)


def good_binary(ws: Path) -> bytes:
    return FAKE_BICEP.format(json=ws / "infra/provision/inference.json").encode()


def pins_for(data: bytes, platform: str = "linux-x64") -> dict[str, dict[str, PinnedDigest]]:
    return {PINNED_VERSION: {platform: PinnedDigest(sha256(data), ("test pin",))}}


def leftovers(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


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


# --- compile's offer ---------------------------------------------------------------------


def offer(
    server: StubServer,
    tmp_path: Path,
    pins: dict[str, dict[str, PinnedDigest]],
    *,
    interactive: bool = False,
    assume_yes: bool = False,
    answer: bool = True,
) -> tuple[BicepOffer, io.StringIO]:
    said = io.StringIO()
    settings = settings_for(server, tmp_path)
    return (
        BicepOffer(
            settings=settings,
            host=LINUX,
            interactive=interactive,
            assume_yes=assume_yes,
            ask=lambda question: answer,
            notify=lambda line: print(line, file=said),
            download=HttpsDownload(settings.verify),
            pins=pins,
        ),
        said,
    )


def no_compiler_env(tmp_path: Path) -> dict[str, str]:
    return {"HOME": str(tmp_path / "home"), "AZURE_CONFIG_DIR": str(tmp_path / "azure")}


def no_which(name: str) -> str | None:
    return None


def test_compile_installs_the_pinned_cli_with_yes_and_compiles_with_it(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    good = good_binary(ws)
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good
    installer, said = offer(server, tmp_path, pins_for(good), assume_yes=True)
    compiled = compile_template(
        Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
    )
    assert compiled.obtained == "bicep 0.33.13"
    assert (tmp_path / "azure" / "bin" / "bicep").read_bytes() == good
    assert "was not compiled from the current" in said.getvalue()
    assert f"{server.base_url}/{PINNED_VERSION}/bicep-linux-x64" in said.getvalue()
    assert f"SHA-256 {sha256(good)}" in said.getvalue()


def test_compile_asks_on_a_terminal_and_a_no_installs_nothing(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    good = good_binary(ws)
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good
    installer, _ = offer(server, tmp_path, pins_for(good), interactive=True, answer=False)
    with pytest.raises(InputError) as caught:
        compile_template(
            Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
        )
    assert "orchestrator bicep install --yes" in caught.value.hint
    assert server.requests == []


def test_compile_without_a_terminal_downloads_nothing_and_names_the_command(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, _ = host
    ws = stale_workspace(tmp_path)
    installer, said = offer(server, tmp_path, pins_for(b"x"))
    with pytest.raises(InputError) as caught:
        compile_template(
            Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
        )
    assert "was not compiled from the current" in caught.value.message
    assert "`orchestrator bicep install --yes`" in caught.value.hint
    assert server.requests == [] and said.getvalue() == ""


def test_compile_with_a_tampered_download_installs_nothing(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    ws = stale_workspace(tmp_path)
    good = good_binary(ws)
    files.files[f"/{PINNED_VERSION}/bicep-linux-x64"] = good.replace(b"0.33.13", b"6.6.6")
    installer, _ = offer(server, tmp_path, pins_for(good), assume_yes=True)
    with pytest.raises(DigestMismatch):
        compile_template(
            Workspace(ws), None, no_compiler_env(tmp_path), which=no_which, installer=installer
        )
    assert leftovers(tmp_path / "azure" / "bin") == []


# --- the command, as a real process ------------------------------------------------------


def cli(
    tmp_path: Path, server: StubServer, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    base = {
        "HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
        "ORCHESTRATOR_BICEP_DOWNLOAD_URL": server.base_url,
        "REQUESTS_CA_BUNDLE": server.ca_file,
    }
    return subprocess.run(
        [sys.executable, "-m", "orchestrator", *args],
        cwd=tmp_path,
        env={**base, **env},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def this_platform_pinned() -> str:
    platform = detect_platform(current_host())
    if platform not in PINS[PINNED_VERSION]:
        pytest.skip(f"no pinned digest for {platform}")
    return platform


def test_cli_refuses_a_tampered_pinned_release(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = this_platform_pinned()
    tampered = b"#!/bin/sh\necho 'Bicep CLI version 0.33.13'\n"
    asset = f"bicep-{platform}" + (".exe" if platform.startswith("win") else "")
    files.files[f"/{PINNED_VERSION}/{asset}"] = tampered
    done = cli(tmp_path, server, "bicep", "install", "--yes")
    expected = PINS[PINNED_VERSION][platform].sha256
    assert done.returncode == 1, done.stderr
    assert f"expected {expected}, actual {sha256(tampered)}" in done.stderr
    assert leftovers(tmp_path / "azure" / "bin") == []


def test_cli_installs_a_named_release_unverified_and_validate_then_uses_it(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = detect_platform(current_host())
    ws = stale_workspace(tmp_path)
    files.files[f"/v0.40.2/bicep-{platform}"] = good_binary(ws)
    done = cli(tmp_path, server, "bicep", "install", "--version", "0.40.2")
    assert done.returncode == 0, done.stderr
    assert "UNVERIFIED" in done.stderr
    assert f"installed Bicep CLI v0.40.2 at {tmp_path / 'azure' / 'bin' / 'bicep'}" in done.stdout
    checked = cli(tmp_path, server, "validate", "-w", str(ws))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "(bicep 0.33.13)" in checked.stdout


def test_cli_refuses_an_http_download_url(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, _ = host
    insecure = server.base_url.replace("https://", "http://")
    done = cli(tmp_path, server, "bicep", "install", ORCHESTRATOR_BICEP_DOWNLOAD_URL=insecure)
    assert done.returncode == 2
    assert "ORCHESTRATOR_BICEP_DOWNLOAD_URL" in done.stderr
    assert server.requests == []


def on_a_terminal(tmp_path: Path, server: StubServer, answer: bytes, *args: str) -> tuple[int, str]:
    """`orchestrator bicep install` with stdin/stdout on a pseudo-terminal; `answer` is typed
    once the question shows. Exit code and everything the terminal showed."""
    import pty
    import select

    main, child = pty.openpty()
    env = {
        "HOME": str(tmp_path / "home"),
        "PATH": "/usr/bin:/bin",
        "AZURE_CONFIG_DIR": str(tmp_path / "azure"),
        "ORCHESTRATOR_BICEP_DOWNLOAD_URL": server.base_url,
        "REQUESTS_CA_BUNDLE": server.ca_file,
        "TERM": "dumb",
    }
    process = subprocess.Popen(
        [sys.executable, "-m", "orchestrator", "bicep", "install", *args],
        stdin=child,
        stdout=child,
        stderr=child,
        env=env,
        cwd=tmp_path,
    )
    os.close(child)
    shown, answered = b"", False
    while True:
        ready, _, _ = select.select([main], [], [], 60)
        assert ready, shown.decode(errors="replace")
        try:
            chunk = os.read(main, 4096)
        except OSError:  # the child closed the terminal
            break
        if not chunk:
            break
        shown += chunk
        if not answered and b"[Y/n]" in shown:
            os.write(main, answer)
            answered = True
    os.close(main)
    return process.wait(timeout=60), shown.decode(errors="replace")


def test_on_a_terminal_enter_means_yes(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = detect_platform(current_host())
    files.files[f"/v0.40.2/bicep-{platform}"] = good_binary(stale_workspace(tmp_path))
    code, shown = on_a_terminal(tmp_path, server, b"\n", "--version", "v0.40.2")
    assert code == 0, shown
    assert "UNVERIFIED" in shown and "Install it now? [Y/n]" in shown
    assert (tmp_path / "azure" / "bin" / "bicep").is_file()


def test_on_a_terminal_no_installs_nothing(
    tmp_path: Path, host: tuple[StubServer, ReleaseHost]
) -> None:
    server, files = host
    platform = detect_platform(current_host())
    files.files[f"/v0.40.2/bicep-{platform}"] = good_binary(stale_workspace(tmp_path))
    code, shown = on_a_terminal(tmp_path, server, b"n\n", "--version", "v0.40.2")
    assert code == 1, shown
    assert "nothing installed" in shown
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
