"""The azure-storage-file-share package's own tests, run live against localcloud.

    .venv/bin/python fidelity/files_suite.py [--tests test_file.py,...] [-k EXPR] [--draft]

1. builds (once, cached) a virtual environment of its own under the cache folder
   (`$FIDELITY_CACHE`, default `~/.cache/orchestrator-fidelity`) with the pinned
   `azure-storage-file-share` and what its tests import, and unpacks the package's source
   distribution from PyPI, whose `tests/` are the suite;
2. starts a private localcloud on a temporary state folder and creates, through ARM, the
   storage accounts the tests name (`STORAGE_ACCOUNT_NAME`, the secondary and the premium
   one), reading their keys with listKeys;
3. runs the chosen test modules with pytest in that environment, live: `files_peer/` stands
   in for the Azure SDK's `devtools_testutils` and its plugin points the tests' production
   account URLs at localcloud's path-style endpoint;
4. compares the outcome with `files_suite_expected.json`, the tests of operations localcloud
   does not serve (each with the operation). Exit 0 when every other test passed and every
   listed test still fails; `--draft` prints the failures as a list to review instead.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tarfile
import tempfile
import time
import uuid
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests"))

from localcloud_fixture import LocalCloudHandle, start_localcloud  # noqa: E402

PACKAGE = "azure-storage-file-share"
VERSION = "12.27.1"
PEER_REQUIREMENTS = (
    f"{PACKAGE}[aio]=={VERSION}",
    "azure-storage-blob==12.31.1",
    "pytest==9.2.0",
    "pytest-asyncio==1.5.0",
    "pyjwt==2.15.1",
    "azure-identity==1.27.0",
    "requests==2.34.2",
)
DEFAULT_TESTS = (
    "test_file.py",
    "test_file_async.py",
    "test_directory.py",
    "test_directory_async.py",
    "test_share.py",
    "test_share_async.py",
    "test_get_file.py",
    "test_get_file_async.py",
    "test_file_service_properties.py",
    "test_file_service_properties_async.py",
    "test_file_client.py",
    "test_file_client_async.py",
)
EXPECTED = Path(__file__).with_name("files_suite_expected.json")
PEER_DIR = Path(__file__).with_name("files_peer")
STORAGE_API = "2023-01-01"
ARM_SCOPE = "https://management.azure.com/.default"


@dataclass(frozen=True)
class Peer:
    python: Path
    tests: Path  # the source distribution's tests/ folder


@dataclass(frozen=True)
class Outcome:
    passed: frozenset[str]
    failed: dict[str, str]  # test id -> first line of the failure
    skipped: frozenset[str]


def cache_dir() -> Path:
    default = Path.home() / ".cache" / "orchestrator-fidelity"
    return Path(os.environ.get("FIDELITY_CACHE", default)) / "files-suite"


def prepare_peer(cache: Path) -> Peer:
    """The peer's venv and unpacked sdist, built on first use (keyed by the pins)."""
    key = uuid.uuid5(uuid.NAMESPACE_URL, "\n".join(PEER_REQUIREMENTS)).hex[:12]
    home = cache / key
    python = home / "venv" / "bin" / "python"
    tests = home / f"azure_storage_file_share-{VERSION}" / "tests"
    if python.exists() and tests.is_dir():
        return Peer(python, tests)
    home.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, "-m", "venv", str(home / "venv")], check=True)
    pip = [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check"]
    subprocess.run([*pip, *PEER_REQUIREMENTS], check=True)
    with tempfile.TemporaryDirectory() as scratch:
        subprocess.run(
            [
                *(str(python), "-m", "pip", "download", "-q", "--no-deps"),
                *("--no-binary", ":all:", "--disable-pip-version-check"),
                *("-d", scratch, f"{PACKAGE}=={VERSION}"),
            ],
            check=True,
        )
        (sdist,) = Path(scratch).glob("*.tar.gz")
        with tarfile.open(sdist) as archive:
            archive.extractall(home, filter="data")
    return Peer(python, tests)


def create_account(cloud: LocalCloudHandle, group: str, name: str, sku: str, kind: str) -> str:
    """Create a storage account through ARM and return its key1."""
    account_id = (
        f"/subscriptions/{cloud.subscription_id}/resourceGroups/{group}"
        f"/providers/Microsoft.Storage/storageAccounts/{name}"
    )
    body = {"location": "eastus", "sku": {"name": sku}, "kind": kind}
    response = cloud.request("PUT", f"{account_id}?api-version={STORAGE_API}", json=body)
    response.raise_for_status()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        keys = cloud.request("POST", f"{account_id}/listKeys?api-version={STORAGE_API}")
        if keys.status_code == 200:
            return str(keys.json()["keys"][0]["value"])
        time.sleep(0.2)
    raise RuntimeError(f"storage account {name} did not become ready")


def test_environment(cloud: LocalCloudHandle) -> dict[str, str]:
    """The variables the suite's settings read, naming accounts made on `cloud`."""
    group = f"rg-files-suite-{uuid.uuid4().hex[:6]}"
    response = cloud.request(
        "PUT",
        f"/subscriptions/{cloud.subscription_id}/resourceGroups/{group}?api-version=2022-09-01",
        json={"location": "eastus"},
    )
    response.raise_for_status()
    env: dict[str, str] = {}
    accounts = {
        "STORAGE": ("Standard_LRS", "StorageV2"),
        "SECONDARY_STORAGE": ("Standard_LRS", "StorageV2"),
        "PREMIUM_STORAGE_FILE": ("Premium_LRS", "FileStorage"),
    }
    for prefix, (sku, kind) in accounts.items():
        name = "peer" + uuid.uuid4().hex[:12]
        env[f"{prefix}_ACCOUNT_NAME"] = name
        env[f"{prefix}_ACCOUNT_KEY"] = create_account(cloud, group, name, sku, kind)
    return env


def run_pytest(
    peer: Peer, cloud: LocalCloudHandle, tests: list[str], keyword: str | None, junit: Path
) -> int:
    env = {
        **os.environ,
        **test_environment(cloud),
        "LOCALCLOUD_ENDPOINT": cloud.endpoint,
        "LOCALCLOUD_TENANT_ID": cloud.tenant_id,
        "LOCALCLOUD_CLIENT_ID": cloud.client_id,
        "LOCALCLOUD_CLIENT_SECRET": cloud.client_secret,
        "AZURE_TEST_RUN_LIVE": "true",
        "AZURE_SKIP_LIVE_RECORDING": "true",
        "REQUESTS_CA_BUNDLE": cloud.ca_file,
        "SSL_CERT_FILE": cloud.ca_file,
        "CURL_CA_BUNDLE": cloud.ca_file,
        "PYTHONPATH": os.pathsep.join([str(PEER_DIR), str(peer.tests)]),
        "PYTHONDONTWRITEBYTECODE": "1",
    }
    command = [
        str(peer.python),
        "-m",
        "pytest",
        *tests,
        "-p",
        "files_peer_plugin",
        "-p",
        "no:cacheprovider",
        "-o",
        "asyncio_mode=auto",
        "-o",
        "asyncio_default_fixture_loop_scope=function",
        "-q",
        "--no-header",
        "-rN",
        "--tb=line",
        f"--junitxml={junit}",
    ]
    if keyword:
        command += ["-k", keyword]
    return subprocess.run(command, cwd=peer.tests, env=env, check=False).returncode


def read_junit(junit: Path) -> Outcome:
    passed: set[str] = set()
    skipped: set[str] = set()
    failed: dict[str, str] = {}
    for case in ET.parse(junit).getroot().iter("testcase"):
        *_, module, cls = ["", "", *case.get("classname", "").split(".")]
        test_id = f"{module}.py::{cls}::{case.get('name')}"
        problem = case.find("failure")
        if problem is None:
            problem = case.find("error")
        if problem is not None:
            failed[test_id] = (problem.get("message") or "").splitlines()[0][:300]
        elif case.find("skipped") is not None:
            skipped.add(test_id)
        else:
            passed.add(test_id)
    return Outcome(frozenset(passed), failed, frozenset(skipped))


def load_expected() -> dict[str, str]:
    """Test id -> the operation localcloud does not serve that the test needs."""
    doc = json.loads(EXPECTED.read_text())
    return {test: operation for operation, tests in doc["not_served"].items() for test in tests}


def judge(outcome: Outcome, expected: dict[str, str], ran: set[str]) -> list[str]:
    """Problems: failures not listed, listed tests that now pass."""
    problems = [
        f"FAILED (not listed as not served): {test}: {why}"
        for test, why in sorted(outcome.failed.items())
        if test not in expected
    ]
    problems += [
        f"PASSED but listed as not served ({expected[test]}): {test}"
        for test in sorted(outcome.passed)
        if test in expected
    ]
    missing = sorted(t for t in expected if t.split("::")[0] in ran and t not in outcome.failed)
    problems += [
        f"listed but did not run: {t}" for t in missing if t not in outcome.passed | outcome.skipped
    ]
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", default=",".join(DEFAULT_TESTS))
    parser.add_argument("-k", dest="keyword", default=None)
    parser.add_argument("--draft", action="store_true", help="print failures to review")
    parser.add_argument("--junit", type=Path, default=None, help="keep the JUnit XML here")
    args = parser.parse_args(argv)
    tests = [t for t in args.tests.split(",") if t]
    peer = prepare_peer(cache_dir())
    with tempfile.TemporaryDirectory(prefix="files-suite-") as scratch:
        cloud = start_localcloud(Path(scratch) / "localcloud")
        try:
            junit = args.junit or Path(scratch) / "junit.xml"
            run_pytest(peer, cloud, tests, args.keyword, junit)
            outcome = read_junit(junit)
        finally:
            cloud.stop()
    total = len(outcome.passed) + len(outcome.failed) + len(outcome.skipped)
    expected = load_expected()
    not_served = sum(1 for t in outcome.failed if t in expected)
    print(
        f"{PACKAGE} {VERSION} tests against localcloud: {total} run, {len(outcome.passed)} "
        f"passed, {len(outcome.failed)} failed ({not_served} listed as not served), "
        f"{len(outcome.skipped)} skipped"
    )
    if args.draft:
        for test, why in sorted(outcome.failed.items()):
            print(f"{test}\t{expected.get(test, '?')}\t{why}")
        return 0
    problems = judge(outcome, expected, set(tests))
    for problem in problems:
        print(problem)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
