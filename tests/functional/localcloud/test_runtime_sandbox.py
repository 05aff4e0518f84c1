"""The replica sandbox: its own HOME, /tmp and Python environment; the state directory's
secrets out of reach; the host read-only; pip installs kept per app; the image reported."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path
from typing import Any

import pytest
from runtime_harness import app_doc, eventually, make_cloud, make_supervisor, put_storage

from localcloud.runtime.sandbox import detect_sandbox
from localcloud.runtime.supervisor import Supervisor

pytestmark = [pytest.mark.functional, pytest.mark.slow]

# Reports what it can see as one JSON line, installs the wheel next to it, then idles.
PROBE_PY = r"""
import json, os, subprocess, sys
state = os.environ["STATE_DIR"]

def readable(path):
    try:
        with open(path, "rb") as handle:
            handle.read(1)
        return True
    except OSError:
        return False

def writable(folder):
    try:
        with open(os.path.join(folder, ".sandbox-probe"), "w") as handle:
            handle.write("x")
        os.remove(os.path.join(folder, ".sandbox-probe"))
        return True
    except OSError:
        return False

if os.environ.get("WRITE_TMP"):  # only where /tmp is the replica's own
    with open("/tmp/marker", "w") as handle:
        handle.write("inside")
report = {
    "home": os.environ["HOME"], "tmpdir": os.environ["TMPDIR"],
    "venv": os.environ.get("VIRTUAL_ENV", ""), "python": sys.executable,
    "signing_key": readable(os.path.join(state, "signing.key")),
    "identity": readable(os.path.join(state, "identity.json")),
    "database": readable(os.path.join(state, "state.db")),
    "share": writable(os.getcwd()), "host_repo": writable(os.environ["HOST_DIR"]),
    "home_writable": writable(os.environ["HOME"]),
}
print("REPORT " + json.dumps(report), flush=True)
wheel = "tinypkg-0.1-py3-none-any.whl"
code = subprocess.call([sys.executable, "-m", "pip", "install", "--no-index", wheel])
import importlib
tiny = importlib.import_module("tinypkg")
print("INSTALLED " + json.dumps({"code": code, "file": tiny.__file__}), flush=True)
import time
time.sleep(600)
"""


def tiny_wheel(folder: Path) -> Path:
    """A minimal pure-Python wheel (no network, no build step)."""
    files = {
        "tinypkg/__init__.py": b"VALUE = 42\n",
        "tinypkg-0.1.dist-info/METADATA": b"Metadata-Version: 2.1\nName: tinypkg\nVersion: 0.1\n",
        "tinypkg-0.1.dist-info/WHEEL": (
            b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
        ),
    }

    def digest(data: bytes) -> str:
        raw = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        return f"sha256={raw}"

    record = "".join(f"{n},{digest(b)},{len(b)}\n" for n, b in files.items())
    wheel = folder / "tinypkg-0.1-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
        archive.writestr(
            "tinypkg-0.1.dist-info/RECORD", record + "tinypkg-0.1.dist-info/RECORD,,\n"
        )
    return wheel


def marked(lines: list[str], mark: str) -> dict[str, Any] | None:
    for line in lines:
        if mark in line:
            return dict(json.loads(line.split(mark, 1)[1]))
    return None


def start_probe(
    tmp_path: Path, sup: Supervisor, cloud: Any, write_tmp: bool = False
) -> tuple[dict[str, Any], str]:
    put_storage(cloud, "store1", "acct1", "share1")
    share = cloud.files.share_path("acct1", "share1")
    (share / "probe.py").write_text(PROBE_PY)
    tiny_wheel(share)
    for name in ("signing.key", "identity.json"):
        (cloud.state_dir / name).write_text("secret")
    doc = app_doc("sandboxed", "cd /mount && python3 probe.py", ingress=False)
    container = doc["properties"]["template"]["containers"][0]
    container["env"] = [
        {"name": "STATE_DIR", "value": str(cloud.state_dir)},
        {"name": "HOST_DIR", "value": str(Path(__file__).parent)},
        {"name": "WRITE_TMP", "value": "1" if write_tmp else ""},
    ]
    return doc, str(share)


@pytest.mark.parametrize("mode", ["auto", "bwrap"])
def test_a_replica_has_its_own_home_tmp_and_python_and_cannot_reach_the_state(
    tmp_path: Path, mode: str
) -> None:
    if mode == "bwrap" and not shutil.which("bwrap"):
        pytest.skip("bubblewrap (bwrap) is not installed")

    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        sup = make_supervisor(cloud, sandbox=mode)
        assert sup.sandbox is not None
        if mode == "bwrap":
            assert sup.sandbox.tool == "bwrap", sup.sandbox.reason
        isolated = sup.sandbox.isolation == "namespace"
        doc, _ = start_probe(tmp_path, sup, cloud, write_tmp=isolated)
        try:
            sup.apply(doc)

            def installed() -> dict[str, Any] | None:
                return marked(sup.log_lines(doc["id"], 200), "INSTALLED ")

            done = await eventually(installed, timeout=90)
            lines = sup.log_lines(doc["id"], 200)
            report = marked(lines, "REPORT ")
            assert report is not None
            replicas = cloud.state_dir / "runtime" / "replicas"
            replica_dir = next(replicas.iterdir())
            assert report["home"] == str(replica_dir / "home")
            assert report["tmpdir"] == str(replica_dir / "tmp")
            assert report["home_writable"] and report["share"]
            venvs = cloud.state_dir / "runtime" / "venvs"
            assert report["venv"].startswith(str(venvs))
            assert report["python"].startswith(report["venv"])
            assert done["code"] == 0
            assert done["file"].startswith(report["venv"])
            assert any("[localcloud] pip install" in line for line in lines)
            assert any(
                "image 'docker.io/pytorch/pytorch:2.4.0-cuda12.4-cudnn9-runtime' is not pulled"
                in line
                for line in lines
            )
            events = [e["Reason"] for e in sup.events(doc["id"], 50)]
            assert "ImageNotPulled" in events
            if sup.sandbox.isolation == "namespace":
                assert not report["signing_key"]
                assert not report["identity"]
                assert not report["database"]
                assert not report["host_repo"]
                assert (replica_dir / "tmp" / "marker").read_text() == "inside"
            else:
                pytest.skip(f"no namespace isolation here: {sup.sandbox.reason}")
        finally:
            await sup.shutdown()
        assert (
            "tinypkg"
            not in subprocess.run(
                [sys.executable, "-m", "pip", "list"], capture_output=True, text=True, check=False
            ).stdout
        )

    asyncio.run(scenario())


def test_a_restarted_replica_reuses_the_apps_python_environment(tmp_path: Path) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        sup = make_supervisor(cloud)
        doc, _ = start_probe(tmp_path, sup, cloud)
        try:
            rev = sup.apply(doc)["latestRevisionName"]
            await eventually(lambda: marked(sup.log_lines(doc["id"], 200), "INSTALLED "), 90)
            first = marked(sup.log_lines(doc["id"], 200), "REPORT ")
            sup.restart(doc["id"], rev)

            def second_install() -> bool:
                lines = sup.log_lines(doc["id"], 400)
                return sum("INSTALLED " in line for line in lines) >= 2

            await eventually(second_install, timeout=90)
            lines = sup.log_lines(doc["id"], 400)
            reports = [json.loads(x.split("REPORT ", 1)[1]) for x in lines if "REPORT " in x]
            assert first is not None and reports[-1]["venv"] == first["venv"]
            assert reports[-1]["home"] != first["home"]
            assert sum("Successfully installed tinypkg" in line for line in lines) == 1
            assert any("tinypkg is already installed" in line for line in lines)
            sup.remove(doc["id"])
            await sup.settle()
            assert not Path(first["venv"]).exists()  # deleting the app deletes its Python
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def test_without_namespace_isolation_a_replica_still_has_its_own_home_tmp_and_python(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        cloud = make_cloud(tmp_path)
        sup = make_supervisor(cloud, sandbox="none")
        assert sup.sandbox is not None and sup.sandbox.isolation == "none"
        doc, _ = start_probe(tmp_path, sup, cloud)
        try:
            sup.apply(doc)
            done = await eventually(
                lambda: marked(sup.log_lines(doc["id"], 200), "INSTALLED "), timeout=90
            )
            lines = sup.log_lines(doc["id"], 200)
            report = marked(lines, "REPORT ")
            assert report is not None
            assert "/runtime/replicas/" in report["home"] and report["tmpdir"].endswith("/tmp")
            assert done["file"].startswith(report["venv"])
            assert report["signing_key"]  # the documented limit of the fallback
            assert any("sandbox without namespace isolation" in line for line in lines)
        finally:
            await sup.shutdown()

    asyncio.run(scenario())


def others_can_read(folder: Path) -> bool:
    """Whether a user who is neither owner nor in the group can list `folder` (every
    ancestor searchable, the folder itself readable)."""
    import stat

    if any(not p.stat().st_mode & stat.S_IXOTH for p in (folder, *folder.parents)):
        return False
    return bool(folder.stat().st_mode & stat.S_IROTH)


def test_isolation_is_found_for_root_and_for_an_unprivileged_user(tmp_path: Path) -> None:
    import os

    if os.geteuid() != 0:
        pytest.skip("needs root to switch to an unprivileged user for the second probe")
    if not Path("/usr/bin/python3").exists():
        pytest.skip("no system /usr/bin/python3 for the unprivileged user to run")
    root = Path(__file__).resolve().parents[3]
    if not others_can_read(root):
        pytest.skip(f"an unprivileged user cannot read this checkout ({root})")
    assert detect_sandbox(tmp_path / "root-state").isolation == "namespace"
    state = Path(tempfile.mkdtemp(prefix="localcloud-user-"))  # pytest's base is root-only
    os.chown(state, 65534, 65534)
    code = (
        "import sys; from pathlib import Path; from localcloud.runtime.sandbox import "
        "detect_sandbox; print(detect_sandbox(Path(sys.argv[1])).isolation)"
    )
    done = subprocess.run(
        [
            *("setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"),
            *("/usr/bin/python3", "-c", code, str(state)),
        ],
        capture_output=True,
        text=True,
        cwd=root,
        env={"PATH": os.environ["PATH"], "PYTHONPATH": str(root)},
        check=False,
    )
    shutil.rmtree(state, ignore_errors=True)
    if done.returncode != 0 and "Permission denied" in done.stderr:
        pytest.skip(f"the unprivileged user cannot run this checkout's Python: {done.stderr}")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "namespace"
