"""The container's environment, the runtime settings, and what the runtime persists."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

from localcloud.runtime.launch import LaunchRequest, container_environment, host_environment
from localcloud.runtime.records import RuntimeRecords
from localcloud.runtime.settings import RuntimeSettings
from localcloud.runtime.spec import AppSpec

APP_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.App/containerApps/app1"


def spec() -> AppSpec:
    return AppSpec.parse(
        {
            "id": APP_ID,
            "properties": {
                "configuration": {"ingress": {"targetPort": 7860}},
                "template": {
                    "containers": [
                        {"name": "c", "command": ["x"], "env": [{"name": "PORT", "value": "1"}]}
                    ]
                },
            },
        }
    )


class MemoryStore:
    def __init__(self) -> None:
        self.docs: dict[tuple[str, str], dict[str, Any]] = {}

    def get(self, kind: str, key: str) -> dict[str, Any] | None:
        return self.docs.get((kind, key.lower()))

    def put(self, kind: str, key: str, doc: Mapping[str, Any]) -> None:
        self.docs[(kind, key.lower())] = dict(doc)

    def delete(self, kind: str, key: str) -> bool:
        return self.docs.pop((kind, key.lower()), None) is not None

    def list(self, kind: str, prefix: str = "") -> list[dict[str, Any]]:
        return [d for (k, key), d in self.docs.items() if k == kind and key.startswith(prefix)]


def test_only_allow_listed_host_variables_reach_the_container() -> None:
    host = host_environment({"PATH": "/bin", "AZURE_CLIENT_SECRET": "x", "LC_ALL": "C"})
    assert host == {"PATH": "/bin", "LC_ALL": "C"}
    assert "PATH" in host_environment({})


def test_port_and_container_app_variables_override_the_template_env() -> None:
    app = spec()
    req = LaunchRequest(app, app.containers[0], "app1--abc", "app1--abc-1-x", 4321, Path("/r"))
    env = container_environment(req, {"PATH": "/bin"})
    assert env["PORT"] == "4321"
    assert env["CONTAINER_APP_NAME"] == "app1"
    assert env["CONTAINER_APP_REVISION"] == "app1--abc"
    assert env["CONTAINER_APP_REPLICA_NAME"] == "app1--abc-1-x"
    assert env["CONTAINER_APP_ENV_DNS_SUFFIX"]
    assert env["CONTAINER_APP_PORT"] == "7860"


def test_settings_from_env_reads_numbers_and_ignores_garbage() -> None:
    settings = RuntimeSettings.from_env(
        {
            "LOCALCLOUD_PROBE_SCALE": "0.5",
            "LOCALCLOUD_MOUNT_MODE": "Rewrite",
            "LOCALCLOUD_STOP_GRACE": "x",
        }
    )
    assert settings.probe_scale == 0.5
    assert settings.mount_mode == "rewrite"
    assert settings.stop_grace == RuntimeSettings().stop_grace
    assert RuntimeSettings.from_env({"LOCALCLOUD_MOUNT_MODE": "nope"}).mount_mode == "auto"


def test_backoff_doubles_up_to_the_cap() -> None:
    settings = RuntimeSettings(restart_backoff=1.0, restart_backoff_max=5.0)
    assert [settings.backoff(n) for n in (1, 2, 3, 4)] == [1.0, 2.0, 4.0, 5.0]


def test_records_keep_revisions_in_order_and_the_port_per_app() -> None:
    records = RuntimeRecords(MemoryStore())
    app = spec()
    records.add_revision(app, "app1--one", "h1")
    records.add_revision(app, "app1--two", "h2")
    records.deactivate(app.key, "app1--one")
    assert [(k.name, k.active) for k in records.known(app.key)] == [
        ("app1--one", False),
        ("app1--two", True),
    ]
    records.set_port(app.key, 4444)
    records.set_latest_ready(app.key, "app1--two")
    assert (records.port(app.key), records.latest_ready(app.key)) == (4444, "app1--two")
    assert records.app_keys() == [app.key]
    records.forget(app.key)
    assert records.revisions(app.key) == [] and records.port(app.key) is None
